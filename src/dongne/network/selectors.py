"""Read queries of the network app. Visibility rules live here so that every list and page agrees."""

import datetime as dt

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dongne.core import permissions, search
from dongne.core.errors import NotFound

from .choices import ContactVisibility, MembershipStatus, OrganisationKind
from .models import Affiliation, Membership, Mou, Organisation


def organisation_for_update(organisation_id):
    qs = Organisation.objects.select_for_update()
    try:
        return qs.get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Organisation %(id)s does not exist."), params={"id": organisation_id})


def membership_for_update(membership_id):
    try:
        return Membership.objects.select_for_update().select_related("organisation").get(pk=membership_id)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Membership %(id)s does not exist."), params={"id": membership_id})


def get_membership(membership_id):
    try:
        return Membership.objects.select_related("organisation").get(pk=membership_id)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Membership %(id)s does not exist."), params={"id": membership_id})


def mou_for_update(mou_id):
    try:
        return Mou.objects.select_for_update().select_related("partner").get(pk=mou_id)
    except (Mou.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("MOU %(id)s does not exist."), params={"id": mou_id})


def visible_organisations(actor):
    qs = Organisation.objects.all()
    if not permissions.is_authenticated(actor):
        qs = qs.filter(is_public=True)
    return qs


def get_organisation(actor, organisation_id):
    qs = (
        visible_organisations(actor)
        .select_related("membership")
        .prefetch_related(
            "industry_tags",
            "capability_tags",
            "products",
            Prefetch("affiliations", queryset=Affiliation.objects.select_related("person")),
        )
    )
    try:
        return qs.get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Organisation %(id)s does not exist."), params={"id": organisation_id})


def directory(actor, *, q="", kind="", tag="", sigungu="", status=""):
    """Organisations visible to ``actor``, filtered; with a query, ordered by search rank."""
    qs = (
        visible_organisations(actor)
        .select_related("membership")
        .prefetch_related("industry_tags", "capability_tags")
    )
    if kind:
        qs = qs.filter(kind=kind)
    if tag:
        qs = qs.filter(Q(industry_tags__name=tag) | Q(capability_tags__name=tag)).distinct()
    if sigungu:
        qs = qs.filter(sigungu_code=sigungu)
    if status and permissions.is_authenticated(actor):
        if status == "none":
            qs = qs.filter(membership__isnull=True)
        else:
            qs = qs.filter(membership__status=status)
    if q:
        ids = search.search_ids(
            "network.organisation", q, public_only=not permissions.is_authenticated(actor)
        )
        return search.Ranked(qs, ids)
    return qs.order_by("name", "id")


def contact_visible(actor, person):
    if person.contact_visibility == ContactVisibility.PUBLIC:
        return True
    if person.contact_visibility == ContactVisibility.MEMBERS:
        return permissions.is_authenticated(actor)
    return permissions.is_officer(actor) or (
        person.user_id is not None and person.user_id == getattr(actor, "pk", None)
    )


def memberships(actor, *, status=""):
    if not permissions.is_officer(actor):
        return Membership.objects.none()
    qs = Membership.objects.select_related("organisation").order_by("organisation__name")
    if status:
        qs = qs.filter(status=status)
    return qs


def pending_applications(actor):
    return memberships(actor, status=MembershipStatus.APPLIED)


def visible_mous(actor):
    qs = Mou.objects.select_related("partner")
    if not permissions.is_authenticated(actor):
        qs = qs.filter(is_public=True, partner__is_public=True)
    return qs


def expiring_mous(actor, *, days=90, today=None):
    """MOUs that expire within ``days`` (and those already expired in the last 30 days)."""
    today = today or timezone.localdate()
    return (
        visible_mous(actor)
        .filter(
            expires_on__isnull=False,
            expires_on__lte=today + dt.timedelta(days=days),
            expires_on__gte=today - dt.timedelta(days=30),
        )
        .order_by("expires_on")
    )


def represented_organisations(actor):
    """Organisations the actor represents (for a member rep's 'my organisation' link)."""
    if not permissions.is_authenticated(actor):
        return Organisation.objects.none()
    return Organisation.objects.filter(affiliations__person__user=actor, affiliations__is_representative=True)


def counts():
    return {
        "members": Membership.objects.filter(status=MembershipStatus.ACTIVE).count(),
        "applications": Membership.objects.filter(status=MembershipStatus.APPLIED).count(),
        "advisory": Organisation.objects.filter(kind=OrganisationKind.ADVISORY).count(),
        "partners": Mou.objects.values("partner").distinct().count(),
    }


def export_queryset(actor):
    permissions.require(actor, "network.export_members")
    return Organisation.objects.select_related("membership").prefetch_related(
        "industry_tags", "capability_tags"
    )
