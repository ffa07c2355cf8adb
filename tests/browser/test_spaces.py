"""Journeys: a member representative books a meeting room (and is refused a taken slot); a secretariat user
takes a tenancy application through scoring to a lease."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from dongne.spaces import services
from dongne.spaces.models import Booking, Lease, TenancyApplication
from tests.browser.test_membership import FORM_PROBLEMS
from tests.factories import UserFactory, make_organisation, make_representative
from tests.network.conftest import drive


def _next_monday():
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday() + 7)


def _complex(secretariat):
    building = services.create_building(actor=secretariat, name="춘천 ICT 협동조합 입주단지")
    floor = services.create_floor(actor=secretariat, building_id=building.pk, number=3, name="3층")
    room = services.create_facility(
        actor=secretariat,
        building_id=building.pk,
        data={
            "name": "소회의실 A",
            "kind": "meeting_room",
            "capacity": 6,
            "opens_at": "09:00",
            "closes_at": "18:00",
            "max_minutes": 120,
            "audience": "both",
        },
    )
    unit = services.create_unit(
        actor=secretariat,
        floor_id=floor.pk,
        data={
            "code": "302",
            "unit_type": "office",
            "area_m2": "36.3",
            "desks": 6,
            "monthly_rent": 400000,
            "maintenance_fee": 75000,
        },
    )
    return room, unit


def test_member_books_a_meeting_room(page, secretariat, login):
    org = make_organisation(secretariat, name="봄내데이터랩")
    drive(secretariat, org, "active")
    rep = make_representative(org)
    other_org = make_organisation(secretariat, name="소양소프트")
    drive(secretariat, other_org, "active")
    other_rep = make_representative(other_org)
    room, _unit = _complex(secretariat)
    day = _next_monday()

    login(page, rep)
    page.goto("/spaces/")
    with page.expect_navigation():
        page.locator(f'a.facility-link[href="/spaces/facilities/{room.pk}/"]').click()
    page.goto(f"/spaces/facilities/{room.pk}/?date={day:%Y-%m-%d}")
    assert page.evaluate(FORM_PROBLEMS) == []
    expect(page.locator('.slot[data-start="10:00"]')).to_have_attribute("data-free", "1")

    form = page.locator("#booking-form")
    form.locator("#id_start").select_option("10:00")
    form.locator("#id_duration").select_option("60")
    form.locator("#id_title").fill("투자사 미팅")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    expect(page.locator(".messages .message.success")).to_be_visible()
    expect(page.locator('.slot[data-start="10:00"]')).to_have_class("slot slot-taken")
    expect(page.locator('.slot[data-start="10:30"]')).to_contain_text("봄내데이터랩")
    expect(page.locator("#my-bookings .my-booking")).to_have_count(1)
    booking = Booking.objects.get()
    assert booking.organisation == org and booking.title == "투자사 미팅"
    assert timezone.localtime(booking.start).time() == dt.time(10, 0)

    # Another member tries the same slot: a clear message, nothing stored.
    other = page.context.browser.new_context(base_url=page.url.split("/spaces")[0], locale="ko-KR")
    other_page = other.new_page()
    login(other_page, other_rep)
    other_page.goto(f"/spaces/facilities/{room.pk}/?date={day:%Y-%m-%d}")
    form = other_page.locator("#booking-form")
    form.locator("#id_start").select_option("10:30")
    form.locator("#id_duration").select_option("60")
    with other_page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(other_page.locator("#booking-form .message.error")).to_contain_text("소회의실 A")
    other.close()
    assert Booking.objects.count() == 1

    # The member cancels; the slot is free again.
    with page.expect_navigation():
        page.locator("#my-bookings button.cancel-booking").click()
    expect(page.locator('.slot[data-start="10:00"]')).to_have_attribute("data-free", "1")
    assert Booking.objects.get().status == "cancelled"


def test_secretariat_takes_an_application_through_scoring_to_a_lease(page, secretariat, login):
    _room, unit = _complex(secretariat)
    org = make_organisation(secretariat, name="의암드론")
    drive(secretariat, org, "active")
    rep = make_representative(org)
    services.set_rubric(
        actor=secretariat,
        title="입주기업 선정 심사 기준",
        criteria=[{"name": "사업계획의 타당성", "weight": 60}, {"name": "지역 기여도", "weight": 40}],
    )
    application = services.apply_for_tenancy(
        actor=rep,
        organisation_id=org.pk,
        unit_type="office",
        desks_needed=5,
        desired_start=_next_monday().replace(day=1) + dt.timedelta(days=31),
        business_plan="드론 관광 촬영 서비스",
    )
    chair = UserFactory(role="chair")
    services.score_application(
        actor=chair,
        application_id=application.pk,
        scores={c.pk: 8 for c in application.rubric.criteria.all()},
    )

    login(page, secretariat)
    page.goto(f"/spaces/applications/{application.pk}/")
    inputs = page.locator("#score-form input[type=number]")
    expect(inputs).to_have_count(2)
    inputs.nth(0).fill("10")
    inputs.nth(1).fill("9")
    with page.expect_navigation():
        page.locator("#score-form button[type=submit]").click()
    expect(page.locator("#application-score")).to_have_text("88.00")  # (80 + (100×0.6 + 90×0.4)) / 2

    page.locator("#decide-form #note").fill("입주 적격")
    with page.expect_navigation():
        page.locator('#decide-form button[value="approve"]').click()
    expect(page.locator("#lease-form")).to_be_visible()

    page.locator("#lease-form #unit").select_option(str(unit.pk))
    with page.expect_navigation():
        page.locator("#lease-form button[type=submit]").click()
    expect(page.locator("#lease-status")).to_be_visible()
    expect(page.locator("#charges tbody tr")).to_have_count(36)

    lease = Lease.objects.get()
    assert lease.organisation == org and lease.unit == unit
    assert TenancyApplication.objects.get().status == "leased"
