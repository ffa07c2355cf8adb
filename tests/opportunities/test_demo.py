"""The Chuncheon demo: calls, needs, partner requests, consortia and a canvas, and the evaluation labels."""

import pytest
from django.contrib.auth import get_user_model

from dongne.network.demo import SECRETARIAT_EMAIL, load_demo
from dongne.opportunities import selectors
from dongne.opportunities.demo import CALLS, load_opportunities_demo, relevant_members
from dongne.opportunities.models import Canvas, Consortium, Opportunity


@pytest.mark.django_db
def test_demo_has_calls_needs_consortia_and_explained_matches_for_the_demo_rep():
    load_demo(seed=2018)
    secretariat = get_user_model().objects.get(email=SECRETARIAT_EMAIL)
    lines = load_opportunities_demo(secretariat, seed=2018)
    assert lines and load_opportunities_demo(secretariat, seed=2018) == []  # once only
    kinds = {
        k: Opportunity.objects.filter(kind=k).count()
        for k in ("funding_call", "regional_need", "partner_request")
    }
    assert kinds == {"funding_call": len(CALLS), "regional_need": 5, "partner_request": 2}
    assert set(Consortium.objects.values_list("status", flat=True)) == {"completed", "running", "draft"}
    assert selectors.outcomes_summary()["jobs_created"] == 4
    assert Canvas.objects.count() == 1
    rep = get_user_model().objects.get(email="rep@demo.dongne.kr")
    org = selectors.my_organisations(rep).get()
    _org, matches, _excluded = selectors.opportunity_matches(rep, org.pk)
    assert matches and all(m.terms or m.covered for m in matches)
    # The evaluation labels name real members.
    assert relevant_members(CALLS[0][0])


@pytest.mark.django_db
def test_evaluation_harness_scores_each_labelled_opportunity_with_the_metrics(monkeypatch):
    from dongne.opportunities import evaluation, matching

    load_demo(seed=2018)
    secretariat = get_user_model().objects.get(email=SECRETARIAT_EMAIL)
    load_opportunities_demo(secretariat, seed=2018)
    pairs = evaluation.labelled_pairs()
    assert len(pairs) >= 8 and all(pairs.values())
    result = evaluation.evaluate(secretariat)
    assert result["queries"] == len(pairs)
    # Each row's figures are the metric functions applied to that opportunity's ranking.
    row = result["rows"][0]
    _opp, matches, _ex = selectors.member_matches(secretariat, row["opportunity"], limit=10)
    ranked = [m.obj.pk for m in matches]
    assert row["ndcg"] == matching.ndcg_at_k(ranked, pairs[row["opportunity"]])
    assert row["recall"] == matching.recall_at_k(ranked, pairs[row["opportunity"]])
    assert result["ndcg"] == pytest.approx(sum(r["ndcg"] for r in result["rows"]) / len(result["rows"]))
    assert 0.0 <= result["recall"] <= 1.0
