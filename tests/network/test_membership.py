"""The membership lifecycle (조합원): applied → approved → active → withdrawing → withdrawn, or
rejected / expelled. Each step is a service with its own rule, dated, audited and kept in the
member's history; an illegal step changes nothing."""

import datetime as dt

import pytest

from dongne.core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationError
from dongne.core.models import AuditEntry
from dongne.network import services
from dongne.network.models import Membership, MembershipEvent
from tests.factories import make_organisation, make_representative

from .conftest import ACTIVATED_ON, APPLIED_ON, APPROVED_ON, WITHDRAWAL_ON, WITHDRAWN_ON, drive, snapshot


def history(membership):
    return [
        (e.from_status, e.to_status, e.on, e.actor_id)
        for e in MembershipEvent.objects.filter(membership=membership).order_by("on", "created_at", "id")
    ]


def audit_actions(membership):
    return list(
        AuditEntry.objects.filter(target_type="network.membership", target_id=str(membership.pk))
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )


# --- legal paths ------------------------------------------------------------------------------------
def test_full_path_to_withdrawal_is_dated_audited_and_kept_in_history(secretariat, org):
    m = drive(secretariat, org, "withdrawn")
    assert m.status == "withdrawn"
    assert m.applied_on == APPLIED_ON
    assert m.approved_on == APPROVED_ON
    assert m.decision_ref == "2024년 제2차 이사회 제1호 의안"
    assert m.activated_on == ACTIVATED_ON
    assert m.withdrawal_requested_on == WITHDRAWAL_ON
    assert m.ended_on == WITHDRAWN_ON
    assert m.end_reason == "사업 정리"
    assert history(m) == [
        ("", "applied", APPLIED_ON, secretariat.pk),
        ("applied", "approved", APPROVED_ON, secretariat.pk),
        ("approved", "active", ACTIVATED_ON, secretariat.pk),
        ("active", "withdrawing", WITHDRAWAL_ON, secretariat.pk),
        ("withdrawing", "withdrawn", WITHDRAWN_ON, secretariat.pk),
    ]
    assert audit_actions(m) == [
        "network.membership.applied",
        "network.membership.approved",
        "network.membership.active",
        "network.membership.withdrawing",
        "network.membership.withdrawn",
    ]


def test_rejection_ends_an_application(secretariat, org):
    m = drive(secretariat, org, "rejected")
    assert m.status == "rejected"
    assert m.ended_on == APPROVED_ON and m.end_reason == "서류 미비"
    assert history(m)[-1][:3] == ("applied", "rejected", APPROVED_ON)
    assert audit_actions(m)[-1] == "network.membership.rejected"


@pytest.mark.parametrize("start", ["approved", "active", "withdrawing"])
def test_expulsion_from_every_status_that_allows_it(secretariat, org, start):
    m = drive(secretariat, org, start)
    events = MembershipEvent.objects.count()
    services.expel_member(
        actor=secretariat,
        membership_id=m.pk,
        decision_ref="2024년 임시총회 제1호 의안",
        reason="정관 위반",
        on=WITHDRAWN_ON,
    )
    m.refresh_from_db()
    assert m.status == "expelled"
    assert m.ended_on == WITHDRAWN_ON and m.end_reason == "정관 위반"
    assert m.decision_ref == "2024년 임시총회 제1호 의안"
    assert MembershipEvent.objects.count() == events + 1
    assert history(m)[-1][:3] == (start, "expelled", WITHDRAWN_ON)
    assert audit_actions(m)[-1] == "network.membership.expelled"


def test_dates_default_to_today(secretariat, org):
    m = services.apply_membership(actor=secretariat, organisation_id=org.pk, member_type="consumer")
    services.approve_membership(actor=secretariat, membership_id=m.pk, decision_ref="제1차 이사회")
    m.refresh_from_db()
    today = dt.date.today()
    # The service uses the local date (Asia/Seoul); allow for the test running around midnight UTC.
    assert abs((m.applied_on - today).days) <= 1
    assert m.approved_on == m.applied_on


