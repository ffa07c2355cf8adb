from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from dongne.network import selectors as network_selectors

from . import permissions, ratelimit, selectors, services
from .errors import ValidationError
from .forms import AcceptInvitationForm, AuditFilterForm, InvitationForm, TokenForm
from .pagination import paginate


class LoginView(auth_views.LoginView):
    """Login with throttling: after DONGNE_LOGIN_ATTEMPTS failures for one address or from one IP within
    DONGNE_LOGIN_LOCK_MINUTES, further attempts are refused without checking the password."""

    template_name = "core/login.html"
    redirect_authenticated_user = True

    IP_FACTOR = 4  # one office behind one address: its people together get four times one address's tries

    def _keys(self):
        email = (self.request.POST.get("username") or "").strip().lower()
        return [f"login:email:{email}", f"login:ip:{ratelimit.client_ip(self.request)}"]

    def post(self, request, *args, **kwargs):
        period = settings.LOGIN_LOCK_MINUTES * 60
        limits = (settings.LOGIN_ATTEMPTS, settings.LOGIN_ATTEMPTS * self.IP_FACTOR)
        if any(ratelimit.count(key, period) >= n for key, n in zip(self._keys(), limits, strict=True)):
            form = self.get_form()
            form.errors.clear()
            return self.render_to_response(self.get_context_data(form=form, locked=True), status=429)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "login_lock_minutes": settings.LOGIN_LOCK_MINUTES}

    def form_invalid(self, form):
        for key in self._keys():
            ratelimit.hit(key, settings.LOGIN_LOCK_MINUTES * 60)
        return super().form_invalid(form)

    def form_valid(self, form):
        ratelimit.clear(self._keys()[0])
        return super().form_valid(form)


def home(request):
    actor = request.user
    context = {"counts": network_selectors.counts()}
    if permissions.is_officer(actor):
        context["applications"] = network_selectors.pending_applications(actor)[:10]
        context["expiring_mous"] = network_selectors.expiring_mous(actor, days=90)[:10]
    if permissions.is_authenticated(actor):
        context["my_organisations"] = network_selectors.represented_organisations(actor)
    # The platform opens on the region: a map and the visitor trend from the insights module.
    from dongne.insights.views import home_panel

    context.update(home_panel(request))
    return render(request, "core/home.html", context)


def _form_errors(form, exc):
    """Copy a domain ValidationError's field errors onto the form; the rest becomes a message."""
    for field, messages_ in (exc.errors or {}).items() if isinstance(exc.errors, dict) else []:
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)
    if not isinstance(exc.errors, dict) or not exc.errors:
        form.add_error(None, exc.render())


@login_required
def invitations(request):
    permissions.require(request.user, "core.invite_user")
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite_user(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:  # field problems go back onto the form
            _form_errors(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("invitations")
    page = paginate(request, selectors.invitations(request.user))
    return render(request, "core/invitations.html", {"form": form, "page": page})


@login_required
@require_POST
def revoke_invitation(request, invitation_id):
    services.revoke_invitation(actor=request.user, invitation_id=invitation_id)
    messages.success(request, _("The invitation was revoked."))
    return redirect("invitations")


def accept_invitation(request, token):
    invitation = services.open_invitation(token)
    form = AcceptInvitationForm(request.POST or None, initial={"name": invitation.name})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                actor=request.user,
                raw_token=token,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as exc:  # field problems go back onto the form
            _form_errors(form, exc)
        else:
            login(request, user, backend="dongne.core.backends.RoleBackend")
            messages.success(request, _("Welcome, %(name)s. Your account is ready.") % {"name": user.name})
            return redirect("home")
    return render(request, "core/accept_invitation.html", {"form": form, "invitation": invitation})


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        created = services.create_api_token(actor=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    return render(
        request,
        "core/tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": request.user.api_tokens.all(),
        },
    )


@login_required
@require_POST
def revoke_token(request, token_id):
    services.revoke_api_token(actor=request.user, token_id=token_id)
    messages.success(request, _("The token was revoked; programs using it are refused from now on."))
    return redirect("tokens")


@login_required
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_entries(
        request.user, action=filters.get("action", ""), target_type=filters.get("target_type", "")
    )
    return render(request, "core/audit.html", {"form": form, "page": paginate(request, entries, 50)})


@login_required
def failed_jobs(request):
    permissions.require(request.user, "core.manage_jobs")
    return render(request, "core/jobs.html", {"page": paginate(request, selectors.failed_jobs(), 50)})


@require_POST
def handle_failed_job(request, failure_id, action):
    if action == "retry":
        services.retry_failed_job(actor=request.user, failure_id=failure_id)
        messages.success(request, _("The job was queued again."))
    else:
        services.dismiss_failed_job(actor=request.user, failure_id=failure_id)
        messages.success(request, _("The job was marked as dealt with."))
    return redirect("failed_jobs")


def page_not_found(request, exception=None):
    """404 for the whole site: the API's JSON error body under /api/, the error page elsewhere."""
    from .errors import NotFound

    error = NotFound()
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        from .api import error_body

        return JsonResponse(error_body(error), status=404, json_dumps_params={"ensure_ascii": False})
    return render(request, "error.html", {"error": error}, status=404)


def server_error(request):
    from .errors import ServerError

    error = ServerError()
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        from .api import error_body

        return JsonResponse(error_body(error), status=500, json_dumps_params={"ensure_ascii": False})
    return render(request, "error.html", {"error": error}, status=500)


@never_cache
@require_GET
def health(request):
    """Monitoring: database, data folder and job queue; 200 when all are ok, 503 otherwise (core/health.py)."""
    from . import health as checks

    healthy, report = checks.run_checks()
    return JsonResponse(report, status=200 if healthy else 503)


# --- personal data (개인정보 보호법 제35조·제36조) -------------------------------------------------------------
@login_required
def privacy(request):
    from .models import ErasureRequest

    return render(
        request,
        "core/privacy.html",
        {"requests": ErasureRequest.objects.filter(user=request.user).select_related("decided_by")},
    )


@login_required
def privacy_export(request):
    import json

    from django.http import HttpResponse

    data = services.export_personal_data(actor=request.user, user_id=request.user.pk)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="dongne-personal-data-{request.user.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def privacy_erase(request):
    services.request_erasure(actor=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("Your request was sent; the secretariat will answer it."))
    return redirect("privacy")


@login_required
def erasure_requests(request):
    from .models import ErasureRequest

    permissions.require(request.user, "core.decide_erasure")
    return render(
        request,
        "core/erasure_requests.html",
        {"requests": ErasureRequest.objects.select_related("user", "decided_by")[:200]},
    )


@login_required
@require_POST
def decide_erasure(request, request_id, approve):
    services.decide_erasure(
        actor=request.user, request_id=request_id, approve=approve, answer=request.POST.get("answer", "")
    )
    if approve:
        messages.success(
            request, _("The person's personal data was deleted; their records are kept under a pseudonym.")
        )
    else:
        messages.success(request, _("The request was refused; the member sees your answer."))
    return redirect("erasure_requests")
