"""Officers (제34조, 제35조, 제44조②) and the disclosure (제93조, 제96조의2, 제97조, 제98조②)."""

import datetime as dt

import pytest

from dongne.core.choices import Role
from dongne.core.errors import PermissionDenied, ValidationError
from dongne.governance import selectors, services
from tests.factories import UserFactory

from .conftest import snapshot

pytestmark = pytest.mark.django_db


def test_a_term_is_at_most_four_years(secretariat, chair):
    with pytest.raises(ValidationError) as info:
        services.appoint_officer(
            actor=secretariat, user_id=chair.pk, role="chair", term_start="2019-04-01", term_end="2023-04-02"
        )
    assert "협동조합 기본법 제35조" in info.value.render()


def test_the_chair_is_re_elected_at_most_twice(secretariat, chair):
    for start in (2011, 2015, 2019):
        services.appoint_officer(
            actor=secretariat,
            user_id=chair.pk,
            role="chair",
            term_start=dt.date(start, 3, 1),
            term_end=dt.date(start + 4, 2, 28),
        )
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        services.appoint_officer(
            actor=secretariat,
            user_id=chair.pk,
            role="chair",
            term_start=dt.date(2023, 3, 1),
            term_end=dt.date(2027, 2, 28),
        )
    assert "제35조" in info.value.render() and chair.name in info.value.render()
    assert snapshot() == before


def test_a_director_or_staff_member_cannot_be_the_auditor(secretariat, director):
    services.appoint_officer(
        actor=secretariat,
        user_id=director.pk,
        role="director",
        term_start="2024-03-01",
        term_end="2026-02-28",
    )
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        services.appoint_officer(
            actor=secretariat,
            user_id=director.pk,
            role="auditor",
            term_start="2025-03-01",
            term_end="2027-02-28",
        )
    assert "협동조합 기본법 제44조②" in info.value.render()
    staff = UserFactory(role=Role.MEMBER_REP)
    with pytest.raises(ValidationError):
        services.appoint_officer(
            actor=secretariat,
            user_id=staff.pk,
            role="auditor",
            term_start="2025-03-01",
            term_end="2027-02-28",
            is_staff_member=True,
        )
    with pytest.raises(ValidationError):
        services.appoint_officer(
            actor=secretariat,
            user_id=secretariat.pk,
            role="auditor",
            term_start="2025-03-01",
            term_end="2027-02-28",
        )
    assert snapshot() == before


def test_board_composition_and_term_alerts(secretariat):
    day = dt.date(2025, 6, 1)
    users = [UserFactory(role=Role.DIRECTOR) for _ in range(3)]
    services.appoint_officer(
        actor=secretariat, user_id=users[0].pk, role="chair", term_start="2023-03-01", term_end="2025-07-15"
    )
    warnings = [str(w) for w in selectors.board_warnings(day)]
    assert any("이사 3명 이상" in w for w in warnings) and any("감사" in w for w in warnings)
    for user in users[1:]:
        services.appoint_officer(
            actor=secretariat,
            user_id=user.pk,
            role="director",
            term_start="2023-03-01",
            term_end="2027-02-28",
        )
    auditor = UserFactory(role=Role.AUDITOR)
    services.appoint_officer(
        actor=secretariat, user_id=auditor.pk, role="auditor", term_start="2023-03-01", term_end="2027-02-28"
    )
    assert selectors.board_warnings(day) == []
    assert [o.user_id for o in selectors.expiring_terms(day)] == [users[0].pk]


def test_no_dividends_and_the_legal_reserve(secretariat, members):
    services.subscribe_capital(
        actor=secretariat, subscriptions=[(m.pk, 20) for m in members], on=dt.date(2024, 1, 5)
    )
    for m in members:
        services.record_payment(
            actor=secretariat, organisation_id=m.pk, amount=200_000, on=dt.date(2024, 1, 5)
        )
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        services.save_annual_report(
            actor=secretariat,
            year=2024,
            total_business=100,
            main_business=50,
            surplus=10,
            reserve_transfer=3,
            dividends=1,
        )
    assert "협동조합 기본법 제98조②" in info.value.render()
    with pytest.raises(ValidationError) as info:
        services.save_annual_report(
            actor=secretariat,
            year=2024,
            total_business=900_000_000,
            main_business=500_000_000,
            surplus=10_000_000,
            reserve_transfer=2_000_000,
        )
    assert "제97조" in info.value.render() and "3,000,000" in info.value.render()
    assert snapshot() == before
    report = services.save_annual_report(
        actor=secretariat,
        year=2024,
        total_business=900_000_000,
        main_business=300_000_000,
        surplus=10_000_000,
        reserve_transfer=3_000_000,
    )
    assert report.reserve_balance == 3_000_000
    # once the reserve reaches 3× paid-in capital (3 × 1,000,000) no more is required
    later = services.save_annual_report(
        actor=secretariat,
        year=2025,
        total_business=100,
        main_business=60,
        surplus=10_000_000,
        reserve_transfer=0,
    )
    assert later.reserve_balance == 3_000_000
    context = selectors.annual_report_context(2024)
    assert context["main_ratio"] == 33.3 and not context["main_ratio_ok"]  # below 40% (제93조) is flagged
    assert context["deadline"] == dt.date(2025, 4, 30)


