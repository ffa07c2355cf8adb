"""Member register import and export: the columns a secretariat keeps in its spreadsheet."""

import csv
import io

from django.utils.translation import gettext_lazy as _

from dongne.core.korean import parse_korean_date
from dongne.core.regions import emd, sigungu

from .choices import MembershipStatus, MemberType, OrganisationKind

# (field, Korean header, English header). The Korean header is what exports write.
COLUMNS = [
    ("name", "기관명", "name"),
    ("name_en", "영문명", "name_en"),
    ("kind", "기관유형", "kind"),
    ("business_number", "사업자등록번호", "business_number"),
    ("corporate_number", "법인등록번호", "corporate_number"),
    ("representative", "대표자", "representative"),
    ("founded_on", "설립일", "founded_on"),
    ("address", "주소", "address"),
    ("sigungu_code", "시군구", "sigungu"),
    ("emd_code", "읍면동", "emd"),
    ("employees", "종업원수", "employees"),
    ("industry_tags", "업종", "industries"),
    ("capability_tags", "역량", "capabilities"),
    ("products_services", "제품·서비스", "products_services"),
    ("description", "소개", "description"),
    ("homepage", "홈페이지", "homepage"),
    ("phone", "전화", "phone"),
    ("email", "이메일", "email"),
    ("is_public", "공개", "public"),
    ("member_type", "조합원유형", "member_type"),
    ("membership_status", "조합원상태", "membership_status"),
    ("joined_on", "가입일", "joined_on"),
]
HEADER_TO_FIELD = {}
for _field, _ko, _en in COLUMNS:
    HEADER_TO_FIELD[_ko] = _field
    HEADER_TO_FIELD[_en] = _field
    HEADER_TO_FIELD[_field] = _field
FIELD_TO_HEADER = {field: ko for field, ko, _en in COLUMNS}

KIND_LABELS = {
    "조합원사": OrganisationKind.MEMBER_COMPANY,
    "조합원기업": OrganisationKind.MEMBER_COMPANY,
    "회원사": OrganisationKind.MEMBER_COMPANY,
    "자문기관": OrganisationKind.ADVISORY,
    "협약기관": OrganisationKind.PARTNER,
    "대학": OrganisationKind.UNIVERSITY,
    "공공기관": OrganisationKind.PUBLIC_BODY,
    "지역사업자": OrganisationKind.LOCAL_BUSINESS,
}
KIND_EXPORT = {
    OrganisationKind.MEMBER_COMPANY: "조합원사",
    OrganisationKind.ADVISORY: "자문기관",
    OrganisationKind.PARTNER: "협약기관",
    OrganisationKind.UNIVERSITY: "대학",
    OrganisationKind.PUBLIC_BODY: "공공기관",
    OrganisationKind.LOCAL_BUSINESS: "지역사업자",
}
MEMBER_TYPE_LABELS = {
    "생산자": MemberType.PRODUCER,
    "소비자": MemberType.CONSUMER,
    "직원": MemberType.EMPLOYEE,
    "자원봉사자": MemberType.VOLUNTEER,
    "후원자": MemberType.SUPPORTER,
}
MEMBER_TYPE_EXPORT = {v: k for k, v in MEMBER_TYPE_LABELS.items()}
STATUS_LABELS = {
    "신청": MembershipStatus.APPLIED,
    "가입신청": MembershipStatus.APPLIED,
    "활동": MembershipStatus.ACTIVE,
    "정상": MembershipStatus.ACTIVE,
}
STATUS_EXPORT = {
    MembershipStatus.APPLIED: "신청",
    MembershipStatus.APPROVED: "승인",
    MembershipStatus.ACTIVE: "활동",
    MembershipStatus.WITHDRAWING: "탈퇴신청",
    MembershipStatus.WITHDRAWN: "탈퇴",
    MembershipStatus.EXPELLED: "제명",
    MembershipStatus.REJECTED: "거절",
}
TRUE_WORDS = {"y", "yes", "true", "1", "예", "공개", "o"}
FALSE_WORDS = {"n", "no", "false", "0", "아니오", "비공개", "x"}


# Text starting with one of these is run as a formula by Excel (CSV injection); exports guard it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        text = text[1:]  # the apostrophe export_csv put in front of formula-like text
    return text.strip()


