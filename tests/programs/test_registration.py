"""Registration: places, the waiting list with offers and a time limit, approval, cancellation,
questions, and the e-mails (the confirmation carries an .ics the icalendar library reads)."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from dongne.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationError
from dongne.core.models import AuditEntry
from dongne.programs import selectors, services
from dongne.programs.models import Program, Registration, RegistrationAnswer
from tests.factories import UserFactory

from .factories import at, make_program

pytestmark = pytest.mark.django_db


def _people(n):
    return [UserFactory() for _ in range(n)]


def _status(registration):
    registration.refresh_from_db()
    return registration.status


def test_registration_confirms_and_mails_an_ics_with_every_session(secretariat):
    course = make_program(secretariat, sessions=3, capacity=5, title="클라우드 입문 과정")
    person = UserFactory(name="이참가")
    mail.outbox.clear()

    registration = services.register(actor=person, program_id=course.pk)

    assert registration.status == "confirmed"
    course.refresh_from_db()
    assert course.seats_taken == 1 and course.places_left == 4
    (message,) = mail.outbox
    assert message.to == [person.email]
    assert "클라우드 입문 과정" in message.subject and "확정" in message.subject
    assert registration.code in message.body
    (name, content, mimetype) = message.attachments[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    cal = Calendar.from_ical(content)
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == 3
    starts = sorted(e.decoded("dtstart") for e in events)
    assert starts == [s.starts_at for s in course.sessions.order_by("starts_at")]
    assert all("춘천 ICT 벤처센터" in str(e["location"]) for e in events)


def test_full_program_puts_people_on_the_waiting_list_in_order(program):
    first, second, third, fourth = _people(4)
    for person in (first, second, third, fourth):
        services.register(actor=person, program_id=program.pk)

    regs = {r.user_id: r for r in Registration.objects.filter(program=program)}
    assert [regs[p.pk].status for p in (first, second, third, fourth)] == [
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]
    assert selectors.waitlist_position(regs[third.pk]) == 1
    assert selectors.waitlist_position(regs[fourth.pk]) == 2
    assert "대기자" in mail.outbox[-1].subject and "2번째" in mail.outbox[-1].body
    program.refresh_from_db()
    assert program.seats_taken == 2


def test_registering_twice_is_refused_with_a_clear_message_and_no_change(program):
    person = UserFactory()
    services.register(actor=person, program_id=program.pk)
    before = (Registration.objects.count(), AuditEntry.objects.count(), len(mail.outbox))

    with pytest.raises(Conflict) as exc:
        services.register(actor=person, program_id=program.pk)

    assert exc.value.code == "already_registered"
    assert "already registered" in str(exc.value) or "이미" in str(exc.value)
    assert (Registration.objects.count(), AuditEntry.objects.count(), len(mail.outbox)) == before
    program.refresh_from_db()
    assert program.seats_taken == 1


def test_cancelling_offers_the_place_to_the_first_in_line_who_confirms(program, settings):
    settings.PROGRAMS_OFFER_HOURS = 48
    a, b, c, d = _people(4)
    reg_a = services.register(actor=a, program_id=program.pk)
    services.register(actor=b, program_id=program.pk)
    reg_c = services.register(actor=c, program_id=program.pk)
    reg_d = services.register(actor=d, program_id=program.pk)
    mail.outbox.clear()

    services.cancel_registration(actor=a, registration_id=reg_a.pk)

    assert _status(reg_a) == "cancelled"
    assert _status(reg_c) == "offered" and _status(reg_d) == "waitlisted"
    assert reg_c.offer_expires_at - timezone.now() > dt.timedelta(hours=47)
    (offer,) = mail.outbox
    assert offer.to == [c.email] and "확정" in offer.body
    program.refresh_from_db()
    assert program.seats_taken == 2  # the place is held for the offer, not released

    services.confirm_offer(actor=c, registration_id=reg_c.pk)
    assert _status(reg_c) == "confirmed"
    assert mail.outbox[-1].attachments  # the confirmation with its .ics
    assert selectors.waitlist_position(reg_d) == 1


def test_confirming_after_the_time_limit_is_refused_and_the_place_moves_on(program):
    a, b, c, d = _people(4)
    reg_a = services.register(actor=a, program_id=program.pk)
    services.register(actor=b, program_id=program.pk)
    reg_c = services.register(actor=c, program_id=program.pk)
    reg_d = services.register(actor=d, program_id=program.pk)
    services.cancel_registration(actor=a, registration_id=reg_a.pk)
    Registration.objects.filter(pk=reg_c.pk).update(offer_expires_at=timezone.now() - dt.timedelta(minutes=1))

    with pytest.raises(Conflict) as exc:
        services.confirm_offer(actor=c, registration_id=reg_c.pk)

    assert exc.value.code == "offer_expired"
    assert _status(reg_c) == "expired"
    assert _status(reg_d) == "offered"
    program.refresh_from_db()
    assert program.seats_taken == 2


def test_periodic_expiry_passes_offers_on_and_releases_the_place_when_nobody_waits(program):
    a, b, c = _people(3)
    reg_a = services.register(actor=a, program_id=program.pk)
    services.register(actor=b, program_id=program.pk)
    reg_c = services.register(actor=c, program_id=program.pk)
    services.cancel_registration(actor=a, registration_id=reg_a.pk)
    assert _status(reg_c) == "offered"

    assert services.expire_offers(now=timezone.now()) == 0  # not due yet
    later = timezone.now() + dt.timedelta(hours=25)
    assert services.expire_offers(now=later) == 1

    assert _status(reg_c) == "expired"
    program.refresh_from_db()
    assert program.seats_taken == 1 and program.places_left == 1
    # The place is free again for whoever registers next.
    newcomer = services.register(actor=UserFactory(), program_id=program.pk)
    assert newcomer.status == "confirmed"


def test_the_periodic_task_runs_the_expiry(program):
    from dongne.programs.tasks import expire_offers

    a, b, c = _people(3)
    reg_a = services.register(actor=a, program_id=program.pk)
    services.register(actor=b, program_id=program.pk)
    reg_c = services.register(actor=c, program_id=program.pk)
    services.cancel_registration(actor=a, registration_id=reg_a.pk)
    Registration.objects.filter(pk=reg_c.pk).update(offer_expires_at=timezone.now() - dt.timedelta(seconds=1))

    expire_offers.call_local()

    assert _status(reg_c) == "expired"


def test_organiser_approval_holds_the_place_until_decided(secretariat):
    program = make_program(secretariat, capacity=1, requires_approval=True)
    a, b = _people(2)
    reg_a = services.register(actor=a, program_id=program.pk)
    reg_b = services.register(actor=b, program_id=program.pk)
    assert reg_a.status == "pending" and reg_b.status == "waitlisted"
    assert "승인" in mail.outbox[-2].subject

    with pytest.raises(PermissionDenied):
        services.approve_registration(actor=a, registration_id=reg_a.pk)
    services.reject_registration(actor=secretariat, registration_id=reg_a.pk, reason="대상 아님")
    assert _status(reg_a) == "rejected"
    assert _status(reg_b) == "offered"
    services.confirm_offer(actor=b, registration_id=reg_b.pk)
    assert _status(reg_b) == "pending"  # an offered place still goes through approval
    services.approve_registration(actor=secretariat, registration_id=reg_b.pk)
    assert _status(reg_b) == "confirmed"
    with pytest.raises(Conflict):
        services.approve_registration(actor=secretariat, registration_id=reg_b.pk)


def test_registration_window_is_enforced(secretariat):
    early = make_program(secretariat, registration_opens_at=at(days=2))
    late = make_program(secretariat, registration_opens_at=at(days=-5), registration_closes_at=at(days=-1))
    person = UserFactory()
    with pytest.raises(ValidationError, match="opens|열립니다"):
        services.register(actor=person, program_id=early.pk)
    with pytest.raises(ValidationError, match="closed|마감"):
        services.register(actor=person, program_id=late.pk)
    assert not Registration.objects.exists()


def test_questions_are_answered_and_stored(program, secretariat):
    role = services.add_question(actor=secretariat, program_id=program.pk, text="소속 기관", required=True)
    diet = services.add_question(actor=secretariat, program_id=program.pk, text="식이 제한")
    person = UserFactory()

    with pytest.raises(ValidationError) as exc:
        services.register(actor=person, program_id=program.pk, answers={str(diet.pk): "없음"})
    assert f"question_{role.pk}" in exc.value.errors
    assert not Registration.objects.exists()

    registration = services.register(actor=person, program_id=program.pk, answers={role.pk: "봄내데이터랩"})
    answers = dict(
        RegistrationAnswer.objects.filter(registration=registration).values_list("question__text", "answer")
    )
    assert answers == {"소속 기관": "봄내데이터랩", "식이 제한": ""}


def test_anonymous_and_drafts_cannot_be_registered(secretariat, anonymous):
    draft = make_program(secretariat, publish=False)
    published = make_program(secretariat)
    with pytest.raises(NotAuthenticated):
        services.register(actor=anonymous, program_id=published.pk)
    with pytest.raises(PermissionDenied):
        services.register(actor=UserFactory(), program_id=draft.pk)


def test_cancel_then_register_again_is_allowed(program):
    person = UserFactory()
    first = services.register(actor=person, program_id=program.pk)
    services.cancel_registration(actor=person, registration_id=first.pk)
    with pytest.raises(Conflict):
        services.cancel_registration(actor=person, registration_id=first.pk)
    again = services.register(actor=person, program_id=program.pk)
    assert again.status == "confirmed" and again.pk != first.pk
    program.refresh_from_db()
    assert program.seats_taken == 1


def test_someone_else_cannot_cancel_my_registration(program):
    person, stranger = _people(2)
    registration = services.register(actor=person, program_id=program.pk)
    with pytest.raises(PermissionDenied):
        services.cancel_registration(actor=stranger, registration_id=registration.pk)
    assert _status(registration) == "confirmed"


def test_raising_capacity_offers_new_places_to_the_waiting_list(program, secretariat):
    people = _people(4)
    regs = [services.register(actor=p, program_id=program.pk) for p in people]
    services.update_program(actor=secretariat, program_id=program.pk, data={"capacity": 3})
    assert [_status(r) for r in regs] == ["confirmed", "confirmed", "offered", "waitlisted"]

    with pytest.raises(ValidationError) as exc:
        services.update_program(actor=secretariat, program_id=program.pk, data={"capacity": 1})
    assert "capacity" in exc.value.errors
    assert Program.objects.get(pk=program.pk).capacity == 3
