"""Importing the member register from CSV (UTF-8, UTF-8 with BOM, CP949) and XLSX: a dry run
reports and writes nothing; any bad row means nothing at all is imported, and the report points
at the row (as Excel numbers it, header = 1) and the column header."""

import datetime as dt
import io
import random
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dongne.core import services as core_services
from dongne.core.errors import NotAuthenticated, PermissionDenied, ValidationError
from dongne.core.models import AuditEntry
from dongne.network import selectors, services
from dongne.network.models import Membership, MembershipEvent, Organisation
from tests.factories import business_number, make_organisation

from .conftest import HEADER, csv_bytes, snapshot, xlsx_bytes

ENCODINGS = {
    "utf-8": lambda rows: (csv_bytes(rows), "members.csv"),
    "utf-8-sig": lambda rows: (csv_bytes(rows, bom=True), "members.csv"),
    "cp949": lambda rows: (csv_bytes(rows, encoding="cp949"), "조합원명부.csv"),
    "xlsx": lambda rows: (xlsx_bytes(rows), "조합원명부.xlsx"),
}


def register_rows():
    """Three organisations as a secretariat types them: a member, an applicant, a non-member."""
    return [
        [
            "봄내아이앤씨",
            business_number(),
            "김민준",
            "2015.03.02",
            "춘천시",
            "신북읍",
            "빅데이터, 관광 플랫폼",
            "생산자",
            "활동",
            "2019.04.15",
        ],
        [
            "소양시스템즈",
            business_number(),
            "이서연",
            "2016-07-01",
            "춘천시",
            "",
            "웹·앱 개발",
            "생산자",
            "신청",
            "20240102",
        ],
        ["의암스마트팜", business_number(), "박도윤", "", "", "", "스마트팜", "", "", ""],
    ]


def run(actor, data, filename, *, dry_run):
    return services.import_members(actor=actor, data=data, filename=filename, dry_run=dry_run)


def problems(excinfo):
    return [(e["row"], e["column"]) for e in excinfo.value.errors]


# --- the happy path ---------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_dry_run_reports_rows_and_encoding_and_writes_nothing(secretariat, encoding):
    data, filename = ENCODINGS[encoding](register_rows())
    before = snapshot()
    report = run(secretariat, data, filename, dry_run=True)
    assert report["dry_run"] is True
    assert report["rows"] == 3 and report["valid"] == 3
    assert report["encoding"] == encoding
    assert report["errors"] == [] and report["created"] == 0
    assert snapshot() == before


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_commit_creates_organisations_and_memberships(secretariat, anonymous, encoding):
    rows = register_rows()
    data, filename = ENCODINGS[encoding](rows)
    report = run(secretariat, data, filename, dry_run=False)
    assert report["created"] == 3 and report["dry_run"] is False and report["encoding"] == encoding

    member = Organisation.objects.get(name="봄내아이앤씨")
    assert member.business_number == rows[0][1]
    assert member.representative == "김민준"
    assert member.founded_on == dt.date(2015, 3, 2)
    assert (member.sigungu_code, member.emd_code) == ("32010", "3201011")  # 춘천시 신북읍, by name
    assert sorted(t.name for t in member.industry_tags.all()) == ["관광 플랫폼", "빅데이터"]
    assert member.membership.status == "active"
    assert member.membership.member_type == "producer"
    assert member.membership.activated_on == dt.date(2019, 4, 15)

    applicant = Organisation.objects.get(name="소양시스템즈")
    assert applicant.membership.status == "applied"
    assert applicant.membership.applied_on == dt.date(2024, 1, 2)
    assert applicant.founded_on == dt.date(2016, 7, 1)

    outsider = Organisation.objects.get(name="의암스마트팜")
    assert not Membership.objects.filter(organisation=outsider).exists()

    # The member's history starts with the import, by the person who imported.
    event = MembershipEvent.objects.get(membership=member.membership)
    assert (event.to_status, event.on, event.actor) == ("active", dt.date(2019, 4, 15), secretariat)
    entry = AuditEntry.objects.get(action="network.members.imported")
    assert entry.actor == secretariat and entry.data["created"] == 3
    assert AuditEntry.objects.filter(action="network.organisation.created").count() == 3

    # Imported organisations are searchable at once, by the public too.
    assert [o.name for o in selectors.directory(anonymous, q="봄내아이앤씨")] == ["봄내아이앤씨"]
    assert "의암스마트팜" in [o.name for o in selectors.directory(anonymous, q="스마트팜")]
    assert [o.name for o in selectors.directory(secretariat, status="active")] == ["봄내아이앤씨"]