def test_korean_written_dates_are_accepted(secretariat, org):
    m = services.apply_membership(
        actor=secretariat, organisation_id=org.pk, member_type="employee", applied_on="2024.03.04"
    )
    services.approve_membership(
        actor=secretariat, membership_id=m.pk, decision_ref="제1차 이사회", approved_on="20240320"
    )
    m.refresh_from_db()
    assert (m.applied_on, m.approved_on) == (dt.date(2024, 3, 4), dt.date(2024, 3, 20))


# --- illegal transitions ------------------------------------------------------------------------------
def _activate(actor, m):
    return services.activate_membership(actor=actor, membership_id=m.pk, on=ACTIVATED_ON)


def _approve(actor, m):
    return services.approve_membership(
        actor=actor, membership_id=m.pk, decision_ref="제3차 이사회", approved_on=APPROVED_ON
    )


def _reject(actor, m):
    return services.reject_membership(
        actor=actor, membership_id=m.pk, decision_ref="제3차 이사회", on=APPROVED_ON
    )


def _withdraw(actor, m):
    return services.request_withdrawal(actor=actor, membership_id=m.pk, on=WITHDRAWAL_ON)


def _complete(actor, m):
    return services.complete_withdrawal(actor=actor, membership_id=m.pk, on=WITHDRAWN_ON)


def _expel(actor, m):
    return services.expel_member(
        actor=actor, membership_id=m.pk, decision_ref="임시총회", reason="정관 위반", on=WITHDRAWN_ON
    )


ILLEGAL = [
    ("applied", _activate),
    ("applied", _withdraw),
    ("applied", _complete),
    ("applied", _expel),
    ("approved", _approve),
    ("approved", _reject),
    ("approved", _withdraw),
    ("approved", _complete),
    ("active", _approve),
    ("active", _activate),
    ("active", _complete),
    ("active", _reject),
    ("withdrawing", _withdraw),
    ("withdrawing", _activate),
    ("rejected", _approve),
    ("rejected", _activate),
    ("rejected", _expel),
    ("withdrawn", _activate),
    ("withdrawn", _withdraw),
    ("withdrawn", _expel),
    ("expelled", _activate),
    ("expelled", _expel),
    ("expelled", _withdraw),
]


@pytest.mark.parametrize("status, step", ILLEGAL, ids=[f"{s}-{f.__name__[1:]}" for s, f in ILLEGAL])
def test_illegal_transition_is_a_conflict_and_changes_nothing(secretariat, org, status, step):
    m = drive(secretariat, org, status)
    before = snapshot()
    with pytest.raises(Conflict) as excinfo:
        step(secretariat, m)
    assert excinfo.value.code == "illegal_transition"
    assert excinfo.value.status == 409
    m.refresh_from_db()
    assert m.status == status
    assert snapshot() == before


def test_approving_twice_keeps_the_first_decision(secretariat, org):
    m = drive(secretariat, org, "approved")
    with pytest.raises(Conflict) as excinfo:
        services.approve_membership(
            actor=secretariat, membership_id=m.pk, decision_ref="다른 의결", approved_on=ACTIVATED_ON
        )
    assert excinfo.value.code == "illegal_transition"
    m.refresh_from_db()
    assert m.decision_ref == "2024년 제2차 이사회 제1호 의안" and m.approved_on == APPROVED_ON
    assert [e[1] for e in history(m)].count("approved") == 1


# --- validation -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("decision_ref", ["", "   ", None])
def test_approval_needs_the_board_decision(secretariat, applied, decision_ref):
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        services.approve_membership(actor=secretariat, membership_id=applied.pk, decision_ref=decision_ref)
    assert "decision_ref" in excinfo.value.errors
    applied.refresh_from_db()
    assert applied.status == "applied"
    assert snapshot() == before


def test_rejection_needs_the_board_decision(secretariat, applied):
    with pytest.raises(ValidationError) as excinfo:
        services.reject_membership(actor=secretariat, membership_id=applied.pk, decision_ref="")
    assert "decision_ref" in excinfo.value.errors
    applied.refresh_from_db()
    assert applied.status == "applied"


