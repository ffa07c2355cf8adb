"""Uploaded files are checked by size and content, and never served from the site's origin as HTML (issue 9)."""

import importlib
import io
import re
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

import dongne
from dongne.core import uploads
from dongne.network import services as network_services
from dongne.network.models import MouDocument
from dongne.opportunities.models import Attachment
from dongne.programs import services as programs_services
from tests.factories import make_organisation
from tests.opportunities.factories import make_opportunity

PACKAGE = Path(dongne.__file__).resolve().parent
HTML = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/core/me')</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return buffer.getvalue()


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def refused(kind, name, data, **kwargs):
    with pytest.raises(ValidationError) as excinfo:
        uploads.check_upload(upload(name, data), kind, **kwargs)
    return excinfo.value


ACCEPTED = [
    ("document", "협약서.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
    ("document", "사진.png", png_bytes()),
    ("document", "사진.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
    ("document", "사진.gif", b"GIF89a\x01\x00\x01\x00"),
    ("document", "사진.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 "),
    ("document", "신청서.hwp", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32),
    ("document", "계획서.docx", b"PK\x03\x04\x14\x00\x06\x00"),
    ("document", "명단.csv", "이름,회사\n김철수,봄내\n".encode()),
    ("image", "kiosk.png", png_bytes()),
    ("data", "방문객.csv", "일자,방문객\n2024-01-01,10\n".encode("cp949")),
    ("data", "방문객.tsv", "일자\t방문객\n".encode("utf-16")),
    ("data", "방문객.json", b'[{"a": 1}]'),
    ("data", "방문객.jsonl", b'{"a": 1}\n{"a": 2}\n'),
    ("data", "방문객.parquet", b"PAR1\x15\x04"),
    ("data", "방문객.xlsx", b"PK\x03\x04\x14\x00"),
    ("table", "명부.xlsx", b"PK\x03\x04\x14\x00"),
]


@pytest.mark.parametrize(("kind", "name", "data"), ACCEPTED, ids=[a[1] for a in ACCEPTED])
def test_real_files_of_each_allowed_kind_pass(kind, name, data):
    uploads.check_upload(upload(name, data), kind)


REFUSED = [
    ("document", "협약서.pdf", HTML, "file_content"),  # a web page renamed to .pdf
    ("document", "page.html", HTML, "file_type"),
    ("document", "logo.svg", SVG, "file_type"),
    ("image", "logo.png", SVG, "file_content"),  # SVG with script renamed to .png
    ("document", "계획서.docx", b"MZ\x90\x00\x03\x00", "file_content"),  # a Windows program
    ("document", "run.sh", b"#!/bin/sh\nrm -rf /", "file_type"),
    ("document", "setup.exe", b"MZ\x90\x00", "file_type"),
    ("document", "note.txt", b"#!/bin/sh\necho", "file_content"),
    ("image", "협약서.pdf", b"%PDF-1.4", "file_type"),  # a PDF is not an exhibit picture
    ("data", "방문객.csv", b"\n  <html><script>alert(1)</script>", "file_content"),
    ("data", "방문객.json", b'{"a": "<script>alert(1)</script>"}', "file_content"),
    ("data", "방문객.parquet", b"a,b\n1,2\n", "file_content"),
    ("table", "명부.csv", b"\x7fELF\x02\x01\x01", "file_content"),
    ("document", "빈파일.pdf", b"", "empty"),
]


@pytest.mark.parametrize(("kind", "name", "data", "code"), REFUSED, ids=[f"{r[1]}-{r[3]}" for r in REFUSED])
def test_html_svg_scripts_programs_and_impostors_are_refused(kind, name, data, code):
    assert refused(kind, name, data).code == code


def test_the_refusal_says_what_to_do_in_korean():
    with translation.override("ko"):
        message = " ".join(refused("document", "협약서.pdf", HTML).messages)
    assert ".pdf" in message and re.search("[가-힣]", message)
    with translation.override("en"):
        assert "web pages" in " ".join(refused("document", "협약서.pdf", HTML).messages)


def test_size_limits_come_from_the_settings(settings):
    settings.UPLOAD_MAX_MB = 1
    big_pdf = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1)
    error = refused("document", "big.pdf", big_pdf)
    assert error.code == "too_large" and error.params["limit"] == 1
    settings.UPLOAD_MAX_MB = 2
    uploads.check_upload(upload("big.pdf", big_pdf), "document")
    settings.DATA_UPLOAD_MAX_MB = 1
    assert refused("data", "big.csv", b"a\n" * (600 * 1024)).code == "too_large"


def test_an_empty_data_file_goes_on_to_the_ingest_which_explains_it():
    uploads.check_upload(upload("빈파일.csv", b""), "data", allow_empty=True)


def _form_classes():
    for path in sorted(PACKAGE.glob("*/forms.py")):
        module = importlib.import_module(f"dongne.{path.parent.name}.forms")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                yield value


def test_every_upload_field_of_every_form_is_checked():
    fields = []
    for form_class in _form_classes():
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.FileField):
                kinds = [getattr(v, "kind", None) for v in field.validators]
                assert any(kinds), (
                    f"{form_class.__module__}.{form_class.__name__}.{name} has no uploads.validator"
                )
                fields.append(f"{form_class.__module__.split('.')[1]}.{form_class.__name__}.{name}")
    # MOU documents, register import, datahub upload, opportunity and consortium files, article attachments,
    # exhibit pictures, tenancy application documents.
    assert {f.split(".")[0] for f in fields} >= {"network", "datahub", "opportunities", "programs", "spaces"}


