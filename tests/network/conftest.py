"""Helpers shared by the network tests: memberships driven through the services, and register
files (CSV in several encodings, XLSX) built in memory the way a secretariat's spreadsheet looks."""

import csv
import datetime as dt
import io

import pytest

from dongne.core.models import AuditEntry
from dongne.network import services
from dongne.network.models import Membership, MembershipEvent, Organisation

APPLIED_ON = dt.date(2024, 3, 4)
APPROVED_ON = dt.date(2024, 3, 20)
ACTIVATED_ON = dt.date(2024, 4, 1)
WITHDRAWAL_ON = dt.date(2024, 9, 2)
WITHDRAWN_ON = dt.date(2024, 12, 31)

# The columns most registers carry, in the order a secretariat would type them.
HEADER = [
    "기관명",
    "사업자등록번호",
    "대표자",
    "설립일",
    "시군구",
    "읍면동",
    "업종",
    "조합원유형",
    "조합원상태",
    "가입일",
]


def drive(actor, organisation, status):
    """A membership of ``organisation`` moved through the services until it reaches ``status``."""
    m = services.apply_membership(
        actor=actor, organisation_id=organisation.pk, member_type="producer", applied_on=APPLIED_ON
    )
    if status == "applied":
        return m
    if status == "rejected":
        return services.reject_membership(
            actor=actor,
            membership_id=m.pk,
            decision_ref="2024년 제2차 이사회",
            reason="서류 미비",
            on=APPROVED_ON,
        )
    services.approve_membership(
        actor=actor,
        membership_id=m.pk,
        decision_ref="2024년 제2차 이사회 제1호 의안",
        approved_on=APPROVED_ON,
    )
    if status == "approved":
        return Membership.objects.get(pk=m.pk)
    if status == "expelled":
        return services.expel_member(
            actor=actor,
            membership_id=m.pk,
            decision_ref="2024년 임시총회 제1호 의안",
            reason="출자금 미납",
            on=ACTIVATED_ON,
        )
    services.activate_membership(actor=actor, membership_id=m.pk, on=ACTIVATED_ON)
    if status == "active":
        return Membership.objects.get(pk=m.pk)
    services.request_withdrawal(actor=actor, membership_id=m.pk, reason="사업 정리", on=WITHDRAWAL_ON)
    if status == "withdrawing":
        return Membership.objects.get(pk=m.pk)
    services.complete_withdrawal(actor=actor, membership_id=m.pk, on=WITHDRAWN_ON)
    assert status == "withdrawn", status
    return Membership.objects.get(pk=m.pk)


def snapshot():
    """Row counts a user would see change if a failed operation wrote anything."""
    return {
        "organisations": Organisation.objects.count(),
        "memberships": Membership.objects.count(),
        "events": MembershipEvent.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def csv_bytes(rows, *, encoding="utf-8", header=HEADER, bom=False):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, *, header=HEADER):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "조합원명부"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def applied(secretariat, org):
    """``org``'s membership application, filed on APPLIED_ON."""
    return drive(secretariat, org, "applied")
