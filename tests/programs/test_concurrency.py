"""200 people registering at the same instant for 50 places: exactly 50 confirmed, 150 on the
waiting list in order of arrival, the counter equal to the confirmed rows. Real threads with their
own connections, on SQLite (a file, IMMEDIATE transactions) and PostgreSQL (row lock + conditional
UPDATE). On PostgreSQL the number of simultaneous threads is bounded by the server's max_connections."""

import queue
import threading

import pytest
from django.db import connection

from dongne.core.choices import Role
from dongne.core.errors import Conflict
from dongne.core.models import AuditEntry
from dongne.programs import selectors, services
from dongne.programs.models import Program, Registration
from tests.factories import UserFactory

from .factories import make_program

PEOPLE = 200
PLACES = 50


def _workers():
    """All 200 at once on SQLite (each thread its own connection; writers queue on the lock). On PostgreSQL
    as many as the server's max_connections leaves room for (200 on a server allowing 220 or more)."""
    if connection.vendor != "postgresql":
        return PEOPLE
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        allowed = int(cursor.fetchone()[0])
    return max(10, min(PEOPLE, allowed - 20))


def _race(fn, args_list):
    """Run ``fn(*args)`` for every args on a pool of threads released together by one barrier."""
    work = queue.Queue()
    for index, args in enumerate(args_list):
        work.put((index, args))
    workers = min(_workers(), len(args_list))
    barrier = threading.Barrier(workers)
    outcomes = [None] * len(args_list)

    def worker():
        try:
            barrier.wait(timeout=60)
            while True:
                try:
                    index, args = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcomes[index] = ("ok", fn(*args))
                except Exception as exc:  # collected and asserted on below
                    outcomes[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_200_parallel_registrations_for_50_places():
    secretariat = UserFactory(role=Role.SECRETARIAT)
    program = make_program(secretariat, capacity=PLACES, title="동시 신청 세미나")
    people = [UserFactory() for _ in range(PEOPLE)]

    outcomes = _race(
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

    outcomes = _race(lambda: services.register(actor=person, program_id=program.pk), [() for _ in range(8)])

    assert sum(kind == "ok" for kind, _ in outcomes) == 1, outcomes
    errors = [value for kind, value in outcomes if kind == "error"]
    assert all(isinstance(e, Conflict) and e.code == "already_registered" for e in errors), errors
    assert Registration.objects.filter(program=program, user=person).count() == 1
    assert Program.objects.get(pk=program.pk).seats_taken == 1
