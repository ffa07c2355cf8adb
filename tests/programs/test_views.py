"""Pages: list and detail, creation by the secretariat and by an organiser, registration through
the form, the QR check-in page at the door, feedback, and the three iCalendar feeds."""

import pytest
from icalendar import Calendar

from dongne.programs import selectors, services
from dongne.programs.models import Attendance, Feedback, Program, Registration
from tests.factories import UserFactory

from .factories import at, make_program

pytestmark = pytest.mark.django_db


def test_list_and_detail_hide_drafts_from_the_public(client, secretariat):
    published = make_program(secretariat, title="공개 세미나")
    draft = make_program(secretariat, title="준비중 포럼", publish=False)
    page = client.get("/programs/").content.decode()
    assert "공개 세미나" in page and "준비중 포럼" not in page
    assert client.get(f"/programs/{draft.pk}/").status_code == 404
    assert client.get(f"/programs/{published.pk}/").status_code == 200
    client.force_login(secretariat)
    assert "준비중 포럼" in client.get("/programs/").content.decode()


def test_secretariat_creates_a_program_with_its_first_session_and_publishes_it(client, secretariat, org):
    client.force_login(secretariat)
    response = client.post(
        "/programs/new/",
        {
            "kind": "forum",
            "title": "춘천 디지털 전환 정책포럼",
            "capacity": "80",
            "completion_threshold": "100",
            "co_hosts": [org.pk],
            "session-starts_at": at(days=10, hours=14).strftime("%Y-%m-%dT%H:%M"),
            "session-ends_at": at(days=10, hours=17).strftime("%Y-%m-%dT%H:%M"),
            "session-place": "춘천시청 대회의실",
        },
    )
    program = Program.objects.get(title="춘천 디지털 전환 정책포럼")
    assert response.status_code == 302 and program.status == "draft"
    assert list(program.co_hosts.all()) == [org] and program.sessions.count() == 1
    client.post(f"/programs/{program.pk}/publish/")
    program.refresh_from_db()
    assert program.status == "published"


def test_a_representative_creates_only_for_their_own_organisation(client, rep, org, other_org):
    client.force_login(rep)
    base = {
        "kind": "seminar",
        "title": "기업 세미나",
        "capacity": "20",
        "completion_threshold": "80",
        "session-starts_at": at(days=3, hours=10).strftime("%Y-%m-%dT%H:%M"),
        "session-ends_at": at(days=3, hours=12).strftime("%Y-%m-%dT%H:%M"),
        "session-online_url": "https://meet.example.kr/abc",
    }
    refused = client.post("/programs/new/", {**base, "organiser": other_org.pk})
    assert refused.status_code == 200 and not Program.objects.exists()
    client.post("/programs/new/", {**base, "organiser": org.pk})
    program = Program.objects.get()
    assert program.organiser == org
    assert client.get(f"/programs/{program.pk}/edit/").status_code == 200


def test_register_through_the_page_with_a_question(client, program, secretariat):
    question = services.add_question(
        actor=secretariat, program_id=program.pk, text="관심 분야", required=True
    )
    person = UserFactory()
    client.force_login(person)
    assert "관심 분야" in client.get(f"/programs/{program.pk}/").content.decode()
    client.post(f"/programs/{program.pk}/register/", {f"question_{question.pk}": "관광 데이터"})
    registration = Registration.objects.get(user=person)
    assert registration.answers.get().answer == "관광 데이터"
    again = client.post(f"/programs/{program.pk}/register/", {f"question_{question.pk}": "x"}, follow=True)
    assert "이미" in again.content.decode() or "already" in again.content.decode()
    mine = client.get("/programs/me/").content.decode()
    assert "<svg" in mine and registration.code in mine


def test_qr_page_checks_in_at_the_door_and_refuses_another_programs_code(client, course, secretariat):
    person = UserFactory(name="정입장")
    registration = services.register(actor=person, program_id=course.pk)
    session = course.sessions.order_by("starts_at").first()
    client.force_login(secretariat)
    client.get(f"/programs/sessions/{session.pk}/door/")  # the phone at the door remembers its session

    token = selectors.checkin_token(registration)
    page = client.get(f"/programs/checkin/{token}/")
    assert page.status_code == 200 and "정입장" in page.content.decode()
    client.post(f"/programs/checkin/{token}/")
    assert Attendance.objects.filter(registration=registration, session=session).exists()

    twice = client.post(f"/programs/checkin/{token}/", follow=True)
    assert "정입장" in twice.content.decode() and Attendance.objects.count() == 1

    other = make_program(secretariat, title="엉뚱한 행사")
    stranger = services.register(actor=UserFactory(), program_id=other.pk)
    wrong = client.post(
        f"/programs/sessions/{session.pk}/door/",
        {"code": stranger.code},
        HTTP_REFERER=f"/programs/sessions/{session.pk}/door/",
        follow=True,
    )
    assert "엉뚱한 행사" in wrong.content.decode() and Attendance.objects.count() == 1


def test_participants_cannot_open_the_door_page(client, course):
    person = UserFactory()
    client.force_login(person)
    session = course.sessions.first()
    assert client.get(f"/programs/sessions/{session.pk}/door/").status_code == 403


def test_feedback_after_attending_and_results_for_organisers(client, course, secretariat):
    person = UserFactory()
    registration = services.register(actor=person, program_id=course.pk)
    services.check_in(actor=secretariat, session_id=course.sessions.first().pk, code=registration.code)
    client.force_login(person)
    client.post(
        f"/programs/registrations/{registration.pk}/feedback/",
        {"rating": 4, "usefulness": 5, "comment": "실습이 좋았습니다"},
    )
    assert Feedback.objects.get().rating == 4
    assert client.get(f"/programs/{course.pk}/feedback/").status_code == 403
    client.force_login(secretariat)
    page = client.get(f"/programs/{course.pk}/feedback/").content.decode()
    assert "실습이 좋았습니다" in page and "4.0" in page


