"""Read queries of governance: statements, totals and their reconciliation, rosters, tallies, the chain check,
warnings the Act implies, and the annual report's figures."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dongne.core import permissions
from dongne.core.errors import NotFound
from dongne.network.choices import MembershipStatus
from dongne.network.models import Affiliation, Membership, Organisation

from . import chain
from .choices import GENERAL_KINDS, BallotType, MeetingKind, MeetingStatus, OfficerRole
from .models import (
    AgendaItem,
    AnnualReport,
    Ballot,
    CapitalAccount,
    CapitalEntry,
    Cooperative,
    ImpactReport,
    LogEntry,
    Meeting,
    Officer,
    Poll,
)


def cooperative():
    return Cooperative.objects.filter(pk=1).first() or Cooperative(pk=1)


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# --- capital -----------------------------------------------------------------------------------------
def refund_window(membership, coop):
    """(first day, last day) on which a leaving member's refund can be claimed (제89조): from the start of
    the fiscal year after the one in which the member left, for two years."""
    ended = membership.ended_on or timezone.localdate()
    start_month = coop.fiscal_year_start_month
    fy_start_year = ended.year if ended.month >= start_month else ended.year - 1
    first = dt.date(fy_start_year + 1, start_month, 1)
    return first, _add_years(first, 2) - dt.timedelta(days=1)


def statement(actor, organisation_id):
    """A member's capital statement: every entry with running shares and paid-in amount."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound(_("Organisation %(id)s does not exist."), params={"id": organisation_id})
    permissions.require(actor, "governance.view_capital", organisation)
    price = cooperative().share_price
    rows, shares, paid = [], 0, 0
    for entry in (
        CapitalEntry.objects.filter(organisation=organisation)
        .select_related("counterparty")
        .order_by("on", "id")
    ):
        shares += entry.shares
        paid += entry.amount
        rows.append({"entry": entry, "shares": shares, "paid": paid})
    account = CapitalAccount.objects.filter(organisation=organisation).first()
    return {
        "organisation": organisation,
        "rows": rows,
        "shares": shares,
        "subscribed": shares * price,
        "paid": paid,
        "unpaid": shares * price - paid,
        "share_price": price,
        "reconciles": account is None
        and not rows
        or (account is not None and (account.shares, account.paid) == (shares, paid)),
    }


def capital_totals():
    """Totals over all members, from the accounts and, independently, from the entries."""
    price = cooperative().share_price
    accounts = CapitalAccount.objects.aggregate(
        total_shares=Sum("shares"), paid=Sum("paid"), biggest=Max("shares")
    )
    entries = CapitalEntry.objects.aggregate(shares=Sum("shares"), paid=Sum("amount"))
    shares = accounts["total_shares"] or 0
    return {
        "share_price": price,
        "shares": shares,
        "subscribed": shares * price,
        "paid": accounts["paid"] or 0,
        "entries_shares": entries["shares"] or 0,
        "entries_paid": entries["paid"] or 0,
        "members": CapitalAccount.objects.filter(shares__gt=0).count(),
        "largest_percent": round((accounts["biggest"] or 0) * 100 / shares, 1) if shares else 0,
    }


def reconcile():
    """Members whose account differs from the sum of their entries (empty when the books agree)."""
    sums = {
        row["organisation_id"]: (row["s"], row["p"])
        for row in CapitalEntry.objects.values("organisation_id").annotate(s=Sum("shares"), p=Sum("amount"))
    }
    problems = []
    for account in CapitalAccount.objects.all():
        expected = sums.pop(account.organisation_id, (0, 0))
        if (account.shares, account.paid) != expected:
            problems.append(
                {
                    "organisation_id": account.organisation_id,
                    "account": (account.shares, account.paid),
                    "entries": expected,
                }
            )
    for org_id, expected in sums.items():
        problems.append({"organisation_id": org_id, "account": None, "entries": expected})
    return problems


def accounts(actor):
    permissions.require(actor, "governance.view_capital")
    return CapitalAccount.objects.select_related("organisation", "organisation__membership").filter(
        Q(shares__gt=0) | Q(paid__gt=0)
    )


def ledger(actor):
    permissions.require(actor, "governance.view_capital")
    return CapitalEntry.objects.select_related("organisation", "counterparty").order_by("-on", "-id")


def paid_in_at(day):
    return CapitalEntry.objects.filter(on__lte=day).aggregate(p=Sum("amount"))["p"] or 0


def fiscal_year_end(year):
    month = cooperative().fiscal_year_start_month
    if month == 1:
        return dt.date(year, 12, 31)
    return dt.date(year + 1, month, 1) - dt.timedelta(days=1)


