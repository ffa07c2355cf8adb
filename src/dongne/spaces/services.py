"""State changes of spaces. Every function checks permission, validates, writes inside a transaction,
records an audit entry and returns the object (ARCHITECTURE.md rule 1).

No double booking and no overlapping lease are guaranteed by the database (migration 0002); the checks
made here first only give the better message. An IntegrityError from the database is the final word."""

import calendar
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from dongne.core import audit, permissions
from dongne.core.errors import Conflict, NotFound, ValidationError
from dongne.core.korean import parse_korean_date
from dongne.network.choices import MembershipStatus, OrganisationKind
from dongne.network.models import Organisation

from . import rules, selectors
from .choices import (
    ApplicationStatus,
    Audience,
    BookingStatus,
    FacilityKind,
    LeaseStatus,
    UnitStatus,
    UnitType,
)
from .models import (
    ActivityReport,
    ApplicationDocument,
    Booking,
    BookingSeries,
    Building,
    Charge,
    Criterion,
    Facility,
    Floor,
    Lease,
    LeaseRenewal,
    Payment,
    ReviewScore,
    Rubric,
    TenancyApplication,
    Unit,
)

GRID_MINUTES = 30  # bookings start and end on the half hour
MAX_OCCURRENCES = 52


# --- helpers ---------------------------------------------------------------------------------------
def _now(now=None):
    return now or timezone.now()


def _today(today=None):
    return today or timezone.localdate()