def test_feedback_before_the_program_is_refused(program):
    from dongne.core.errors import Conflict

    person = UserFactory()
    registration = services.register(actor=person, program_id=program.pk)
    with pytest.raises(Conflict):
        services.submit_feedback(actor=person, registration_id=registration.pk, rating=5, usefulness=5)


def _events(content):
    cal = Calendar.from_ical(content)
    return [e for e in cal.walk("VEVENT")]


def test_program_organisation_and_personal_calendar_feeds(client, secretariat, org):
    course = make_program(secretariat, sessions=2, organiser=org.pk, title="기관 주최 과정")
    make_program(secretariat, title="다른 곳 행사")
    events = _events(client.get(f"/programs/{course.pk}/calendar.ics").content)
    assert len(events) == 2 and all("기관 주최 과정" in str(e["summary"]) for e in events)

    org_events = _events(client.get(f"/programs/organisations/{org.pk}/calendar.ics").content)
    assert {str(e["uid"]) for e in org_events} == {str(e["uid"]) for e in events}

    person = UserFactory()
    services.register(actor=person, program_id=course.pk)
    feed = services.renew_calendar_feed(actor=person)
    response = client.get(f"/programs/calendar/{feed.token}.ics")
    assert response["Content-Type"].startswith("text/calendar")
    assert len(_events(response.content)) == 2
    old = feed.token
    services.renew_calendar_feed(actor=person)
    assert client.get(f"/programs/calendar/{old}.ics").status_code == 404


def test_organiser_checks_in_by_hand_from_the_list(client, course, secretariat):
    person = UserFactory(name="목록참가")
    registration = services.register(actor=person, program_id=course.pk)
    session = course.sessions.order_by("starts_at").first()
    client.force_login(secretariat)
    table = client.get(f"/programs/{course.pk}/registrations/").content.decode()
    assert "목록참가" in table
    client.post(
        f"/programs/registrations/{registration.pk}/checkin/",
        {"session": session.pk, "next": f"/programs/{course.pk}/registrations/"},
    )
    attendance = Attendance.objects.get()
    assert attendance.method == "list" and attendance.checked_in_by == secretariat


def test_confirming_an_expired_offer_on_the_page_says_so(client, program):
    import datetime as dt

    from django.utils import timezone

    a, b, c = UserFactory(), UserFactory(), UserFactory()
    first = services.register(actor=a, program_id=program.pk)
    services.register(actor=b, program_id=program.pk)
    waiting = services.register(actor=c, program_id=program.pk)
    services.cancel_registration(actor=a, registration_id=first.pk)
    Registration.objects.filter(pk=waiting.pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=5)
    )
    client.force_login(c)
    response = client.post(
        f"/programs/registrations/{waiting.pk}/confirm/", HTTP_REFERER="/programs/me/", follow=True
    )
    assert "다음 대기자" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "expired"


def test_the_organiser_edits_and_removes_sessions_from_the_site(client, course, secretariat):
    from dongne.core.models import AuditEntry

    first, second = course.sessions.order_by("starts_at")[:2]
    client.force_login(secretariat)
    page = client.get(f"/programs/{course.pk}/").content.decode()
    assert f"/programs/sessions/{first.pk}/edit/" in page and f"/programs/sessions/{first.pk}/remove/" in page

    form = client.get(f"/programs/sessions/{first.pk}/edit/")
    assert form.status_code == 200
    start = form.context["form"].initial["starts_at"]
    response = client.post(
        f"/programs/sessions/{first.pk}/edit/",
        {
            "title": "1회차(장소 변경)",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + (first.ends_at - first.starts_at)).strftime("%Y-%m-%dT%H:%M"),
            "place": "강원대학교 60주년기념관",
            "speakers": "김강사",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.title, first.place) == ("1회차(장소 변경)", "강원대학교 60주년기념관")
    assert AuditEntry.objects.filter(action="programs.session.updated", target_id=str(first.pk)).exists()

    # an end before the start goes back onto the form, and nothing changes
    bad = client.post(
        f"/programs/sessions/{first.pk}/edit/",
        {"starts_at": "2026-05-01T15:00", "ends_at": "2026-05-01T14:00", "place": "다른 곳"},
    )
    assert bad.status_code == 200 and bad.context["form"].errors
    first.refresh_from_db()
    assert first.place == "강원대학교 60주년기념관"

    # a session nobody attended can go; one with check-ins cannot
    assert client.post(f"/programs/sessions/{second.pk}/remove/").status_code == 302
    assert not course.sessions.filter(pk=second.pk).exists()
    person = UserFactory()
    registration = services.register(actor=person, program_id=course.pk)
    services.check_in(
        actor=secretariat, session_id=first.pk, registration_id=registration.pk, method="manual"
    )
    refused = client.post(
        f"/programs/sessions/{first.pk}/remove/", HTTP_REFERER=f"/programs/{course.pk}/", follow=True
    )
    assert "checked in" in refused.content.decode() or "출석" in refused.content.decode()
    assert course.sessions.filter(pk=first.pk).exists()


def test_participants_cannot_edit_or_remove_sessions(client, course):
    session = course.sessions.first()
    client.force_login(UserFactory())
    assert client.get(f"/programs/sessions/{session.pk}/edit/").status_code == 403
    back = {"HTTP_REFERER": f"/programs/{course.pk}/"}
    refused = client.post(f"/programs/sessions/{session.pk}/remove/", follow=True, **back)  # the reason
    assert [m.level_tag for m in refused.context["messages"]] == ["error"]
    assert course.sessions.filter(pk=session.pk).exists()