def test_expulsion_needs_a_resolution_and_a_reason(secretariat, org):
    m = drive(secretariat, org, "active")
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        services.expel_member(actor=secretariat, membership_id=m.pk, decision_ref="", reason="")
    assert set(excinfo.value.errors) == {"decision_ref", "reason"}
    m.refresh_from_db()
    assert m.status == "active"
    assert snapshot() == before


def test_approval_cannot_come_before_the_application(secretariat, applied):
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        services.approve_membership(
            actor=secretariat,
            membership_id=applied.pk,
            decision_ref="제1차 이사회",
            approved_on=APPLIED_ON - dt.timedelta(days=3),
        )
    assert "approved_on" in excinfo.value.errors
    applied.refresh_from_db()
    assert applied.status == "applied"
    assert snapshot() == before


def test_activation_cannot_come_before_approval(secretariat, org):
    m = drive(secretariat, org, "approved")
    with pytest.raises(ValidationError) as excinfo:
        services.activate_membership(
            actor=secretariat, membership_id=m.pk, on=APPROVED_ON - dt.timedelta(days=1)
        )
    assert "on" in excinfo.value.errors
    m.refresh_from_db()
    assert m.status == "approved"


def test_withdrawal_cannot_complete_before_it_was_requested(secretariat, org):
    m = drive(secretariat, org, "withdrawing")
    with pytest.raises(ValidationError) as excinfo:
        services.complete_withdrawal(
            actor=secretariat, membership_id=m.pk, on=WITHDRAWAL_ON - dt.timedelta(days=1)
        )
    assert "on" in excinfo.value.errors
    m.refresh_from_db()
    assert m.status == "withdrawing"


@pytest.mark.parametrize(
    "status, step",
    [
        (
            "active",
            lambda a, m: services.request_withdrawal(actor=a, membership_id=m.pk, on=dt.date(2024, 3, 25)),
        ),
        (
            "applied",
            lambda a, m: services.reject_membership(
                actor=a, membership_id=m.pk, decision_ref="제1차 이사회", on=dt.date(2024, 3, 1)
            ),
        ),
        (
            "approved",
            lambda a, m: services.expel_member(
                actor=a, membership_id=m.pk, decision_ref="총회", reason="정관 위반", on=dt.date(2024, 3, 10)
            ),
        ),
    ],
    ids=["withdrawal-before-activation", "rejection-before-application", "expulsion-before-approval"],
)
def test_no_step_is_dated_before_the_previous_one(secretariat, org, status, step):
    """The history is shown in date order; a step dated before the one it follows would be
    listed out of order."""
    m = drive(secretariat, org, status)
    before = snapshot()
    with pytest.raises(ValidationError):
        step(secretariat, m)
    m.refresh_from_db()
    assert m.status == status
    assert snapshot() == before


def test_future_dates_are_refused(secretariat, org):
    future = dt.date.today() + dt.timedelta(days=10)
    with pytest.raises(ValidationError) as excinfo:
        services.apply_membership(
            actor=secretariat, organisation_id=org.pk, member_type="producer", applied_on=future
        )
    assert "applied_on" in excinfo.value.errors
    assert not Membership.objects.exists()


def test_unknown_member_type_is_refused(secretariat, org):
    with pytest.raises(ValidationError) as excinfo:
        services.apply_membership(actor=secretariat, organisation_id=org.pk, member_type="shareholder")
    assert "member_type" in excinfo.value.errors
    assert not Membership.objects.exists()


def test_a_second_application_is_a_duplicate(secretariat, rep, applied, org):
    before = snapshot()
    for actor in (secretariat, rep):
        with pytest.raises(Conflict) as excinfo:
            services.apply_membership(actor=actor, organisation_id=org.pk, member_type="consumer")
        assert excinfo.value.code == "duplicate_membership"
    assert snapshot() == before
    assert Membership.objects.get(organisation=org).member_type == "producer"


def test_unknown_membership_is_not_found(secretariat, db):
    with pytest.raises(NotFound):
        services.approve_membership(actor=secretariat, membership_id=424242, decision_ref="제1차 이사회")


