"""100 simultaneous bookings of one slot from real threads with their own database connections: exactly one
wins, every other caller is told the slot was taken, and one booking is stored. Runs on SQLite (a file,
transaction_mode IMMEDIATE + the overlap trigger) and on PostgreSQL (the exclusion constraint)."""

import pytest

from dongne.core.choices import Role
from dongne.core.errors import Conflict
from dongne.core.models import AuditEntry
from dongne.spaces import services
from dongne.spaces.models import Booking, Lease
from tests.concurrency import race
from tests.factories import UserFactory

from .conftest import MONDAY, NOW, at

CALLERS = 100


@pytest.mark.django_db(transaction=True)
def test_hundred_simultaneous_bookings_for_one_slot_exactly_one_wins(secretariat, building):
    room = services.create_facility(
        actor=secretariat,
        building_id=building.pk,
        data={
            "name": "회의실 B",
            "kind": "meeting_room",
            "opens_at": "09:00",
            "closes_at": "18:00",
            "max_minutes": 120,
            "audience": "both",
        },
    )
    staff = [UserFactory(role=Role.SECRETARIAT) for _ in range(CALLERS)]

    def attempt(actor, n):
        # Every caller wants 10:00–11:00, half of them shifted by half an hour: all overlap the same slot.
        minute = 30 if n % 2 else 0
        return services.book_facility(
            actor=actor,
            facility_id=room.pk,
            start=at(MONDAY, 10, minute),
            end=at(MONDAY, 11, minute),
            title=f"요청 {n}",
            now=NOW,
        )

    outcomes = race(attempt, [(actor, n) for n, actor in enumerate(staff)])
    wins = [value for kind, value in outcomes if kind == "ok"]
    errors = [value for kind, value in outcomes if kind == "error"]
    assert len(wins) == 1, [e for e in errors if not isinstance(e, Conflict)][:3]
    assert len(errors) == CALLERS - 1
    assert all(isinstance(e, Conflict) and e.code == "double_booking" for e in errors), errors[:3]
    assert Booking.objects.filter(facility=room, status="confirmed").count() == 1
    assert AuditEntry.objects.filter(action="spaces.booking.created").count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_leases_of_one_unit_one_wins(secretariat, floor):
    import datetime as dt

    from tests.factories import make_organisation
    from tests.network.conftest import drive

    unit = services.create_unit(
        actor=secretariat,
        floor_id=floor.pk,
        data={"code": "305", "unit_type": "office", "area_m2": "40", "desks": 6, "monthly_rent": 400000},
    )
    orgs = []
    for n in range(8):
        org = make_organisation(secretariat, name=f"동시입주{n}")
        drive(secretariat, org, "active")
        orgs.append(org)

    def sign(org):
        return services.sign_lease(
            actor=secretariat, unit_id=unit.pk, organisation_id=org.pk, starts_on=dt.date(2030, 4, 1), years=3
        )

    outcomes = race(sign, [(org,) for org in orgs])
    assert sum(kind == "ok" for kind, _ in outcomes) == 1, outcomes
    assert all(isinstance(v, Conflict) for kind, v in outcomes if kind == "error"), outcomes
    assert Lease.objects.filter(unit=unit).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_building_and_floor_created_at_once_are_stored_once_and_the_others_told_why(secretariat):
    from dongne.core.errors import ValidationError
    from dongne.spaces.models import Building, Floor

    outcomes = race(lambda: services.create_building(actor=secretariat, name="동시 빌딩"), [()] * 8)
    kinds = sorted(kind for kind, _value in outcomes)
    assert kinds.count("ok") == 1 and Building.objects.filter(name="동시 빌딩").count() == 1
    refused = [value for kind, value in outcomes if kind == "error"]
    assert all(isinstance(e, ValidationError) and list(e.errors) == ["name"] for e in refused), refused

    building = Building.objects.get(name="동시 빌딩")
    outcomes = race(
        lambda: services.create_floor(actor=secretariat, building_id=building.pk, number=3), [()] * 8
    )
    assert [kind for kind, _value in outcomes].count("ok") == 1 and Floor.objects.count() == 1
    assert all(isinstance(v, ValidationError) for kind, v in outcomes if kind == "error")


@pytest.mark.django_db(transaction=True)
def test_buildings_or_units_renamed_to_the_same_name_at_once_one_wins_the_others_told_why(secretariat):
    from dongne.core.errors import ValidationError
    from dongne.spaces.models import Building, Unit

    buildings = [services.create_building(actor=secretariat, name=f"빌딩 {n}") for n in range(6)]
    outcomes = race(
        lambda b: services.update_building(actor=secretariat, building_id=b.pk, data={"name": "새 이름"}),
        [(b,) for b in buildings],
    )
    assert [kind for kind, _value in outcomes].count("ok") == 1, outcomes
    assert Building.objects.filter(name="새 이름").count() == 1
    refused = [value for kind, value in outcomes if kind == "error"]
    assert all(isinstance(e, ValidationError) and list(e.errors) == ["name"] for e in refused), refused
    assert AuditEntry.objects.filter(action="spaces.building.updated").count() == 1

    floor = services.create_floor(actor=secretariat, building_id=buildings[0].pk, number=2)
    units = [
        services.create_unit(
            actor=secretariat,
            floor_id=floor.pk,
            data={"code": f"2{n:02d}", "unit_type": "office", "area_m2": "20", "monthly_rent": 1},
        )
        for n in range(6)
    ]
    outcomes = race(
        lambda u: services.update_unit(actor=secretariat, unit_id=u.pk, data={"code": "299"}),
        [(u,) for u in units],
    )
    assert [kind for kind, _value in outcomes].count("ok") == 1, outcomes
    assert Unit.objects.filter(floor=floor, code="299").count() == 1
    refused = [value for kind, value in outcomes if kind == "error"]
    assert all(isinstance(e, ValidationError) and list(e.errors) == ["code"] for e in refused), refused