def test_xlsx_with_typed_cells_as_excel_saves_them(secretariat):
    """In a real workbook dates are date cells and numbers are number cells."""
    number = business_number()
    rows = [
        [
            "봄내아이앤씨",
            int(number.replace("-", "")),
            "김민준",
            dt.datetime(2015, 3, 2),
            "춘천시",
            "",
            "",
            "생산자",
            "활동",
            dt.date(2019, 4, 15),
        ]
    ]
    report = run(secretariat, xlsx_bytes(rows), "명부.xlsx", dry_run=False)
    assert report["created"] == 1
    org = Organisation.objects.get(name="봄내아이앤씨")
    assert org.business_number == number
    assert org.founded_on == dt.date(2015, 3, 2)
    assert org.membership.activated_on == dt.date(2019, 4, 15)


def test_english_headers_and_extra_columns_are_accepted(secretariat):
    data = csv_bytes(
        [["강촌레저", "local_business", "N", "메모는 무시"]],
        header=["name", "kind", "public", "비고"],
    )
    assert run(secretariat, data, "members.csv", dry_run=False)["created"] == 1
    org = Organisation.objects.get(name="강촌레저")
    assert org.kind == "local_business" and org.is_public is False


def test_tab_separated_text_is_read(secretariat):
    data = f"기관명\t사업자등록번호\t대표자\n구봉테크\t{business_number()}\t최지우\n".encode("cp949")
    report = run(secretariat, data, "members.txt", dry_run=False)
    assert report["created"] == 1 and report["encoding"] == "cp949"
    assert Organisation.objects.get(name="구봉테크").representative == "최지우"


# --- one bad row: nothing is imported -----------------------------------------------------------------
def _with_bad_check_digit(rows):
    number = rows[1][1]
    rows[1][1] = number[:-1] + str((int(number[-1]) + 1) % 10)
    return [(3, "사업자등록번호")]


def _with_bad_joined_date(rows):
    rows[2][9] = "2024.13.01"
    rows[2][7] = "소비자"
    return [(4, "가입일")]


def _with_bad_founding_date(rows):
    rows[0][3] = "2024.13.01"
    return [(2, "설립일")]


def _with_duplicate_in_file(rows):
    rows[2][1] = rows[0][1].replace("-", "")  # the same number, typed without hyphens
    return [(4, "사업자등록번호")]


def _with_number_already_registered(rows, secretariat):
    make_organisation(secretariat, name="먼저등록된기업", business_number=rows[1][1])
    return [(3, "사업자등록번호")]


def _with_unknown_region(rows):
    rows[1][4] = "서울시"
    return [(3, "시군구")]


def _with_emd_of_another_sigungu(rows):
    rows[0][5] = "주문진읍"  # in 강릉시, not 춘천시
    return [(2, "읍면동")]


def _with_unknown_member_type(rows):
    rows[0][7] = "주주"
    return [(2, "조합원유형")]


def _with_missing_name(rows):
    rows[1][0] = ""
    return [(3, "기관명")]


BAD_ROWS = [
    _with_bad_check_digit,
    _with_bad_joined_date,
    _with_bad_founding_date,
    _with_duplicate_in_file,
    _with_number_already_registered,
    _with_unknown_region,
    _with_emd_of_another_sigungu,
    _with_unknown_member_type,
    _with_missing_name,
]


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "commit"])
@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("spoil", BAD_ROWS, ids=[f.__name__[6:] for f in BAD_ROWS])
def test_one_bad_row_imports_nothing_and_points_at_row_and_column(secretariat, spoil, encoding, dry_run):
    rows = register_rows()
    if spoil is _with_number_already_registered:
        expected = spoil(rows, secretariat)
    else:
        expected = spoil(rows)
    data, filename = ENCODINGS[encoding](rows)
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        run(secretariat, data, filename, dry_run=dry_run)
    assert excinfo.value.code == "import_invalid"
    assert problems(excinfo) == expected
    assert all(e["message"] for e in excinfo.value.errors)
    assert snapshot() == before
    # Not even the valid rows were imported.
    assert not Organisation.objects.filter(name__in=["봄내아이앤씨", "소양시스템즈", "의암스마트팜"]).exists()


