"""Programs themselves: validation with messages that say what to fix, sessions, publishing and
cancelling, who may manage a program, and the admin pages."""

import datetime as dt

import pytest

from dongne.core.errors import Conflict, PermissionDenied, ValidationError
from dongne.core.models import AuditEntry
from dongne.programs import services
from dongne.programs.models import Attendance, Program, Session
from tests.factories import UserFactory

from .factories import at, make_program

pytestmark = pytest.mark.django_db


def test_invalid_program_reports_every_field(secretariat):
    with pytest.raises(ValidationError) as exc:
        services.create_program(
            actor=secretariat,
            data={
                "kind": "party",
                "title": " ",
                "capacity": "0",
                "registration_opens_at": at(days=5),
                "registration_closes_at": at(days=1),
            },
        )
    assert set(exc.value.errors) == {"kind", "title", "capacity", "registration_closes_at"}
    assert not Program.objects.exists()


def test_sessions_need_an_order_in_time_and_a_place_or_link(secretariat):
    program = make_program(secretariat, publish=False)
    with pytest.raises(ValidationError) as exc:
        services.add_session(
            actor=secretariat,
            program_id=program.pk,
            data={"starts_at": at(days=2, hours=15), "ends_at": at(days=2, hours=14)},
        )
    assert set(exc.value.errors) == {"ends_at", "place"}
    online = services.add_session(
        actor=secretariat,
        program_id=program.pk,
        data={
            "starts_at": "2030-05-01 14:00",
            "ends_at": "2030-05-01 16:00",
            "online_url": "https://meet.example.kr/x",
        },
    )
    online.refresh_from_db()
    # Typed as Seoul time: 14:00 KST is 05:00 UTC.
    assert online.starts_at.astimezone(dt.UTC).hour == 5
    services.update_session(actor=secretariat, session_id=online.pk, data={"speakers": "이발표"})
    online.refresh_from_db()
    assert online.speakers == "이발표"


def test_a_session_with_attendance_cannot_be_removed(course, secretariat):
    person = UserFactory()
    registration = services.register(actor=person, program_id=course.pk)
    first, second = course.sessions.order_by("starts_at")[:2]
    attendance = services.check_in(actor=secretariat, session_id=first.pk, code=registration.code)
    with pytest.raises(Conflict):
        services.remove_session(actor=secretariat, session_id=first.pk)
    services.remove_session(actor=secretariat, session_id=second.pk)
    assert not Session.objects.filter(pk=second.pk).exists()
    services.undo_check_in(actor=secretariat, attendance_id=attendance.pk)
    assert not Attendance.objects.exists()


def test_publishing_needs_a_session_and_happens_once(secretariat):
    program = services.create_program(
        actor=secretariat, data={"kind": "seminar", "title": "빈 세미나", "capacity": 10}
    )
    with pytest.raises(ValidationError):
        services.publish_program(actor=secretariat, program_id=program.pk)
    services.add_session(
        actor=secretariat,
        program_id=program.pk,
        data={"starts_at": at(days=3, hours=10), "ends_at": at(days=3, hours=12), "place": "본관"},
    )
    services.publish_program(actor=secretariat, program_id=program.pk)
    with pytest.raises(Conflict):
        services.publish_program(actor=secretariat, program_id=program.pk)
    assert AuditEntry.objects.filter(action="programs.program.published").count() == 1


def test_cancelled_program_takes_no_registrations(program, secretariat):
    services.cancel_program(actor=secretariat, program_id=program.pk, reason="강사 사정")
    with pytest.raises(PermissionDenied):
        services.register(actor=UserFactory(), program_id=program.pk)


def test_who_manages_a_program(secretariat, org, rep, other_org):
    program = make_program(secretariat, organiser=org.pk)
    services.update_program(actor=rep, program_id=program.pk, data={"summary": "대표가 수정"})
    other_rep = UserFactory()
    with pytest.raises(PermissionDenied):
        services.update_program(actor=other_rep, program_id=program.pk, data={"summary": "남이 수정"})
    with pytest.raises(PermissionDenied):
        services.create_program(
            actor=rep,
            data={"kind": "seminar", "title": "남의 행사", "capacity": 5, "organiser": other_org.pk},
        )
    with pytest.raises(PermissionDenied):
        services.create_program(actor=rep, data={"kind": "seminar", "title": "주최 없음", "capacity": 5})


def test_admin_pages_open_for_the_secretariat(client, secretariat, course):
    person = UserFactory()
    services.register(actor=person, program_id=course.pk)
    client.force_login(secretariat)
    for model in ("program", "registration", "certificate", "article", "exhibit", "inquiry", "feedback"):
        assert client.get(f"/admin/programs/{model}/").status_code == 200, model
    assert client.get(f"/admin/programs/program/{course.pk}/change/").status_code == 200


def test_staff_are_named_by_e_mail_and_unknown_addresses_are_refused(client, secretariat, course):
    helper = UserFactory(email="helper@test.dongne.kr")
    with pytest.raises(ValidationError) as exc:
        services.update_program(
            actor=secretariat, program_id=course.pk, data={"staff": "nobody@test.dongne.kr"}
        )
    assert "nobody@test.dongne.kr" in str(exc.value)
    client.force_login(secretariat)
    form = client.get(f"/programs/{course.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["co_hosts"] = []
    data["staff"] = "HELPER@test.dongne.kr"
    client.post(f"/programs/{course.pk}/edit/", data)
    assert list(course.staff.all()) == [helper]
    client.force_login(helper)
    assert client.get(f"/programs/{course.pk}/registrations/").status_code == 200


def test_cancelling_a_program_tells_everyone_registered(program, secretariat):
    from django.core import mail

    people = [UserFactory() for _ in range(3)]  # two places, one on the waiting list
    for person in people:
        services.register(actor=person, program_id=program.pk)
    mail.outbox.clear()
    services.cancel_program(actor=secretariat, program_id=program.pk)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert all("취소" in m.subject for m in mail.outbox)
