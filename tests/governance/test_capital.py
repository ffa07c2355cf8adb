"""Capital (출자) ledger: the rules of 제16조②, 제22조 and 제89조, append-only corrections and statements."""

import datetime as dt

import pytest

from dongne.core.errors import Conflict, PermissionDenied, ValidationError
from dongne.governance import selectors, services
from dongne.governance.models import CapitalEntry
from dongne.network import services as network

from .conftest import make_member, snapshot

pytestmark = pytest.mark.django_db
ON = dt.date(2020, 1, 10)


def founding(secretariat, members, shares=(20, 20, 20, 20, 20)):
    return services.subscribe_capital(
        actor=secretariat, subscriptions=[(m.pk, s) for m, s in zip(members, shares, strict=True)], on=ON
    )


def test_founding_subscriptions_are_checked_together_against_the_30_percent_cap(secretariat, members):
    founding(secretariat, members)
    totals = selectors.capital_totals()
    assert totals["shares"] == 100 and totals["subscribed"] == 100 * 10000
    assert totals["largest_percent"] == 20.0
    assert selectors.reconcile() == []


def test_a_subscription_above_30_percent_is_refused_naming_the_article_and_nothing_changes(
    secretariat, members
):
    founding(secretariat, members)
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        # 20 + 24 = 44 of 124 shares = 35.5 %
        services.subscribe_capital(actor=secretariat, subscriptions=[(members[0].pk, 24)], on=ON)
    message = info.value.render()
    assert "협동조합 기본법 제22조" in message and "30%" in message
    assert "35.5%" in message
    assert "34" in message  # says how many shares the member may hold (34 of 114 ≤ 30%)
    assert snapshot() == before
    # exactly the number the message allows is accepted
    services.subscribe_capital(actor=secretariat, subscriptions=[(members[0].pk, 14)], on=ON)
    assert selectors.capital_totals()["largest_percent"] <= 30


def test_every_member_subscribes_at_least_one_share(secretariat, members):
    before = snapshot()
    with pytest.raises(ValidationError):
        services.subscribe_capital(actor=secretariat, subscriptions=[(members[0].pk, 0)], on=ON)
    assert snapshot() == before


def test_a_payment_cannot_exceed_the_subscribed_shares(secretariat, members):
    founding(secretariat, members)
    services.record_payment(actor=secretariat, organisation_id=members[0].pk, amount=150_000, on=ON)
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        services.record_payment(actor=secretariat, organisation_id=members[0].pk, amount=60_000, on=ON)
    assert "제22조" in info.value.render()
    assert snapshot() == before
    statement = selectors.statement(secretariat, members[0].pk)
    assert statement["paid"] == 150_000 and statement["unpaid"] == 50_000


def test_transfers_move_paid_value_keep_one_share_and_respect_the_cap(secretariat, members):
    founding(secretariat, members)
    services.record_payment(actor=secretariat, organisation_id=members[0].pk, amount=200_000, on=ON)
    out, into = services.transfer_shares(
        actor=secretariat,
        from_organisation_id=members[0].pk,
        to_organisation_id=members[1].pk,
        shares=5,
        on=ON,
    )
    assert (out.shares, out.amount, into.shares, into.amount) == (-5, -50_000, 5, 50_000)
    assert out.pair_id == into.pk
    before = snapshot()
    with pytest.raises(ValidationError) as info:  # 25 + 10 = 35 of 100
        services.transfer_shares(
            actor=secretariat,
            from_organisation_id=members[2].pk,
            to_organisation_id=members[1].pk,
            shares=10,
            on=ON,
        )
    assert "제22조" in info.value.render()
    with pytest.raises(ValidationError) as info:  # an active member keeps at least one share
        services.transfer_shares(
            actor=secretariat,
            from_organisation_id=members[0].pk,
            to_organisation_id=members[3].pk,
            shares=15,
            on=ON,
        )
    assert "제22조" in info.value.render()
    assert snapshot() == before
    assert selectors.reconcile() == []


