"""The secretariat's complex setup pages (/spaces/setup/): buildings, floors, units and shared facilities set up
through the site, who is refused, and bad input that stores nothing."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import translation

from dongne.core.errors import NotFound, PermissionDenied
from dongne.core.models import AuditEntry
from dongne.spaces import services
from dongne.spaces.models import Building, Charge, Facility, Floor, Unit

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


# --- editing buildings and units ----------------------------------------------------------------------
def _building_url(building):
    return f"/spaces/setup/buildings/{building.pk}/"


def _unit_url(unit):
    return f"/spaces/setup/units/{unit.pk}/"


UNIT_EDIT = {
    "code": "301",
    "unit_type": "lab",
    "area_m2": "50.25",
    "desks": "8",
    "monthly_rent": "450000",
    "maintenance_fee": "90000",
    "amenities": "냉난방, 인터넷, 싱크대",
}


def _unit_values(unit):
    unit.refresh_from_db()
    return (
        unit.code,
        unit.unit_type,
        unit.area_m2,
        unit.desks,
        unit.monthly_rent,
        unit.maintenance_fee,
        unit.amenities,
        unit.status,
    )


def _updates(action):
    return AuditEntry.objects.filter(action=action)


def test_secretariat_edits_a_building_through_its_page(client, secretariat, building):
    client = _ko(client)
    client.force_login(secretariat)
    setup_page = client.get(SETUP).content.decode()
    assert f'href="{_building_url(building)}"' in setup_page

    r = client.get(_building_url(building))
    page = r.content.decode()
    assert r.status_code == 200
    assert 'value="춘천 ICT 협동조합 센터"' in page and 'value="강원특별자치도 춘천시 중앙로 1"' in page
    assert "건물 저장" in page and "<script" not in page.split("<main", 1)[-1]

    r = client.post(
        _building_url(building),
        {"name": "  춘천 ICT 협동조합 본관 ", "address": "춘천시 중앙로 2", "description": "3층 건물"},
    )
    assert r.status_code == 302 and r["Location"] == f"{SETUP}#building-{building.pk}"
    assert any("춘천 ICT 협동조합 본관" in m and "저장했습니다" in m for m in _messages(r)), _messages(r)
    building.refresh_from_db()
    assert (building.name, building.address, building.description) == (
        "춘천 ICT 협동조합 본관",
        "춘천시 중앙로 2",
        "3층 건물",
    )
    entry = _updates("spaces.building.updated").get()
    assert entry.actor == secretariat and entry.target_id == str(building.pk)
    assert entry.data == {
        "name": ["춘천 ICT 협동조합 센터", "춘천 ICT 협동조합 본관"],
        "address": ["강원특별자치도 춘천시 중앙로 1", "춘천시 중앙로 2"],
        "description": ["", "3층 건물"],
    }


def test_secretariat_edits_a_unit_through_its_page(client, secretariat, building, floor, unit):
    client = _ko(client)
    client.force_login(secretariat)
    assert f'href="{_unit_url(unit)}"' in client.get(SETUP).content.decode()

    r = client.get(_unit_url(unit))
    page = r.content.decode()
    assert r.status_code == 200 and "301호 수정" in page
    for value in ('value="301"', 'value="42.50"', 'value="6"', 'value="400000"', 'value="80000"'):
        assert value in page, value
    assert 'value="냉난방, 인터넷"' in page and 'value="office" selected' in page

    r = client.post(_unit_url(unit), UNIT_EDIT)
    assert r.status_code == 302 and r["Location"] == f"{SETUP}#unit-{unit.pk}"
    assert any("301호를 저장했습니다" in m for m in _messages(r)), _messages(r)
    assert _unit_values(unit) == (
        "301",
        "lab",
        Decimal("50.25"),
        8,
        450000,
        90000,
        ["냉난방", "인터넷", "싱크대"],
        "available",
    )
    entry = _updates("spaces.unit.updated").get()
    assert entry.actor == secretariat and entry.target_id == str(unit.pk)
    # Only the changed fields, each as [old, new]; the unchanged number is not listed.
    assert entry.data == {
        "unit_type": ["office", "lab"],
        "area_m2": ["42.50", "50.25"],
        "desks": [6, 8],
        "monthly_rent": [400000, 450000],
        "maintenance_fee": [80000, 90000],
        "amenities": [["냉난방", "인터넷"], ["냉난방", "인터넷", "싱크대"]],
    }
    page = client.get(SETUP).content.decode()
    assert "450,000원" in page and "90,000원" in page

    # A new number is fine when the floor has no unit with it.
    r = client.post(_unit_url(unit), {**UNIT_EDIT, "code": "305"})
    assert r.status_code == 302
    assert _unit_values(unit)[0] == "305"


@pytest.mark.parametrize("who", ["member_rep", "anonymous"])
def test_editing_buildings_and_units_is_refused_to_others(client, who, member_rep, building, unit):
    client = _ko(client)
    if who == "member_rep":
        client.force_login(member_rep)
    before = _counts()
    unit_before = _unit_values(unit)
    posts = [
        (_building_url(building), {"name": "몰래 바꾼 센터", "address": "", "description": ""}),
        (_unit_url(unit), {**UNIT_EDIT, "monthly_rent": "1"}),
    ]
    for path, data in posts:
        r = client.get(path)
        if who == "anonymous":
            assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), path
        else:
            assert r.status_code == 403, path
        r = client.post(path, data)
        if who == "anonymous":
            assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), path
        else:
            assert r.status_code == 302 and any("권한이 없습니다" in m for m in _messages(r)), path
    assert _counts() == before
    building.refresh_from_db()
    assert building.name == "춘천 ICT 협동조합 센터" and _unit_values(unit) == unit_before
    if who == "member_rep":
        with pytest.raises(PermissionDenied):
            services.update_unit(actor=member_rep, unit_id=unit.pk, data={"monthly_rent": 1})
        with pytest.raises(PermissionDenied):
            services.update_building(actor=member_rep, building_id=building.pk, data={"name": "몰래"})
        assert _unit_values(unit) == unit_before


def test_bad_building_edits_are_refused_in_korean_and_change_nothing(client, secretariat, building):
    client = _ko(client)
    client.force_login(secretariat)
    other = services.create_building(actor=secretariat, name="후평 창업관")
    before = _counts()
    url = _building_url(building)
    for data, message in [
        ({"name": "", "address": "춘천시"}, "필수 항목입니다"),
        ({"name": "   ", "address": "춘천시"}, "필수 항목입니다"),
        ({"name": "후평 창업관", "address": "춘천시"}, "같은 이름의 건물이 이미 있습니다."),
        ({"name": " 후평 창업관 ", "address": "춘천시"}, "같은 이름의 건물이 이미 있습니다."),
    ]:
        r = client.post(url, data)
        page = r.content.decode()
        assert r.status_code == 200 and message in page and 'class="field-error"' in page, data
    assert _counts() == before
    building.refresh_from_db()
    assert (building.name, building.address) == ("춘천 ICT 협동조합 센터", "강원특별자치도 춘천시 중앙로 1")
    # The service says the same, whoever calls it (the API, a script).
    with translation.override("ko"):
        for data, message in [
            ({"name": " "}, "건물 이름을 입력하세요."),
            ({"name": other.name}, "같은 이름의 건물이 이미 있습니다."),
        ]:
            with pytest.raises(services.ValidationError) as exc:
                services.update_building(actor=secretariat, building_id=building.pk, data=data)
            assert exc.value.errors == {"name": [message]}
        with pytest.raises(NotFound):
            services.update_building(actor=secretariat, building_id=999999, data={"name": "없음"})
    assert _counts() == before
    # Keeping its own name is not a duplicate.
    services.update_building(actor=secretariat, building_id=building.pk, data={"name": building.name})


def test_bad_unit_edits_are_refused_in_korean_and_change_nothing(client, secretariat, building, floor, unit):
    client = _ko(client)
    client.force_login(secretariat)
    services.create_unit(
        actor=secretariat,
        floor_id=floor.pk,
        data={"code": "302", "unit_type": "office", "area_m2": "30", "monthly_rent": 300000},
    )
    other_floor = services.create_floor(actor=secretariat, building_id=building.pk, number=4)
    services.create_unit(
        actor=secretariat,
        floor_id=other_floor.pk,
        data={"code": "401", "unit_type": "office", "area_m2": "30", "monthly_rent": 300000},
    )
    before = _counts()
    unit_before = _unit_values(unit)
    url = _unit_url(unit)
    for change, field, message in [
        ({"code": ""}, "code", "필수 항목입니다"),
        ({"area_m2": "-12"}, "area_m2", "면적을 제곱미터로 입력하세요"),
        ({"area_m2": "0"}, "area_m2", "면적을 제곱미터로 입력하세요"),
        ({"area_m2": "넓음"}, "area_m2", "숫자를 입력하세요"),
        ({"monthly_rent": "-1"}, "monthly_rent", "0 이상"),
        ({"desks": "여섯"}, "desks", "정수를 입력하세요"),
        ({"code": "302"}, "code", "이 층에 같은 번호의 호실이 이미 있습니다."),
    ]:
        r = client.post(url, {**UNIT_EDIT, **change})
        page = r.content.decode()
        assert r.status_code == 200 and message in page and 'class="field-error"' in page, change
        assert f'name="{field}"' in page
    assert _counts() == before and _unit_values(unit) == unit_before
    # The service refuses the same values with the same messages as create_unit.
    with translation.override("ko"):
        for data, field, message in [
            ({"code": " "}, "code", "호실 번호를 입력하세요."),
            ({"unit_type": "castle"}, "unit_type", "호실 유형을 고르세요."),
            ({"area_m2": "-3"}, "area_m2", "면적을 제곱미터로 입력하세요 (예: 33.5)."),
            ({"area_m2": "넓음"}, "area_m2", "면적을 제곱미터로 입력하세요 (예: 33.5)."),
            ({"area_m2": "NaN"}, "area_m2", "면적을 제곱미터로 입력하세요 (예: 33.5)."),
            ({"desks": "여섯"}, "desks", "정수를 입력하세요."),
            ({"monthly_rent": -5}, "monthly_rent", "0 이상의 수를 입력하세요."),
            ({"code": "302"}, "code", "이 층에 같은 번호의 호실이 이미 있습니다."),
        ]:
            with pytest.raises(services.ValidationError) as exc:
                services.update_unit(actor=secretariat, unit_id=unit.pk, data=data)
            assert exc.value.errors == {field: [message]}, data
        with pytest.raises(NotFound):
            services.update_unit(actor=secretariat, unit_id=999999, data={"desks": 1})
    assert _counts() == before and _unit_values(unit) == unit_before
    # A number used on another floor is fine: numbers are unique per floor.
    services.update_unit(actor=secretariat, unit_id=unit.pk, data={"code": "401"})
    assert _unit_values(unit)[0] == "401"


def test_a_rent_change_leaves_signed_leases_and_their_charges_as_they_were(
    client, secretariat, member_org, other_member, unit
):
    lease = services.sign_lease(
        actor=secretariat, unit_id=unit.pk, organisation_id=member_org.pk, starts_on="2030-04-15", years=1
    )
    charge = lease.charges.order_by("month").first()
    services.record_payment(actor=secretariat, charge_id=charge.pk, amount=100000)

    def ledger():
        return list(
            Charge.objects.filter(lease=lease)
            .order_by("month")
            .values_list("month", "rent", "maintenance_fee", "amount", "paid", "due_on")
        )

    charges_before = ledger()
    assert len(charges_before) == 13 and charges_before[1][1:4] == (400000, 80000, 480000)

    client = _ko(client)
    client.force_login(secretariat)
    r = client.get(_unit_url(unit))
    assert "이미 체결한 계약과 그 청구액은 체결할 때의 금액 그대로입니다." in r.content.decode()
    r = client.post(_unit_url(unit), {**UNIT_EDIT, "monthly_rent": "600000", "maintenance_fee": "100000"})
    assert r.status_code == 302
    unit.refresh_from_db()
    assert (unit.monthly_rent, unit.maintenance_fee) == (600000, 100000)
    assert unit.status == "reserved"  # the lease keeps the unit; editing does not touch its status

    lease.refresh_from_db()
    assert (lease.monthly_rent, lease.maintenance_fee) == (400000, 80000)
    assert ledger() == charges_before
    # The next lease is signed at the new rent.
    later = services.sign_lease(
        actor=secretariat, unit_id=unit.pk, organisation_id=other_member.pk, starts_on="2031-05-01", years=1
    )
    assert (later.monthly_rent, later.maintenance_fee) == (600000, 100000)
    assert later.charges.order_by("month").first().amount == 700000
