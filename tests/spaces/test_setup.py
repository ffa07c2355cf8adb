"""The secretariat's complex setup pages (/spaces/setup/): buildings, floors, units and shared facilities set up
through the site, who is refused, and bad input that stores nothing."""

import pytest
from django.contrib.messages import get_messages

from dongne.core.models import AuditEntry
from dongne.spaces import services
from dongne.spaces.models import Building, Facility, Floor, Unit

pytestmark = pytest.mark.django_db
SETUP = "/spaces/setup/"


def _ko(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ko"
    return client


def _counts():
    return (
        Building.objects.count(),
        Floor.objects.count(),
        Unit.objects.count(),
        Facility.objects.count(),
        AuditEntry.objects.count(),
    )


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


FACILITY = {
    "facility-name": "세미나실",
    "facility-kind": "meeting_room",
    "facility-capacity": "20",
    "facility-description": "빔프로젝터",
    "facility-opens_at": "09:00",
    "facility-closes_at": "21:00",
    "facility-weekdays": ["0", "1", "2", "3", "4", "5"],
    "facility-max_minutes": "180",
    "facility-audience": "members",
    "facility-is_active": "on",
}


def test_secretariat_sets_up_the_complex_through_the_pages(client, secretariat):
    client = _ko(client)
    client.force_login(secretariat)
    r = client.get(SETUP)
    assert r.status_code == 200 and "단지 설정" in r.content.decode()

    r = client.post(
        "/spaces/setup/buildings/",
        {"building-name": "춘천 ICT 센터", "building-address": "춘천시 중앙로 1", "building-description": ""},
    )
    assert r.status_code == 302
    building = Building.objects.get(name="춘천 ICT 센터")

    r = client.post(
        "/spaces/setup/floors/", {"floor-building": building.pk, "floor-number": "2", "floor-name": "2층"}
    )
    assert r.status_code == 302
    floor = Floor.objects.get(building=building, number=2)

    r = client.post(
        "/spaces/setup/units/",
        {
            "unit-floor": floor.pk,
            "unit-code": "201",
            "unit-unit_type": "small_office",
            "unit-area_m2": "33.5",
            "unit-desks": "4",
            "unit-monthly_rent": "300000",
            "unit-maintenance_fee": "50000",
            "unit-amenities": "냉난방, 인터넷",
            "unit-plan_row": "1",
            "unit-plan_col": "1",
        },
    )
    assert r.status_code == 302, r.content.decode()
    unit = Unit.objects.get(floor=floor, code="201")
    assert unit.amenities == ["냉난방", "인터넷"] and unit.monthly_total == 350000
    assert unit.status == "available"

    r = client.post("/spaces/setup/facilities/", {"facility-building": building.pk, **FACILITY})
    assert r.status_code == 302, r.content.decode()
    facility = Facility.objects.get(name="세미나실")
    assert facility.weekdays == "012345" and facility.audience == "members" and facility.max_minutes == 180

    page = client.get(SETUP).content.decode()
    for text in (
        "춘천 ICT 센터",
        "201",
        "33.5",
        "300,000원",
        "50,000원",
        "세미나실",
        "09:00–21:00",
        "월 화 수 목 금 토",
    ):
        assert text in page, text

    # The new complex shows on the public floor plan and facility list.
    index = client.get("/spaces/").content.decode()
    assert 'data-unit="201"' in index and "세미나실" in index and 'id="setup-link"' in index
    assert "단지 설정" in index
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "spaces.building.created",
        "spaces.floor.created",
        "spaces.unit.created",
        "spaces.facility.created",
    } <= actions


def test_secretariat_edits_facility_rules_and_unit_availability(client, secretariat, room, unit):
    client = _ko(client)
    client.force_login(secretariat)
    url = f"/spaces/setup/facilities/{room.pk}/"
    r = client.get(url)
    assert r.status_code == 200 and "회의실 A" in r.content.decode()
    r = client.post(
        url,
        {
            "name": "회의실 A",
            "kind": "meeting_room",
            "capacity": "10",
            "opens_at": "10:00",
            "closes_at": "20:00",
            "weekdays": ["0", "2", "4"],
            "max_minutes": "90",
            "audience": "staff",
        },
    )
    assert r.status_code == 302
    room.refresh_from_db()
    assert (room.opens_at.hour, room.closes_at.hour, room.weekdays, room.max_minutes) == (10, 20, "024", 90)
    assert room.audience == "staff" and room.is_active is False  # the box was left unticked

    availability = f"/spaces/setup/units/{unit.pk}/availability/"
    r = client.post(availability, {"available": "0"})
    assert r.status_code == 302
    unit.refresh_from_db()
    assert unit.status == "unavailable"
    assert any("301" in m for m in _messages(r))
    client.post(availability, {"available": "1"})
    unit.refresh_from_db()
    assert unit.status == "available"
    # Putting back a unit that is already in service is refused with the reason (middleware message).
    r = client.post(availability, {"available": "1"}, HTTP_REFERER=SETUP)
    assert r.status_code == 302 and r["Location"] == SETUP
    assert any("301" in m and "입주 가능" in m for m in _messages(r)), _messages(r)


