"""State changes of spaces. Every function checks permission, validates, writes inside a transaction,
records an audit entry and returns the object (ARCHITECTURE.md rule 1).

No double booking and no overlapping lease are guaranteed by the database (migration 0002); the checks
made here first only give the better message. An IntegrityError from the database is the final word."""

import calendar
import datetime as dt
from contextlib import contextmanager
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
ONE_OR_MORE = _("Book at least one occurrence.")


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
    if not isinstance(value, dt.datetime) or not 1900 <= value.year <= 9000:
        # Far-off years are no booking, and near year 1 or 9999 the time-zone and weekly arithmetic
        # overflows (an OverflowError, a 500, before this check).
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


def _won(amount):
    return f"{amount:,}원"


def _hm(value):
    return value.strftime("%H:%M")


def _local(value):
    return timezone.localtime(value)


def _slot_label(start, end):
    s, e = _local(start), _local(end)
    return f"{s:%Y-%m-%d %H:%M}–{e:%H:%M}"


def _add_years(day, years):
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


def _require_member(organisation, field="organisation"):
    if not selectors.active_member_company(organisation):
        raise ValidationError.on(
            field,
            _(
                "%(name)s is not a member company with an active membership; only member companies of the "
                "cooperative can do this. Complete the membership first."
            ),
            params={"name": organisation.name},
        )


