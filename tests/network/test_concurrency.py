"""Two (here: eight) secretariat users approving the same application at the same instant produce
exactly one approval; the others are told it was already decided. Real threads, real connections,
on SQLite (a file, transaction_mode IMMEDIATE) and on PostgreSQL (SELECT … FOR UPDATE)."""

import pytest

from dongne.core.choices import Role
from dongne.core.errors import Conflict
from dongne.core.models import AuditEntry
from dongne.network import services
from dongne.network.models import Membership, MembershipEvent
from tests.concurrency import race
from tests.factories import UserFactory, make_organisation

from .conftest import APPLIED_ON, APPROVED_ON

THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_simultaneous_approvals_produce_exactly_one():
    officers = [UserFactory(role=Role.SECRETARIAT) for _ in range(THREADS)]
    org = make_organisation(officers[0], name="동시승인테크")
    membership = services.apply_membership(
        actor=officers[0], organisation_id=org.pk, member_type="producer", applied_on=APPLIED_ON
    )

    def approve(actor, ref):
        return services.approve_membership(
            actor=actor, membership_id=membership.pk, decision_ref=ref, approved_on=APPROVED_ON
        )

    outcomes = race(approve, [(officer, f"제{n}차 이사회") for n, officer in enumerate(officers, 1)])

    successes = [value for kind, value in outcomes if kind == "ok"]
    errors = [value for kind, value in outcomes if kind == "error"]
    assert len(successes) == 1, outcomes
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, Conflict) and e.code == "illegal_transition" for e in errors), errors

    membership.refresh_from_db()
    assert membership.status == "approved"
    # The stored decision is the winner's, not a mix of several.
    assert membership.decision_ref == successes[0].decision_ref
    assert MembershipEvent.objects.filter(membership=membership, to_status="approved").count() == 1
    assert MembershipEvent.objects.filter(membership=membership).count() == 2
    entries = AuditEntry.objects.filter(action="network.membership.approved", target_id=str(membership.pk))
    assert entries.count() == 1
    assert entries.get().data["decision_ref"] == membership.decision_ref


@pytest.mark.django_db(transaction=True)
def test_simultaneous_applications_for_one_organisation_produce_one_membership():
    officers = [UserFactory(role=Role.SECRETARIAT) for _ in range(THREADS)]
    org = make_organisation(officers[0], name="동시신청소프트")

    def apply(actor):
        return services.apply_membership(
            actor=actor, organisation_id=org.pk, member_type="producer", applied_on=APPLIED_ON
        )

    outcomes = race(apply, [(officer,) for officer in officers])
    errors = [value for kind, value in outcomes if kind == "error"]
    assert sum(kind == "ok" for kind, _ in outcomes) == 1, outcomes
    assert all(isinstance(e, Conflict) and e.code == "duplicate_membership" for e in errors), errors
    assert Membership.objects.filter(organisation=org).count() == 1
    assert MembershipEvent.objects.filter(membership__organisation=org).count() == 1
    assert AuditEntry.objects.filter(action="network.membership.applied").count() == 1