def disclosure_deadline(year):
    """Four months after the fiscal year's end (제96조의2)."""
    end = fiscal_year_end(year) + dt.timedelta(days=1)
    month = end.month + 4
    return dt.date(end.year + (month - 1) // 12, (month - 1) % 12 + 1, 1) - dt.timedelta(days=1)


def represented_members(actor):
    if not permissions.is_authenticated(actor):
        return Organisation.objects.none()
    ids = Affiliation.objects.filter(person__user=actor, is_representative=True).values("organisation_id")
    return Organisation.objects.filter(pk__in=ids, membership__isnull=False)


def represented_member_id(actor):
    return represented_members(actor).values_list("pk", flat=True).first()


# --- meetings ------------------------------------------------------------------------------------------
def meeting_for_update(meeting_id):
    try:
        return Meeting.objects.select_for_update().get(pk=meeting_id)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Meeting %(id)s does not exist."), params={"id": meeting_id})


def item_for_update(item_id):
    try:
        return AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item_id)
    except (AgendaItem.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Agenda item %(id)s does not exist."), params={"id": item_id})


def get_meeting(actor, meeting_id):
    permissions.require(actor, "governance.view_meeting")
    try:
        return Meeting.objects.select_related("presiding").get(pk=meeting_id)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Meeting %(id)s does not exist."), params={"id": meeting_id})


def meetings(actor):
    permissions.require(actor, "governance.view_meeting")
    return Meeting.objects.annotate(n_items=Count("items")).order_by("-scheduled_at", "-id")


def membership_active_on(membership, day):
    """Whether a membership was on the roll on ``day`` (joined, not yet ended)."""
    started = membership.activated_on or membership.approved_on
    if membership.status not in (
        MembershipStatus.ACTIVE,
        MembershipStatus.WITHDRAWING,
        MembershipStatus.WITHDRAWN,
        MembershipStatus.EXPELLED,
    ):
        return False
    if started is None or started > day:
        return False
    return membership.ended_on is None or membership.ended_on > day


def members_on(day):
    qs = Membership.objects.filter(
        status__in=(
            MembershipStatus.ACTIVE,
            MembershipStatus.WITHDRAWING,
            MembershipStatus.WITHDRAWN,
            MembershipStatus.EXPELLED,
        )
    ).filter(Q(activated_on__lte=day) | Q(activated_on__isnull=True, approved_on__lte=day))
    return qs.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def officers_on(day):
    return Officer.objects.filter(term_start__lte=day, term_end__gte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)
    )


def roster_size(meeting):
    """재적: members on the roll on the day (general assembly) or directors in office (board)."""
    day = timezone.localdate(meeting.scheduled_at)
    if meeting.is_general:
        return members_on(day).count()
    return officers_on(day).filter(role__in=(OfficerRole.CHAIR, OfficerRole.DIRECTOR)).count()


def attendance_summary(meeting):
    rows = meeting.attendances.select_related("organisation", "user", "proxy_member")
    return {
        "rows": rows,
        "present": rows.count(),
        "proxies": rows.exclude(proxy_kind="").count(),
        "roster": meeting.roster if meeting.roster is not None else roster_size(meeting),
    }


def minutes_context(meeting):
    return {
        "meeting": meeting,
        "items": meeting.items.all(),
        "attendance": attendance_summary(meeting),
        "cooperative": cooperative(),
    }


