"""Read queries of spaces: availability, waiting lists, rankings, arrears and the figures the pages show."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dongne.core.errors import NotFound
from dongne.network.choices import MembershipStatus, OrganisationKind
from dongne.network.selectors import represented_organisations  # noqa: F401  (re-exported for services)

from .choices import BookingStatus
from .models import Booking, Facility


def overlapping_bookings(facility, start, end):
    return Booking.objects.filter(
        facility=facility, status=BookingStatus.CONFIRMED, start__lt=end, end__gt=start
    ).order_by("start")


def get_facility(facility_id):
    try:
        return Facility.objects.select_related("building", "floor").get(pk=facility_id)
    except (Facility.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Facility %(id)s does not exist."), params={"id": facility_id})


def get_building(building_id):
    from .models import Building

    try:
        return Building.objects.get(pk=building_id)
    except (Building.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Building %(id)s does not exist."), params={"id": building_id})


def get_unit(unit_id):
    from .models import Unit

    try:
        return Unit.objects.select_related("floor__building").get(pk=unit_id)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Unit %(id)s does not exist."), params={"id": unit_id})


def facilities(*, active_only=True):
    qs = Facility.objects.select_related("building", "floor")
    return qs.filter(is_active=True) if active_only else qs


def availability(facility, day, *, step=30):
    """The facility's half-hour slots on ``day`` (local time) with the booking that holds each, if any."""
    tz = timezone.get_current_timezone()
    open_dt = dt.datetime.combine(day, facility.opens_at, tzinfo=tz)
    close_dt = dt.datetime.combine(day, facility.closes_at, tzinfo=tz)
    bookable_day = str(day.weekday()) in facility.weekdays and facility.is_active
    bookings = list(overlapping_bookings(facility, open_dt, close_dt).select_related("organisation"))
    slots = []
    t = open_dt
    while t < close_dt:
        nxt = t + dt.timedelta(minutes=step)
        holder = next((b for b in bookings if b.start < nxt and b.end > t), None)
        slots.append({"start": t, "end": nxt, "free": bookable_day and holder is None, "booking": holder})
        t = nxt
    return slots


def bookings_for(actor, *, upcoming_only=True):
    """Bookings the actor made or that belong to an organisation they represent."""
    from django.db.models import Q

    if not getattr(actor, "is_authenticated", False):
        return Booking.objects.none()
    orgs = represented_organisations(actor).values("pk")
    qs = Booking.objects.filter(Q(booked_by=actor) | Q(organisation__in=orgs), status=BookingStatus.CONFIRMED)
    if upcoming_only:
        qs = qs.filter(end__gt=timezone.now())
    return qs.select_related("facility", "organisation").order_by("start")


def facility_bookings(facility, *, since=None):
    qs = Booking.objects.filter(facility=facility, status=BookingStatus.CONFIRMED)
    if since is not None:
        qs = qs.filter(end__gt=since)
    return qs.select_related("organisation").order_by("start")


# --- applications ------------------------------------------------------------------------------------
def application_score(application):
    """Weighted score 0–100: per reviewer Σ(score/max × weight) / Σ weight × 100, averaged over reviewers.
    None when nobody has scored yet."""
    from decimal import ROUND_HALF_UP, Decimal

    criteria = {c.pk: c for c in application.rubric.criteria.all()}
    total_weight = sum(c.weight for c in criteria.values())
    per_reviewer = {}
    for row in application.scores.all():
        c = criteria.get(row.criterion_id)
        if c is None:
            continue
        per_reviewer.setdefault(row.reviewer_id, Decimal(0))
        per_reviewer[row.reviewer_id] += Decimal(row.score) / Decimal(c.max_score) * Decimal(c.weight)
    if not per_reviewer or not total_weight:
        return None
    mean = sum(per_reviewer.values()) / len(per_reviewer) / Decimal(total_weight) * 100
    return mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def applications(actor, *, status="", unit_type=""):
    from dongne.core import permissions

    from .models import TenancyApplication

    qs = TenancyApplication.objects.select_related("organisation", "rubric")
    if not permissions.is_officer(actor):
        qs = qs.filter(organisation__in=represented_organisations(actor).values("pk"))
    if status:
        qs = qs.filter(status=status)
    if unit_type:
        qs = qs.filter(unit_type=unit_type)
    return qs


