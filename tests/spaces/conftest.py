"""Shared fixtures for spaces: a building in Chuncheon with a meeting room, a member company with an
active membership and its representative, and helpers for local (Asia/Seoul) times."""

import datetime as dt

import pytest
from django.utils import timezone

from dongne.spaces import services
from tests.factories import make_organisation, make_representative
from tests.network.conftest import drive

MONDAY = dt.date(2030, 3, 4)  # a Monday, far enough ahead that "now" in tests is before it
NOW = timezone.make_aware(dt.datetime(2030, 3, 1, 9, 0))


def at(day, hour, minute=0):
    """An aware datetime at local (Seoul) wall-clock time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def member_org(secretariat):
    org = make_organisation(secretariat, name="봄내데이터랩")
    drive(secretariat, org, "active")
    return org


@pytest.fixture
def member_rep(member_org):
    return make_representative(member_org, name="김대표")


@pytest.fixture
def other_member(secretariat):
    org = make_organisation(secretariat, name="소양소프트")
    drive(secretariat, org, "active")
    return org


@pytest.fixture
def other_rep(other_member):
    return make_representative(other_member, name="이대표")


@pytest.fixture
def building(secretariat):
    return services.create_building(
        actor=secretariat, name="춘천 ICT 협동조합 센터", address="강원특별자치도 춘천시 중앙로 1"
    )


@pytest.fixture
def floor(secretariat, building):
    return services.create_floor(actor=secretariat, building_id=building.pk, number=3, name="3층")


@pytest.fixture
def room(secretariat, building):
    return services.create_facility(
        actor=secretariat,
        building_id=building.pk,
        data={
            "name": "회의실 A",
            "kind": "meeting_room",
            "capacity": 8,
            "opens_at": "09:00",
            "closes_at": "18:00",
            "weekdays": "01234",
            "max_minutes": 120,
            "audience": "both",
        },
    )


@pytest.fixture
def unit(secretariat, floor):
    return services.create_unit(
        actor=secretariat,
        floor_id=floor.pk,
        data={
            "code": "301",
            "unit_type": "office",
            "area_m2": "42.5",
            "desks": 6,
            "monthly_rent": 400000,
            "maintenance_fee": 80000,
            "amenities": "냉난방, 인터넷",
        },
    )
