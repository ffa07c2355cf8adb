"""Domain errors raised under a UI view become a message for the user (API errors are mapped in core.api)."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import DongneError, NotAuthenticated


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DongneError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotAuthenticated):
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if request.method == "POST":
            # Back to the page the form was on, with the reason shown; nothing was changed.
            messages.error(request, exception.render())
            target = request.META.get("HTTP_REFERER") or request.path
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = request.path
            return HttpResponseRedirect(target)
        return render(request, "error.html", {"error": exception}, status=exception.status)