# --- who may do what ---------------------------------------------------------------------------------------
def test_a_representative_applies_and_withdraws_for_their_own_organisation(secretariat, rep, org):
    m = services.apply_membership(
        actor=rep, organisation_id=org.pk, member_type="producer", applied_on=APPLIED_ON
    )
    assert history(m) == [("", "applied", APPLIED_ON, rep.pk)]
    services.approve_membership(
        actor=secretariat, membership_id=m.pk, decision_ref="제1차", approved_on=APPROVED_ON
    )
    services.activate_membership(actor=secretariat, membership_id=m.pk, on=ACTIVATED_ON)
    services.request_withdrawal(actor=rep, membership_id=m.pk, reason="폐업", on=WITHDRAWAL_ON)
    m.refresh_from_db()
    assert m.status == "withdrawing"
    assert history(m)[-1] == ("active", "withdrawing", WITHDRAWAL_ON, rep.pk)
    entry = AuditEntry.objects.get(action="network.membership.withdrawing", target_id=str(m.pk))
    assert entry.actor == rep
    # Completing the withdrawal is the secretariat's.
    with pytest.raises(PermissionDenied):
        services.complete_withdrawal(actor=rep, membership_id=m.pk)


def test_a_representative_cannot_apply_or_withdraw_for_another_organisation(secretariat, rep, other_org):
    with pytest.raises(PermissionDenied):
        services.apply_membership(actor=rep, organisation_id=other_org.pk, member_type="producer")
    assert not Membership.objects.exists()
    m = drive(secretariat, other_org, "active")
    with pytest.raises(PermissionDenied):
        services.request_withdrawal(actor=rep, membership_id=m.pk)
    m.refresh_from_db()
    assert m.status == "active"


def test_a_representative_cannot_approve_even_their_own_application(rep, applied):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.approve_membership(actor=rep, membership_id=applied.pk, decision_ref="셀프 승인")
    with pytest.raises(PermissionDenied):
        services.reject_membership(actor=rep, membership_id=applied.pk, decision_ref="셀프 거절")
    applied.refresh_from_db()
    assert applied.status == "applied"
    assert snapshot() == before


def test_the_chair_and_directors_approve(chair, director, secretariat, org, other_org):
    a = drive(secretariat, org, "applied")
    b = drive(secretariat, other_org, "applied")
    services.approve_membership(
        actor=chair, membership_id=a.pk, decision_ref="제1차 이사회", approved_on=APPROVED_ON
    )
    services.reject_membership(
        actor=director, membership_id=b.pk, decision_ref="제1차 이사회", on=APPROVED_ON
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == ("approved", "rejected")
    assert history(a)[-1][3] == chair.pk
    # Activation (capital paid) and ending a membership are the secretariat's.
    with pytest.raises(PermissionDenied):
        services.activate_membership(actor=chair, membership_id=a.pk)
    with pytest.raises(PermissionDenied):
        services.expel_member(actor=chair, membership_id=a.pk, decision_ref="총회", reason="사유")


def test_the_auditor_may_not_decide(auditor, applied):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.approve_membership(actor=auditor, membership_id=applied.pk, decision_ref="제1차 이사회")
    applied.refresh_from_db()
    assert applied.status == "applied"
    assert snapshot() == before


def test_partner_contacts_and_the_public_may_not_decide(secretariat, partner_user, anonymous, applied):
    with pytest.raises(PermissionDenied):
        services.approve_membership(actor=partner_user, membership_id=applied.pk, decision_ref="x")
    with pytest.raises(NotAuthenticated):
        services.approve_membership(actor=anonymous, membership_id=applied.pk, decision_ref="x")
    with pytest.raises(NotAuthenticated):
        services.apply_membership(
            actor=anonymous, organisation_id=applied.organisation_id, member_type="producer"
        )
    applied.refresh_from_db()
    assert applied.status == "applied"


def test_a_partner_contact_applies_for_their_own_institution(secretariat):
    institution = make_organisation(secretariat, kind="partner", name="강원디자인진흥원")
    contact = make_representative(institution, role="partner")
    m = services.apply_membership(actor=contact, organisation_id=institution.pk, member_type="supporter")
    assert m.status == "applied" and m.member_type == "supporter"