def _aware(value, field):
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError.on(field, _("Enter a date and time such as 2024-05-01 10:00."))
    if not isinstance(value, dt.datetime):
        raise ValidationError.on(field, _("Enter a date and time such as 2024-05-01 10:00."))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _date(value, field, *, required=True):
    if value in (None, ""):
        if required:
            raise ValidationError.on(field, _("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return parse_korean_date(value)
    except ValueError as exc:
        raise ValidationError.on(field, str(exc))


def _int(value, field, *, minimum=0):
    try:
        number = int(str(value).replace(",", "").replace("원", "").strip())
    except (TypeError, ValueError):
        raise ValidationError.on(field, _("Enter a whole number."))
    if number < minimum:
        raise ValidationError.on(
            field, _("Enter a number of at least %(minimum)s."), params={"minimum": minimum}
        )
    return number


def won(amount):
    return f"{amount:,}원"


def _hm(value):
    return value.strftime("%H:%M")


def _local(value):
    return timezone.localtime(value)


def _slot_label(start, end):
    s, e = _local(start), _local(end)
    return f"{s:%Y-%m-%d %H:%M}–{e:%H:%M}"


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _get(model, pk, label, *, for_update=False):
    qs = model.objects.select_for_update() if for_update else model.objects
    try:
        return qs.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("%(what)s %(id)s does not exist."), params={"what": label, "id": pk})


def active_member_company(organisation):
    """True when the organisation is a member company whose membership is active."""
    membership = getattr(organisation, "membership", None) if hasattr(organisation, "membership") else None
    return (
        organisation.kind == OrganisationKind.MEMBER_COMPANY
        and membership is not None
        and membership.status == MembershipStatus.ACTIVE
    )


def _require_member(organisation, field="organisation"):
    if not active_member_company(organisation):
        raise ValidationError.on(
            field,
            _(
                "%(name)s is not a member company with an active membership; only member companies of the "
                "cooperative can do this. Complete the membership first."
            ),
            params={"name": organisation.name},
        )


# --- buildings, floors, units, facilities ----------------------------------------------------------
def create_building(*, actor, name, address="", description=""):
    """Register a building of the complex."""
    permissions.require(actor, "spaces.manage_spaces")
    name = str(name or "").strip()
    if not name:
        raise ValidationError.on("name", _("Enter the building's name."))
    if Building.objects.filter(name=name).exists():
        raise ValidationError.on("name", _("A building with this name already exists."))
    with transaction.atomic():
        building = Building.objects.create(name=name, address=address, description=description)
        audit.record(actor, "spaces.building.created", building, {"name": name})
    return building


def create_floor(*, actor, building_id, number, name=""):
    """Add a floor to a building."""
    permissions.require(actor, "spaces.manage_spaces")
    building = _get(Building, building_id, _("Building"))
    number = int(number)
    if Floor.objects.filter(building=building, number=number).exists():
        raise ValidationError.on("number", _("This building already has this floor."))
    with transaction.atomic():
        floor = Floor.objects.create(building=building, number=number, name=name)
        audit.record(actor, "spaces.floor.created", floor, {"number": number})
    return floor


UNIT_FIELDS = ("code", "unit_type", "area_m2", "desks", "monthly_rent", "maintenance_fee", "amenities")


def create_unit(*, actor, floor_id, data):
    """Add a unit (office, lab) to a floor: area in ㎡, desks, monthly rent and maintenance fee, amenities."""
    permissions.require(actor, "spaces.manage_spaces")
    floor = _get(Floor, floor_id, _("Floor"))
    code = str(data.get("code") or "").strip()
    if not code:
        raise ValidationError.on("code", _("Enter the unit number."))
    if data.get("unit_type") not in UnitType.values:
        raise ValidationError.on("unit_type", _("Choose a unit type."))
    try:
        area = Decimal(str(data.get("area_m2")).replace("㎡", "").strip())
    except Exception:
        raise ValidationError.on("area_m2", _("Enter the area in square metres, e.g. 33.5."))
    if area <= 0:
        raise ValidationError.on("area_m2", _("Enter the area in square metres, e.g. 33.5."))
    amenities = data.get("amenities") or []
    if isinstance(amenities, str):
        amenities = [a.strip() for a in amenities.split(",") if a.strip()]
    if Unit.objects.filter(floor=floor, code=code).exists():
        raise ValidationError.on("code", _("This floor already has a unit with this number."))
    with transaction.atomic():
        unit = Unit.objects.create(
            floor=floor,
            code=code,
            unit_type=data["unit_type"],
            area_m2=area,
            desks=_int(data.get("desks", 0), "desks"),
            monthly_rent=_int(data.get("monthly_rent", 0), "monthly_rent"),
            maintenance_fee=_int(data.get("maintenance_fee", 0), "maintenance_fee"),
            amenities=list(amenities),
            plan_row=int(data.get("plan_row") or 1),
            plan_col=int(data.get("plan_col") or 1),
        )
        audit.record(actor, "spaces.unit.created", unit, {"code": code, "type": unit.unit_type})
    return unit


def set_unit_availability(*, actor, unit_id, available):
    """Take a free unit out of service (maintenance) or put it back."""
    permissions.require(actor, "spaces.manage_spaces")
    with transaction.atomic():
        unit = _get(Unit, unit_id, _("Unit"), for_update=True)
        allowed_from = UnitStatus.UNAVAILABLE if available else UnitStatus.AVAILABLE
        if unit.status != allowed_from:
            raise Conflict(
                _("Unit %(unit)s is %(status)s; only a free unit can be taken out of service and back."),
                params={"unit": unit.code, "status": unit.get_status_display()},
            )
        unit.status = UnitStatus.AVAILABLE if available else UnitStatus.UNAVAILABLE
        unit.save(update_fields=["status", "updated_at"])
        audit.record(actor, "spaces.unit.status_changed", unit, {"status": unit.status})
    return unit


def _clean_facility(data, instance=None):
    out = {}
    errors = {}
    for field in (
        "name",
        "kind",
        "capacity",
        "description",
        "opens_at",
        "closes_at",
        "weekdays",
        "max_minutes",
    ):
        if field in data:
            out[field] = data[field]
    if "audience" in data:
        out["audience"] = data["audience"]
        if out["audience"] not in Audience.values:
            errors["audience"] = [str(_("Choose who may book: members, staff or both."))]
    if "is_active" in data:
        out["is_active"] = bool(data["is_active"])
    if instance is None or "name" in out:
        out["name"] = str(out.get("name") or "").strip()
        if not out["name"]:
            errors["name"] = [str(_("Enter the facility's name."))]
    if instance is None or "kind" in out:
        if out.get("kind") not in FacilityKind.values:
            errors["kind"] = [str(_("Choose a kind of facility."))]
    for field in ("opens_at", "closes_at"):
        if field in out and isinstance(out[field], str):
            try:
                out[field] = dt.time.fromisoformat(out[field])
            except ValueError:
                errors[field] = [str(_("Enter a time such as 09:00."))]
    opens = out.get("opens_at", getattr(instance, "opens_at", None))
    closes = out.get("closes_at", getattr(instance, "closes_at", None))
    if opens is None or closes is None:
        errors.setdefault("opens_at", []).append(str(_("Enter the bookable hours.")))
    elif not errors.get("opens_at") and not errors.get("closes_at") and closes <= opens:
        errors.setdefault("closes_at", []).append(str(_("The closing time must be after the opening time.")))
    if "weekdays" in out:
        out["weekdays"] = "".join(sorted(set(str(out["weekdays"]))))
        if not out["weekdays"] or any(c not in "0123456" for c in out["weekdays"]):
            errors["weekdays"] = [str(_("Give the bookable weekdays as digits 0 (Monday) to 6 (Sunday)."))]
    if "max_minutes" in out:
        try:
            out["max_minutes"] = int(out["max_minutes"])
            if out["max_minutes"] < GRID_MINUTES or out["max_minutes"] % GRID_MINUTES:
                raise ValueError
        except (TypeError, ValueError):
            errors["max_minutes"] = [str(_("The longest booking is a multiple of 30 minutes."))]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], errors=errors)
    return out


