"""The same member's vote sent from many threads at once is stored exactly once: the unique constraint on
(poll, member) decides, on SQLite (a file, transaction_mode IMMEDIATE) and on PostgreSQL."""

import datetime as dt

import pytest
from django.utils import timezone

from dongne.core.errors import Conflict
from dongne.governance import selectors, services
from dongne.governance.models import Ballot, LogEntry, Participation
from tests.concurrency import race

from .conftest import make_member

THREADS = 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("secret", [False, True])
def test_the_same_members_vote_from_many_threads_is_stored_once(secretariat, secret):
    member = make_member(secretariat, "동시투표소프트")
    now = timezone.now()
    poll = services.create_poll(
        actor=secretariat,
        title="동시 투표",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        secret=secret,
    )
    outcomes = race(
        lambda option: services.cast_vote(actor=member.rep, poll_id=poll.pk, option=option),
        [((n % 3) + 1,) for n in range(THREADS)],
    )
    successes = [v for kind, v in outcomes if kind == "ok"]
    errors = [v for kind, v in outcomes if kind == "error"]
    assert len(successes) == 1, outcomes
    assert all(isinstance(e, Conflict) and e.code == "already_voted" for e in errors), errors
    assert Participation.objects.filter(poll=poll).count() == 1
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert LogEntry.objects.count() == 1
    assert selectors.verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_subscriptions_of_one_member_stop_exactly_at_the_30_percent_cap(secretariat):
    """Five members hold 20 shares each. Member A then asks for 3 more shares from 8 threads at once: 4 fit
    (32 of 112 = 28.6%), a fifth would make 35 of 115 = 30.4%. Ledger writes are serialised (the cooperative
    row and the member's account are locked before the check), so each check sees the others' committed
    result and exactly 4 succeed."""
    orgs = [make_member(secretariat, f"동시출자{n}", rep=False) for n in range(5)]
    services.subscribe_capital(
        actor=secretariat, subscriptions=[(o.pk, 20) for o in orgs], on=dt.date(2024, 1, 2)
    )
    outcomes = race(
        lambda: services.subscribe_capital(
            actor=secretariat, subscriptions=[(orgs[0].pk, 3)], on=dt.date(2024, 2, 1)
        ),
        [() for _ in range(THREADS)],
    )
    successes = [v for kind, v in outcomes if kind == "ok"]
    errors = [v for kind, v in outcomes if kind == "error"]
    assert len(successes) == 4, outcomes
    assert all("제22조" in e.render() for e in errors), errors
    totals = selectors.capital_totals()
    assert totals["shares"] == 112 and totals["largest_percent"] <= 30
    assert selectors.reconcile() == []
