"""Permission rules of opportunities (see core.permissions).

Funding calls are entered (or imported) by the secretariat; representatives of an organisation post
regional needs and partner requests for it and edit what they posted. Matches of members for an
opportunity ("추천 조합원") are for officers; a representative sees the opportunities that match their
own organisation. ``actor=None`` is the system (a scheduled job, or the operator at the shell).
"""

from dongne.core.choices import Role
from dongne.core.permissions import has_role, is_authenticated, is_officer, is_secretariat, rule
from dongne.network.rules import represents

from .choices import OpportunityKind


def _represents_any(actor):
    from dongne.network.selectors import represented_organisations

    return has_role(actor, Role.MEMBER_REP, Role.PARTNER) and represented_organisations(actor).exists()


@rule("opportunities.view_opportunity")
def _view(actor, opp):
    return opp is None or opp.is_public or is_authenticated(actor)


@rule("opportunities.create_opportunity")
def _create(actor, kind):
    if is_secretariat(actor):
        return True
    return kind in (OpportunityKind.REGIONAL_NEED, OpportunityKind.PARTNER_REQUEST) and _represents_any(actor)


@rule("opportunities.post_for_organisation")
def _post_for(actor, org):
    return is_secretariat(actor) or (org is not None and represents(actor, org.pk))


@rule("opportunities.change_opportunity")
def _change(actor, opp):
    if is_secretariat(actor):
        return True
    if opp is None or not is_authenticated(actor) or opp.kind == OpportunityKind.FUNDING_CALL:
        return False
    return opp.posted_by_id == actor.pk or (
        opp.organisation_id is not None and represents(actor, opp.organisation_id)
    )


@rule("opportunities.import_feed")
def _import(actor, feed):
    return actor is None or is_secretariat(actor)


@rule("opportunities.view_member_matches")
def _member_matches(actor, opp):
    return is_officer(actor)


@rule("opportunities.view_my_matches")
def _my_matches(actor, org):
    return is_secretariat(actor) or (org is not None and represents(actor, org.pk))


@rule("opportunities.create_consortium")
def _create_consortium(actor, lead):
    return is_secretariat(actor) or (lead is not None and represents(actor, lead.pk))


def _consortium_org_ids(consortium):
    return [m.organisation_id for m in consortium.members.all()]


@rule("opportunities.manage_consortium")
def _manage_consortium(actor, consortium):
    if is_secretariat(actor):
        return True
    if consortium is None:
        return False
    lead = consortium.lead
    return lead is not None and represents(actor, lead.pk)


@rule("opportunities.view_consortium")
def _view_consortium(actor, consortium):
    if is_officer(actor):
        return True
    return consortium is not None and any(represents(actor, pk) for pk in _consortium_org_ids(consortium))


@rule("opportunities.decide_consortium")
def _decide_consortium(actor, consortium):
    # Selection results and outcomes feed the annual report: the secretariat records them.
    return is_secretariat(actor)


@rule("opportunities.manage_canvas")
def _manage_canvas(actor, canvas):
    if is_secretariat(actor):
        return True
    if canvas is None:
        return _represents_any(actor)
    return is_authenticated(actor) and canvas.created_by_id == actor.pk


@rule("opportunities.view_canvas")
def _view_canvas(actor, canvas):
    return is_authenticated(actor)


@rule("opportunities.change_notification_settings")
def _settings(actor, user):
    return is_authenticated(actor) and (user is None or user.pk == actor.pk)


@rule("opportunities.send_notifications")
def _send(actor, obj):
    return actor is None or is_secretariat(actor)