def test_every_problem_is_listed_in_row_order(secretariat):
    rows = register_rows()
    _with_bad_founding_date(rows)
    _with_bad_check_digit(rows)
    _with_bad_joined_date(rows)
    with pytest.raises(ValidationError) as excinfo:
        run(secretariat, csv_bytes(rows), "members.csv", dry_run=True)
    assert problems(excinfo) == [(2, "설립일"), (3, "사업자등록번호"), (4, "가입일")]


def test_row_numbers_match_excel_when_the_file_has_blank_lines(secretariat):
    rows = register_rows()
    _with_bad_joined_date(rows)
    # A blank line between the first and second data rows: Excel shows it as row 3.
    rows.insert(1, [""] * len(HEADER))
    with pytest.raises(ValidationError) as excinfo:
        run(secretariat, csv_bytes(rows), "members.csv", dry_run=True)
    assert problems(excinfo) == [(5, "가입일")]
    with pytest.raises(ValidationError) as excinfo:
        run(
            secretariat,
            xlsx_bytes([[None] * len(HEADER) if not any(r) else r for r in rows]),
            "m.xlsx",
            dry_run=True,
        )
    assert problems(excinfo) == [(5, "가입일")]


def test_a_fixed_file_imports_after_a_failed_attempt(secretariat):
    rows = register_rows()
    good = [list(r) for r in rows]
    _with_bad_check_digit(rows)
    with pytest.raises(ValidationError):
        run(secretariat, csv_bytes(rows), "members.csv", dry_run=False)
    assert run(secretariat, csv_bytes(good), "members.csv", dry_run=False)["created"] == 3
    # Importing the same register again finds every number already registered.
    with pytest.raises(ValidationError) as excinfo:
        run(secretariat, csv_bytes(good), "members.csv", dry_run=True)
    assert problems(excinfo) == [(2, "사업자등록번호"), (3, "사업자등록번호"), (4, "사업자등록번호")]
    assert Organisation.objects.count() == 3


# --- malformed files ------------------------------------------------------------------------------------
def _corrupt_xlsx():
    data = xlsx_bytes(register_rows())
    return data[: len(data) // 2]


def _zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "엑셀 파일이 아닙니다")
    return buffer.getvalue()


MALFORMED = {
    "random-binary": (random.Random(2018).randbytes(4096), "members.csv", "bad_file"),
    "empty": (b"", "members.csv", "empty_file"),
    "only-blank-lines": (b"\r\n\r\n ,  , \r\n", "members.csv", "empty_file"),
    "header-without-name": (
        csv_bytes([["김민준", "2015.03.02"]], header=["대표자", "설립일"]),
        "members.csv",
        "bad_header",
    ),
    "truncated-xlsx": (_corrupt_xlsx(), "members.xlsx", "bad_file"),
    "zip-not-xlsx": (_zip_that_is_not_a_workbook(), "members.xlsx", "bad_file"),
    "neither-utf8-nor-cp949": (
        "기관명\r\n봄내\r\n".encode() + b"\xff\xfe\x80\x81 \r\n",
        "members.csv",
        "bad_encoding",
    ),
    "utf-16": ("기관명\r\n봄내\r\n".encode("utf-16"), "members.csv", "bad_encoding"),
    "pdf": (b"%PDF-1.4\n" + bytes(range(256)) * 4, "members.pdf", "bad_file_type"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "commit"])
def test_malformed_file_is_refused_with_a_specific_code(secretariat, case, dry_run):
    data, filename, code = MALFORMED[case]
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        run(secretariat, data, filename, dry_run=dry_run)
    assert excinfo.value.code == code
    assert excinfo.value.status == 400
    assert snapshot() == before


# --- who may import --------------------------------------------------------------------------------------
@pytest.mark.parametrize("role_fixture", ["chair", "auditor", "rep", "partner_user"])
def test_only_the_secretariat_imports(request, role_fixture):
    actor = request.getfixturevalue(role_fixture)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        run(actor, csv_bytes(register_rows()), "members.csv", dry_run=False)
    assert snapshot() == before


def test_the_public_cannot_import(anonymous, db):
    with pytest.raises(NotAuthenticated):
        run(anonymous, csv_bytes(register_rows()), "members.csv", dry_run=False)
    assert Organisation.objects.count() == 0


