"""Booking shared facilities: the rules a member notices (hours, length, weekdays, who may book), double
bookings refused with a clear message, recurring bookings all-or-nothing, cancellation."""

import pytest

from dongne.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationError
from dongne.core.models import AuditEntry
from dongne.spaces import services
from dongne.spaces.models import Booking, BookingSeries
from tests.factories import make_organisation, make_representative

from .conftest import MONDAY, NOW, at

pytestmark = pytest.mark.django_db


def book(actor, room, start, end, **kw):
    return services.book_facility(actor=actor, facility_id=room.pk, start=start, end=end, now=NOW, **kw)


def test_member_books_for_their_company(member_rep, member_org, room):
    booking = book(member_rep, room, at(MONDAY, 10), at(MONDAY, 11), title="고객 미팅")
    assert booking.organisation == member_org
    assert booking.status == "confirmed"
    assert AuditEntry.objects.filter(action="spaces.booking.created", target_id=str(booking.pk)).exists()


def test_secretariat_books_without_organisation(secretariat, room):
    booking = book(secretariat, room, at(MONDAY, 14), at(MONDAY, 15, 30))
    assert booking.organisation is None


@pytest.mark.parametrize(
    "start,end,fragment",
    [
        ((8, 0), (9, 30), "09:00"),  # before opening
        ((17, 0), (18, 30), "18:00"),  # after closing
        ((10, 0), (13, 0), "120"),  # longer than the longest booking
        ((10, 15), (11, 0), "30"),  # off the half-hour grid
        ((11, 0), (10, 0), ""),  # end before start
    ],
)
def test_slot_rules_refused_and_nothing_stored(member_rep, room, start, end, fragment):
    with pytest.raises(ValidationError) as err:
        book(member_rep, room, at(MONDAY, *start), at(MONDAY, *end))
    assert fragment in str(err.value)
    assert not Booking.objects.exists()


def test_weekend_and_past_refused(member_rep, room):
    saturday = MONDAY.replace(day=9)
    with pytest.raises(ValidationError):
        book(member_rep, room, at(saturday, 10), at(saturday, 11))
    with pytest.raises(ValidationError) as err:
        services.book_facility(
            actor=member_rep,
            facility_id=room.pk,
            start=at(MONDAY, 10),
            end=at(MONDAY, 11),
            now=at(MONDAY, 12),
        )
    assert "지난 시간" in str(err.value)
    assert not Booking.objects.exists()


def test_korean_message_for_hours(member_rep, room):
    from django.utils import translation

    with translation.override("ko"):
        with pytest.raises(ValidationError) as err:
            book(member_rep, room, at(MONDAY, 8), at(MONDAY, 9))
        assert "회의실 A" in str(err.value) and "09:00" in str(err.value)


def test_overlap_refused_with_the_taken_slot(member_rep, other_rep, room):
    book(member_rep, room, at(MONDAY, 10), at(MONDAY, 11))
    with pytest.raises(Conflict) as err:
        book(other_rep, room, at(MONDAY, 10, 30), at(MONDAY, 11, 30))
    assert err.value.code == "double_booking"
    assert "10:00–11:00" in str(err.value)
    assert Booking.objects.count() == 1
    # Back to back is fine.
    book(other_rep, room, at(MONDAY, 11), at(MONDAY, 12))
    assert Booking.objects.count() == 2


def test_database_refuses_overlap_even_without_the_service(member_rep, member_org, room):
    """The guarantee does not depend on the service's check: a raw insert across a booking fails."""
    from django.db import IntegrityError, transaction

    book(member_rep, room, at(MONDAY, 10), at(MONDAY, 11))
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            facility=room, booked_by=member_rep, title="x", start=at(MONDAY, 10, 30), end=at(MONDAY, 12)
        )
    # A cancelled booking does not block, and an update into an overlap is refused too.
    other = Booking.objects.create(
        facility=room, booked_by=member_rep, title="y", start=at(MONDAY, 12), end=at(MONDAY, 13)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=other.pk).update(start=at(MONDAY, 10, 30))


