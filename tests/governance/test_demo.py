"""The governance demo: the 2019 conversion assembly, yearly ordinary assemblies, a board with officers, a
ledger that reconciles and a published annual report — all made through the services."""

import pytest

from dongne.governance import selectors
from dongne.governance.choices import ItemKind, MeetingKind, Outcome
from dongne.governance.demo import load_governance_demo
from dongne.governance.models import AgendaItem, AnnualReport, Meeting
from dongne.network.demo import SECRETARIAT_EMAIL, load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    from django.contrib.auth import get_user_model

    load_demo()
    secretariat = get_user_model().objects.get(email=SECRETARIAT_EMAIL)
    return load_governance_demo(secretariat), secretariat


def test_the_governance_demo(demo, client):
    """One load (it takes a while), checked from every side."""
    lines, secretariat = demo
    check_conversion_assembly()
    check_yearly_assemblies()
    check_board_ledger_reports_and_log(client)
    assert lines and "governance" in lines[0]
    count = Meeting.objects.count()
    assert load_governance_demo(secretariat) == []  # loading twice changes nothing
    assert Meeting.objects.count() == count


def check_conversion_assembly():
    conversion = Meeting.objects.get(title__contains="사회적협동조합 전환")
    assert conversion.scheduled_at.year == 2019
    item = conversion.items.get(kind=ItemKind.SPECIAL)
    assert item.outcome == Outcome.PASSED and "3분의 2" in item.explanation
    assert conversion.minutes.finalised_at is not None
    assert conversion.minutes.signers.count() == 4


def check_yearly_assemblies():
    years = set(
        Meeting.objects.filter(kind=MeetingKind.ORDINARY_ASSEMBLY).values_list(
            "scheduled_at__year", flat=True
        )
    )
    assert set(range(2020, 2026)) <= years
    assert not AgendaItem.objects.filter(outcome="").exists()
    rejected = AgendaItem.objects.get(meeting__title="2021년 임시총회")
    assert rejected.outcome == Outcome.REJECTED and "3분의 2" in rejected.explanation


def check_board_ledger_reports_and_log(client):
    from django.utils import timezone

    assert selectors.board_warnings(timezone.localdate()) == []
    assert selectors.reconcile() == []
    totals = selectors.capital_totals()
    assert totals["shares"] > 0 and totals["largest_percent"] <= 30
    assert AnnualReport.objects.exclude(published_on=None).count() >= 6
    assert selectors.verify_chain().ok
    year = AnnualReport.objects.exclude(published_on=None).order_by("-year").first().year
    pdf = client.get(f"/governance/reports/{year}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