@pytest.mark.parametrize("who", ["member_rep", "anonymous"])
def test_member_representative_and_public_are_refused(
    client, who, member_rep, secretariat, building, floor, room, unit
):
    client = _ko(client)
    if who == "member_rep":
        client.force_login(member_rep)
    before = _counts()
    posts = [
        ("/spaces/setup/buildings/", {"building-name": "몰래 센터"}),
        ("/spaces/setup/floors/", {"floor-building": building.pk, "floor-number": "9"}),
        (
            "/spaces/setup/units/",
            {
                "unit-floor": floor.pk,
                "unit-code": "999",
                "unit-unit_type": "office",
                "unit-area_m2": "10",
                "unit-desks": "1",
                "unit-monthly_rent": "1",
                "unit-maintenance_fee": "0",
                "unit-plan_row": "1",
                "unit-plan_col": "1",
            },
        ),
        ("/spaces/setup/facilities/", {"facility-building": building.pk, **FACILITY}),
        (f"/spaces/setup/units/{unit.pk}/availability/", {"available": "0"}),
        (f"/spaces/setup/facilities/{room.pk}/", {"name": "바뀐 이름", "kind": "studio"}),
    ]
    for path in (SETUP, f"/spaces/setup/facilities/{room.pk}/"):
        r = client.get(path)
        if who == "anonymous":
            assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), path
        else:
            assert r.status_code == 403, path
    for path, data in posts:
        r = client.post(path, data)
        if who == "anonymous":
            assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), path
        else:
            assert r.status_code == 302 and any("권한이 없습니다" in m for m in _messages(r)), path
    assert _counts() == before
    unit.refresh_from_db()
    room.refresh_from_db()
    assert unit.status == "available" and room.name == "회의실 A"
    assert 'id="setup-link"' not in client.get("/spaces/").content.decode()


def test_facility_closing_before_it_opens_is_refused(client, secretariat, building):
    client = _ko(client)
    client.force_login(secretariat)
    before = _counts()
    data = {
        "facility-building": building.pk,
        **FACILITY,
        "facility-opens_at": "18:00",
        "facility-closes_at": "09:00",
    }
    r = client.post("/spaces/setup/facilities/", data)
    assert r.status_code == 200
    assert "종료 시각은 시작 시각보다 늦어야 합니다." in r.content.decode()
    assert _counts() == before


def test_facility_rules_edit_refuses_bad_hours_and_keeps_the_old_ones(client, secretariat, room):
    client = _ko(client)
    client.force_login(secretariat)
    r = client.post(
        f"/spaces/setup/facilities/{room.pk}/",
        {
            "name": "회의실 A",
            "kind": "meeting_room",
            "opens_at": "12:00",
            "closes_at": "11:00",
            "weekdays": ["0"],
            "max_minutes": "60",
            "audience": "both",
            "is_active": "on",
        },
    )
    assert r.status_code == 200 and 'class="field-error"' in r.content.decode()
    room.refresh_from_db()
    assert (room.opens_at.hour, room.closes_at.hour, room.max_minutes) == (9, 18, 120)


def test_unit_with_negative_area_is_refused(client, secretariat, floor):
    client = _ko(client)
    client.force_login(secretariat)
    before = _counts()
    r = client.post(
        "/spaces/setup/units/",
        {
            "unit-floor": floor.pk,
            "unit-code": "302",
            "unit-unit_type": "office",
            "unit-area_m2": "-12",
            "unit-desks": "4",
            "unit-monthly_rent": "300000",
            "unit-maintenance_fee": "0",
            "unit-plan_row": "1",
            "unit-plan_col": "1",
        },
    )
    assert r.status_code == 200
    assert "면적을 제곱미터로 입력하세요" in r.content.decode()
    assert 'class="field-error"' in r.content.decode()
    assert _counts() == before


def test_duplicate_floor_and_building_are_refused(client, secretariat, building, floor):
    client = _ko(client)
    client.force_login(secretariat)
    before = _counts()
    r = client.post("/spaces/setup/floors/", {"floor-building": building.pk, "floor-number": "3"})
    assert r.status_code == 200 and "이미" in r.content.decode()
    r = client.post("/spaces/setup/buildings/", {"building-name": building.name})
    assert r.status_code == 200 and "이미" in r.content.decode()
    assert _counts() == before


def test_service_refuses_a_floor_number_that_is_not_a_number(secretariat, building):
    with pytest.raises(services.ValidationError) as exc:
        services.create_floor(actor=secretariat, building_id=building.pk, number="삼층")
    assert "number" in exc.value.errors
    assert not Floor.objects.exists()
