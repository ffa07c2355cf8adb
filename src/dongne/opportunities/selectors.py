"""Read queries of opportunities: visibility, lists with filters and Korean search, and the facts the
matcher ranks (organisation profiles and opportunities as token lists)."""

from django.db.models import F, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dongne.core import permissions, search
from dongne.core.errors import NotFound
from dongne.core.korean.tokenize import tokens as kiwi_tokens
from dongne.network.choices import MembershipStatus, OrganisationKind
from dongne.network.models import Organisation

from . import matching
from .choices import ConsortiumStatus, OpportunityKind
from .models import Canvas, Consortium, ConsortiumMember, Opportunity
from .regions import organisation_regions

SEARCH_KIND = "opportunities.opportunity"
PAST_PROJECT_STATUSES = (ConsortiumStatus.SELECTED, ConsortiumStatus.RUNNING, ConsortiumStatus.COMPLETED)


def visible_opportunities(actor):
    qs = Opportunity.objects.all()
    if not permissions.is_authenticated(actor):
        qs = qs.filter(is_public=True)
    return qs


def get_opportunity(actor, opportunity_id):
    qs = (
        visible_opportunities(actor)
        .select_related("organisation", "posted_by")
        .prefetch_related("industries", "capabilities", "attachments")
    )
    try:
        return qs.get(pk=opportunity_id)
    except (Opportunity.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Opportunity %(id)s does not exist."), params={"id": opportunity_id})


def opportunity_for_update(opportunity_id):
    try:
        return Opportunity.objects.select_for_update().get(pk=opportunity_id)
    except (Opportunity.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Opportunity %(id)s does not exist."), params={"id": opportunity_id})


def opportunity_list(actor, *, q="", kind="", status="open", field="", region="", today=None):
    """Opportunities visible to ``actor``, filtered; with a query, ordered by search rank."""
    today = today or timezone.localdate()
    qs = visible_opportunities(actor).select_related("organisation").prefetch_related("capabilities")
    if kind:
        qs = qs.filter(kind=kind)
    if status == "open":
        qs = qs.filter(Q(deadline__isnull=True) | Q(is_rolling=True) | Q(deadline__gte=today))
    elif status == "closed":
        qs = qs.filter(is_rolling=False, deadline__lt=today)
    if field:
        qs = qs.filter(support_field=field)
    if region:
        # JSON containment is not on SQLite; the region lists are short, so filter in Python.
        ids = [pk for pk, regions in qs.values_list("pk", "regions") if not regions or region in regions]
        qs = qs.filter(pk__in=ids)
    if q:
        ids = search.search_ids(SEARCH_KIND, q, public_only=not permissions.is_authenticated(actor))
        return search.Ranked(qs, ids)
    return qs.order_by(F("deadline").asc(nulls_last=True), "-created_at", "id")


def support_fields():
    return sorted(
        f
        for f in Opportunity.objects.exclude(support_field="")
        .values_list("support_field", flat=True)
        .distinct()
    )


# --- facts for the matcher --------------------------------------------------------------------------
def opportunity_tokens_text(opp, *, capabilities=None, industries=None):
    from .feeds import plain_text

    caps = capabilities if capabilities is not None else [t.name for t in opp.capabilities.all()]
    inds = industries if industries is not None else [t.name for t in opp.industries.all()]
    parts = [
        opp.title,
        opp.title,
        plain_text(opp.body),
        opp.support_field,
        " ".join(caps),
        " ".join(caps),
        " ".join(inds),
    ]
    return " ".join(matching.clean_tokens(kiwi_tokens(" ".join(p for p in parts if p))))


def opportunity_facts(opp):
    caps = {t.name for t in opp.capabilities.all()}
    inds = {t.name for t in opp.industries.all()}
    toks = opp.tokens.split() if opp.tokens else opportunity_tokens_text(opp).split()
    return matching.OpportunityFacts(
        id=opp.pk,
        title=opp.title,
        regions=list(opp.regions or []),
        min_company_age=opp.min_company_age,
        max_company_age=opp.max_company_age,
        min_employees=opp.min_employees,
        max_employees=opp.max_employees,
        industries=inds,
        capabilities=caps,
        deadline=opp.deadline,
        is_rolling=opp.is_rolling,
        tokens=toks,
    )


_PROFILE_CACHE = {}


# Other apps add text to member profiles here (e.g. programs: the knowledge-base articles a member wrote):
# ``register_profile_source(fn)`` with ``fn(org_ids) -> {org_id: [text, ...]}``. Matching reads them
# without importing those apps.
PROFILE_SOURCES = []


def register_profile_source(fn):
    """Register ``fn(org_ids) -> {org_id: [text, ...]}`` as extra profile text for matching; returns ``fn``."""
    if fn not in PROFILE_SOURCES:
        PROFILE_SOURCES.append(fn)
    return fn


def past_projects(org_ids):
    """{organisation id: [titles of opportunities it won or ran with a consortium, and texts of registered
    profile sources]}."""
    out = {}
    rows = ConsortiumMember.objects.filter(
        organisation_id__in=org_ids, consortium__status__in=PAST_PROJECT_STATUSES
    ).values_list("organisation_id", "consortium__opportunity__title")
    for org_id, title in rows:
        out.setdefault(org_id, []).append(title)
    for source in PROFILE_SOURCES:
        for org_id, texts in (source(list(org_ids)) or {}).items():
            out.setdefault(org_id, []).extend(texts)
    return out


def organisation_profile_text(org, projects=()):
    """What an organisation is known for: description, products, capabilities, industries, past projects."""
    caps = [t.name for t in org.capability_tags.all()]
    inds = [t.name for t in org.industry_tags.all()]
    products = [f"{p.name} {p.category} {p.description}" for p in org.products.all() if p.is_public]
    return " ".join(
        [
            org.description,
            org.products_services,
            " ".join(caps),
            " ".join(caps),
            " ".join(inds),
            *products,
            *projects,
        ]
    )


def organisation_facts(org, projects=()):
    text = organisation_profile_text(org, projects)
    key = (org.pk, text)
    toks = _PROFILE_CACHE.get(key)
    if toks is None:
        toks = matching.clean_tokens(kiwi_tokens(text))
        if len(_PROFILE_CACHE) > 5000:
            _PROFILE_CACHE.clear()
        _PROFILE_CACHE[key] = toks
    return matching.OrganisationFacts(
        id=org.pk,
        name=org.name,
        regions=organisation_regions(org.sigungu_code),
        founded_on=org.founded_on,
        employees=org.employees,
        industries={t.name for t in org.industry_tags.all()},
        capabilities={t.name for t in org.capability_tags.all()},
        kind=org.kind,
        tokens=toks,
    )


def _with_profile(qs):
    return qs.prefetch_related("industry_tags", "capability_tags", "products")


def active_members():
    return _with_profile(
        Organisation.objects.filter(
            kind=OrganisationKind.MEMBER_COMPANY, membership__status=MembershipStatus.ACTIVE
        )
    ).order_by("name", "id")


def advisors():
    return _with_profile(
        Organisation.objects.filter(kind__in=[OrganisationKind.ADVISORY, OrganisationKind.UNIVERSITY])
    ).order_by("name", "id")


def facts_for(organisations):
    organisations = list(organisations)
    projects = past_projects([o.pk for o in organisations])
    return organisations, [organisation_facts(o, projects.get(o.pk, ())) for o in organisations]


def member_matches(actor, opportunity_id, *, limit=10, today=None):
    """ "추천 조합원": active members for an opportunity, explained; and the excluded ones with reasons."""
    opp = get_opportunity(actor, opportunity_id)
    permissions.require(actor, "opportunities.view_member_matches", opp)
    today = today or timezone.localdate()
    orgs, facts = facts_for(active_members())
    by_id = {o.pk: o for o in orgs}
    matches, excluded = matching.rank_organisations(opportunity_facts(opp), facts, today, limit=limit)
    for m in matches + excluded:
        m.obj = by_id[m.obj.id]
    return opp, matches, excluded


def open_opportunities(actor, today=None):
    today = today or timezone.localdate()
    return (
        visible_opportunities(actor)
        .filter(Q(deadline__isnull=True) | Q(is_rolling=True) | Q(deadline__gte=today))
        .prefetch_related("industries", "capabilities")
        .order_by("id")
    )


def opportunity_matches(actor, organisation_id, *, limit=20, today=None, since=None):
    """ "나에게 맞는 공고": open opportunities for an organisation, explained; and the excluded ones."""
    try:
        org = _with_profile(Organisation.objects.all()).get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Organisation %(id)s does not exist."), params={"id": organisation_id})
    permissions.require(actor, "opportunities.view_my_matches", org)
    today = today or timezone.localdate()
    opps = open_opportunities(actor, today)
    if since is not None:
        opps = opps.filter(created_at__gte=since)
    opps = list(opps)
    by_id = {o.pk: o for o in opps}
    facts = organisation_facts(org, past_projects([org.pk]).get(org.pk, ()))
    matches, excluded = matching.rank_opportunities(
        facts, [opportunity_facts(o) for o in opps], today, limit=limit
    )
    for m in matches + excluded:
        m.obj = by_id[m.obj.id]
    return org, matches, excluded


def own_eligibility(actor, opp, today=None):
    """For each organisation ``actor`` represents: its eligibility lines and capability coverage for ``opp``."""
    today = today or timezone.localdate()
    orgs = list(_with_profile(my_organisations(actor)))
    projects = past_projects([o.pk for o in orgs])
    opp_facts = opportunity_facts(opp)
    out = []
    for org in orgs:
        facts = organisation_facts(org, projects.get(org.pk, ()))
        lines = matching.eligibility(opp_facts, facts, today, check_deadline=True)
        covered, missing = matching.capability_coverage(opp_facts.capabilities, facts.capabilities)
        out.append(
            {
                "org": org,
                "lines": lines,
                "eligible": matching.is_eligible(lines),
                "covered": covered,
                "missing": missing,
            }
        )
    return out


def my_organisations(actor):
    from dongne.network.selectors import represented_organisations

    return represented_organisations(actor).order_by("name")


# --- consortia ------------------------------------------------------------------------------------
def get_consortium(actor, consortium_id):
    qs = Consortium.objects.select_related("opportunity").prefetch_related(
        Prefetch("members", queryset=ConsortiumMember.objects.select_related("organisation")),
        "documents",
        "milestones",
    )
    try:
        consortium = qs.get(pk=consortium_id)
    except (Consortium.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Consortium %(id)s does not exist."), params={"id": consortium_id})
    permissions.require(actor, "opportunities.view_consortium", consortium)
    return consortium


def consortium_for_update(consortium_id):
    try:
        return Consortium.objects.select_for_update().get(pk=consortium_id)
    except (Consortium.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Consortium %(id)s does not exist."), params={"id": consortium_id})


def visible_consortia(actor):
    qs = Consortium.objects.select_related("opportunity").prefetch_related(
        Prefetch("members", queryset=ConsortiumMember.objects.select_related("organisation"))
    )
    if permissions.is_officer(actor):
        return qs
    if not permissions.is_authenticated(actor):
        return qs.none()
    org_ids = list(my_organisations(actor).values_list("pk", flat=True))
    return qs.filter(members__organisation_id__in=org_ids).distinct()


def outcomes_summary(year=None):
    """Funding won and jobs created by consortia (for the annual report), optionally for one year."""
    qs = Consortium.objects.filter(status__in=PAST_PROJECT_STATUSES)
    if year:
        qs = qs.filter(decided_on__year=year)
    total_funding = sum(c.funding_won or 0 for c in qs)
    jobs = sum(c.jobs_created or 0 for c in qs)
    return {"consortia": qs.count(), "funding_won": total_funding, "jobs_created": jobs}


def visible_canvases(actor):
    if not permissions.is_authenticated(actor):
        return Canvas.objects.none()
    return Canvas.objects.select_related("opportunity", "consortium").prefetch_related("datasets")


def get_canvas(actor, canvas_id):
    try:
        canvas = visible_canvases(actor).get(pk=canvas_id)
    except (Canvas.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Canvas %(id)s does not exist."), params={"id": canvas_id})
    permissions.require(actor, "opportunities.view_canvas", canvas)
    return canvas


KIND_ORDER = [k for k, _l in OpportunityKind.choices]