def test_no_view_serves_a_stored_upload_except_through_the_safe_response():
    offenders = []
    for path in sorted(PACKAGE.glob("*/views.py")) + sorted(PACKAGE.glob("*/api.py")):
        source = path.read_text(encoding="utf-8")
        if re.search(r"\.(file|image|document)\.open\(", source) or re.search(
            r"\.(file|image)\.url\b", source
        ):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


# --- through the pages --------------------------------------------------------------------------------------


@pytest.fixture
def mou(secretariat):
    partner = make_organisation(secretariat, kind="partner", name="강원디자인진흥원")
    return network_services.create_mou(
        actor=secretariat, partner_id=partner.pk, data={"title": "업무협약", "signed_on": "2020.11.23"}
    )


def test_a_web_page_renamed_to_pdf_is_refused_on_the_mou_page(client, secretariat, mou):
    client.force_login(secretariat)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ko"
    response = client.post(
        f"/network/mous/{mou.pk}/documents/",
        {"title": "협약서", "file": upload("협약서.pdf", HTML)},
        follow=True,
    )
    assert not MouDocument.objects.exists()
    assert "협약서.pdf" not in response.content.decode() and ".pdf" in response.content.decode()
    client.post(
        f"/network/mous/{mou.pk}/documents/", {"title": "협약서", "file": upload("협약서.pdf", b"%PDF-1.4 x")}
    )
    assert MouDocument.objects.count() == 1


def served(response):
    return b"".join(response.streaming_content)


