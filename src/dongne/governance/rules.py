"""Permission rules of governance (see core.permissions)."""

from dongne.core.choices import Role
from dongne.core.permissions import has_role, is_authenticated, is_officer, is_secretariat, rule
from dongne.network.models import Affiliation


def represents(actor, organisation_id):
    """True when ``actor`` is a representative of the member organisation."""
    if not has_role(actor, Role.MEMBER_REP) or organisation_id is None:
        return False
    return Affiliation.objects.filter(
        person__user=actor, organisation_id=organisation_id, is_representative=True
    ).exists()


def _org_id(obj):
    return getattr(obj, "organisation_id", None) or getattr(obj, "pk", None)


# The secretariat keeps the books and the records; decisions themselves are taken by the assembly or the
# board and only recorded here.
for _action in (
    "governance.manage_cooperative",
    "governance.record_capital",
    "governance.manage_meeting",
    "governance.record_resolution",
    "governance.draft_minutes",
    "governance.manage_poll",
    "governance.manage_officers",
    "governance.manage_report",
):
    rule(_action)(lambda actor, obj: is_secretariat(actor))


@rule("governance.view_capital")
def _view_capital(actor, obj):
    # The whole ledger: officers (the auditor audits it); a member its own statement.
    return is_officer(actor) or (obj is not None and represents(actor, _org_id(obj)))


def _member_or_officer(actor):
    # Meetings, minutes and polls are the cooperative's internal business: its members' representatives and
    # its officers (Framework Act on Cooperatives art. 49: members inspect the minutes). A partner or advisory
    # institution's contact is signed in but not a member, and sees the published reports instead.
    return is_officer(actor) or has_role(actor, Role.MEMBER_REP)


@rule("governance.view_meeting")
def _view_meeting(actor, meeting):
    return _member_or_officer(actor)


@rule("governance.confirm_minutes")
def _confirm(actor, signer):
    return is_authenticated(actor) and signer is not None and signer.user_id == actor.pk


@rule("governance.view_poll")
def _view_poll(actor, poll):
    return _member_or_officer(actor)


@rule("governance.cast_vote")
def _vote(actor, organisation):
    return organisation is not None and represents(actor, _org_id(organisation))


@rule("governance.report_impact")
def _impact(actor, organisation):
    return is_secretariat(actor) or (organisation is not None and represents(actor, _org_id(organisation)))


@rule("governance.verify_log")
def _verify(actor, obj):
    # actor None is the operator at the shell (dongne governance verify-log).
    return actor is None or is_officer(actor)


@rule("governance.view_register")
def _register(actor, obj):
    return is_officer(actor)


@rule("governance.view_report")
def _report(actor, report):
    # The disclosure is public once published (경영공시); drafts only for officers.
    return is_officer(actor) or (report is not None and report.published_on is not None)
