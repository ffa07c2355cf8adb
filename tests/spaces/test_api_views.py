"""The spaces API under /api/v1/spaces/ and the pages: what a member and the secretariat see and do."""

import datetime as dt

import pytest
from django.utils import timezone
from icalendar import Calendar

from dongne.core import services as core_services
from dongne.spaces import services
from dongne.spaces.models import Booking

from .conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/spaces"


def next_monday():
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday() + 7)


def auth(user):
    token = core_services.create_api_token(actor=user, name="예약 프로그램").raw_token
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_facilities_and_availability(client, room):
    r = client.get(f"{API}/facilities")
    assert r.status_code == 200 and r.json()[0]["name"] == "회의실 A"
    day = next_monday()
    r = client.get(f"{API}/facilities/{room.pk}/availability", {"date": day.isoformat()})
    slots = r.json()["slots"]
    assert len(slots) == 18 and all(s["free"] for s in slots)


def test_book_and_cancel_through_the_api(client, member_rep, other_rep, room):
    day = next_monday()
    payload = {
        "facility_id": room.pk,
        "start": at(day, 10).isoformat(),
        "end": at(day, 11).isoformat(),
        "title": "투자 미팅",
    }
    r = client.post(f"{API}/bookings", payload, content_type="application/json", **auth(member_rep))
    assert r.status_code == 201, r.json()
    booking_id = r.json()[0]["id"]
    r = client.post(f"{API}/bookings", payload, content_type="application/json", **auth(other_rep))
    assert r.status_code == 409 and r.json()["code"] == "double_booking"
    assert "회의실 A" in r.json()["messages"]["ko"]
    slots = client.get(f"{API}/facilities/{room.pk}/availability", {"date": day.isoformat()}).json()["slots"]
    assert [s["free"] for s in slots[2:4]] == [False, False]
    assert client.get(f"{API}/bookings", **auth(member_rep)).json()[0]["id"] == booking_id
    r = client.post(f"{API}/bookings/{booking_id}/cancel", **auth(other_rep))
    assert r.status_code == 403
    r = client.post(f"{API}/bookings/{booking_id}/cancel", **auth(member_rep))
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_outside_hours_is_400_with_korean_message(client, member_rep, room):
    day = next_monday()
    payload = {"facility_id": room.pk, "start": at(day, 19).isoformat(), "end": at(day, 20).isoformat()}
    r = client.post(f"{API}/bookings", payload, content_type="application/json", **auth(member_rep))
    assert r.status_code == 400
    assert "09:00" in r.json()["messages"]["ko"] and "18:00" in r.json()["messages"]["ko"]
    assert not Booking.objects.exists()


def test_recurring_conflict_reports_each_occurrence(client, member_rep, other_rep, room):
    day = next_monday()
    services.book_facility(
        actor=other_rep,
        facility_id=room.pk,
        start=at(day + dt.timedelta(days=14), 10),
        end=at(day + dt.timedelta(days=14), 11),
    )
    payload = {
        "facility_id": room.pk,
        "start": at(day, 10).isoformat(),
        "end": at(day, 11).isoformat(),
        "occurrences": 4,
    }
    r = client.post(f"{API}/bookings", payload, content_type="application/json", **auth(member_rep))
    assert r.status_code == 409 and r.json()["code"] == "recurring_conflict"
    assert [row["occurrence"] for row in r.json()["errors"]] == [3]
    assert Booking.objects.count() == 1


def test_units_endpoint(client, unit):
    r = client.get(f"{API}/units")
    assert r.json()[0]["code"] == "301" and r.json()[0]["status"] == "available"
    assert r.json()[0]["monthly_rent"] == 400000


