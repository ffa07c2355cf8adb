"""Whatever sequence of bookings and cancellations members attempt, the confirmed bookings of a facility never
overlap and every refused request left nothing behind (hypothesis drives random requests through the service)."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dongne.core.errors import DongneError
from dongne.spaces import services
from dongne.spaces.models import Booking

from .conftest import MONDAY, NOW, at

request = st.tuples(
    st.integers(min_value=0, max_value=4),  # weekday offset
    st.integers(min_value=16, max_value=37),  # start, in half hours from midnight (08:00–18:30)
    st.integers(min_value=1, max_value=6),  # length in half hours
    st.booleans(),  # cancel one of the existing bookings first
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(requests=st.lists(request, min_size=1, max_size=12))
def test_confirmed_bookings_never_overlap(member_rep, room, requests):
    Booking.objects.all().delete()
    for offset, start_half, halves, cancel_first in requests:
        if cancel_first:
            victim = Booking.objects.filter(status="confirmed").first()
            if victim:
                services.cancel_booking(actor=member_rep, booking_id=victim.pk, now=NOW)
        day = MONDAY + dt.timedelta(days=offset)
        start = at(day, start_half // 2, 30 * (start_half % 2))
        before = Booking.objects.count()
        try:
            services.book_facility(
                actor=member_rep,
                facility_id=room.pk,
                start=start,
                end=start + dt.timedelta(minutes=30 * halves),
                now=NOW,
            )
        except DongneError:
            assert Booking.objects.count() == before
    confirmed = list(Booking.objects.filter(status="confirmed").order_by("start"))
    for a, b in zip(confirmed, confirmed[1:], strict=False):
        assert a.end <= b.start, (a, b)
    for booking in confirmed:
        start, end = timezone.localtime(booking.start), timezone.localtime(booking.end)
        assert room.opens_at <= start.time() and end.time() <= room.closes_at
        assert end - start <= dt.timedelta(minutes=room.max_minutes)