# --- polls ------------------------------------------------------------------------------------------------
def get_poll(poll_id):
    try:
        return Poll.objects.get(pk=poll_id)
    except (Poll.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Poll %(id)s does not exist."), params={"id": poll_id})


def polls(actor):
    permissions.require(actor, "governance.view_poll")
    return Poll.objects.annotate(n_participants=Count("participations")).order_by("-closes_at", "-id")


def poll_tally(poll):
    """Counts per option (ranked: Borda points, n−1 for a first place). Callers show it only once closed."""
    options = list(poll.options.all())
    rows = {o.number: {"number": o.number, "label": o.label, "votes": 0, "points": 0} for o in options}
    by_pk = {o.pk: o.number for o in options}
    n = len(options)
    for option_id, ranking in Ballot.objects.filter(poll=poll).values_list("option_id", "ranking"):
        if option_id:
            rows[by_pk[option_id]]["votes"] += 1
        for place, number in enumerate(ranking or []):
            if number in rows:
                rows[number]["points"] += n - 1 - place
                if place == 0:
                    rows[number]["votes"] += 1
    ordered = sorted(
        rows.values(),
        key=lambda r: (-(r["points"] if poll.ballot_type == BallotType.RANKED else r["votes"]), r["number"]),
    )
    return {
        "participants": poll.participations.count(),
        "ballots": Ballot.objects.filter(poll=poll).count(),
        "rows": ordered,
    }


def poll_results(actor, poll):
    """The tally, or None while the poll is open: results stay hidden until it closes."""
    permissions.require(actor, "governance.view_poll", poll)
    if not poll.is_closed():
        return None
    return poll_tally(poll)


def has_voted(actor, poll):
    from .models import Participation

    org_ids = represented_members(actor).values("pk")
    return Participation.objects.filter(poll=poll, organisation_id__in=org_ids).exists()


# --- the log ----------------------------------------------------------------------------------------------
@dataclass
class ChainResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify_chain():
    """Walk the log in order, recomputing every hash; stop at the first entry that does not match."""
    prev = chain.GENESIS
    expected_seq = 1
    checked = 0
    for seq, payload, prev_hash, digest in (
        LogEntry.objects.order_by("seq").values_list("seq", "payload", "prev_hash", "hash").iterator()
    ):
        if seq != expected_seq:
            return ChainResult(
                False, checked, expected_seq, str(_("entry #%(seq)s is missing") % {"seq": expected_seq})
            )
        if prev_hash != prev:
            return ChainResult(
                False,
                checked,
                seq,
                str(_("entry #%(seq)s does not point at the hash of the entry before it") % {"seq": seq}),
            )
        if chain.chain_hash(prev_hash, payload) != digest:
            return ChainResult(
                False,
                checked,
                seq,
                str(_("entry #%(seq)s was altered: its content no longer matches its hash") % {"seq": seq}),
            )
        prev = digest
        expected_seq += 1
        checked += 1
    from .models import LogHead

    head = LogHead.objects.filter(pk=1).first()
    if head is not None and head.seq != checked:
        return ChainResult(
            False,
            checked,
            head.seq,
            str(
                _("the log ends at #%(last)s but the head records #%(head)s (entries were removed)")
                % {"last": checked, "head": head.seq}
            ),
        )
    return ChainResult(True, checked)


# --- officers ---------------------------------------------------------------------------------------------
def board_warnings(day):
    """What the Act requires of the board and is missing on ``day`` (제34조)."""
    current = officers_on(day)
    warnings = []
    directors = current.filter(role__in=(OfficerRole.CHAIR, OfficerRole.DIRECTOR)).count()
    if not current.filter(role=OfficerRole.CHAIR).exists():
        warnings.append(
            _("Framework Act on Cooperatives Article 34: the cooperative has no chair in office.")
        )
    if directors < 3:
        warnings.append(
            _(
                "Framework Act on Cooperatives Article 34: at least 3 directors including the chair are required; %(n)s are in office."
            )
            % {"n": directors}
        )
    if not current.filter(role=OfficerRole.AUDITOR).exists():
        warnings.append(
            _(
                "Framework Act on Cooperatives Article 34: at least one auditor is required; none is in office."
            )
        )
    return warnings


def expiring_terms(day, days=None):
    days = settings.GOVERNANCE_TERM_ALERT_DAYS if days is None else days
    return (
        officers_on(day)
        .filter(term_end__lte=day + dt.timedelta(days=days))
        .select_related("user")
        .order_by("term_end")
    )


def warnings(day=None):
    """Everything the dashboard should flag today."""
    day = day or timezone.localdate()
    out = []
    year = day.year
    held = Meeting.objects.filter(kind=MeetingKind.ORDINARY_ASSEMBLY).exclude(status=MeetingStatus.CANCELLED)
    if (
        not held.filter(scheduled_at__year=year - 1).exists()
        and Meeting.objects.filter(scheduled_at__year__lt=year).exists()
    ):
        out.append(
            _(
                "Framework Act on Cooperatives Article 28(4): no ordinary general assembly was held in %(year)s."
            )
            % {"year": year - 1}
        )
    if not held.filter(scheduled_at__year=year).exists():
        out.append(
            _(
                "Framework Act on Cooperatives Article 28(4): the ordinary general assembly of %(year)s is not convened yet."
            )
            % {"year": year}
        )
    out.extend(board_warnings(day))
    for officer in expiring_terms(day):
        out.append(
            _("The term of %(name)s (%(role)s) ends on %(end)s; prepare the election.")
            % {
                "name": officer.user.name,
                "role": officer.get_role_display(),
                "end": officer.term_end.strftime("%Y.%m.%d"),
            }
        )
    last_year = year - 1
    deadline = disclosure_deadline(last_year)
    report = AnnualReport.objects.filter(year=last_year).first()
    if (
        (report is None or report.published_on is None)
        and day <= deadline
        and (deadline - day).days <= settings.GOVERNANCE_DISCLOSURE_REMINDER_DAYS
    ):
        out.append(
            _("Framework Act on Cooperatives Article 96-2: the %(year)s disclosure is due by %(deadline)s.")
            % {"year": last_year, "deadline": deadline.strftime("%Y.%m.%d")}
        )
    elif (
        (report is None or report.published_on is None)
        and day > deadline
        and CapitalEntry.objects.filter(on__year=last_year).exists()
    ):
        out.append(
            _(
                "Framework Act on Cooperatives Article 96-2: the %(year)s disclosure was due by %(deadline)s and is not published."
            )
            % {"year": last_year, "deadline": deadline.strftime("%Y.%m.%d")}
        )
    totals = capital_totals()
    if totals["largest_percent"] > 30:
        out.append(
            _("Framework Act on Cooperatives Article 22(2): a member holds %(percent)s%% of all shares.")
            % {"percent": totals["largest_percent"]}
        )
    problems = reconcile()
    if problems:
        out.append(
            _("The capital accounts of %(n)s members do not match their entries.") % {"n": len(problems)}
        )
    return out


# --- disclosure ---------------------------------------------------------------------------------------------
def annual_report_context(year):
    """Everything the disclosure page and PDF show for a fiscal year."""
    from dongne.opportunities.selectors import outcomes_summary
    from dongne.programs.selectors import participation_totals

    report = AnnualReport.objects.filter(year=year).first()
    start = fiscal_year_end(year - 1) + dt.timedelta(days=1)
    end = fiscal_year_end(year)
    impact = ImpactReport.objects.filter(year=year)
    sums = impact.aggregate(
        employees=Sum("employees"),
        new_hires=Sum("new_hires"),
        youth=Sum("new_hires_local_youth"),
        women=Sum("new_hires_women"),
        revenue=Sum("revenue"),
        projects=Sum("projects_won"),
    )
    meetings_qs = (
        Meeting.objects.filter(scheduled_at__date__gte=start, scheduled_at__date__lte=end)
        .exclude(status=MeetingStatus.CANCELLED)
        .prefetch_related("items")
        .order_by("scheduled_at")
    )
    main_ratio = (
        round(report.main_business * 100 / report.total_business, 1)
        if report and report.total_business
        else None
    )
    paid_in = paid_in_at(end)
    return {
        "year": year,
        "report": report,
        "cooperative": cooperative(),
        "impact_rows": impact.select_related("organisation"),
        "impact": {k: v or 0 for k, v in sums.items()},
        "impact_members": impact.count(),
        "assemblies": [m for m in meetings_qs if m.kind in GENERAL_KINDS],
        "board_meetings": [m for m in meetings_qs if m.kind == MeetingKind.BOARD],
        "main_ratio": main_ratio,
        "main_ratio_ok": main_ratio is None or main_ratio >= 40,
        "paid_in": paid_in,
        "reserve_target": 3 * paid_in,
        "members": members_on(end).count(),
        "officers": officers_on(end).select_related("user").order_by("role"),
        "deadline": disclosure_deadline(year),
        # The cooperative's own projects, from the modules that run them (counts only).
        "programs": participation_totals(year),
        "consortia": outcomes_summary(year),
    }


def register_rows(actor):
    """조합원 명부: every member with its capital, as the Act requires the register to be kept."""
    permissions.require(actor, "governance.view_register")
    price = cooperative().share_price
    accounts_by_org = {a.organisation_id: a for a in CapitalAccount.objects.all()}
    rows = []
    for m in Membership.objects.select_related("organisation").order_by("organisation__name"):
        account = accounts_by_org.get(m.organisation_id)
        shares = account.shares if account else 0
        rows.append(
            [
                m.organisation.name,
                m.organisation.business_number or "",
                m.organisation.representative,
                m.organisation.address,
                m.get_member_type_display(),
                m.get_status_display(),
                m.activated_on.isoformat() if m.activated_on else "",
                m.ended_on.isoformat() if m.ended_on else "",
                shares,
                shares * price,
                account.paid if account else 0,
            ]
        )
    return rows


REGISTER_HEADER = [
    "기관명",
    "사업자등록번호",
    "대표자",
    "주소",
    "조합원유형",
    "상태",
    "가입일",
    "탈퇴·제명일",
    "출자좌수",
    "출자금액",
    "납입금액",
]