def get_application(actor, application_id):
    from dongne.core import permissions

    from .models import TenancyApplication

    try:
        application = TenancyApplication.objects.select_related("organisation", "rubric").get(
            pk=application_id
        )
    except (TenancyApplication.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Application %(id)s does not exist."), params={"id": application_id})
    if not permissions.can(actor, "spaces.view_application", application):
        raise NotFound(_("Application %(id)s does not exist."), params={"id": application_id})
    return application


def ranking(unit_type):
    """Submitted and approved applications of a unit type, best weighted score first (live scores for those
    still under review)."""
    from .choices import ApplicationStatus
    from .models import TenancyApplication

    rows = []
    qs = TenancyApplication.objects.filter(
        unit_type=unit_type, status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED]
    ).select_related("organisation", "rubric")
    for application in qs.prefetch_related("scores", "rubric__criteria"):
        score = application.score if application.score is not None else application_score(application)
        rows.append((application, score))
    rows.sort(key=lambda r: (r[1] is None, -(r[1] or 0), r[0].created_at))
    return [{"rank": n, "application": a, "score": s} for n, (a, s) in enumerate(rows, 1)]


def waiting_list(unit_type=None):
    """Approved applications waiting for a unit, per unit type: highest score first, then earliest."""
    from .choices import ApplicationStatus, UnitType
    from .models import TenancyApplication

    types = [unit_type] if unit_type else UnitType.values
    out = {}
    for t in types:
        qs = TenancyApplication.objects.filter(unit_type=t, status=ApplicationStatus.APPROVED).select_related(
            "organisation"
        )
        out[t] = list(qs.order_by("-score", "created_at"))
    return out


# --- leases and money ------------------------------------------------------------------------------------
def tenant_emails(organisation):
    from dongne.network.models import Affiliation

    emails = [organisation.email] if organisation.email else []
    for aff in Affiliation.objects.filter(organisation=organisation, is_representative=True).select_related(
        "person__user"
    ):
        email = aff.person.email or (aff.person.user.email if aff.person.user else "")
        if email and email not in emails:
            emails.append(email)
    return emails


def arrears(*, today=None):
    """Charges past their due date and not fully paid, with the tenant, oldest first."""
    from django.db.models import F

    from .models import Charge

    today = today or timezone.localdate()
    return (
        Charge.objects.filter(due_on__lt=today, paid__lt=F("amount"))
        .select_related("lease__organisation", "lease__unit__floor__building")
        .order_by("due_on")
    )


def arrears_by_tenant(*, today=None):
    totals = {}
    for charge in arrears(today=today):
        org = charge.lease.organisation
        row = totals.setdefault(
            org.pk, {"organisation": org, "amount": 0, "months": 0, "oldest": charge.due_on}
        )
        row["amount"] += charge.amount - charge.paid
        row["months"] += 1
    return sorted(totals.values(), key=lambda r: -r["amount"])


def revenue_by_month(*, months=12, today=None):
    """Billed and paid per charged month over the last ``months`` months."""
    from django.db.models import Sum

    from .models import Charge

    today = today or timezone.localdate()
    start = _months_back(today, months - 1)
    rows = (
        Charge.objects.filter(month__gte=start, month__lte=today)
        .values("month")
        .annotate(billed=Sum("amount"), paid=Sum("paid"))
        .order_by("month")
    )
    by_month = {r["month"]: r for r in rows}
    out = []
    for m in _month_list(start, today):
        r = by_month.get(m, {"billed": 0, "paid": 0})
        out.append(
            {
                "month": m,
                "billed": r["billed"] or 0,
                "paid": r["paid"] or 0,
                "outstanding": (r["billed"] or 0) - (r["paid"] or 0),
            }
        )
    return out


def _months_back(day, n):
    y, m = day.year, day.month - n
    while m < 1:
        m += 12
        y -= 1
    return dt.date(y, m, 1)


def _month_list(start, end):
    m = start.replace(day=1)
    while m <= end:
        yield m
        m = (m + dt.timedelta(days=32)).replace(day=1)


def occupancy_over_time(*, months=12, today=None):
    """Share of the leasable area (㎡) under a lease (not cancelled) on the first of each month."""
    from django.db.models import Sum

    from .choices import LeaseStatus, UnitStatus
    from .models import Lease, Unit

    today = today or timezone.localdate()
    total = Unit.objects.exclude(status=UnitStatus.UNAVAILABLE).aggregate(a=Sum("area_m2"))["a"] or 0
    leases = list(Lease.objects.exclude(status=LeaseStatus.CANCELLED).select_related("unit"))
    out = []
    for m in _month_list(_months_back(today, months - 1), today):
        leased = sum((lease.unit.area_m2 for lease in leases if lease.starts_on <= m <= lease.ends_on), 0)
        rate = float(leased) / float(total) * 100 if total else 0.0
        out.append({"month": m, "leased_m2": leased, "rate": round(rate, 1)})
    return out