# --- the import page -----------------------------------------------------------------------------------------
def upload(data, filename):
    return SimpleUploadedFile(filename, data, content_type="application/octet-stream")


def test_import_page_dry_run_then_commit(client, secretariat):
    client.force_login(secretariat)
    assert client.get("/network/import/").status_code == 200
    data = csv_bytes(register_rows(), encoding="cp949")

    response = client.post("/network/import/", {"file": upload(data, "명부.csv"), "dry_run": "on"})
    assert response.status_code == 200
    report = response.context["report"]
    assert (report["rows"], report["encoding"], report["dry_run"]) == (3, "cp949", True)
    assert Organisation.objects.count() == 0

    response = client.post("/network/import/", {"file": upload(data, "명부.csv")})
    assert response.status_code == 200
    assert response.context["report"]["created"] == 3
    assert Organisation.objects.count() == 3
    assert Membership.objects.get(organisation__name="봄내아이앤씨").status == "active"


def test_import_page_lists_problems_and_imports_nothing(client, secretariat):
    client.force_login(secretariat)
    rows = register_rows()
    _with_bad_joined_date(rows)
    response = client.post("/network/import/", {"file": upload(xlsx_bytes(rows), "명부.xlsx")})
    assert response.status_code == 200
    assert [(e["row"], e["column"]) for e in response.context["errors"]["rows"]] == [(4, "가입일")]
    body = response.content.decode()
    assert "<td>4</td><td>가입일</td>" in body
    assert Organisation.objects.count() == 0


def test_import_page_reports_a_malformed_file(client, secretariat):
    client.force_login(secretariat)
    response = client.post("/network/import/", {"file": upload(b"\xff\xfe\x80\x81 ", "명부.csv")})
    assert response.status_code == 200
    assert response.context["errors"]["message"]
    assert response.context["errors"]["rows"] == []
    assert Organisation.objects.count() == 0


def test_import_page_is_for_the_secretariat(client, rep, chair):
    before = snapshot()
    assert client.get("/network/import/").status_code == 302  # to the login page
    for user in (rep, chair):
        client.force_login(user)
        assert client.get("/network/import/").status_code == 403
        response = client.post("/network/import/", {"file": upload(csv_bytes(register_rows()), "m.csv")})
        assert response.status_code in (302, 403)
    assert snapshot() == before


# --- the API ---------------------------------------------------------------------------------------------------
def bearer(user):
    token = core_services.create_api_token(actor=user, name="명부 동기화")
    return {"HTTP_AUTHORIZATION": f"Bearer {token.raw_token}"}


def test_api_import_dry_run_and_commit(client, secretariat):
    headers = bearer(secretariat)
    data = csv_bytes(register_rows(), bom=True)
    response = client.post(
        "/api/v1/network/members/import", {"file": upload(data, "members.csv"), "dry_run": "true"}, **headers
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rows"], body["valid"], body["created"], body["encoding"]) == (3, 3, 0, "utf-8-sig")
    assert Organisation.objects.count() == 0

    response = client.post(
        "/api/v1/network/members/import", {"file": upload(data, "members.csv"), "dry_run": "false"}, **headers
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 3
    assert Organisation.objects.count() == 3


def test_api_import_reports_rows_and_columns(client, secretariat):
    rows = register_rows()
    _with_duplicate_in_file(rows)
    response = client.post(
        "/api/v1/network/members/import",
        {"file": upload(csv_bytes(rows), "members.csv"), "dry_run": "false"},
        **bearer(secretariat),
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_invalid"
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(4, "사업자등록번호")]
    assert Organisation.objects.count() == 0


def test_api_import_malformed_file(client, secretariat):
    response = client.post(
        "/api/v1/network/members/import",
        {"file": upload(_corrupt_xlsx(), "members.xlsx"), "dry_run": "false"},
        **bearer(secretariat),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_file"


def test_api_import_refuses_others(client, rep):
    before = snapshot()
    data = csv_bytes(register_rows())
    response = client.post(
        "/api/v1/network/members/import", {"file": upload(data, "m.csv"), "dry_run": "false"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    response = client.post(
        "/api/v1/network/members/import", {"file": upload(data, "m.csv"), "dry_run": "false"}, **bearer(rep)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Organisation.objects.count() == before["organisations"]
