"""Evaluation harness: labelled opportunity → relevant-member pairs from the demo data, scored with
nDCG@10 and recall@10 (printed by bench/bench_opportunities.py; the tests check the metrics, not a score)."""

from statistics import mean

from . import matching, selectors
from .demo import DEMO_LABELS, relevant_members
from .models import Opportunity


def labelled_pairs(today=None):
    """{opportunity id: set of relevant member ids} for the labelled demo opportunities.

    A member is relevant when one of its products is a theme labelled for the opportunity
    (demo.DEMO_LABELS) and it passes the opportunity's hard eligibility rules (a member the rules
    exclude cannot be recommended, so it is not counted as missed)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    members = {o.pk: o for o in selectors.active_members()}
    out = {}
    for opp in Opportunity.objects.filter(title__in=list(DEMO_LABELS)).order_by("pk"):
        facts = selectors.opportunity_facts(opp)
        relevant = {
            pk
            for pk in relevant_members(opp.title)
            if pk in members
            and matching.is_eligible(
                matching.eligibility(facts, selectors.organisation_facts(members[pk]), today)
            )
        }
        if relevant:
            out[opp.pk] = relevant
    return out


def _capability_only(actor, opportunity_id, k):
    """Baseline: members ordered by how many required capabilities they hold (ties by name)."""
    opp = selectors.get_opportunity(actor, opportunity_id)
    required = {t.name for t in opp.capabilities.all()}
    members = list(selectors.active_members())
    members.sort(key=lambda o: (-len(required & {t.name for t in o.capability_tags.all()}), o.name))
    return [o.pk for o in members[:k]]


def evaluate(actor, *, k=10, today=None):
    """Mean nDCG@k and recall@k of the matcher (and of a capability-count baseline) over the labelled set."""
    pairs = labelled_pairs(today)
    rows = []
    for opp_id, relevant in pairs.items():
        _opp, matches, _excluded = selectors.member_matches(actor, opp_id, limit=k, today=today)
        ranked = [m.obj.pk for m in matches]
        baseline = _capability_only(actor, opp_id, k)
        rows.append(
            {
                "opportunity": opp_id,
                "relevant": len(relevant),
                "ndcg": matching.ndcg_at_k(ranked, relevant, k),
                "recall": matching.recall_at_k(ranked, relevant, k),
                "baseline_ndcg": matching.ndcg_at_k(baseline, relevant, k),
                "baseline_recall": matching.recall_at_k(baseline, relevant, k),
            }
        )
    if not rows:
        return {"queries": 0, "rows": []}
    return {
        "queries": len(rows),
        "ndcg": mean(r["ndcg"] for r in rows),
        "recall": mean(r["recall"] for r in rows),
        "baseline_ndcg": mean(r["baseline_ndcg"] for r in rows),
        "baseline_recall": mean(r["baseline_recall"] for r in rows),
        "rows": rows,
    }