# --- buildings, floors, units, facilities ----------------------------------------------------------
@contextmanager
def _unique_or(field, message):
    """A transaction whose unique constraint has the last word: the duplicate check before a create can race
    another create of the same thing, and the one that loses gets the same field error, not a 500."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise ValidationError.on(field, message)


BUILDING_DUPLICATE = _("A building with this name already exists.")


def _clean_building(data, *, partial=False):
    """The building fields in ``data``, cleaned with the same rules for creating and editing. ``partial`` (an
    edit) checks only the fields given; a create needs the name."""
    out = {}
    if not partial or "name" in data:
        out["name"] = str(data.get("name") or "").strip()
        if not out["name"]:
            raise ValidationError.on("name", _("Enter the building's name."))
    for field in ("address", "description"):
        if not partial or field in data:
            out[field] = str(data.get(field) or "").strip()
    return out


def _changes(obj, out):
    """Set the cleaned values on ``obj``; the fields whose value changed as {field: [old, new]}."""
    changed = {}
    for field, value in out.items():
        old = getattr(obj, field)
        if old != value:
            changed[field] = [old, value]
            setattr(obj, field, value)
    return changed


def create_building(*, actor, name, address="", description=""):
    """Register a building of the complex."""
    permissions.require(actor, "spaces.manage_spaces")
    out = _clean_building({"name": name, "address": address, "description": description})
    if Building.objects.filter(name=out["name"]).exists():
        raise ValidationError.on("name", BUILDING_DUPLICATE)
    with _unique_or("name", BUILDING_DUPLICATE):
        building = Building.objects.create(**out)
        audit.record(actor, "spaces.building.created", building, {"name": out["name"]})
    return building


def update_building(*, actor, building_id, data):
    """Change a building's name, address or description (only the fields given in ``data``), with the same
    rules as ``create_building``: a name is required and no other building may have it. The row is locked
    while it changes; the audit entry lists each changed field as [old, new]."""
    permissions.require(actor, "spaces.manage_spaces")
    out = _clean_building(data, partial=True)
    with _unique_or("name", BUILDING_DUPLICATE):
        building = _get(Building, building_id, _("Building"), for_update=True)
        if "name" in out and Building.objects.filter(name=out["name"]).exclude(pk=building.pk).exists():
            raise ValidationError.on("name", BUILDING_DUPLICATE)
        changed = _changes(building, out)
        if changed:
            building.save(update_fields=[*changed, "updated_at"])
        audit.record(actor, "spaces.building.updated", building, changed)
    return building


def create_floor(*, actor, building_id, number, name=""):
    """Add a floor to a building."""
    permissions.require(actor, "spaces.manage_spaces")
    building = _get(Building, building_id, _("Building"))
    try:
        number = int(str(number).strip())
    except (TypeError, ValueError):
        raise ValidationError.on("number", _("Enter the floor number, e.g. 3 (negative for a basement)."))
    if not -20 <= number <= 200:
        raise ValidationError.on("number", _("Enter the floor number, e.g. 3 (negative for a basement)."))
    duplicate = _("This building already has this floor.")
    if Floor.objects.filter(building=building, number=number).exists():
        raise ValidationError.on("number", duplicate)
    with _unique_or("number", duplicate):
        floor = Floor.objects.create(building=building, number=number, name=name)
        audit.record(actor, "spaces.floor.created", floor, {"number": number})
    return floor


UNIT_FIELDS = ("code", "unit_type", "area_m2", "desks", "monthly_rent", "maintenance_fee", "amenities")
UNIT_DUPLICATE = _("This floor already has a unit with this number.")


def _clean_unit(data, *, partial=False):
    """The unit fields (``UNIT_FIELDS``) in ``data``, cleaned with the same rules for creating and editing.
    ``partial`` (an edit) checks only the fields given; a create needs number, type and area (desks, rent
    and fee default to 0)."""
    out = {}

    def given(field):
        return not partial or field in data

    if given("code"):
        out["code"] = str(data.get("code") or "").strip()
        if not out["code"]:
            raise ValidationError.on("code", _("Enter the unit number."))
    if given("unit_type"):
        if data.get("unit_type") not in UnitType.values:
            raise ValidationError.on("unit_type", _("Choose a unit type."))
        out["unit_type"] = data["unit_type"]
    if given("area_m2"):
        try:
            area = Decimal(str(data.get("area_m2")).replace("㎡", "").strip())
        except Exception:
            raise ValidationError.on("area_m2", _("Enter the area in square metres, e.g. 33.5."))
        if not area.is_finite() or area <= 0:
            raise ValidationError.on("area_m2", _("Enter the area in square metres, e.g. 33.5."))
        out["area_m2"] = area
    if given("amenities"):
        amenities = data.get("amenities") or []
        if isinstance(amenities, str):
            amenities = [a.strip() for a in amenities.split(",") if a.strip()]
        out["amenities"] = list(amenities)
    for field in ("desks", "monthly_rent", "maintenance_fee"):
        if given(field):
            out[field] = _int(data.get(field, 0), field)
    return out


def create_unit(*, actor, floor_id, data):
    """Add a unit (office, lab) to a floor: area in ㎡, desks, monthly rent and maintenance fee, amenities."""
    permissions.require(actor, "spaces.manage_spaces")
    floor = _get(Floor, floor_id, _("Floor"))
    out = _clean_unit(data)
    if Unit.objects.filter(floor=floor, code=out["code"]).exists():
        raise ValidationError.on("code", UNIT_DUPLICATE)
    with _unique_or("code", UNIT_DUPLICATE):
        unit = Unit.objects.create(
            floor=floor,
            **out,
            plan_row=int(data.get("plan_row") or 1),
            plan_col=int(data.get("plan_col") or 1),
        )
        audit.record(actor, "spaces.unit.created", unit, {"code": out["code"], "type": unit.unit_type})
    return unit


def update_unit(*, actor, unit_id, data):
    """Change a unit's number, type, area ㎡, desks, monthly rent, maintenance fee or amenities (only the
    fields given in ``data``), with the same rules as ``create_unit``; the number must stay unique on its floor.
    The unit's status is not edited here (leases and ``set_unit_availability`` keep it).

    A new rent or fee is for leases signed from now on. ``sign_lease`` copies the unit's rent and fee into the
    lease (``Lease.monthly_rent`` / ``maintenance_fee``) and every charge, renewals included, is computed from
    the lease, never from the unit: leases already signed and their charges, issued or still to come, stay as
    they are. The row is locked while it changes; the audit entry lists each changed field as [old, new]."""
    permissions.require(actor, "spaces.manage_spaces")
    out = _clean_unit(data, partial=True)
    with _unique_or("code", UNIT_DUPLICATE):
        unit = _get(Unit, unit_id, _("Unit"), for_update=True)
        if (
            "code" in out
            and Unit.objects.filter(floor_id=unit.floor_id, code=out["code"]).exclude(pk=unit.pk).exists()
        ):
            raise ValidationError.on("code", UNIT_DUPLICATE)
        changed = _changes(unit, out)
        if changed:
            unit.save(update_fields=[*changed, "updated_at"])
        audit.record(actor, "spaces.unit.updated", unit, changed)
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
    duplicate = _("This building already has a facility with this name.")
    if Facility.objects.filter(building=building, name=out["name"]).exists():
        raise ValidationError.on("name", duplicate)
    with _unique_or("name", duplicate):
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
            if selectors.active_member_company(o)
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


# --- tenancy applications --------------------------------------------------------------------------
def set_rubric(*, actor, title, criteria):
    """Set the scoring rubric for new tenancy applications: criteria with weights (and the highest score
    of each). Applications already submitted keep the rubric they were submitted under."""
    permissions.require(actor, "spaces.set_rubric")
    title = str(title or "").strip()
    if not title:
        raise ValidationError.on("title", _("Enter a title for the rubric."))
    cleaned = []
    names = set()
    for index, item in enumerate(criteria or []):
        name = str(item.get("name") or "").strip()
        weight = _int(item.get("weight"), "criteria", minimum=1)
        max_score = _int(item.get("max_score", 10), "criteria", minimum=1)
        if not name or name in names:
            raise ValidationError.on("criteria", _("Every criterion needs its own name."))
        names.add(name)
        cleaned.append(Criterion(name=name, weight=weight, max_score=max_score, order=index))
    if not cleaned:
        raise ValidationError.on("criteria", _("Add at least one criterion with a weight."))
    with transaction.atomic():
        Rubric.objects.filter(is_current=True).update(is_current=False)
        rubric = Rubric.objects.create(title=title, created_by=actor)
        for criterion in cleaned:
            criterion.rubric = rubric
        Criterion.objects.bulk_create(cleaned)
        audit.record(
            actor,
            "spaces.rubric.set",
            rubric,
            {"criteria": [{"name": c.name, "weight": c.weight, "max": c.max_score} for c in cleaned]},
        )
    return rubric


def apply_for_tenancy(
    *,
    actor,
    organisation_id,
    unit_type,
    desks_needed,
    desired_start,
    business_plan,
    term_years=3,
    documents=(),
):
    """A member company applies for a unit of a type. Only member companies with an active membership may
    apply; the application is scored under the current rubric. ``documents`` are (title, file) pairs."""
    try:
        organisation = Organisation.objects.select_related("membership").get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Organisation %(id)s does not exist."), params={"id": organisation_id})
    permissions.require(actor, "spaces.apply_tenancy", organisation)
    _require_member(organisation)
    if unit_type not in UnitType.values:
        raise ValidationError.on("unit_type", _("Choose a unit type."))
    desks = _int(desks_needed, "desks_needed", minimum=1)
    years = _int(term_years, "term_years", minimum=1)
    if years > 10:
        raise ValidationError.on("term_years", _("A lease runs for at most 10 years."))
    start = _date(desired_start, "desired_start")
    plan = str(business_plan or "").strip()
    if not plan:
        raise ValidationError.on("business_plan", _("Describe your business plan for the space."))
    rubric = Rubric.objects.filter(is_current=True).first()
    if rubric is None:
        raise Conflict(
            _("Applications open once the secretariat has set a scoring rubric."), code="no_rubric"
        )
    open_statuses = [ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED]
    if TenancyApplication.objects.filter(
        organisation=organisation, unit_type=unit_type, status__in=open_statuses
    ).exists():
        raise Conflict(
            _("%(name)s already has an open application for this unit type."),
            code="duplicate_application",
            params={"name": organisation.name},
        )
    with transaction.atomic():
        application = TenancyApplication.objects.create(
            organisation=organisation,
            unit_type=unit_type,
            desks_needed=desks,
            desired_start=start,
            term_years=years,
            business_plan=plan,
            rubric=rubric,
            submitted_by=actor,
        )
        for title, uploaded in documents:
            ApplicationDocument.objects.create(application=application, title=title, file=uploaded)
        audit.record(
            actor, "spaces.application.submitted", application, {"unit_type": unit_type, "desks": desks}
        )
    return application


def add_application_document(*, actor, application_id, title, uploaded_file):
    """Attach a document (business registration, plan, financial statements) to an open application."""
    application = _get(TenancyApplication, application_id, _("Application"))
    permissions.require(actor, "spaces.withdraw_application", application)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(_("Documents can be added while the application is under review only."))
    title = str(title or "").strip() or uploaded_file.name
    with transaction.atomic():
        document = ApplicationDocument.objects.create(
            application=application, title=title, file=uploaded_file
        )
        audit.record(actor, "spaces.application.document_added", application, {"title": title})
    return document


def score_application(*, actor, application_id, scores, comment=""):
    """A reviewer scores every criterion of the application's rubric (0 to the criterion's highest score).
    Scoring again replaces the reviewer's earlier scores."""
    application = _get(TenancyApplication, application_id, _("Application"))
    permissions.require(actor, "spaces.review_application", application)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(
            _("This application is %(status)s; only submitted applications are scored."),
            params={"status": application.get_status_display()},
        )
    criteria = list(application.rubric.criteria.all())
    scores = {int(k): v for k, v in (scores or {}).items()}
    rows = []
    for criterion in criteria:
        if criterion.pk not in scores or scores[criterion.pk] in (None, ""):
            raise ValidationError.on(
                f"criterion_{criterion.pk}",
                _("Score every criterion: %(name)s is missing."),
                params={"name": criterion.name},
            )
        value = _int(scores[criterion.pk], f"criterion_{criterion.pk}")
        if value > criterion.max_score:
            raise ValidationError.on(
                f"criterion_{criterion.pk}",
                _("%(name)s is scored from 0 to %(max)s."),
                params={"name": criterion.name, "max": criterion.max_score},
            )
        rows.append(
            ReviewScore(
                application=application, reviewer=actor, criterion=criterion, score=value, comment=comment
            )
        )
    with transaction.atomic():
        ReviewScore.objects.filter(application=application, reviewer=actor).delete()
        ReviewScore.objects.bulk_create(rows)
        audit.record(
            actor, "spaces.application.scored", application, {r.criterion.name: r.score for r in rows}
        )
    return application


