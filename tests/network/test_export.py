"""Exporting the register: CSV that Korean Excel opens (UTF-8 with BOM, Korean header row), XLSX,
and the same data read back; officers only."""

import csv
import io

import pytest
from openpyxl import load_workbook

from dongne.core import services as core_services
from dongne.core.errors import ValidationError
from dongne.network import imports, services
from dongne.network.models import Membership, Organisation
from tests.factories import business_number, corporate_number, make_organisation

from .conftest import drive

KOREAN_HEADER = [ko for _field, ko, _en in imports.COLUMNS]


@pytest.fixture
def register(secretariat, org, other_org):
    """Three organisations: an active member with both numbers, an applicant, a private non-member
    whose name and description carry commas, quotes and a line break."""
    services.update_organisation(
        actor=secretariat,
        organisation_id=org.pk,
        data={
            "business_number": business_number(),
            "corporate_number": corporate_number(),
            "founded_on": "2017.05.08",
            "sigungu_code": "32010",
            "emd_code": "3201011",
            "industry_tags": ["빅데이터", "관광 플랫폼"],
        },
    )
    drive(secretariat, org, "active")
    services.update_organisation(
        actor=secretariat, organisation_id=other_org.pk, data={"business_number": business_number()}
    )
    drive(secretariat, other_org, "applied")
    tricky = make_organisation(
        secretariat,
        name='(주)"강촌" 레저, 관광',
        description="카약 체험\n패들보드 대여",
        business_number=business_number(),
        is_public=False,
    )
    return [org, other_org, tricky]


def parse_csv(body):
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"), newline="")))


def test_csv_export_opens_in_korean_excel_and_reads_back(client, secretariat, register):
    client.force_login(secretariat)
    response = client.get("/network/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # Excel's hint that the file is UTF-8
    assert b"\r\n" in body
    rows = parse_csv(body)
    assert rows[0] == KOREAN_HEADER
    by_name = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {o.name for o in register}
    for org in register:
        org.refresh_from_db()
        assert by_name[org.name]["사업자등록번호"] == org.business_number
        assert by_name[org.name]["법인등록번호"] == (org.corporate_number or "")
    member = by_name["봄내데이터랩"]
    assert (member["조합원상태"], member["조합원유형"], member["가입일"]) == ("활동", "생산자", "2024-04-01")
    assert (member["시군구"], member["읍면동"]) == ("춘천시", "신북읍")
    assert member["설립일"] == "2017-05-08"
    assert by_name["소양소프트"]["조합원상태"] == "신청"
    assert by_name['(주)"강촌" 레저, 관광']["소개"] == "카약 체험\n패들보드 대여"
    assert by_name['(주)"강촌" 레저, 관광']["공개"] == "N"


def test_exported_csv_is_a_valid_import_file(client, secretariat, register):
    """What the export writes, the import reads: here every number is already registered, so the
    dry run points at each data row's 사업자등록번호 (nothing is lost or misaligned on the way)."""
    client.force_login(secretariat)
    body = client.get("/network/export.csv").content
    with pytest.raises(ValidationError) as excinfo:
        services.import_members(actor=secretariat, data=body, filename="export.csv", dry_run=True)
    columns = {(e["row"], e["column"]) for e in excinfo.value.errors}
    assert {(row, "사업자등록번호") for row in (2, 3, 4)} <= columns


def test_xlsx_export_opens_with_openpyxl(client, secretariat, register):
    client.force_login(secretariat)
    response = client.get("/network/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    assert rows[0] == KOREAN_HEADER
    names = {r[0] for r in rows[1:]}
    assert names == {o.name for o in register}
    for org in register:
        org.refresh_from_db()
    assert {r[3] for r in rows[1:]} == {o.business_number for o in register}


def test_export_roundtrips_into_an_empty_register(client, secretariat, register):
    """Re-importing an export after the originals were renamed away: same names, same numbers."""
    client.force_login(secretariat)
    body = client.get("/network/export.xlsx").content
    expected = sorted((o.name, o.business_number) for o in Organisation.objects.all())
    Membership.objects.all().delete()
    Organisation.objects.all().delete()
    report = services.import_members(actor=secretariat, data=body, filename="export.xlsx", dry_run=False)
    assert report["created"] == 3
    assert sorted((o.name, o.business_number) for o in Organisation.objects.all()) == expected
    assert Organisation.objects.get(name="봄내데이터랩").membership.status == "active"


def test_unknown_export_format_is_not_found(client, secretariat):
    client.force_login(secretariat)
    assert client.get("/network/export.pdf").status_code == 404


def test_export_is_refused_to_the_public_and_members(client, rep, partner_user, register):
    response = client.get("/network/export.csv")
    assert response.status_code == 302 and "/login" in response["Location"]
    for user in (rep, partner_user):
        client.force_login(user)
        for fmt in ("csv", "xlsx"):
            response = client.get(f"/network/export.{fmt}")
            assert response.status_code == 403
            assert not response.content.startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("role_fixture", ["chair", "auditor"])
def test_officers_may_export(client, request, role_fixture, register):
    client.force_login(request.getfixturevalue(role_fixture))
    assert parse_csv(client.get("/network/export.csv").content)[0] == KOREAN_HEADER


def test_api_export_for_the_secretariat(client, secretariat, register):
    token = core_services.create_api_token(actor=secretariat, name="엑셀 내보내기").raw_token
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.get("/api/v1/network/members/export?format=xlsx", **headers)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == KOREAN_HEADER and len(rows) == 4

    response = client.get("/api/v1/network/members/export?format=csv", **headers)
    assert response.status_code == 200
    assert len(parse_csv(response.content)) == 4

    response = client.get("/api/v1/network/members/export?format=pdf", **headers)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_format"


def test_api_export_refuses_the_public_and_members(client, rep, register):
    response = client.get("/api/v1/network/members/export?format=csv")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    token = core_services.create_api_token(actor=rep, name="내 토큰").raw_token
    response = client.get("/api/v1/network/members/export?format=xlsx", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


FORMULA_NAME = '=HYPERLINK("http://example.com","클릭")'


def test_exported_text_is_never_run_as_a_formula(client, secretariat, rep, org):
    """A representative controls their profile text; the secretariat opening the export in Excel
    must see that text, not run it (CSV/formula injection), and the import must read it back."""
    services.update_organisation(
        actor=rep,
        organisation_id=org.pk,
        data={"name": FORMULA_NAME, "description": "- 관광 앱\n- 예약 시스템"},
    )
    client.force_login(secretariat)

    rows = parse_csv(client.get("/network/export.csv").content)
    record = dict(zip(rows[0], rows[1], strict=True))
    assert not record["기관명"].startswith(("=", "+", "-", "@"))
    assert not record["소개"].startswith(("=", "+", "-", "@"))
    assert FORMULA_NAME in record["기관명"]

    workbook = load_workbook(
        io.BytesIO(client.get("/network/export.xlsx").content), read_only=True, data_only=True
    )
    cells = list(workbook.worksheets[0].iter_rows(values_only=True))[1]
    assert cells[0] == FORMULA_NAME  # a text cell: a formula cell would read back as None

    for fmt in ("csv", "xlsx"):
        body = client.get(f"/network/export.{fmt}").content
        Organisation.objects.all().delete()
        services.import_members(actor=secretariat, data=body, filename=f"export.{fmt}", dry_run=False)
        restored = Organisation.objects.get()
        assert (restored.name, restored.description) == (FORMULA_NAME, "- 관광 앱\n- 예약 시스템"), fmt