def _csv_text(value):
    """A CSV cell Excel shows as text: formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_START):
        # Formula-like text, also behind apostrophes of its own ('=x): _cell takes exactly one off.
        return "'" + value
    return value


def map_row(raw):
    """Turn one row's {field: text} into service data plus membership fields, or field errors."""
    errors = {}
    data = {}
    for field, value in raw.items():
        if field in ("member_type", "membership_status", "joined_on"):
            continue
        data[field] = value
    kind = raw.get("kind", "")
    if kind:
        data["kind"] = KIND_LABELS.get(kind, kind)
    else:
        data["kind"] = OrganisationKind.MEMBER_COMPANY
    if raw.get("sigungu_code"):
        value = raw["sigungu_code"]
        by_name = {name: code for code, name in sigungu().items()}
        data["sigungu_code"] = by_name.get(
            value, by_name.get(value.replace("강원도 ", "").replace("강원특별자치도 ", ""), value)
        )
    if raw.get("emd_code"):
        value = raw["emd_code"]
        sgg = data.get("sigungu_code", "")
        if value not in emd():
            matches = [code for code, (s, name) in emd().items() if name == value and (not sgg or s == sgg)]
            data["emd_code"] = matches[0] if len(matches) == 1 else value
    if "is_public" in raw:
        flag = raw["is_public"].lower()
        if flag in TRUE_WORDS or flag == "":
            data["is_public"] = True
        elif flag in FALSE_WORDS:
            data["is_public"] = False
        else:
            errors["is_public"] = str(_("Write Y or N."))
    membership = None
    member_type = raw.get("member_type", "")
    if member_type:
        mt = MEMBER_TYPE_LABELS.get(member_type.replace("조합원", ""), member_type)
        if mt not in MemberType.values:
            errors["member_type"] = str(
                _("Unknown member type; use 생산자, 소비자, 직원, 자원봉사자 or 후원자.")
            )
        status_text = raw.get("membership_status", "") or "신청"
        status = STATUS_LABELS.get(status_text, status_text)
        if status not in (MembershipStatus.APPLIED, MembershipStatus.ACTIVE):
            errors["membership_status"] = str(_("Import accepts the status 신청 (applied) or 활동 (active)."))
        joined = None
        if raw.get("joined_on"):
            try:
                joined = parse_korean_date(raw["joined_on"])
            except ValueError as exc:
                errors["joined_on"] = str(exc)
        membership = {"member_type": mt, "status": status, "joined_on": joined}
    elif raw.get("membership_status"):
        errors["member_type"] = str(_("A membership status needs a member type."))
    return data, membership, errors


def parse_rows(header, rows):
    """Yield (row_number, {field: text}) for rows numbered as Excel shows them (header = 1),
    as ``core.textfile.read_numbered_table`` returns them."""
    fields = [HEADER_TO_FIELD.get(cell.replace(" ", ""), HEADER_TO_FIELD.get(cell)) for cell in header]
    for offset, row in rows:
        values = {}
        for index, field in enumerate(fields):
            if field is None:
                continue
            values[field] = _cell(row[index]) if index < len(row) else ""
        yield offset, values


def header_problems(header):
    fields = [HEADER_TO_FIELD.get(c.replace(" ", ""), HEADER_TO_FIELD.get(c)) for c in header]
    if "name" not in fields:
        return str(_("The first row must be a header with at least the column 기관명 (name)."))
    return None


def export_rows(organisations):
    for org in organisations:
        membership = getattr(org, "membership", None) if hasattr(org, "membership") else None
        yield [
            org.name,
            org.name_en,
            KIND_EXPORT.get(org.kind, org.kind),
            org.business_number or "",
            org.corporate_number or "",
            org.representative,
            org.founded_on.isoformat() if org.founded_on else "",
            org.address,
            org.sigungu_name,
            org.emd_name,
            "" if org.employees is None else org.employees,
            ", ".join(t.name for t in org.industry_tags.all()),
            ", ".join(t.name for t in org.capability_tags.all()),
            org.products_services,
            org.description,
            org.homepage,
            org.phone,
            org.email,
            "Y" if org.is_public else "N",
            MEMBER_TYPE_EXPORT.get(membership.member_type, "") if membership else "",
            STATUS_EXPORT.get(membership.status, membership.status) if membership else "",
            (membership.activated_on or membership.applied_on).isoformat() if membership else "",
        ]


def export_csv(organisations):
    """CSV that Korean Excel opens correctly: UTF-8 with a BOM, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([ko for _f, ko, _en in COLUMNS])
    writer.writerows([_csv_text(value) for value in row] for row in export_rows(organisations))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(organisations):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    def text_cell(value):
        # openpyxl writes a string starting with "=" as a formula; keep it text.
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
        return value

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("조합원")
    sheet.append([ko for _f, ko, _en in COLUMNS])
    for row in export_rows(organisations):
        sheet.append([text_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(organisations, fmt):
    """An attachment response in ``fmt`` ("csv" or "xlsx"), or None for an unknown format."""
    import datetime as dt

    from django.http import HttpResponse

    if fmt == "xlsx":
        body, content_type = (
            export_xlsx(organisations),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    elif fmt == "csv":
        body, content_type = export_csv(organisations), "text/csv; charset=utf-8"
    else:
        return None
    response = HttpResponse(body, content_type=content_type)
    stamp = dt.date.today().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="dongne-members-{stamp}.{fmt}"'
    return response