def decide_application(*, actor, application_id, approve, note="", on=None):
    """Record the selection decision. An approved application joins the waiting list of its unit type,
    ranked by its weighted score, until a lease is signed for it."""
    application = _get(TenancyApplication, application_id, _("Application"))
    permissions.require(actor, "spaces.decide_application", application)
    score = selectors.application_score(application)
    if approve and score is None:
        raise ValidationError(_("An application needs at least one reviewer's scores before it is approved."))
    status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
    with transaction.atomic():
        updated = TenancyApplication.objects.filter(
            pk=application.pk, status=ApplicationStatus.SUBMITTED
        ).update(
            status=status, score=score, decided_on=_today(on), decision_note=note, updated_at=timezone.now()
        )
        if not updated:
            raise Conflict(_("This application has already been decided."), code="illegal_transition")
        application.refresh_from_db()
        audit.record(
            actor, "spaces.application.decided", application, {"status": status, "score": score, "note": note}
        )
    return application


def withdraw_application(*, actor, application_id):
    """The applicant withdraws an application that has not led to a lease."""
    application = _get(TenancyApplication, application_id, _("Application"))
    permissions.require(actor, "spaces.withdraw_application", application)
    with transaction.atomic():
        updated = TenancyApplication.objects.filter(
            pk=application.pk, status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED]
        ).update(status=ApplicationStatus.WITHDRAWN, updated_at=timezone.now())
        if not updated:
            raise Conflict(_("Only an open application can be withdrawn."), code="illegal_transition")
        application.refresh_from_db()
        audit.record(actor, "spaces.application.withdrawn", application)
    return application


