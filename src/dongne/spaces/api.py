"""Spaces endpoints under /api/v1/spaces/: facilities, availability, booking and cancelling, units.
Every write goes through services; errors are mapped once by core.api."""

import datetime as dt

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from dongne.core.api import ERRORS
from dongne.core.errors import ValidationError

from . import selectors, services
from .models import Unit

router = Router(tags=["spaces"])


WALL_CLOCK = r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"


class FacilityOut(Schema):
    id: int
    name: str
    kind: str
    building: str
    capacity: int | None = None
    description: str
    # Wall-clock times in Asia/Seoul ("09:00:00"). OpenAPI's "time" format is RFC 3339's full-time,
    # which needs a UTC offset; an opening hour has none, so the document says what is sent.
    opens_at: str = Field(pattern=WALL_CLOCK, description="Local (Asia/Seoul) wall-clock time, HH:MM:SS")
    closes_at: str = Field(pattern=WALL_CLOCK, description="Local (Asia/Seoul) wall-clock time, HH:MM:SS")
    weekdays: str
    max_minutes: int
    audience: str
    calendar_url: str

    @staticmethod
    def resolve_building(obj):
        return obj.building.name

    @staticmethod
    def resolve_opens_at(obj):
        return obj.opens_at.isoformat()

    @staticmethod
    def resolve_closes_at(obj):
        return obj.closes_at.isoformat()

    @staticmethod
    def resolve_calendar_url(obj):
        from django.urls import reverse

        return reverse("spaces:facility_ics", args=[obj.pk])


class SlotOut(Schema):
    start: dt.datetime
    end: dt.datetime
    free: bool


class AvailabilityOut(Schema):
    facility_id: int
    date: dt.date
    slots: list[SlotOut]


class BookingIn(Schema):
    facility_id: int
    start: dt.datetime
    end: dt.datetime
    title: str = ""
    organisation_id: int | None = None
    occurrences: int = 1


class BookingOut(Schema):
    id: int
    facility_id: int
    organisation_id: int | None = None
    title: str
    start: dt.datetime
    end: dt.datetime
    status: str
    series_id: int | None = None


class UnitOut(Schema):
    id: int
    building: str
    floor: int
    code: str
    unit_type: str
    area_m2: float
    desks: int
    monthly_rent: int
    maintenance_fee: int
    amenities: list[str]
    status: str

    @staticmethod
    def resolve_building(obj):
        return obj.floor.building.name

    @staticmethod
    def resolve_floor(obj):
        return obj.floor.number


@router.get("/facilities", response=list[FacilityOut], summary="Shared facilities and their booking rules")
def list_facilities(request):
    return list(selectors.facilities())


@router.get("/facilities/{facility_id}", response={200: FacilityOut, **ERRORS})
def get_facility(request, facility_id: int):
    return selectors.get_facility(facility_id)


@router.get(
    "/facilities/{facility_id}/availability",
    response={200: AvailabilityOut, **ERRORS},
    summary="Half-hour slots of one day, free or taken",
)
def availability(request, facility_id: int, date: dt.date | None = None):
    facility = selectors.get_facility(facility_id)
    day = date or timezone.localdate()
    slots = selectors.availability(facility, day)
    return {"facility_id": facility.pk, "date": day, "slots": slots}


@router.post(
    "/bookings",
    response={201: list[BookingOut], **ERRORS},
    summary="Book a facility (occurrences > 1: the same slot weekly, all or nothing)",
)
def book(request, payload: BookingIn):
    if payload.occurrences < 1:
        raise ValidationError.on("occurrences", services.ONE_OR_MORE)
    if payload.occurrences == 1:
        booking = services.book_facility(
            actor=request.auth,
            facility_id=payload.facility_id,
            start=payload.start,
            end=payload.end,
            title=payload.title,
            organisation_id=payload.organisation_id,
        )
        return Status(201, [booking])
    series = services.book_recurring(
        actor=request.auth,
        facility_id=payload.facility_id,
        start=payload.start,
        end=payload.end,
        occurrences=payload.occurrences,
        title=payload.title,
        organisation_id=payload.organisation_id,
    )
    return Status(201, list(series.bookings.order_by("start")))


@router.get("/bookings", response={200: list[BookingOut], **ERRORS}, summary="My upcoming bookings")
def my_bookings(request):
    return list(selectors.bookings_for(request.auth))


@router.post(
    "/bookings/{booking_id}/cancel", response={200: BookingOut, **ERRORS}, summary="Cancel a booking"
)
def cancel(request, booking_id: int):
    return services.cancel_booking(actor=request.auth, booking_id=booking_id)


@router.get("/units", response=list[UnitOut], summary="Units of the complex with their status")
def list_units(request, status: str = "", unit_type: str = ""):
    qs = Unit.objects.select_related("floor__building")
    if status:
        qs = qs.filter(status=status)
    if unit_type:
        qs = qs.filter(unit_type=unit_type)
    return list(qs)
