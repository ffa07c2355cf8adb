from django.db import models

from . import permissions
from .models import AuditEntry, Invitation


def audit_entries(actor, *, action="", target_type="", target_id="", actor_id=None):
    """The audit log, newest first (secretariat and auditor only)."""
    permissions.require(actor, "core.view_audit")
    qs = AuditEntry.objects.select_related("actor")
    if action:
        qs = qs.filter(action__startswith=action)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id:
        qs = qs.filter(target_id=str(target_id))
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    return qs


def invitations(actor):
    permissions.require(actor, "core.invite_user")
    return Invitation.objects.select_related("organisation", "invited_by")


def failed_jobs():
    """Background jobs that failed for the last time, those still to handle first."""
    from .models import JobFailure

    return JobFailure.objects.select_related("handled_by").order_by(
        models.Case(models.When(status=JobFailure.Status.FAILED, then=0), default=1), "-failed_at"
    )