def test_an_html_file_stored_before_the_check_is_served_as_an_inert_download(client, secretariat, mou):
    # Files uploaded before this check existed (or put there by hand) must not become pages on our origin.
    document = MouDocument.objects.create(mou=mou, title="옛 파일", file=ContentFile(HTML, name="old.html"))
    client.force_login(secretariat)
    response = client.get(f"/network/mous/documents/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert served(response) == HTML


def test_a_pdf_is_a_pdf_download(client, secretariat, mou):
    document = MouDocument.objects.create(
        mou=mou, title="협약서", file=ContentFile(b"%PDF-1.4 x", name="협약서.pdf")
    )
    client.force_login(secretariat)
    response = client.get(f"/network/mous/documents/{document.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_pdf_named_file_with_html_inside_is_not_served_as_pdf(client, secretariat, mou):
    document = MouDocument.objects.create(mou=mou, title="가짜", file=ContentFile(HTML, name="fake.pdf"))
    client.force_login(secretariat)
    response = client.get(f"/network/mous/documents/{document.pk}/")
    assert response["Content-Type"] == "application/octet-stream"


def test_opportunity_files_are_downloaded_through_the_site_not_from_media(client, secretariat):
    opp = make_opportunity(secretariat, title="첨부 있는 공고", deadline="상시")
    client.force_login(secretariat)
    client.post(
        f"/opportunities/{opp.pk}/attachments/", {"title": "웹페이지", "file": upload("form.hwp", HTML)}
    )
    assert not Attachment.objects.exists()
    hwp = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32
    client.post(
        f"/opportunities/{opp.pk}/attachments/", {"title": "신청서 양식", "file": upload("form.hwp", hwp)}
    )
    attachment = Attachment.objects.get()
    page = client.get(f"/opportunities/{opp.pk}/").content.decode()
    assert f"/opportunities/attachments/{attachment.pk}/" in page and "/media/" not in page
    api = client.get(f"/api/v1/opportunities/opportunities/{opp.pk}").json()
    assert api["attachments"] == [
        {"title": "신청서 양식", "url": f"/opportunities/attachments/{attachment.pk}/"}
    ]
    client.logout()  # a public opportunity's files are public
    response = client.get(f"/opportunities/attachments/{attachment.pk}/")
    assert response.status_code == 200 and served(response) == hwp
    assert response["Content-Type"] == "application/x-hwp"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_exhibit_pictures_are_shown_inline_but_an_svg_never_gets_in(client, rep, org, secretariat):
    exhibit = programs_services.create_exhibit(
        actor=rep,
        organisation_id=org.pk,
        data={"title": "키오스크", "category": "하드웨어", "description": "x"},
    )
    client.force_login(rep)
    response = client.post(
        f"/programs/exhibition/new/{org.pk}/",
        {"title": "로고", "category": "하드웨어", "description": "x", "image": upload("logo.png", SVG)},
    )
    assert response.status_code == 200  # the form again, with the reason
    programs_services.add_exhibit_image(
        actor=rep, exhibit_id=exhibit.pk, image=SimpleUploadedFile("kiosk.png", png_bytes())
    )
    picture = exhibit.images.get()
    response = client.get(f"/programs/exhibition/images/{picture.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_every_file_field_in_the_admin_is_checked_too(rf, secretariat):
    from django.contrib import admin
    from django.db import models

    request = rf.get("/admin/")
    request.user = secretariat
    checked = []
    for model_admin in admin.site._registry.values():
        for holder in [model_admin, *model_admin.get_inline_instances(request)]:
            for db_field in holder.model._meta.get_fields():
                if isinstance(db_field, models.FileField):
                    if db_field.name in (holder.get_readonly_fields(request) or ()):
                        continue
                    formfield = holder.formfield_for_dbfield(db_field, request)
                    if formfield is None:
                        continue
                    label = f"{holder.model._meta.label}.{db_field.name}"
                    assert any(getattr(v, "kind", None) for v in formfield.validators), label
                    checked.append(label)
    assert len(checked) >= 6


def test_the_register_import_api_refuses_a_web_page_and_an_oversized_file(client, secretariat, settings):
    client.force_login(secretariat)
    response = client.post(
        "/api/v1/network/members/import", {"file": upload("명부.csv", HTML), "dry_run": "true"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "file_content" and "file" in body["errors"]
    settings.UPLOAD_MAX_MB = 1
    big = ("이름,사업자등록번호\n" + "가" * (1024 * 1024)).encode()
    response = client.post(
        "/api/v1/network/members/import", {"file": upload("명부.csv", big), "dry_run": "true"}
    )
    assert response.status_code == 400 and response.json()["code"] == "too_large"


def test_the_register_import_api_still_refuses_the_public_before_looking_at_the_file(client):
    response = client.post(
        "/api/v1/network/members/import", {"file": upload("명부.csv", HTML), "dry_run": "true"}
    )
    assert response.status_code in (401, 403)
