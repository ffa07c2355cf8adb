"""Permission rules of the network app (see core.permissions)."""

from dongne.core.choices import BOARD_ROLES, Role
from dongne.core.permissions import has_role, is_authenticated, is_officer, is_secretariat, rule

from .models import Affiliation


def represents(actor, organisation_id):
    """True when ``actor`` is a representative of the organisation (a member rep or partner contact)."""
    if not has_role(actor, Role.MEMBER_REP, Role.PARTNER) or organisation_id is None:
        return False
    return Affiliation.objects.filter(
        person__user=actor, organisation_id=organisation_id, is_representative=True
    ).exists()


def _org_id(obj):
    return getattr(obj, "organisation_id", None) or getattr(obj, "pk", None)


@rule("network.view_organisation")
def _view_org(actor, org):
    return org is None or org.is_public or is_authenticated(actor)


@rule("network.create_organisation")
def _create_org(actor, obj):
    return is_secretariat(actor)


@rule("network.change_organisation")
def _change_org(actor, org):
    return is_secretariat(actor) or (org is not None and represents(actor, org.pk))


@rule("network.change_organisation_admin_fields")
def _change_org_admin(actor, org):
    # Kind, registration numbers and public visibility stay with the secretariat.
    return is_secretariat(actor)


@rule("network.manage_people")
def _manage_people(actor, org):
    return is_secretariat(actor) or (org is not None and represents(actor, org.pk))


@rule("network.apply_membership")
def _apply(actor, org):
    return is_secretariat(actor) or (org is not None and represents(actor, org.pk))


@rule("network.decide_membership")
def _decide(actor, membership):
    # The board decides (이사회 의결); the secretariat records the decision.
    return is_secretariat(actor) or has_role(actor, *BOARD_ROLES)


@rule("network.activate_membership")
def _activate(actor, membership):
    return is_secretariat(actor)


@rule("network.request_withdrawal")
def _withdraw(actor, membership):
    return is_secretariat(actor) or (membership is not None and represents(actor, membership.organisation_id))


@rule("network.end_membership")
def _end(actor, membership):
    return is_secretariat(actor)


@rule("network.view_membership")
def _view_membership(actor, membership):
    return is_officer(actor) or (membership is not None and represents(actor, membership.organisation_id))


@rule("network.manage_mou")
def _manage_mou(actor, mou):
    return is_secretariat(actor)


@rule("network.view_mou")
def _view_mou(actor, mou):
    return (mou is not None and mou.is_public) or is_authenticated(actor)


@rule("network.view_mou_documents")
def _view_mou_documents(actor, mou):
    # The signed agreement and its annexes: the cooperative's own people (officers, member representatives)
    # and the partner institution that signed it, not every partner contact nor the public.
    if mou is None:
        return False
    return is_officer(actor) or has_role(actor, Role.MEMBER_REP) or represents(actor, mou.partner_id)


@rule("network.import_members")
def _import(actor, obj):
    return is_secretariat(actor)


@rule("network.export_members")
def _export(actor, obj):
    return is_officer(actor)