def create_facility(*, actor, building_id, data):
    """Add a shared facility with its booking rules (hours, weekdays, longest booking, who may book)."""
    permissions.require(actor, "spaces.manage_spaces")
    building = _get(Building, building_id, _("Building"))
    out = _clean_facility(data)
    if Facility.objects.filter(building=building, name=out["name"]).exists():
        raise ValidationError.on("name", _("This building already has a facility with this name."))
    with transaction.atomic():
        facility = Facility.objects.create(building=building, **out)
        audit.record(actor, "spaces.facility.created", facility, {"name": facility.name})
    return facility


def update_facility(*, actor, facility_id, data):
    """Change a facility's booking rules. Existing bookings stay as they are."""
    permissions.require(actor, "spaces.manage_spaces")
    with transaction.atomic():
        facility = _get(Facility, facility_id, _("Facility"), for_update=True)
        out = _clean_facility(data, instance=facility)
        for field, value in out.items():
            setattr(facility, field, value)
        facility.save()
        audit.record(actor, "spaces.facility.updated", facility, {k: str(v) for k, v in out.items()})
    return facility


# --- bookings --------------------------------------------------------------------------------------
def _booking_party(actor, facility, organisation_id):
    """The organisation a booking is made for, after the facility's 'who may book' rule."""
    organisation = None
    if organisation_id:
        try:
            organisation = Organisation.objects.select_related("membership").get(pk=organisation_id)
        except (Organisation.DoesNotExist, ValueError, TypeError):
            raise NotFound(_("Organisation %(id)s does not exist."), params={"id": organisation_id})
    staff = rules.is_staff_booker(actor)
    if staff and organisation is None:
        if facility.audience == Audience.MEMBERS:
            raise ValidationError.on(
                "organisation",
                _("%(facility)s is booked by member companies; choose the member company you book for."),
                params={"facility": facility.name},
            )
        return None
    if not staff and facility.audience == Audience.STAFF:
        raise ValidationError(
            _("%(facility)s can be booked by the secretariat only."), params={"facility": facility.name}
        )
    if organisation is None:
        candidates = [
            o
            for o in selectors.represented_organisations(actor).select_related("membership")
            if active_member_company(o)
        ]
        if len(candidates) != 1:
            raise ValidationError(
                _(
                    "Only representatives of member companies with an active membership can book %(facility)s; "
                    "if you represent several companies, choose one."
                ),
                params={"facility": facility.name},
            )
        organisation = candidates[0]
    elif not staff and not rules.represents(actor, organisation.pk):
        raise ValidationError.on("organisation", _("You can book only for an organisation you represent."))
    _require_member(organisation)
    return organisation