# --- leases, charges, payments ---------------------------------------------------------------------
def _month_starts(start, end):
    month = start.replace(day=1)
    while month <= end:
        yield month
        month = (month + dt.timedelta(days=32)).replace(day=1)


def _charges_for(lease, start, end):
    """Monthly charges for the days of [start, end] (both inclusive), prorated by days in part months."""
    due_day = settings.SPACES_RENT_DUE_DAY
    charges = []
    for month in _month_starts(start, end):
        days_in_month = calendar.monthrange(month.year, month.month)[1]
        month_end = month.replace(day=days_in_month)
        first, last = max(month, start), min(month_end, end)
        days = (last - first).days + 1
        rent = round(lease.monthly_rent * days / days_in_month)
        fee = round(lease.maintenance_fee * days / days_in_month)
        charges.append(
            Charge(
                lease=lease,
                month=month,
                rent=rent,
                maintenance_fee=fee,
                amount=rent + fee,
                due_on=month.replace(day=min(due_day, days_in_month)),
            )
        )
    return charges


def _overlapping_lease(unit, starts_on, ends_on, exclude=None):
    qs = Lease.objects.filter(unit=unit, starts_on__lte=ends_on, ends_on__gte=starts_on).exclude(
        status=LeaseStatus.CANCELLED
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.select_related("organisation").first()


def _lease_overlap_error(unit, other):
    return Conflict(
        _(
            "Unit %(unit)s is already leased to %(tenant)s from %(start)s to %(end)s; choose dates outside "
            "that lease."
        ),
        code="overlapping_lease",
        params={
            "unit": unit.code,
            "tenant": other.organisation.name,
            "start": other.starts_on,
            "end": other.ends_on,
        },
    )


def sign_lease(
    *,
    actor,
    unit_id,
    organisation_id,
    starts_on,
    years=None,
    ends_on=None,
    application_id=None,
    monthly_rent=None,
    maintenance_fee=None,
):
    """Sign a multi-year lease of a unit with a member company, from an approved application or directly.
    Writes the rent schedule (one charge a month, part months prorated by days). Leases of one unit never
    overlap: the database refuses it."""
    permissions.require(actor, "spaces.manage_leases")
    unit = _get(Unit, unit_id, _("Unit"))
    try:
        organisation = Organisation.objects.select_related("membership").get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Organisation %(id)s does not exist."), params={"id": organisation_id})
    _require_member(organisation)
    starts_on = _date(starts_on, "starts_on")
    if ends_on not in (None, ""):
        ends_on = _date(ends_on, "ends_on")
    elif years:
        ends_on = _add_years(starts_on, _int(years, "years", minimum=1)) - dt.timedelta(days=1)
    else:
        raise ValidationError.on("ends_on", _("Give the lease's end date or its length in years."))
    if ends_on < starts_on:
        raise ValidationError.on("ends_on", _("The lease must end after it starts."))
    if unit.status == UnitStatus.UNAVAILABLE:
        raise Conflict(_("Unit %(unit)s is out of service."), params={"unit": unit.code})
    application = None
    if application_id:
        application = _get(TenancyApplication, application_id, _("Application"))
        if application.organisation_id != organisation.pk or application.status != ApplicationStatus.APPROVED:
            raise ValidationError.on(
                "application", _("The application must be an approved application of the same organisation.")
            )
    try:
        with transaction.atomic():
            other = _overlapping_lease(unit, starts_on, ends_on)
            if other:
                raise _lease_overlap_error(unit, other)
            lease = Lease.objects.create(
                unit=unit,
                organisation=organisation,
                application=application,
                starts_on=starts_on,
                ends_on=ends_on,
                monthly_rent=unit.monthly_rent
                if monthly_rent is None
                else _int(monthly_rent, "monthly_rent"),
                maintenance_fee=unit.maintenance_fee
                if maintenance_fee is None
                else _int(maintenance_fee, "maintenance_fee"),
            )
            Charge.objects.bulk_create(_charges_for(lease, starts_on, ends_on))
            if application is not None:
                if not TenancyApplication.objects.filter(
                    pk=application.pk, status=ApplicationStatus.APPROVED
                ).update(status=ApplicationStatus.LEASED, updated_at=timezone.now()):
                    raise Conflict(_("This application has already led to a lease."))
            if unit.status == UnitStatus.AVAILABLE:
                Unit.objects.filter(pk=unit.pk).update(status=UnitStatus.RESERVED)
            audit.record(
                actor,
                "spaces.lease.signed",
                lease,
                {"unit": unit.code, "organisation": organisation.name, "from": starts_on, "to": ends_on},
            )
    except IntegrityError:
        other = _overlapping_lease(unit, starts_on, ends_on)
        if other is None:
            raise
        raise _lease_overlap_error(unit, other)
    return lease


def renew_lease(*, actor, lease_id, years, today=None):
    """Extend a lease by ``years`` after the light check (dues paid, membership active, activity reported).
    A failed check stores nothing and names what to fix."""
    permissions.require(actor, "spaces.manage_leases")
    lease = _get(Lease, lease_id, _("Lease"))
    if lease.status not in (LeaseStatus.SIGNED, LeaseStatus.ACTIVE):
        raise Conflict(_("Only a running lease can be renewed."), code="illegal_transition")
    years = _int(years, "years", minimum=1)
    checks = selectors.renewal_checks(lease, today=today)
    failed = [message for passed, message in checks.values() if not passed]
    if failed:
        raise ValidationError(failed[0], errors={"checks": failed}, code="renewal_check_failed")
    previous_end = lease.ends_on
    new_end = _add_years(previous_end + dt.timedelta(days=1), years) - dt.timedelta(days=1)
    try:
        with transaction.atomic():
            other = _overlapping_lease(
                lease.unit, previous_end + dt.timedelta(days=1), new_end, exclude=lease
            )
            if other:
                raise _lease_overlap_error(lease.unit, other)
            Lease.objects.filter(pk=lease.pk).update(ends_on=new_end, end_notice_sent_on=None)
            lease.refresh_from_db()
            new_charges = _charges_for(lease, previous_end + dt.timedelta(days=1), new_end)
            if new_charges and new_charges[0].month == previous_end.replace(day=1):
                # The lease ended mid-month: the rest of that month tops up its existing charge.
                extra = new_charges.pop(0)
                Charge.objects.filter(lease=lease, month=extra.month).update(
                    rent=F("rent") + extra.rent,
                    maintenance_fee=F("maintenance_fee") + extra.maintenance_fee,
                    amount=F("amount") + extra.amount,
                )
            Charge.objects.bulk_create(new_charges)
            LeaseRenewal.objects.create(
                lease=lease,
                previous_end=previous_end,
                new_end=new_end,
                checks={k: v[1] for k, v in checks.items()},
                renewed_on=_today(today),
                renewed_by=actor,
            )
            audit.record(actor, "spaces.lease.renewed", lease, {"from": previous_end, "to": new_end})
    except IntegrityError:
        other = _overlapping_lease(lease.unit, previous_end + dt.timedelta(days=1), new_end, exclude=lease)
        if other is None:
            raise
        raise _lease_overlap_error(lease.unit, other)
    return lease


def record_move_in(*, actor, lease_id, on, notes=""):
    """The tenant moves in: the condition of the unit is noted and the unit shows as occupied."""
    permissions.require(actor, "spaces.manage_leases")
    on = _date(on, "on")
    with transaction.atomic():
        lease = _get(Lease, lease_id, _("Lease"), for_update=True)
        if not lease.starts_on <= on <= lease.ends_on:
            raise ValidationError.on("on", _("The move-in date must fall within the lease."))
        if not Lease.objects.filter(pk=lease.pk, status=LeaseStatus.SIGNED).update(
            status=LeaseStatus.ACTIVE, moved_in_on=on, move_in_notes=notes
        ):
            raise Conflict(_("This tenant has already moved in."), code="illegal_transition")
        Unit.objects.filter(pk=lease.unit_id).update(status=UnitStatus.OCCUPIED)
        lease.refresh_from_db()
        audit.record(actor, "spaces.lease.moved_in", lease, {"on": on, "notes": notes})
    return lease


def record_move_out(*, actor, lease_id, on, notes=""):
    """The tenant moves out: the condition is noted, a lease left early ends that day (unpaid charges of later
    months are dropped) and the unit is free again."""
    permissions.require(actor, "spaces.manage_leases")
    on = _date(on, "on")
    with transaction.atomic():
        lease = _get(Lease, lease_id, _("Lease"), for_update=True)
        if lease.status != LeaseStatus.ACTIVE:
            raise Conflict(_("Only a tenant who has moved in can move out."), code="illegal_transition")
        if on < lease.moved_in_on:
            raise ValidationError.on("on", _("The move-out date cannot be before the move-in date."))
        fields = {"status": LeaseStatus.ENDED, "moved_out_on": on, "move_out_notes": notes}
        if on < lease.ends_on:
            fields["ends_on"] = on
            lease.charges.filter(month__gt=on, paid=0).delete()
        Lease.objects.filter(pk=lease.pk).update(**fields)
        next_lease = Lease.objects.filter(unit_id=lease.unit_id, status=LeaseStatus.SIGNED).exists()
        Unit.objects.filter(pk=lease.unit_id).update(
            status=UnitStatus.RESERVED if next_lease else UnitStatus.AVAILABLE
        )
        lease.refresh_from_db()
        audit.record(actor, "spaces.lease.moved_out", lease, {"on": on, "notes": notes})
    return lease


def record_payment(*, actor, charge_id, amount, paid_on=None, reference=""):
    """Record a payment against a monthly charge. A payment larger than what is still due is refused; the
    check and the update are one conditional UPDATE, so two payments at once cannot overpay either."""
    permissions.require(actor, "spaces.manage_leases")
    charge = _get(Charge, charge_id, _("Charge"))
    amount = _int(amount, "amount", minimum=1)
    paid_on = _date(paid_on, "paid_on", required=False) or _today()
    with transaction.atomic():
        updated = Charge.objects.filter(pk=charge.pk, paid__lte=F("amount") - amount).update(
            paid=F("paid") + amount
        )
        if not updated:
            charge.refresh_from_db()
            raise ValidationError.on(
                "amount",
                _(
                    "This payment of %(amount)s is larger than what is due for %(month)s (%(outstanding)s "
                    "outstanding); enter at most %(outstanding)s."
                ),
                params={
                    "amount": _won(amount),
                    "month": charge.month.strftime("%Y-%m"),
                    "outstanding": _won(charge.outstanding),
                },
            )
        payment = Payment.objects.create(
            charge=charge, amount=amount, paid_on=paid_on, reference=reference, recorded_by=actor
        )
        audit.record(actor, "spaces.payment.recorded", charge, {"amount": amount, "paid_on": paid_on})
    return payment


def report_activity(*, actor, organisation_id, year, summary, employees=None, revenue=None, on=None):
    """A tenant's yearly activity report (one of the renewal checks); a second report for a year replaces it."""
    try:
        organisation = Organisation.objects.get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Organisation %(id)s does not exist."), params={"id": organisation_id})
    permissions.require(actor, "spaces.report_activity", organisation)
    year = _int(year, "year", minimum=2000)
    summary = str(summary or "").strip()
    if not summary:
        raise ValidationError.on("summary", _("Describe the year's activity."))
    with transaction.atomic():
        report, _created = ActivityReport.objects.update_or_create(
            organisation=organisation,
            year=year,
            defaults={
                "summary": summary,
                "employees": employees,
                "revenue": revenue,
                "submitted_on": _today(on),
            },
        )
        audit.record(actor, "spaces.activity.reported", report, {"year": year})
    return report


def send_lease_end_notices(*, actor=None, today=None):
    """E-mail the tenant (its representatives and address) and the secretariat about every running lease that
    ends within DONGNE_SPACES_NOTICE_DAYS, once per lease term. Run daily by the job queue."""
    permissions.require(actor, "spaces.send_notices")
    today = _today(today)
    horizon = today + dt.timedelta(days=settings.SPACES_NOTICE_DAYS)
    sent = []
    due = Lease.objects.filter(
        status__in=[LeaseStatus.SIGNED, LeaseStatus.ACTIVE],
        ends_on__gte=today,
        ends_on__lte=horizon,
        end_notice_sent_on__isnull=True,
    ).select_related("unit__floor__building", "organisation")
    for lease in due:
        with transaction.atomic():
            # Claim the notice first: a task delivered twice sends one e-mail.
            if not Lease.objects.filter(pk=lease.pk, end_notice_sent_on__isnull=True).update(
                end_notice_sent_on=today
            ):
                continue
            recipients = selectors.tenant_emails(lease.organisation)
            subject = str(
                _("[Dongne] Your lease of %(unit)s ends on %(end)s")
                % {"unit": lease.unit, "end": lease.ends_on}
            )
            body = str(
                _(
                    "The lease of %(unit)s by %(tenant)s ends on %(end)s. To stay, the lease is renewed after a "
                    "light check: dues paid, membership active and the yearly activity report submitted. "
                    "Please contact the secretariat."
                )
                % {"unit": lease.unit, "tenant": lease.organisation.name, "end": lease.ends_on}
            )
            send_mail(subject, body, None, recipients or [settings.DEFAULT_FROM_EMAIL], fail_silently=False)
            audit.record(
                actor, "spaces.lease.end_notice_sent", lease, {"to": recipients, "ends_on": lease.ends_on}
            )
            sent.append(lease)
    return sent
