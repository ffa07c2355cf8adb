"""Governance endpoints under /api/v1/governance/: the main reads and vote casting. Writes go through services."""

import datetime as dt

from ninja import Router, Schema, Status

from dongne.core.api import ERRORS
from dongne.core.errors import NotFound

from . import selectors, services
from .models import AnnualReport

router = Router(tags=["governance"])


class TotalsOut(Schema):
    share_price: int
    shares: int
    subscribed: int
    paid: int
    members: int
    largest_percent: float
    reconciles: bool


class EntryOut(Schema):
    id: int
    kind: str
    shares: int
    amount: int
    on: dt.date
    counterparty_id: int | None = None
    reverses_id: int | None = None
    note: str
    shares_after: int
    paid_after: int


class StatementOut(Schema):
    organisation_id: int
    organisation: str
    share_price: int
    shares: int
    subscribed: int
    paid: int
    unpaid: int
    entries: list[EntryOut]


class ItemOut(Schema):
    number: int
    title: str
    kind: str
    special_matter: str
    votes_for: int | None = None
    votes_against: int | None = None
    votes_abstain: int | None = None
    outcome: str
    explanation: str


class MeetingOut(Schema):
    id: int
    kind: str
    title: str
    purpose: str
    scheduled_at: dt.datetime
    place: str
    notice_on: dt.date
    status: str
    roster: int | None = None
    items: list[ItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


class OptionOut(Schema):
    number: int
    label: str


class ResultOut(Schema):
    number: int
    label: str
    votes: int
    points: int


class PollOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    ballot_type: str
    secret: bool
    opens_at: dt.datetime
    closes_at: dt.datetime
    is_open: bool
    advisory_notice: str
    options: list[OptionOut]
    participants: int | None = None
    results: list[ResultOut] | None = None


class VoteIn(Schema):
    option: int | None = None
    ranking: list[int] | None = None
    organisation_id: int | None = None


class VerifyOut(Schema):
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str


class ReportOut(Schema):
    year: int
    total_business: int
    main_business: int
    main_ratio: float | None = None
    surplus: int
    reserve_transfer: int
    reserve_balance: int
    dividends: int
    published_on: dt.date | None = None
    deadline: dt.date
    impact: dict


@router.get("/capital/totals", response={200: TotalsOut, **ERRORS}, summary="Capital totals (officers)")
def capital_totals(request):
    selectors.accounts(request.auth)  # permission check
    totals = selectors.capital_totals()
    return {**totals, "reconciles": not selectors.reconcile()}


@router.get(
    "/capital/statement/{organisation_id}",
    response={200: StatementOut, **ERRORS},
    summary="A member's capital statement",
)
def capital_statement(request, organisation_id: int):
    s = selectors.statement(request.auth, organisation_id)
    return {
        "organisation_id": s["organisation"].pk,
        "organisation": s["organisation"].name,
        "share_price": s["share_price"],
        "shares": s["shares"],
        "subscribed": s["subscribed"],
        "paid": s["paid"],
        "unpaid": s["unpaid"],
        "entries": [
            {
                **{
                    f: getattr(r["entry"], f)
                    for f in (
                        "id",
                        "kind",
                        "shares",
                        "amount",
                        "on",
                        "counterparty_id",
                        "reverses_id",
                        "note",
                    )
                },
                "shares_after": r["shares"],
                "paid_after": r["paid"],
            }
            for r in s["rows"]
        ],
    }


@router.get("/meetings", response={200: list[MeetingOut], **ERRORS}, summary="Assemblies and board meetings")
def list_meetings(request):
    return selectors.meetings(request.auth).prefetch_related("items")


@router.get("/meetings/{meeting_id}", response={200: MeetingOut, **ERRORS})
def get_meeting(request, meeting_id: int):
    return selectors.get_meeting(request.auth, meeting_id)


def _poll_out(actor, poll):
    from django.utils.translation import gettext as _

    results = selectors.poll_results(actor, poll)
    return {
        **{
            f: getattr(poll, f)
            for f in ("id", "title", "description", "kind", "ballot_type", "secret", "opens_at", "closes_at")
        },
        "is_open": poll.is_open(),
        "advisory_notice": _(
            "Online polls are advisory or preparatory. The Framework Act on Cooperatives has no electronic voting at a formal assembly: resolutions are taken by members present in person or by proxy."
        ),
        "options": list(poll.options.all()),
        "participants": results["participants"] if results else None,
        "results": results["rows"] if results else None,
    }


@router.get(
    "/polls", response={200: list[PollOut], **ERRORS}, summary="Online polls (results only once closed)"
)
def list_polls(request):
    return [_poll_out(request.auth, p) for p in selectors.polls(request.auth).prefetch_related("options")]


@router.get("/polls/{poll_id}", response={200: PollOut, **ERRORS})
def get_poll(request, poll_id: int):
    selectors.polls(request.auth)
    return _poll_out(request.auth, selectors.get_poll(poll_id))


@router.post(
    "/polls/{poll_id}/vote",
    response={201: PollOut, **ERRORS},
    summary="Cast your member's vote (one per member)",
)
def vote(request, poll_id: int, payload: VoteIn):
    poll = services.cast_vote(
        actor=request.auth,
        poll_id=poll_id,
        organisation_id=payload.organisation_id,
        option=payload.option,
        ranking=payload.ranking,
    )
    return Status(201, _poll_out(request.auth, poll))


@router.get(
    "/log/verify",
    response={200: VerifyOut, **ERRORS},
    summary="Verify the hash chain of votes and resolutions",
)
def verify(request):
    r = services.verify_log(actor=request.auth)
    return {"ok": r.ok, "checked": r.checked, "broken_seq": r.broken_seq, "reason": r.reason}


@router.get(
    "/reports/{year}",
    response={200: ReportOut, **ERRORS},
    summary="Annual disclosure (published, or officers)",
)
def get_report(request, year: int):
    from dongne.core import permissions

    report = AnnualReport.objects.filter(year=year).first()
    if report is None:
        raise NotFound()
    permissions.require(request.auth, "governance.view_report", report)
    ctx = selectors.annual_report_context(year)
    return {
        **{
            f: getattr(report, f)
            for f in (
                "year",
                "total_business",
                "main_business",
                "surplus",
                "reserve_transfer",
                "reserve_balance",
                "dividends",
                "published_on",
            )
        },
        "main_ratio": ctx["main_ratio"],
        "deadline": ctx["deadline"],
        "impact": ctx["impact"],
    }
