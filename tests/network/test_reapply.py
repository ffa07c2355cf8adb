import pytest

from dongne.core.errors import Conflict
from dongne.network import services
from dongne.network.choices import MembershipStatus


def _withdrawn(secretariat, org):
    m = services.apply_membership(
        actor=secretariat, organisation_id=org.pk, member_type="producer", applied_on="2020-01-02"
    )
    services.approve_membership(
        actor=secretariat, membership_id=m.pk, decision_ref="이사회", approved_on="2020-01-10"
    )
    services.activate_membership(actor=secretariat, membership_id=m.pk, on="2020-01-20")
    services.request_withdrawal(actor=secretariat, membership_id=m.pk, on="2021-03-01")
    return services.complete_withdrawal(actor=secretariat, membership_id=m.pk, on="2021-06-30")


def test_a_former_member_can_apply_again_and_keeps_its_history(secretariat, org):
    m = _withdrawn(secretariat, org)
    again = services.apply_membership(
        actor=secretariat, organisation_id=org.pk, member_type="consumer", applied_on="2023-05-02"
    )
    assert again.pk == m.pk
    assert again.status == MembershipStatus.APPLIED and again.member_type == "consumer"
    assert again.ended_on is None and again.decision_ref == ""
    steps = [e.to_status for e in again.events.all()]
    assert steps == ["applied", "approved", "active", "withdrawing", "withdrawn", "applied"]


def test_a_rejected_applicant_can_apply_again(secretariat, org):
    m = services.apply_membership(
        actor=secretariat, organisation_id=org.pk, member_type="producer", applied_on="2022-01-02"
    )
    services.reject_membership(actor=secretariat, membership_id=m.pk, decision_ref="이사회", on="2022-01-05")
    again = services.apply_membership(actor=secretariat, organisation_id=org.pk, member_type="producer")
    assert again.status == MembershipStatus.APPLIED


def test_an_active_or_expelled_member_cannot_apply_again(secretariat, org):
    m = services.apply_membership(
        actor=secretariat, organisation_id=org.pk, member_type="producer", applied_on="2022-01-02"
    )
    with pytest.raises(Conflict) as exc:
        services.apply_membership(actor=secretariat, organisation_id=org.pk, member_type="producer")
    assert exc.value.code == "duplicate_membership"
    services.approve_membership(
        actor=secretariat, membership_id=m.pk, decision_ref="이사회", approved_on="2022-01-03"
    )
    services.expel_member(
        actor=secretariat, membership_id=m.pk, decision_ref="총회", reason="회비 미납", on="2022-02-01"
    )
    with pytest.raises(Conflict):
        services.apply_membership(actor=secretariat, organisation_id=org.pk, member_type="producer")
