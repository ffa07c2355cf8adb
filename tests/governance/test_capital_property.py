"""Property: whatever sequence of capital operations the secretariat records — valid or refused — every
member's account equals the sum of its entries, totals agree, and the Act's invariants hold after every step.
Refused operations leave the ledger exactly as it was."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dongne.core.errors import DongneError
from dongne.governance import selectors, services
from dongne.governance.models import CapitalAccount, CapitalEntry

from .conftest import make_member

ON = dt.date(2020, 3, 1)
N = 6

operation = st.one_of(
    st.tuples(st.just("subscribe"), st.integers(0, N - 1), st.integers(1, 40)),
    st.tuples(st.just("pay"), st.integers(0, N - 1), st.integers(1, 400_000)),
    st.tuples(st.just("transfer"), st.integers(0, N - 1), st.integers(0, N - 1), st.integers(1, 30)),
    st.tuples(st.just("reverse"), st.integers(0, 200)),
)


def apply(actor, orgs, op):
    kind = op[0]
    if kind == "subscribe":
        services.subscribe_capital(actor=actor, subscriptions=[(orgs[op[1]].pk, op[2])], on=ON)
    elif kind == "pay":
        services.record_payment(actor=actor, organisation_id=orgs[op[1]].pk, amount=op[2], on=ON)
    elif kind == "transfer":
        services.transfer_shares(
            actor=actor,
            from_organisation_id=orgs[op[1]].pk,
            to_organisation_id=orgs[op[2]].pk,
            shares=op[3],
            on=ON,
        )
    else:
        ids = list(CapitalEntry.objects.order_by("id").values_list("id", flat=True))
        if ids:
            services.reverse_entry(actor=actor, entry_id=ids[op[1] % len(ids)], on=ON)


def ledger_state():
    return (
        CapitalEntry.objects.count(),
        sorted(CapitalAccount.objects.values_list("organisation_id", "shares", "paid")),
    )


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=1, max_size=25))
def test_accounts_and_totals_reconcile_with_entries_under_random_operations(secretariat, ops):
    # Members are made once per database (the first example), then every example runs in a rolled-back block.
    orgs = list(getattr(test_accounts_and_totals_reconcile_with_entries_under_random_operations, "orgs", []))
    if not orgs or not type(orgs[0])._default_manager.filter(pk=orgs[0].pk).exists():
        orgs = [make_member(secretariat, f"속성조합원{n}", rep=False) for n in range(N)]
        test_accounts_and_totals_reconcile_with_entries_under_random_operations.orgs = orgs
    price = selectors.cooperative().share_price
    with transaction.atomic():
        services.subscribe_capital(actor=secretariat, subscriptions=[(o.pk, 10) for o in orgs], on=ON)
        for op in ops:
            before = ledger_state()
            try:
                apply(secretariat, orgs, op)
            except DongneError as exc:
                assert ledger_state() == before, (op, exc.render())
            # The books agree after every step.
            assert selectors.reconcile() == []
            totals = selectors.capital_totals()
            assert totals["shares"] == totals["entries_shares"]
            assert totals["paid"] == totals["entries_paid"]
            for shares, paid in CapitalAccount.objects.values_list("shares", "paid"):
                assert shares >= 1  # every (active) member keeps a share
                assert 0 <= paid <= shares * price
                assert shares * 100 <= 30 * totals["shares"]  # 제22조②: no refund in this sequence
        transaction.set_rollback(True)
