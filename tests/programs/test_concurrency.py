"""200 people registering at the same instant for 50 places: exactly 50 confirmed, 150 on the
waiting list in order of arrival, the counter equal to the confirmed rows. Real threads with their
own connections, on SQLite (a file, IMMEDIATE transactions) and PostgreSQL (row lock + conditional
UPDATE). All 200 threads are released at once; on PostgreSQL as many hold a connection at a time as the
server's max_connections allows (CI's allows all of them)."""

import pytest

from dongne.core.choices import Role
from dongne.core.errors import Conflict
from dongne.core.models import AuditEntry
from dongne.programs import selectors, services
from dongne.programs.models import Program, Registration
from tests.concurrency import race
from tests.factories import UserFactory

from .factories import make_program

PEOPLE = 200
PLACES = 50


@pytest.mark.django_db(transaction=True)
def test_200_parallel_registrations_for_50_places():
    secretariat = UserFactory(role=Role.SECRETARIAT)
    program = make_program(secretariat, capacity=PLACES, title="동시 신청 세미나")
    people = [UserFactory() for _ in range(PEOPLE)]

    outcomes = race(
        lambda person: services.register(actor=person, program_id=program.pk), [(p,) for p in people]
    )

    errors = [value for kind, value in outcomes if kind == "error"]
    assert not errors, errors[:3]
    regs = list(Registration.objects.filter(program=program).order_by("id"))
    assert len(regs) == PEOPLE
    confirmed = [r for r in regs if r.status == "confirmed"]
    waiting = [r for r in regs if r.status == "waitlisted"]
    assert len(confirmed) == PLACES and len(waiting) == PEOPLE - PLACES
    program.refresh_from_db()
    assert program.seats_taken == PLACES
    # Order of arrival: the first 50 to reach the program got the places, the rest queue behind them.
    assert max(r.pk for r in confirmed) < min(r.pk for r in waiting)
    assert [selectors.waitlist_position(r) for r in waiting] == list(range(1, PEOPLE - PLACES + 1))
    assert {r.user_id for r in regs} == {p.pk for p in people}
    assert AuditEntry.objects.filter(action="programs.registration.created").count() == PEOPLE

    # A freed place goes to the first in line, not to whoever asks next.
    services.cancel_registration(actor=secretariat, registration_id=confirmed[0].pk)
    waiting[0].refresh_from_db()
    assert waiting[0].status == "offered"
    late = services.register(actor=UserFactory(), program_id=program.pk)
    assert late.status == "waitlisted" and selectors.waitlist_position(late) == PEOPLE - PLACES


@pytest.mark.django_db(transaction=True)
def test_one_person_registering_from_many_tabs_at_once_gets_one_registration():
    secretariat = UserFactory(role=Role.SECRETARIAT)
    program = make_program(secretariat, capacity=5)
    person = UserFactory()

    outcomes = race(lambda: services.register(actor=person, program_id=program.pk), [() for _ in range(8)])

    assert sum(kind == "ok" for kind, _ in outcomes) == 1, outcomes
    errors = [value for kind, value in outcomes if kind == "error"]
    assert all(isinstance(e, Conflict) and e.code == "already_registered" for e in errors), errors
    assert Registration.objects.filter(program=program, user=person).count() == 1
    assert Program.objects.get(pk=program.pk).seats_taken == 1