def test_a_refund_is_claimable_from_the_next_fiscal_year_for_two_years(secretariat, members):
    founding(secretariat, members, shares=(20, 20, 20, 20, 20))
    leaver = members[4]
    services.record_payment(actor=secretariat, organisation_id=leaver.pk, amount=200_000, on=ON)
    m = leaver.membership
    network.request_withdrawal(actor=secretariat, membership_id=m.pk, reason="폐업", on=dt.date(2021, 3, 1))
    network.complete_withdrawal(actor=secretariat, membership_id=m.pk, on=dt.date(2021, 6, 30))
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        services.refund_capital(actor=secretariat, organisation_id=leaver.pk, on=dt.date(2021, 12, 31))
    assert "제89조" in info.value.render() and "2022.01.01" in info.value.render()
    with pytest.raises(ValidationError) as info:
        services.refund_capital(actor=secretariat, organisation_id=leaver.pk, on=dt.date(2024, 1, 1))
    assert "제89조" in info.value.render() and "2023.12.31" in info.value.render()
    with pytest.raises(ValidationError):  # an active member cannot claim a refund
        services.refund_capital(actor=secretariat, organisation_id=members[0].pk, on=dt.date(2022, 1, 1))
    assert snapshot() == before
    entry = services.refund_capital(actor=secretariat, organisation_id=leaver.pk, on=dt.date(2022, 2, 1))
    assert (entry.shares, entry.amount) == (-20, -200_000)
    assert selectors.statement(secretariat, leaver.pk)["shares"] == 0
    assert selectors.reconcile() == []


def test_a_mistake_is_corrected_by_a_reversal_once_and_the_original_stays(secretariat, members):
    founding(secretariat, members)
    payment = services.record_payment(actor=secretariat, organisation_id=members[0].pk, amount=100_000, on=ON)
    (reversal,) = services.reverse_entry(actor=secretariat, entry_id=payment.pk, on=ON, note="이중 입력")
    assert reversal.amount == -100_000 and reversal.reverses_id == payment.pk
    assert CapitalEntry.objects.filter(pk=payment.pk).exists()
    with pytest.raises(Conflict):
        services.reverse_entry(actor=secretariat, entry_id=payment.pk, on=ON)
    with pytest.raises(Conflict):
        services.reverse_entry(actor=secretariat, entry_id=reversal.pk, on=ON)
    with pytest.raises(RuntimeError):
        payment.note = "고침"
        payment.save()
    with pytest.raises(RuntimeError):
        CapitalEntry.objects.filter(pk=payment.pk).delete()
    assert selectors.statement(secretariat, members[0].pk)["paid"] == 0


def test_reversing_a_transfer_reverses_both_legs(secretariat, members):
    founding(secretariat, members)
    out, into = services.transfer_shares(
        actor=secretariat,
        from_organisation_id=members[0].pk,
        to_organisation_id=members[1].pk,
        shares=3,
        on=ON,
    )
    legs = services.reverse_entry(actor=secretariat, entry_id=into.pk, on=ON)
    assert len(legs) == 2
    assert selectors.statement(secretariat, members[0].pk)["shares"] == 20
    assert selectors.statement(secretariat, members[1].pk)["shares"] == 20
    assert selectors.reconcile() == []


def test_the_share_price_is_uniform_and_fixed_once_shares_exist(secretariat, members):
    services.update_cooperative(actor=secretariat, share_price=50000)
    founding(secretariat, members)
    assert selectors.capital_totals()["subscribed"] == 100 * 50000
    with pytest.raises(ValidationError) as info:
        services.update_cooperative(actor=secretariat, share_price=100000)
    assert "제16조" in info.value.render()
    assert selectors.cooperative().share_price == 50000


def test_a_member_sees_its_own_statement_only(secretariat, members):
    founding(secretariat, members)
    rep = members[0].rep
    statement = selectors.statement(rep, members[0].pk)
    assert statement["shares"] == 20 and statement["reconciles"]
    with pytest.raises(PermissionDenied):
        selectors.statement(rep, members[1].pk)
    with pytest.raises(PermissionDenied):
        services.subscribe_capital(actor=rep, subscriptions=[(members[0].pk, 1)], on=ON)


def test_an_applicant_cannot_subscribe(secretariat, members):
    from tests.factories import make_organisation

    org = make_organisation(secretariat, name="신청중")
    network.apply_membership(actor=secretariat, organisation_id=org.pk, member_type="producer")
    with pytest.raises(ValidationError):
        services.subscribe_capital(actor=secretariat, subscriptions=[(org.pk, 1)], on=ON)
    late = make_member(secretariat, "늦은조합원", joined=dt.date(2020, 5, 1))
    founding(secretariat, members)
    services.subscribe_capital(actor=secretariat, subscriptions=[(late.pk, 5)], on=ON)
