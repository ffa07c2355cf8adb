"""Read queries of spaces: availability, waiting lists, rankings, arrears and the figures the pages show."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dongne.core.errors import NotFound
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
