"""State changes of the core app: invitations and API tokens."""

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import audit, permissions
from .choices import Role
from .errors import Conflict, NotFound, RateLimited, ValidationError
from .models import ApiRateWindow, ApiToken, ErasureRequest, Invitation, User, hash_token
from .signals import invitation_accepted

TOKEN_PREFIX = "dn_"


def invite_user(*, actor, email, role, name="", organisation=None):
    """Invite a person by e-mail; the link in the mail lets them set a password and log in."""
    permissions.require(actor, "core.invite_user")
    email = str(email or "").strip().lower()
    errors = {}
    try:
        validate_email(email)
    except DjangoValidationError:
        errors["email"] = [str(_("Enter a valid e-mail address."))]
    if role not in Role.values:
        errors["role"] = [str(_("Choose a role."))]
    if role in (Role.MEMBER_REP, Role.PARTNER) and organisation is None:
        errors["organisation"] = [str(_("A representative or partner contact needs an organisation."))]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], errors=errors)
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(_("%(email)s already has an account."), code="duplicate_user", params={"email": email})
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        # A fresh invitation replaces any open one for the same address.
        Invitation.objects.filter(email=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        invitation = Invitation.objects.create(
            email=email,
            name=name,
            role=role,
            organisation=organisation,
            token_hash=hash_token(raw),
            invited_by=actor,
            expires_at=timezone.now() + dt.timedelta(days=settings.INVITATION_DAYS),
        )
        audit.record(
            actor,
            "core.invitation.sent",
            invitation,
            {"email": email, "role": role, "organisation": getattr(organisation, "pk", None)},
        )
        link = settings.SITE_URL + reverse("accept_invitation", args=[raw])
        context = {"invitation": invitation, "link": link, "site_url": settings.SITE_URL}
        transaction.on_commit(
            lambda: send_mail(
                str(_("[Dongne] You are invited")),
                render_to_string("core/email/invitation.txt", context),
                None,
                [email],
            )
        )
    invitation.raw_token = raw  # shown to the secretariat once, e.g. when e-mail is not configured
    return invitation


def create_user(*, actor, email, name, role, password):
    """Create an account directly: the first secretariat from the shell (actor None), or by the secretariat."""
    permissions.require(actor, "core.create_user")
    email = str(email or "").strip().lower()
    errors = {}
    try:
        validate_email(email)
    except DjangoValidationError:
        errors["email"] = [str(_("Enter a valid e-mail address."))]
    if role not in Role.values:
        errors["role"] = [str(_("Choose a role."))]
    if not str(name or "").strip():
        errors["name"] = [str(_("Enter your name."))]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], errors=errors)
    user = User(email=email, name=str(name).strip(), role=role)
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError(exc.messages[0], errors={"password": exc.messages})
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise Conflict(
                _("%(email)s already has an account."), code="duplicate_user", params={"email": email}
            )
        user.set_password(password)
        user.save()
        audit.record(actor, "core.user.created", user, {"role": role})
    return user


def open_invitation(raw_token):
    """The open invitation behind the secret link (not a service: reads only; the token is the credential)."""
    try:
        invitation = Invitation.objects.select_related("organisation").get(token_hash=hash_token(raw_token))
    except Invitation.DoesNotExist:
        raise NotFound(_("This invitation link is not valid."))
    if not invitation.is_open:
        raise Conflict(
            _(
                "This invitation has expired, was revoked or was already used; ask the secretariat for a new one."
            ),
            code="invitation_closed",
        )
    return invitation


def accept_invitation(*, actor, raw_token, name, password):
    """Create the invited user's account with their chosen password."""
    permissions.require(actor, "core.accept_invitation")
    with transaction.atomic():
        invitation = open_invitation(raw_token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise Conflict(_("This invitation was already used."), code="invitation_closed")
        name = str(name or invitation.name).strip()
        if not name:
            raise ValidationError.on("name", _("Enter your name."))
        user = User(email=invitation.email, name=name, role=invitation.role)
        try:
            password_validation.validate_password(password, user)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages[0], errors={"password": exc.messages})
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise Conflict(
                _("%(email)s already has an account."),
                code="duplicate_user",
                params={"email": invitation.email},
            )
        user.set_password(password)
        user.save()
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
        invitation_accepted.send(sender=Invitation, invitation=invitation, user=user)
        audit.record(user, "core.invitation.accepted", invitation, {"user": user.pk})
    return user


def revoke_invitation(*, actor, invitation_id):
    """Withdraw an open invitation so its link stops working."""
    permissions.require(actor, "core.revoke_invitation")
    with transaction.atomic():
        changed = Invitation.objects.filter(
            pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        invitation = Invitation.objects.filter(pk=invitation_id).first()
        if invitation is None:
            raise NotFound()
        if not changed:
            raise Conflict(_("This invitation is no longer open."), code="invitation_closed")
        audit.record(actor, "core.invitation.revoked", invitation)
    return invitation


def create_api_token(*, actor, name):
    """Create a personal API token; the raw token is returned once and only its hash is kept."""
    permissions.require(actor, "core.create_token")
    name = str(name or "").strip()
    if not name:
        raise ValidationError.on("name", _("Give the token a name, such as the program that will use it."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, name=name[:100], prefix=raw[:10], token_hash=hash_token(raw)
        )
        audit.record(actor, "core.api_token.created", token, {"name": token.name, "prefix": token.prefix})
    token.raw_token = raw
    return token


def revoke_api_token(*, actor, token_id):
    """Revoke an API token; programs using it are refused from then on."""
    try:
        token = ApiToken.objects.get(pk=token_id)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("This token does not exist."))
    permissions.require(actor, "core.revoke_token", token)
    with transaction.atomic():
        if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        ):
            raise Conflict(_("This token was already revoked."), code="token_revoked")
        audit.record(actor, "core.api_token.revoked", token, {"prefix": token.prefix})
    token.refresh_from_db()
    return token


