"""Participation per program and per member organisation, and the annual totals."""

import pytest
from django.utils import timezone

from dongne.core.errors import PermissionDenied
from dongne.programs import selectors, services
from tests.factories import UserFactory, make_representative

from .factories import make_program

pytestmark = pytest.mark.django_db


def test_participation_by_program_and_member(secretariat, org, other_org):
    course = make_program(secretariat, sessions=2, start_days=1, capacity=2, title="통계 과정")
    alice = make_representative(org)
    bob = make_representative(other_org)
    walk_in = UserFactory()
    reg_a = services.register(actor=alice, program_id=course.pk)
    services.register(actor=bob, program_id=course.pk)
    services.register(actor=walk_in, program_id=course.pk)  # waiting list
    for session in course.sessions.all():
        services.check_in(actor=secretariat, session_id=session.pk, code=reg_a.code)
    services.issue_certificate(actor=alice, registration_id=reg_a.pk)
    year = course.sessions.first().starts_at.year

    (row,) = [p for p in selectors.participation_by_program(secretariat, year=year) if p.pk == course.pk]
    assert (row.confirmed, row.waiting, row.attended, row.certificates) == (2, 1, 1, 1)

    members = {m["organisation"]: m for m in selectors.participation_by_member(secretariat, year=year)}
    assert members[org.name]["sessions_attended"] == 2 and members[org.name]["certificates"] == 1
    assert members[other_org.name]["registrations"] == 1 and members[other_org.name]["sessions_attended"] == 0

    totals = selectors.annual_participation(secretariat, year)
    assert totals["participants"] == 2 and totals["certificates"] == 1 and totals["attendances"] == 2
    # The cooperative's annual report (governance) shows the same counts.
    from dongne.governance.selectors import annual_report_context

    report = annual_report_context(year)["programs"]
    assert (report["participants"], report["certificates"]) == (2, 1)

    with pytest.raises(PermissionDenied):
        selectors.annual_participation(alice, year)


def test_statistics_page_for_officers(client, secretariat, chair):
    make_program(secretariat)
    client.force_login(chair)
    assert client.get(f"/programs/statistics/?year={timezone.localdate().year}").status_code == 200
    client.force_login(UserFactory())
    assert client.get("/programs/statistics/").status_code == 403


def test_statistics_csv_opens_in_korean_excel(client, secretariat, org):
    program = make_program(secretariat, start_days=1)
    person = make_representative(org)
    services.register(actor=person, program_id=program.pk)
    client.force_login(secretariat)
    year = program.sessions.first().starts_at.year
    response = client.get(f"/programs/statistics/?year={year}&format=csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff") and org.name in text