def test_audience_rules(secretariat, member_rep, building, partner_user):
    staff_only = services.create_facility(
        actor=secretariat,
        building_id=building.pk,
        data={
            "name": "방송 스튜디오",
            "kind": "studio",
            "opens_at": "09:00",
            "closes_at": "18:00",
            "audience": "staff",
            "max_minutes": 240,
        },
    )
    members_only = services.create_facility(
        actor=secretariat,
        building_id=building.pk,
        data={
            "name": "라운지",
            "kind": "meeting_room",
            "opens_at": "09:00",
            "closes_at": "18:00",
            "audience": "members",
            "max_minutes": 240,
        },
    )
    with pytest.raises(ValidationError):
        book(member_rep, staff_only, at(MONDAY, 10), at(MONDAY, 11))
    book(secretariat, staff_only, at(MONDAY, 10), at(MONDAY, 11))
    with pytest.raises(ValidationError):
        book(secretariat, members_only, at(MONDAY, 10), at(MONDAY, 11))
    with pytest.raises(ValidationError):  # a partner contact is not a member company
        book(partner_user, members_only, at(MONDAY, 10), at(MONDAY, 11))
    book(member_rep, members_only, at(MONDAY, 10), at(MONDAY, 11))
    assert Booking.objects.count() == 2


def test_non_member_company_cannot_book(secretariat, room):
    org = make_organisation(secretariat, name="비회원상사")
    rep = make_representative(org)
    with pytest.raises(ValidationError):
        book(rep, room, at(MONDAY, 10), at(MONDAY, 11))
    assert not Booking.objects.exists()


def test_anonymous_cannot_book(anonymous, room):
    with pytest.raises(NotAuthenticated):
        book(anonymous, room, at(MONDAY, 10), at(MONDAY, 11))


def test_recurring_weekly(member_rep, room):
    series = services.book_recurring(
        actor=member_rep,
        facility_id=room.pk,
        start=at(MONDAY, 9),
        end=at(MONDAY, 10),
        occurrences=6,
        title="주간 회의",
        now=NOW,
    )
    starts = [b.start for b in series.bookings.order_by("start")]
    assert len(starts) == 6
    assert all((b - a).days == 7 for a, b in zip(starts, starts[1:], strict=False))


def test_recurring_is_all_or_nothing_with_report(member_rep, other_rep, room):
    third_monday = MONDAY.replace(day=18)
    book(other_rep, room, at(third_monday, 9, 30), at(third_monday, 10, 30))
    with pytest.raises(Conflict) as err:
        services.book_recurring(
            actor=member_rep,
            facility_id=room.pk,
            start=at(MONDAY, 9),
            end=at(MONDAY, 10),
            occurrences=4,
            now=NOW,
        )
    assert err.value.code == "recurring_conflict"
    assert [r["occurrence"] for r in err.value.errors] == [3]
    assert "2030-03-18" in err.value.errors[0]["slot"]
    assert Booking.objects.count() == 1
    assert not BookingSeries.objects.exists()


def test_cancel_frees_the_slot(member_rep, other_rep, secretariat, room):
    booking = book(member_rep, room, at(MONDAY, 10), at(MONDAY, 11))
    with pytest.raises(PermissionDenied):
        services.cancel_booking(actor=other_rep, booking_id=booking.pk, now=NOW)
    services.cancel_booking(actor=member_rep, booking_id=booking.pk, now=NOW)
    with pytest.raises(Conflict):
        services.cancel_booking(actor=secretariat, booking_id=booking.pk, now=NOW)
    again = book(other_rep, room, at(MONDAY, 10), at(MONDAY, 11))
    assert again.status == "confirmed"


def test_cancel_series_cancels_future_occurrences(member_rep, room):
    series = services.book_recurring(
        actor=member_rep, facility_id=room.pk, start=at(MONDAY, 9), end=at(MONDAY, 10), occurrences=3, now=NOW
    )
    assert services.cancel_series(actor=member_rep, series_id=series.pk, now=at(MONDAY, 12)) == 2
    assert series.bookings.filter(status="confirmed").count() == 1


def test_other_users_role_cannot_manage(member_rep, building):
    with pytest.raises(PermissionDenied):
        services.create_facility(actor=member_rep, building_id=building.pk, data={"name": "x"})