def _slot_problems(facility, start, end, now):
    """Every rule the slot breaks, as translated messages (empty when bookable)."""
    problems = []
    s, e = _local(start), _local(end)
    if end <= start:
        return [_("The end must be after the start.")]
    if any(t.minute % GRID_MINUTES or t.second or t.microsecond for t in (s, e)):
        problems.append(_("Bookings start and end on the hour or the half hour (e.g. 10:00 or 10:30)."))
    if s.date() != e.date():
        problems.append(_("A booking must start and end on the same day."))
    if str(s.weekday()) not in facility.weekdays:
        problems.append(
            _("%(facility)s cannot be booked on %(weekday)s.")
            % {"facility": facility.name, "weekday": date_format(s, "l")}
        )
    if s.time() < facility.opens_at or (e.time() > facility.closes_at or e.date() != s.date()):
        problems.append(
            _("%(facility)s can be booked between %(opens)s and %(closes)s only.")
            % {"facility": facility.name, "opens": _hm(facility.opens_at), "closes": _hm(facility.closes_at)}
        )
    minutes = int((end - start).total_seconds() // 60)
    if minutes > facility.max_minutes:
        problems.append(
            _("A booking of %(facility)s may last at most %(max)s minutes; this one lasts %(minutes)s.")
            % {"facility": facility.name, "max": facility.max_minutes, "minutes": minutes}
        )
    if start < now:
        problems.append(_("This time has already passed; choose a time in the future."))
    return problems


def _overlap_message(facility, start, end):
    other = selectors.overlapping_bookings(facility, start, end).first()
    if other is None:
        return None
    return _("%(facility)s is already booked %(slot)s; choose another time.") % {
        "facility": facility.name,
        "slot": _slot_label(other.start, other.end),
    }


def _double_booking(facility, start, end):
    return Conflict(
        _("%(facility)s was booked by someone else for %(slot)s a moment ago; choose another time."),
        code="double_booking",
        params={"facility": facility.name, "slot": _slot_label(start, end)},
    )


def _bookable_facility(facility_id):
    facility = _get(Facility, facility_id, _("Facility"))
    if not facility.is_active:
        raise ValidationError(_("%(facility)s is not open for booking."), params={"facility": facility.name})
    return facility


def book_facility(*, actor, facility_id, start, end, title="", organisation_id=None, now=None):
    """Book a shared facility for one slot (on the half-hour grid, inside its bookable hours, no longer than
    its longest booking). A member representative books for their member company; the secretariat may book
    for itself or for a member company. Two bookings for the same slot: the database lets exactly one in."""
    facility = _bookable_facility(facility_id)
    permissions.require(actor, "spaces.book_facility", facility)
    start, end = _aware(start, "start"), _aware(end, "end")
    organisation = _booking_party(actor, facility, organisation_id)
    problems = _slot_problems(facility, start, end, _now(now))
    if problems:
        raise ValidationError(problems[0], errors={"start": [str(p) for p in problems]})
    title = str(title or "").strip()[:200] or (organisation.name if organisation else str(_("Secretariat")))
    try:
        with transaction.atomic():
            overlap = _overlap_message(facility, start, end)
            if overlap:
                raise Conflict(overlap, code="double_booking")
            booking = Booking.objects.create(
                facility=facility,
                organisation=organisation,
                booked_by=actor,
                title=title,
                start=start,
                end=end,
            )
            audit.record(
                actor,
                "spaces.booking.created",
                booking,
                {"facility": facility.name, "start": start, "end": end, "organisation": organisation_id},
            )
    except IntegrityError:
        raise _double_booking(facility, start, end)
    return booking


def _occurrences(start, end, count):
    s, e = _local(start).replace(tzinfo=None), _local(end).replace(tzinfo=None)
    week = dt.timedelta(days=7)
    return [(timezone.make_aware(s + week * k), timezone.make_aware(e + week * k)) for k in range(count)]


def _series_report(facility, slots, now):
    report = []
    for number, (s, e) in enumerate(slots, 1):
        messages = [str(m) for m in _slot_problems(facility, s, e, now)]
        overlap = _overlap_message(facility, s, e)
        if overlap:
            messages.append(str(overlap))
        if messages:
            report.append({"occurrence": number, "slot": _slot_label(s, e), "messages": messages})
    return report


def _series_conflict(report, total):
    return Conflict(
        ngettext_lazy(
            "%(count)s of the %(total)s weekly occurrences cannot be booked, so none was booked: "
            "%(first)s — change the time or the number of weeks.",
            "%(count)s of the %(total)s weekly occurrences cannot be booked, so none was booked: "
            "%(first)s — change the time or the number of weeks.",
            "count",
        ),
        code="recurring_conflict",
        params={
            "count": len(report),
            "total": total,
            "first": "; ".join(f"{r['slot']} {r['messages'][0]}" for r in report[:3]),
        },
        errors=report,
    )


def book_recurring(*, actor, facility_id, start, end, occurrences, title="", organisation_id=None, now=None):
    """Book the same slot every week for ``occurrences`` weeks, all or nothing. When any occurrence breaks a
    rule or meets another booking, nothing is booked and the error lists every such occurrence."""
    facility = _bookable_facility(facility_id)
    permissions.require(actor, "spaces.book_facility", facility)
    start, end = _aware(start, "start"), _aware(end, "end")
    count = _int(occurrences, "occurrences", minimum=1)
    if count > MAX_OCCURRENCES:
        raise ValidationError.on(
            "occurrences", _("Book at most %(max)s weeks at once."), params={"max": MAX_OCCURRENCES}
        )
    organisation = _booking_party(actor, facility, organisation_id)
    now = _now(now)
    slots = _occurrences(start, end, count)
    title = str(title or "").strip()[:200] or (organisation.name if organisation else str(_("Secretariat")))
    try:
        with transaction.atomic():
            report = _series_report(facility, slots, now)
            if report:
                raise _series_conflict(report, count)
            series = BookingSeries.objects.create(
                facility=facility, organisation=organisation, booked_by=actor, title=title, occurrences=count
            )
            Booking.objects.bulk_create(
                [
                    Booking(
                        facility=facility,
                        organisation=organisation,
                        booked_by=actor,
                        series=series,
                        title=title,
                        start=s,
                        end=e,
                    )
                    for s, e in slots
                ]
            )
            audit.record(
                actor,
                "spaces.booking.recurring_created",
                series,
                {"facility": facility.name, "first": start, "occurrences": count},
            )
    except IntegrityError:
        # Someone else took one of the slots between our check and our insert: report it, nothing stored.
        report = _series_report(facility, slots, now) or [
            {"occurrence": 0, "slot": "", "messages": [str(_double_booking(facility, start, end))]}
        ]
        raise _series_conflict(report, count)
    return series


def cancel_booking(*, actor, booking_id, now=None):
    """Cancel a booking that has not ended yet; its slot is free again at once."""
    booking = _get(Booking, booking_id, _("Booking"))
    permissions.require(actor, "spaces.cancel_booking", booking)
    now = _now(now)
    if booking.end <= now:
        raise ValidationError(_("A booking that has already ended cannot be cancelled."))
    with transaction.atomic():
        updated = Booking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED).update(
            status=BookingStatus.CANCELLED, cancelled_at=now, cancelled_by=actor
        )
        if not updated:
            raise Conflict(_("This booking is already cancelled."), code="already_cancelled")
        booking.refresh_from_db()
        audit.record(actor, "spaces.booking.cancelled", booking, {"start": booking.start})
    return booking


def cancel_series(*, actor, series_id, now=None):
    """Cancel every future occurrence of a recurring booking (occurrences already held stay)."""
    series = _get(BookingSeries, series_id, _("Recurring booking"))
    permissions.require(actor, "spaces.cancel_booking", series)
    now = _now(now)
    with transaction.atomic():
        count = Booking.objects.filter(series=series, status=BookingStatus.CONFIRMED, start__gt=now).update(
            status=BookingStatus.CANCELLED, cancelled_at=now, cancelled_by=actor
        )
        audit.record(actor, "spaces.booking.recurring_cancelled", series, {"cancelled": count})
    return count