def test_ical_feed_parses(client, member_rep, member_org, room):
    day = next_monday()
    booking = services.book_facility(
        actor=member_rep, facility_id=room.pk, start=at(day, 13), end=at(day, 14, 30)
    )
    r = client.get(f"/spaces/facilities/{room.pk}/calendar.ics")
    assert r["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    assert events[0].decoded("dtstart") == booking.start
    assert events[0].decoded("dtend") == booking.end
    assert str(events[0]["summary"]) == member_org.name


def test_booking_page_books_and_shows_taken_slot(client, member_rep, room):
    day = next_monday()
    client.force_login(member_rep)
    r = client.post(
        f"/spaces/facilities/{room.pk}/",
        {"date": day.isoformat(), "start": "10:00", "duration": "60", "title": "팀 회의", "weeks": 1},
    )
    assert r.status_code == 302
    page = client.get(f"/spaces/facilities/{room.pk}/", {"date": day.isoformat()}).content.decode()
    assert "slot-taken" in page and "봄내데이터랩" in page
    assert Booking.objects.get().title == "팀 회의"


def test_pages_render(client, secretariat, member_rep, room, unit):
    assert client.get("/spaces/").status_code == 200
    client.force_login(secretariat)
    for path in ("/spaces/", "/spaces/applications/", "/spaces/leases/", "/spaces/reports/"):
        assert client.get(path).status_code == 200, path
    client.force_login(member_rep)
    assert client.get("/spaces/reports/").status_code == 403


def test_admin_pages_render(client, secretariat, member_rep, room, unit):
    services.book_facility(
        actor=member_rep, facility_id=room.pk, start=at(next_monday(), 10), end=at(next_monday(), 11)
    )
    client.force_login(secretariat)
    for model in (
        "building",
        "unit",
        "facility",
        "booking",
        "rubric",
        "tenancyapplication",
        "lease",
        "payment",
    ):
        assert client.get(f"/admin/spaces/{model}/").status_code == 200, model
    assert client.get(f"/admin/spaces/booking/{Booking.objects.get().pk}/change/").status_code == 200


def test_changed_rules_apply_to_new_bookings(secretariat, member_rep, room):
    day = next_monday()
    services.update_facility(
        actor=secretariat, facility_id=room.pk, data={"max_minutes": 60, "closes_at": "12:00"}
    )
    with pytest.raises(services.ValidationError):
        services.book_facility(actor=member_rep, facility_id=room.pk, start=at(day, 10), end=at(day, 11, 30))
    with pytest.raises(services.ValidationError):
        services.book_facility(actor=member_rep, facility_id=room.pk, start=at(day, 12), end=at(day, 12, 30))
    with pytest.raises(services.ValidationError):
        services.update_facility(actor=secretariat, facility_id=room.pk, data={"max_minutes": 45})
    services.update_facility(actor=secretariat, facility_id=room.pk, data={"is_active": False})
    with pytest.raises(services.ValidationError):
        services.book_facility(actor=member_rep, facility_id=room.pk, start=at(day, 10), end=at(day, 11))


def test_secretariat_sets_rubric_and_tenant_reports_activity_on_pages(
    client, secretariat, member_rep, member_org
):
    from dongne.spaces.models import ActivityReport, Rubric

    client.force_login(member_rep)
    assert client.get("/spaces/rubric/").status_code == 403
    client.force_login(secretariat)
    assert client.get("/spaces/rubric/").status_code == 200
    client.post(
        "/spaces/rubric/", {"title": "2030 심사", "criteria": "사업계획 | 60 | 10\n지역 기여 | 40 | 5\n"}
    )
    rubric = Rubric.objects.get(is_current=True)
    assert [(c.name, c.weight, c.max_score) for c in rubric.criteria.all()] == [
        ("사업계획", 60, 10),
        ("지역 기여", 40, 5),
    ]
    client.force_login(member_rep)
    client.post(
        "/spaces/activity/", {"organisation": member_org.pk, "year": 2029, "summary": "신규 고용 2명"}
    )
    assert ActivityReport.objects.get().summary == "신규 고용 2명"
