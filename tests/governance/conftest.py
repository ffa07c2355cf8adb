"""Members made through the network services, and a snapshot of everything governance writes, so that a test
can show a refused operation changed nothing."""

import datetime as dt

import pytest

from dongne.core.models import AuditEntry
from dongne.governance import models as gm
from dongne.network import services as network
from tests.factories import make_organisation, make_representative

JOINED = dt.date(2019, 4, 1)


def make_member(actor, name, *, joined=JOINED, rep=True):
    """An active member organisation (joined on ``joined``), with a representative user when ``rep``."""
    org = make_organisation(actor, name=name)
    m = network.apply_membership(
        actor=actor, organisation_id=org.pk, member_type="producer", applied_on=joined - dt.timedelta(days=20)
    )
    network.approve_membership(
        actor=actor, membership_id=m.pk, decision_ref="이사회", approved_on=joined - dt.timedelta(days=10)
    )
    network.activate_membership(actor=actor, membership_id=m.pk, on=joined)
    org.rep = make_representative(org) if rep else None
    return org


def snapshot():
    return {
        "entries": gm.CapitalEntry.objects.count(),
        "accounts": sorted(gm.CapitalAccount.objects.values_list("organisation_id", "shares", "paid")),
        "meetings": gm.Meeting.objects.count(),
        "items": sorted(gm.AgendaItem.objects.values_list("pk", "outcome")),
        "attendance": gm.Attendance.objects.count(),
        "participations": gm.Participation.objects.count(),
        "ballots": gm.Ballot.objects.count(),
        "log": gm.LogEntry.objects.count(),
        "officers": gm.Officer.objects.count(),
        "reports": sorted(gm.AnnualReport.objects.values_list("year", "reserve_transfer", "published_on")),
        "audit": AuditEntry.objects.count(),
    }


@pytest.fixture
def members(secretariat):
    """Five active members named 조합원1…5, each with a representative (``org.rep``)."""
    return [make_member(secretariat, f"조합원{n}") for n in range(1, 6)]
