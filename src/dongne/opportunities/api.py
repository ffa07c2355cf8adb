"""Opportunities endpoints under /api/v1/opportunities/. Every write goes through services."""

import datetime as dt

from django.urls import reverse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from dongne.core.api import ERRORS

from . import selectors, services
from .choices import OpportunityKind

router = Router(tags=["opportunities"])


class OpportunityOut(Schema):
    id: int
    kind: OpportunityKind
    title: str
    body: str
    organiser: str
    ministry: str
    organisation_id: int | None = None
    starts_on: dt.date | None = None
    deadline: dt.date | None = None
    is_rolling: bool
    period_note: str
    budget: int | None = None
    support_field: str
    regions: list[str]
    min_company_age: int | None = None
    max_company_age: int | None = None
    min_employees: int | None = None
    max_employees: int | None = None
    industries: list[str]
    capabilities: list[str]
    eligibility_note: str
    source: str
    source_id: str
    source_url: str
    also_listed: list[dict]
    attachments: list[dict]

    @staticmethod
    def resolve_industries(obj):
        return [t.name for t in obj.industries.all()]

    @staticmethod
    def resolve_capabilities(obj):
        return [t.name for t in obj.capabilities.all()]

    @staticmethod
    def resolve_attachments(obj):
        return [
            {
                "title": a.title,
                "url": a.url or (reverse("opportunities:attachment_download", args=[a.pk]) if a.file else ""),
            }
            for a in obj.attachments.all()
        ]


class OpportunityIn(Schema):
    kind: OpportunityKind
    title: str
    body: str = ""
    organiser: str = ""
    ministry: str = ""
    organisation: int | None = None
    starts_on: str | None = None
    deadline: str | None = None
    period_note: str = ""
    budget: str | None = None
    support_field: str = ""
    regions: list[str] = []
    min_company_age: int | None = None
    max_company_age: int | None = None
    min_employees: int | None = None
    max_employees: int | None = None
    industries: list[str] = []
    capabilities: list[str] = []
    eligibility_note: str = ""
    source_url: str = ""
    is_public: bool = True


class LineOut(Schema):
    state: str
    text: str


class TermOut(Schema):
    term: str
    weight: float


class MemberMatchOut(Schema):
    organisation_id: int
    name: str
    score: float
    eligible: bool
    eligibility: list[LineOut]
    matched_terms: list[TermOut]
    capabilities_covered: list[str]
    capabilities_missing: list[str]


class OpportunityMatchOut(Schema):
    opportunity_id: int
    title: str
    deadline: dt.date | None = None
    score: float
    eligible: bool
    eligibility: list[LineOut]
    matched_terms: list[TermOut]
    capabilities_covered: list[str]
    capabilities_missing: list[str]


class MemberMatchesOut(Schema):
    matches: list[MemberMatchOut]
    excluded: list[MemberMatchOut]


class OpportunityMatchesOut(Schema):
    matches: list[OpportunityMatchOut]
    excluded: list[OpportunityMatchOut]


def _explained(m):
    return {
        "score": round(m.score, 4),
        "eligible": m.eligible,
        "eligibility": [{"state": line.state, "text": line.text} for line in m.lines],
        "matched_terms": [{"term": t, "weight": round(w, 4)} for t, w in m.terms],
        "capabilities_covered": m.covered,
        "capabilities_missing": m.missing,
    }


@router.get("/opportunities", response=list[OpportunityOut], summary="Opportunities (search with q)")
@paginate
def list_opportunities(
    request, q: str = "", kind: str = "", status: str = "open", field: str = "", region: str = ""
):
    qs = selectors.opportunity_list(request.auth, q=q, kind=kind, status=status, field=field, region=region)
    # OpportunityOut lists industries and attachments too: fetched once for the page, not once per row.
    return qs.prefetch_related("industries", "attachments")


@router.get("/opportunities/{opportunity_id}", response={200: OpportunityOut, **ERRORS})
def get_opportunity(request, opportunity_id: int):
    return selectors.get_opportunity(request.auth, opportunity_id)


@router.post("/opportunities", response={201: OpportunityOut, **ERRORS}, summary="Post an opportunity")
def create_opportunity(request, payload: OpportunityIn):
    return Status(201, services.create_opportunity(actor=request.auth, data=payload.dict()))


@router.get(
    "/opportunities/{opportunity_id}/matches",
    response={200: MemberMatchesOut, **ERRORS},
    summary="Recommended members for an opportunity, explained (officers)",
)
def member_matches(request, opportunity_id: int, limit: int = Query(10, ge=1)):
    _opp, matches, excluded = selectors.member_matches(request.auth, opportunity_id, limit=min(limit, 100))
    return {
        "matches": [{"organisation_id": m.obj.pk, "name": m.obj.name, **_explained(m)} for m in matches],
        "excluded": [{"organisation_id": m.obj.pk, "name": m.obj.name, **_explained(m)} for m in excluded],
    }


@router.get(
    "/matches/{organisation_id}",
    response={200: OpportunityMatchesOut, **ERRORS},
    summary="Open opportunities for an organisation, explained (its representatives)",
)
def opportunity_matches(request, organisation_id: int, limit: int = Query(20, ge=1)):
    _org, matches, excluded = selectors.opportunity_matches(
        request.auth, organisation_id, limit=min(limit, 100)
    )

    def out(m):
        return {"opportunity_id": m.obj.pk, "title": m.obj.title, "deadline": m.obj.deadline, **_explained(m)}

    return {"matches": [out(m) for m in matches], "excluded": [out(m) for m in excluded]}


class OutcomesOut(Schema):
    year: int | None = None
    consortia: int
    funding_won: int
    jobs_created: int


@router.get(
    "/outcomes",
    response={200: OutcomesOut, **ERRORS},
    summary="Consortia selected, funding won and jobs created (for the annual report; officers)",
)
def outcomes(request, year: int | None = Query(None, ge=1, le=9999)):
    from dongne.core import permissions

    permissions.require(request.auth, "opportunities.view_member_matches", None)
    return {"year": year, **selectors.outcomes_summary(year)}
