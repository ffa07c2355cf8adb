"""Attendance by QR token, typed code or from the list; certificates when attendance reaches the
threshold, verified on a public page; forged codes rejected."""

import io

import pytest
from django.core import signing
from pypdf import PdfReader

from dongne.core.errors import Conflict, PermissionDenied, ValidationError
from dongne.programs import selectors, services
from dongne.programs.models import Attendance, Certificate
from tests.factories import UserFactory

from .factories import make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(course):
    person = UserFactory(name="최수강")
    return services.register(actor=person, program_id=course.pk)


def _sessions(program):
    return list(program.sessions.order_by("starts_at"))


def test_check_in_by_qr_token_then_twice_is_refused(course, enrolled, secretariat):
    first = _sessions(course)[0]
    token = selectors.checkin_token(enrolled)

    attendance = services.check_in(actor=secretariat, session_id=first.pk, token=token, method="qr")
    assert attendance.registration == enrolled and attendance.method == "qr"

    with pytest.raises(Conflict) as exc:
        services.check_in(actor=secretariat, session_id=first.pk, token=token, method="qr")
    assert exc.value.code == "already_checked_in" and "최수강" in str(exc.value)
    assert Attendance.objects.count() == 1


def test_check_in_for_another_program_is_refused(course, enrolled, secretariat):
    other = make_program(secretariat, title="다른 세미나")
    with pytest.raises(Conflict) as exc:
        services.check_in(actor=secretariat, session_id=_sessions(other)[0].pk, code=enrolled.code)
    assert exc.value.code == "other_program" and course.title in str(exc.value)
    assert not Attendance.objects.exists()


def test_typed_code_is_forgiving_about_case_and_spaces_but_not_forgery(course, enrolled, secretariat):
    session = _sessions(course)[1]
    messy = " " + enrolled.code.lower()[:4] + " " + enrolled.code.lower()[4:] + " "
    services.check_in(actor=secretariat, session_id=session.pk, code=messy)
    assert Attendance.objects.filter(session=session, registration=enrolled).exists()

    forged = signing.dumps(enrolled.code, salt="something-else")
    with pytest.raises(ValidationError, match="QR"):
        services.check_in(actor=secretariat, session_id=_sessions(course)[2].pk, token=forged)
    with pytest.raises(ValidationError):
        services.check_in(actor=secretariat, session_id=_sessions(course)[2].pk, code="ZZZZ9999")
    assert Attendance.objects.count() == 1


def test_only_organisers_check_people_in_and_waitlisted_people_cannot_be(secretariat):
    program = make_program(secretariat, capacity=1)
    a, b = UserFactory(), UserFactory()
    services.register(actor=a, program_id=program.pk)
    waiting = services.register(actor=b, program_id=program.pk)
    session = _sessions(program)[0]
    with pytest.raises(PermissionDenied):
        services.check_in(actor=a, session_id=session.pk, code=waiting.code)
    with pytest.raises(Conflict) as exc:
        services.check_in(actor=secretariat, session_id=session.pk, code=waiting.code)
    assert exc.value.code == "not_confirmed"


def test_program_staff_can_check_in(secretariat, course, enrolled):
    staff = UserFactory()
    services.update_program(actor=secretariat, program_id=course.pk, data={"staff": [staff.pk]})
    services.check_in(
        actor=staff, session_id=_sessions(course)[0].pk, registration_id=enrolled.pk, method="list"
    )
    assert Attendance.objects.get().checked_in_by == staff


def test_certificate_needs_the_threshold_and_is_issued_once(course, enrolled, secretariat):
    sessions = _sessions(course)  # 4 sessions, threshold 80% → 4 needed (3/4 = 75%)
    for session in sessions[:3]:
        services.check_in(actor=secretariat, session_id=session.pk, code=enrolled.code)
    with pytest.raises(Conflict) as exc:
        services.issue_certificate(actor=enrolled.user, registration_id=enrolled.pk)
    assert exc.value.code == "not_eligible" and "3" in str(exc.value) and "4" in str(exc.value)

    services.update_program(actor=secretariat, program_id=course.pk, data={"completion_threshold": 75})
    certificate = services.issue_certificate(actor=enrolled.user, registration_id=enrolled.pk)
    again = services.issue_certificate(actor=enrolled.user, registration_id=enrolled.pk)
    assert again.pk == certificate.pk and Certificate.objects.count() == 1
    assert certificate.attended_sessions == 3 and certificate.total_sessions == 4
    assert certificate.holder_name == "최수강"

    with pytest.raises(PermissionDenied):
        services.issue_certificate(actor=UserFactory(), registration_id=enrolled.pk)


def test_certificate_pdf_download_and_public_verification(client, course, enrolled, secretariat):
    for session in _sessions(course):
        services.check_in(actor=secretariat, session_id=session.pk, code=enrolled.code)
    client.force_login(enrolled.user)

    response = client.get(f"/programs/registrations/{enrolled.pk}/certificate.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    certificate = Certificate.objects.get()
    assert "최수강" in text and course.title in text and certificate.code in text
    client.logout()

    ok = client.get("/programs/certificates/verify/", {"code": certificate.code.lower().replace("-", "")})
    assert ok.status_code == 200 and "최수강" in ok.content.decode()
    forged_code = certificate.code[:-1] + ("2" if certificate.code[-1] != "2" else "3")
    forged = client.get("/programs/certificates/verify/", {"code": forged_code})
    assert forged.status_code == 404 and "최수강" not in forged.content.decode()


def test_certificate_codes_are_long_random_and_distinct():
    from dongne.programs.models import certificate_code

    codes = {certificate_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c.replace("-", "")) == 16 for c in codes)
