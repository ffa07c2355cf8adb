"""The daily reminder names what the Act requires and is missing; minutes come out as a PDF with Korean text."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.utils import timezone

from dongne.governance import services
from dongne.governance.choices import MeetingKind
from dongne.governance.tasks import send_reminders
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_secretariat_is_reminded_of_terms_and_the_disclosure_deadline(secretariat, chair):
    day = dt.date(2025, 4, 10)
    services.appoint_officer(
        actor=secretariat, user_id=chair.pk, role="chair", term_start="2021-05-01", term_end="2025-04-30"
    )
    services.save_annual_report(actor=secretariat, year=2024, total_business=100, main_business=50, surplus=0)
    assert send_reminders(day) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].to == [secretariat.email]
    assert "김이사장" in body and "2025.04.30" in body  # the chair's term ends
    assert "제96조의2" in body and "2024년 경영공시" in body  # due by 2025.04.30
    assert "제34조" in body  # fewer than 3 directors, no auditor


def test_minutes_pdf_has_the_record(client, secretariat, chair, members):
    start = timezone.localdate() - dt.timedelta(days=100)
    services.appoint_officer(
        actor=secretariat,
        user_id=chair.pk,
        role="chair",
        term_start=start,
        term_end=start + dt.timedelta(days=700),
    )
    meeting = services.schedule_meeting(
        actor=secretariat,
        kind=MeetingKind.BOARD,
        title="2025년 제2차 이사회",
        purpose="가입 승인",
        scheduled_at=timezone.now() - dt.timedelta(hours=2),
        place="사무국 회의실",
        items=[{"title": "신규 조합원 가입 승인", "kind": "ordinary"}],
        notice_on=timezone.localdate() - dt.timedelta(days=3),
    )
    services.record_attendance(actor=secretariat, meeting_id=meeting.pk, user_id=chair.pk)
    services.record_resolution(
        actor=secretariat, item_id=meeting.items.get().pk, votes_for=1, presiding_id=chair.pk
    )
    services.draft_minutes(actor=secretariat, meeting_id=meeting.pk)
    assert client.login(username=secretariat.email, password=PASSWORD)
    response = client.get(f"/governance/meetings/{meeting.pk}/minutes.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "신규 조합원 가입 승인" in text and "가결" in text
