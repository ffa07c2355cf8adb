"""Online exhibition: exhibits of member products, visitor inquiries with a honeypot, a time check
and a rate limit per IP and e-mail; the exhibitor reads and answers them."""

import io
import time

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dongne.core.errors import PermissionDenied, RateLimited, ValidationError
from dongne.network import services as network_services
from dongne.programs import selectors, services
from dongne.programs.models import Exhibit, Inquiry

pytestmark = pytest.mark.django_db


@pytest.fixture
def exhibit(rep, org, secretariat):
    product = network_services.add_product(
        actor=secretariat, organisation_id=org.pk, name="관광 대시보드", category="SaaS"
    )
    return services.create_exhibit(
        actor=rep,
        organisation_id=org.pk,
        data={
            "title": "춘천 관광 대시보드",
            "category": "데이터",
            "description": "관광객 흐름을 한눈에",
            "product": product.pk,
        },
    )


@pytest.fixture(autouse=True)
def _no_wait(settings):
    settings.PROGRAMS_INQUIRY_MIN_SECONDS = 0


def _send(exhibit, **kw):
    data = {
        "actor": None,
        "exhibit_id": exhibit.pk,
        "name": "방문자",
        "email": "visitor@example.kr",
        "message": "가격과 도입 기간이 궁금합니다.",
        "ip_address": "203.0.113.5",
        "form_stamp": selectors.inquiry_form_stamp(),
    }
    data.update(kw)
    return services.send_inquiry(**data)


def test_representative_exhibits_own_products_only(rep, other_org, exhibit):
    assert exhibit.product.name == "관광 대시보드"
    with pytest.raises(PermissionDenied):
        services.create_exhibit(
            actor=rep, organisation_id=other_org.pk, data={"title": "x", "category": "y", "description": "z"}
        )


def test_inquiry_reaches_the_exhibitor_who_answers_by_mail(client, exhibit, rep, org):
    inquiry = _send(exhibit)
    client.force_login(rep)
    page = client.get(f"/programs/exhibition/{exhibit.pk}/").content.decode()
    assert "가격과 도입 기간이 궁금합니다." in page
    mail.outbox.clear()
    client.post(
        f"/programs/exhibition/inquiries/{inquiry.pk}/answer/", {"answer": "견적서를 보내 드리겠습니다."}
    )
    inquiry.refresh_from_db()
    assert inquiry.answered_by == rep
    assert mail.outbox[-1].to == ["visitor@example.kr"] and "견적서" in mail.outbox[-1].body


def test_strangers_do_not_see_inquiries(client, exhibit):
    _send(exhibit)
    assert "가격과 도입" not in client.get(f"/programs/exhibition/{exhibit.pk}/").content.decode()


def test_honeypot_and_fast_forms_are_refused(exhibit, settings):
    with pytest.raises(ValidationError):
        _send(exhibit, honeypot="http://spam.example")
    with pytest.raises(ValidationError):
        _send(exhibit, form_stamp="forged")
    settings.PROGRAMS_INQUIRY_MIN_SECONDS = 60
    with pytest.raises(ValidationError, match="quickly|빨리"):
        _send(exhibit)
    assert not Inquiry.objects.exists()


def test_flood_is_rate_limited_per_ip_and_per_email(exhibit, settings):
    settings.PROGRAMS_INQUIRY_LIMIT = 3
    for n in range(3):
        _send(exhibit, email=f"v{n}@example.kr")
    with pytest.raises(RateLimited):
        _send(exhibit, email="new@example.kr")  # same IP
    for n in range(3):
        _send(exhibit, ip_address=f"198.51.100.{n}", email="same@example.kr")
    with pytest.raises(RateLimited):
        _send(exhibit, ip_address="198.51.100.99", email="same@example.kr")  # same e-mail
    assert Inquiry.objects.count() == 6


def test_inquiry_through_the_page_with_the_honeypot_hidden(client, exhibit):
    page = client.get(f"/programs/exhibition/{exhibit.pk}/").content.decode()
    assert 'name="website"' in page
    import re

    stamp = re.search(r'name="stamp" value="([^"]+)"', page).group(1)
    time.sleep(0)
    client.post(
        f"/programs/exhibition/{exhibit.pk}/",
        {
            "name": "김방문",
            "email": "kim@example.kr",
            "message": "데모를 볼 수 있을까요?",
            "website": "",
            "stamp": stamp,
        },
    )
    assert Inquiry.objects.get().name == "김방문"


def test_exhibit_with_an_image_through_the_page(client, rep, org):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, "PNG")
    client.force_login(rep)
    client.post(
        f"/programs/exhibition/new/{org.pk}/",
        {
            "title": "스마트 관광 키오스크",
            "category": "하드웨어",
            "description": "다국어 안내",
            "image": SimpleUploadedFile("kiosk.png", buffer.getvalue(), content_type="image/png"),
        },
    )
    listing = client.get("/programs/exhibition/?category=하드웨어").content.decode()
    assert "스마트 관광 키오스크" in listing and "<img" in listing
    import re

    src = re.search(r'<img src="([^"]+)"', listing).group(1)
    client.logout()
    image = client.get(src)
    assert image.status_code == 200 and b"".join(image.streaming_content).startswith(b"\x89PNG")


def test_exhibit_form_offers_only_the_organisations_own_products(client, rep, org, other_org, secretariat):
    mine = network_services.add_product(actor=secretariat, organisation_id=org.pk, name="우리 제품")
    theirs = network_services.add_product(actor=secretariat, organisation_id=other_org.pk, name="남의 제품")
    client.force_login(rep)
    page = client.get(f"/programs/exhibition/new/{org.pk}/").content.decode()
    assert "우리 제품" in page and "남의 제품" not in page
    with pytest.raises(ValidationError):
        services.create_exhibit(
            actor=rep,
            organisation_id=org.pk,
            data={"title": "x", "category": "y", "description": "z", "product": theirs.pk},
        )
    client.post(
        f"/programs/exhibition/new/{org.pk}/",
        {"product": mine.pk, "title": "우리 제품 전시", "category": "소프트웨어", "description": "설명"},
    )
    assert Exhibit.objects.get(title="우리 제품 전시").product == mine


def test_unpublished_exhibits_and_their_images_are_hidden(client, exhibit):
    Exhibit.objects.filter(pk=exhibit.pk).update(is_published=False)
    assert client.get(f"/programs/exhibition/{exhibit.pk}/").status_code == 404
    assert "춘천 관광 대시보드" not in client.get("/programs/exhibition/").content.decode()
