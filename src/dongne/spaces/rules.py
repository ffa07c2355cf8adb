"""Permission rules of spaces (see core.permissions)."""

from dongne.core.choices import BOARD_ROLES, Role
from dongne.core.permissions import has_role, is_authenticated, is_officer, is_secretariat, rule
from dongne.network.rules import represents


def _org_id(obj):
    return getattr(obj, "organisation_id", None) or getattr(obj, "pk", None)


@rule("spaces.manage_spaces")
def _manage_spaces(actor, obj):
    return is_secretariat(actor)


@rule("spaces.book_facility")
def _book(actor, facility):
    # Who may book which facility (members / staff / both) is checked by the service with a clear message.
    return is_authenticated(actor)


@rule("spaces.cancel_booking")
def _cancel(actor, booking):
    if is_secretariat(actor):
        return True
    if booking is None or not is_authenticated(actor):
        return False
    return booking.booked_by_id == actor.pk or (
        booking.organisation_id is not None and represents(actor, booking.organisation_id)
    )


@rule("spaces.set_rubric")
def _set_rubric(actor, obj):
    return is_secretariat(actor)


@rule("spaces.apply_tenancy")
def _apply(actor, org):
    return is_secretariat(actor) or (org is not None and represents(actor, org.pk))


@rule("spaces.view_application")
def _view_application(actor, application):
    return is_officer(actor) or (application is not None and represents(actor, application.organisation_id))


@rule("spaces.withdraw_application")
def _withdraw(actor, application):
    return is_secretariat(actor) or (
        application is not None and represents(actor, application.organisation_id)
    )


@rule("spaces.review_application")
def _review(actor, application):
    return is_secretariat(actor) or has_role(actor, *BOARD_ROLES)


@rule("spaces.decide_application")
def _decide(actor, application):
    return is_secretariat(actor)


@rule("spaces.manage_leases")
def _manage_leases(actor, lease):
    return is_secretariat(actor)


@rule("spaces.view_lease")
def _view_lease(actor, lease):
    return is_officer(actor) or (lease is not None and represents(actor, lease.organisation_id))


@rule("spaces.report_activity")
def _report_activity(actor, org):
    return is_secretariat(actor) or (org is not None and represents(actor, _org_id(org)))


@rule("spaces.view_reports")
def _view_reports(actor, obj):
    return is_officer(actor)


@rule("spaces.send_notices")
def _send_notices(actor, obj):
    # actor None is the scheduler (the daily huey task).
    return actor is None or is_secretariat(actor)


def is_staff_booker(actor):
    return is_secretariat(actor)


def is_member_rep(actor):
    return has_role(actor, Role.MEMBER_REP)
