"""Journey: a member registers for a seminar, the staff at the door checks them in by opening the
QR code's address on a phone, and the participant downloads the certificate, which the public
verification page confirms."""

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from dongne.programs.models import Attendance, Certificate
from tests.factories import UserFactory
from tests.programs.factories import make_program


def test_register_check_in_by_qr_and_download_the_certificate(new_page, secretariat, login):
    program = make_program(secretariat, capacity=10, title="관광 빅데이터 분석 세미나", start_days=0)
    session = program.sessions.get()
    participant = UserFactory(name="한참가")

    page = new_page()
    login(page, participant)
    page.goto(f"/programs/{program.pk}/")
    with page.expect_navigation():
        page.locator("#register-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/programs/me/$"))
    expect(page.locator(".messages .message.success")).to_be_visible()
    card = page.locator(f"#registration-{program.registrations.get().pk}")
    expect(card.locator("figure.qr svg")).to_be_visible()
    qr_url = card.locator("figure.qr").get_attribute("data-url")
    assert "/programs/checkin/" in qr_url

    # At the door: a phone-sized page opens the door's session, then the scanned address.
    phone = new_page(viewport={"width": 390, "height": 844})
    login(phone, secretariat)
    phone.goto(f"/programs/sessions/{session.pk}/door/")
    expect(phone.locator("#door-form")).to_be_visible()
    phone.goto(qr_url)
    expect(phone.locator(".participant")).to_contain_text("한참가")
    with phone.expect_navigation():
        phone.locator("#qr-checkin button[type=submit]").click()
    expect(phone.locator(".messages .message.success")).to_contain_text("한참가")
    expect(phone.locator("#checked-in")).to_contain_text("한참가")
    assert Attendance.objects.filter(session=session).count() == 1

    # Scanning the same code again: a clear message and no second attendance.
    phone.goto(qr_url)
    with phone.expect_navigation():
        phone.locator("#qr-checkin button[type=submit]").click()
    expect(phone.locator(".messages .message.error")).to_contain_text("한참가")
    assert Attendance.objects.filter(session=session).count() == 1

    # The participant downloads the certificate.
    page.reload()
    with page.expect_download() as download_info:
        card.locator("a.certificate-link").click()
    pdf = open(download_info.value.path(), "rb").read()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    certificate = Certificate.objects.get()
    assert pdf.startswith(b"%PDF") and "한참가" in text and certificate.code in text

    # Anyone can check the code; a forged one is refused.
    visitor = new_page()
    visitor.goto(f"/programs/certificates/verify/?code={certificate.code}")
    expect(visitor.locator("#verified")).to_contain_text("한참가")
    visitor.goto("/programs/certificates/verify/?code=AAAA-BBBB-CCCC-DDDD")
    expect(visitor.locator("#not-verified")).to_be_visible()
