"""Domain errors raised under a UI view become a message for the user (API errors are mapped in core.api)."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import DongneError, NotAuthenticated
from .textguard import contains_nul, nul_character_error, querydict_contains_nul


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


# --- Content-Security-Policy ---------------------------------------------------------------------------------
# No page runs inline script: behaviour lives in static files (static/dongne/dongne.js, static/insights/
# charts.js, htmx, plotly, Swagger UI), served from this origin. Chart data travels as
# <script type="application/json"> data islands, which browsers never execute.
# style-src keeps 'unsafe-inline' because plotly.js and htmx inject <style> elements at run time and a few
# templates set computed widths/heights in style attributes; styles cannot run code.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Adds the platform's Content-Security-Policy to every response that does not set its own.

    Generated PDFs shown inline (minutes, reports, certificates) are left without one: a PDF runs no page
    script, and browsers' built-in PDF viewers are plugins that ``object-src 'none'`` could block."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and not response.get("Content-Type", "").startswith(
            "application/pdf"
        ):
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response


# --- NUL characters ----------------------------------------------------------------------------------------------
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NulCharacterMiddleware:
    """Refuses (400) a request whose path, query string or form fields hold a NUL character (see core.textguard).

    Placed before CSRF and the views, so nothing has been read or stored; JSON bodies are checked where parsed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            error = nul_character_error()
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                from .api import error_body

                return JsonResponse(error_body(error), status=400)
            return render(request, "error.html", {"error": error}, status=400)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request):
        if contains_nul(request.path) or querydict_contains_nul(request.GET):
            return True
        if request.method == "POST" and (request.content_type or "").lower() in FORM_TYPES:
            return querydict_contains_nul(request.POST)
        return False