def test_members_report_their_own_impact_figures(secretariat, members):
    rep = members[0].rep
    figures = {
        "employees": 12,
        "new_hires": 4,
        "new_hires_local_youth": 3,
        "new_hires_women": 2,
        "revenue": 1_200_000_000,
        "projects_won": 3,
    }
    services.report_impact(actor=rep, organisation_id=members[0].pk, year=2024, figures=figures)
    services.report_impact(
        actor=rep, organisation_id=members[0].pk, year=2024, figures={**figures, "employees": 13}
    )
    with pytest.raises(PermissionDenied):
        services.report_impact(actor=rep, organisation_id=members[1].pk, year=2024, figures=figures)
    with pytest.raises(ValidationError):
        services.report_impact(
            actor=rep, organisation_id=members[0].pk, year=2024, figures={**figures, "new_hires_women": 5}
        )
    context = selectors.annual_report_context(2024)
    assert context["impact"]["employees"] == 13 and context["impact"]["youth"] == 3


def test_the_register_lists_members_with_their_capital(secretariat, members, rep):
    services.subscribe_capital(
        actor=secretariat, subscriptions=[(m.pk, 20) for m in members], on=dt.date(2024, 1, 5)
    )
    rows = selectors.register_rows(secretariat)
    row = next(r for r in rows if r[0] == members[0].name)
    assert row[8:] == [20, 200_000, 0]
    with pytest.raises(PermissionDenied):
        selectors.register_rows(rep)


# --- the platform role follows the office --------------------------------------------------------------------------
def test_an_elected_director_gets_the_board_role_for_the_term_and_loses_it_after(secretariat, rep):
    from dongne.core.models import AuditEntry

    today = dt.date.today()
    assert rep.role == Role.MEMBER_REP
    officer = services.appoint_officer(
        actor=secretariat,
        user_id=rep.pk,
        role="director",
        term_start=today.isoformat(),
        term_end=(today + dt.timedelta(days=365)).isoformat(),
    )
    rep.refresh_from_db()
    assert rep.role == Role.DIRECTOR  # the board's pages and votes are open to them now
    assert AuditEntry.objects.filter(action="core.user.role_changed", target_id=str(rep.pk)).count() == 1
    services.end_officer_term(actor=secretariat, officer_id=officer.pk, on=today.isoformat(), reason="사임")
    rep.refresh_from_db()
    assert rep.role == Role.MEMBER_REP  # still represents their company


def test_a_future_term_changes_the_role_on_its_first_day_and_the_secretariat_keeps_its_role(secretariat, rep):
    today = dt.date.today()
    start = today + dt.timedelta(days=10)
    services.appoint_officer(
        actor=secretariat,
        user_id=rep.pk,
        role="auditor",
        term_start=start.isoformat(),
        term_end=(start + dt.timedelta(days=700)).isoformat(),
    )
    rep.refresh_from_db()
    assert rep.role == Role.MEMBER_REP
    assert services.sync_officer_roles(day=start) == 1
    rep.refresh_from_db()
    assert rep.role == Role.AUDITOR
    assert services.sync_officer_roles(day=start) == 0  # nothing left to change
    assert services.sync_officer_roles(day=start + dt.timedelta(days=700)) == 1  # the term ran out
    rep.refresh_from_db()
    assert rep.role == Role.MEMBER_REP

    staff = UserFactory(role=Role.SECRETARIAT)
    services.appoint_officer(
        actor=secretariat,
        user_id=staff.pk,
        role="director",
        term_start=today.isoformat(),
        term_end=(today + dt.timedelta(days=365)).isoformat(),
    )
    staff.refresh_from_db()
    assert staff.role == Role.SECRETARIAT


def test_a_board_role_set_by_hand_without_an_officer_record_is_left_alone(chair):
    assert services.sync_officer_roles() == 0
    chair.refresh_from_db()
    assert chair.role == Role.CHAIR