def user_for_token(raw):
    """The active user behind a raw API token, or None. Touches last_used_at at most once a minute."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    _count_request(token, now)
    return token.user


def _count_request(token, now):
    """Count one request in the token's current minute; refuse past DONGNE_API_RATE_LIMIT.

    The increment is a single UPDATE (or an INSERT guarded by the unique constraint), so
    concurrent workers cannot lose counts."""
    window = now.replace(second=0, microsecond=0)
    counter = ApiRateWindow.objects.filter(token=token, window=window)
    with transaction.atomic():
        if not counter.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    ApiRateWindow.objects.create(token=token, window=window, count=1)
                # A new minute: forget windows older than an hour.
                ApiRateWindow.objects.filter(token=token, window__lt=window - dt.timedelta(hours=1)).delete()
            except IntegrityError:
                counter.update(count=F("count") + 1)
        count = counter.values_list("count", flat=True).first() or 0
    if count > settings.API_RATE_LIMIT:
        raise RateLimited(params={"limit": settings.API_RATE_LIMIT})


# --- failed background jobs -----------------------------------------------------------------------
def retry_failed_job(*, actor, failure_id):
    """Queue a failed job again with its arguments (secretariat). Only a job still marked failed can be retried,
    so a form posted twice queues it once."""
    from .jobs import enqueue_again
    from .models import JobFailure

    permissions.require(actor, "core.manage_jobs")
    with transaction.atomic():
        updated = JobFailure.objects.filter(pk=failure_id, status=JobFailure.Status.FAILED).update(
            status=JobFailure.Status.RETRIED, handled_by=actor, handled_at=timezone.now()
        )
        failure = JobFailure.objects.filter(pk=failure_id).first()
        if failure is None:
            raise NotFound(_("There is no failed job %(id)s."), params={"id": failure_id})
        if not updated:
            raise Conflict(_("This job was already retried or dismissed."), code="job_handled")
        audit.record(actor, "core.job.retried", failure, {"task": failure.task_name, "args": failure.args})
    # Queued after the commit, so the job sees the failure marked as handled.
    transaction.on_commit(lambda: enqueue_again(failure))
    return failure


def dismiss_failed_job(*, actor, failure_id):
    """Mark a failed job as dealt with by hand (secretariat)."""
    from .models import JobFailure

    permissions.require(actor, "core.manage_jobs")
    with transaction.atomic():
        updated = JobFailure.objects.filter(pk=failure_id, status=JobFailure.Status.FAILED).update(
            status=JobFailure.Status.DISMISSED, handled_by=actor, handled_at=timezone.now()
        )
        failure = JobFailure.objects.filter(pk=failure_id).first()
        if failure is None:
            raise NotFound(_("There is no failed job %(id)s."), params={"id": failure_id})
        if not updated:
            raise Conflict(_("This job was already retried or dismissed."), code="job_handled")
        audit.record(actor, "core.job.dismissed", failure, {"task": failure.task_name})
    return failure


# --- personal data (개인정보 보호법 제35조 열람, 제36조 삭제; the engine is core.privacy) --------------------
def export_personal_data(*, actor, user_id):
    """Everything stored about a user, as a JSON-ready dict (개인정보 보호법 제35조): profile, affiliations,
    registrations, certificates, bookings, inquiries, votes in polls that are not secret, token metadata and
    the audit entries about them. The user themself, or the secretariat answering a request."""
    from . import privacy

    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("This user does not exist."))
    permissions.require(actor, "core.export_personal_data", user)
    out = privacy.collect(user)
    audit.record(actor, "core.personal_data.exported", user, {"tables": sorted(out["data"])})
    return out


def request_erasure(*, actor, reason=""):
    """A member asks for their personal data to be deleted (제36조); the secretariat decides (decide_erasure)."""
    permissions.require(actor, "core.request_erasure")
    with transaction.atomic():
        if ErasureRequest.objects.filter(user=actor, status=ErasureRequest.Status.PENDING).exists():
            raise Conflict(
                _("You already asked; the secretariat will answer that request first."),
                code="erasure_pending",
            )
        req = ErasureRequest.objects.create(user=actor, reason=str(reason or "").strip()[:2000])
        audit.record(actor, "core.erasure.requested", req, {})
    return req


def decide_erasure(*, actor, request_id, approve, answer=""):
    """The secretariat approves a deletion request — the person is pseudonymised at once, their rows kept —
    or refuses it with an answer that says why (e.g. a lease still running or capital still to be refunded:
    제36조① lets data that other laws require to keep stay). Nobody decides their own request."""
    from . import privacy

    req = ErasureRequest.objects.select_related("user").filter(pk=request_id).first()
    if req is None:
        raise NotFound(_("This deletion request does not exist."))
    permissions.require(actor, "core.decide_erasure", req)
    answer = str(answer or "").strip()
    if not approve and not answer:
        raise ValidationError.on("answer", _("Say why the request is refused; the member will read it."))
    status = ErasureRequest.Status.DONE if approve else ErasureRequest.Status.REFUSED
    with transaction.atomic():
        if not ErasureRequest.objects.filter(pk=req.pk, status=ErasureRequest.Status.PENDING).update(
            status=status, decided_by=actor, decided_at=timezone.now(), answer=answer
        ):
            raise Conflict(_("This request was already decided."), code="erasure_decided")
        audit.record(
            actor, "core.erasure.approved" if approve else "core.erasure.refused", req, {"user": req.user_id}
        )
        if approve:
            privacy.erase(req.user)
    req.refresh_from_db()
    return req