def unit_grid():
    """Buildings → floors (top first) → units laid out by their plan row and column, with the current tenant."""
    from .choices import LeaseStatus
    from .models import Building, Lease

    today = timezone.localdate()
    current = {
        lease.unit_id: lease
        for lease in Lease.objects.filter(
            status__in=[LeaseStatus.SIGNED, LeaseStatus.ACTIVE], starts_on__lte=today, ends_on__gte=today
        ).select_related("organisation")
    }
    buildings = []
    for building in Building.objects.prefetch_related("floors__units"):
        floors = []
        for floor in sorted(building.floors.all(), key=lambda f: -f.number):
            units = sorted(floor.units.all(), key=lambda u: (u.plan_row, u.plan_col, u.code))
            for u in units:
                u.current_lease = current.get(u.pk)
            floors.append({"floor": floor, "units": units})
        buildings.append({"building": building, "floors": floors})
    return buildings


def unit_counts():
    from django.db.models import Count

    from .models import Unit

    return {r["status"]: r["n"] for r in Unit.objects.values("status").annotate(n=Count("pk"))}


def facility_usage(*, months=3, today=None):
    """Per facility: bookings and booked hours over the last ``months`` months, and the share of its bookable
    hours that were booked."""
    from .models import Booking

    today = today or timezone.localdate()
    start = _months_back(today, months - 1)
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    until = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    out = []
    for facility in facilities():
        bookings = Booking.objects.filter(
            facility=facility, status=BookingStatus.CONFIRMED, start__gte=since, start__lt=until
        )
        hours = sum((b.end - b.start).total_seconds() for b in bookings) / 3600
        open_days = sum(
            1
            for n in range((today - start).days + 1)
            if str((start + dt.timedelta(days=n)).weekday()) in facility.weekdays
        )
        day_hours = (
            dt.datetime.combine(today, facility.closes_at) - dt.datetime.combine(today, facility.opens_at)
        ).total_seconds() / 3600
        capacity = open_days * day_hours
        out.append(
            {
                "facility": facility,
                "bookings": bookings.count(),
                "hours": round(hours, 1),
                "utilisation": round(hours / capacity * 100, 1) if capacity else 0.0,
            }
        )
    return out


def active_member_company(organisation):
    """True when the organisation is a member company whose membership is active."""
    membership = getattr(organisation, "membership", None) if hasattr(organisation, "membership") else None
    return (
        organisation.kind == OrganisationKind.MEMBER_COMPANY
        and membership is not None
        and membership.status == MembershipStatus.ACTIVE
    )


def won(amount):
    """An amount in KRW as Koreans write it: 1,234,000원."""
    return f"{amount:,}원"


def renewal_checks(lease, *, today=None):
    from django.db.models import F

    from dongne.network.models import Organisation

    from .models import ActivityReport, Charge

    """The light check that replaces a yearly re-examination: dues paid, membership active, activity reported
    within the last year. Returns {check: (passed, message)}."""
    today = today or timezone.localdate()
    unpaid = Charge.objects.filter(
        lease__organisation=lease.organisation, due_on__lt=today, paid__lt=F("amount")
    )
    arrears = sum(c.amount - c.paid for c in unpaid)
    org = Organisation.objects.select_related("membership").get(pk=lease.organisation_id)
    reported = ActivityReport.objects.filter(organisation=org, year__gte=today.year - 1).exists()
    return {
        "dues_paid": (
            arrears == 0,
            str(_("Dues in arrears: %(amount)s. Settle them before renewing.") % {"amount": won(arrears)})
            if arrears
            else str(_("Dues paid.")),
        ),
        "membership_active": (
            active_member_company(org),
            str(_("Membership active."))
            if active_member_company(org)
            else str(_("The membership is not active.")),
        ),
        "activity_reported": (
            reported,
            str(_("Activity reported."))
            if reported
            else str(
                _("No activity report for %(year)s or later; submit the yearly activity report.")
                % {"year": today.year - 1}
            ),
        ),
    }


def complex_setup():
    """Buildings with their floors (top first), each floor's units and the building's facilities, for the
    secretariat's setup page: a fixed number of queries however many rows there are."""
    from django.db.models import Prefetch

    from .models import Building, Floor, Unit

    floors = Floor.objects.order_by("-number").prefetch_related(
        Prefetch("units", queryset=Unit.objects.order_by("plan_row", "plan_col", "code"))
    )
    return Building.objects.prefetch_related(
        Prefetch("floors", queryset=floors),
        Prefetch("facilities", queryset=Facility.objects.select_related("floor").order_by("name")),
    ).order_by("name")
