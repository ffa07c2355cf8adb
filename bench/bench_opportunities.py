"""Opportunities matching: evaluation figures on the demo data, and ranking speed against a brute-force baseline.

1. Evaluation: the Chuncheon demo is loaded into a throw-away SQLite database; for every labelled demo
   opportunity the matcher's top 10 members are scored with nDCG@10 and recall@10 (and, for context, a
   baseline that orders members by the number of required capabilities they hold).
2. Speed: synthetic token lists drawn from the kiwi tokens of the demo texts (plus a long tail of rarer
   terms): all members ranked for each of 10,000 opportunities (index over 1,000 member profiles), and all
   opportunities ranked for each of 1,000 members (index over 10,000 opportunities). The baseline computes
   the same BM25 scores document by document without an index (``matching.brute_force_scores``) on a sample
   of the queries; both give the same scores (checked), the ratio is per query.

    python bench/bench_opportunities.py [--opportunities 10000] [--members 1000] [--seed 7]
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def setup_django(data_dir):
    os.environ["DONGNE_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dongne.config.settings")
    os.environ["DONGNE_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DONGNE_JOBS_IMMEDIATE"] = "1"
    os.environ["DONGNE_PASSWORD_HASHERS"] = "django.contrib.auth.hashers.MD5PasswordHasher"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def evaluation():
    from django.contrib.auth import get_user_model

    from dongne.network.demo import SECRETARIAT_EMAIL, load_demo
    from dongne.opportunities.demo import load_opportunities_demo
    from dongne.opportunities.evaluation import evaluate
    from dongne.opportunities.models import Opportunity

    started = time.perf_counter()
    load_demo(seed=2018)
    secretariat = get_user_model().objects.get(email=SECRETARIAT_EMAIL)
    load_opportunities_demo(secretariat, seed=2018)
    print(f"demo loaded in {time.perf_counter() - started:.1f} s")
    result = evaluate(secretariat)
    titles = dict(Opportunity.objects.values_list("pk", "title"))
    print(f"\nEvaluation on {result['queries']} labelled demo opportunities (k = 10)")
    print(f"  {'opportunity':<34} {'rel':>3} {'nDCG':>6} {'recall':>6}   baseline nDCG / recall")
    for row in result["rows"]:
        print(
            f"  {titles[row['opportunity']][:34]:<34} {row['relevant']:>3} {row['ndcg']:>6.3f} {row['recall']:>6.3f}"
            f"   {row['baseline_ndcg']:.3f} / {row['baseline_recall']:.3f}"
        )
    print(
        f"  mean nDCG@10   {result['ndcg']:.3f}   (capability-count baseline {result['baseline_ndcg']:.3f})"
    )
    print(
        f"  mean recall@10 {result['recall']:.3f}   (capability-count baseline {result['baseline_recall']:.3f})"
    )


def vocabulary(rng, tail=4000):
    from dongne.core.korean.tokenize import tokens
    from dongne.network.demo import _CAPABILITIES, _INDUSTRIES, _PRODUCTS
    from dongne.opportunities.demo import CALLS, NEEDS
    from dongne.opportunities.matching import clean_tokens

    texts = [" ".join(p) for p in _PRODUCTS] + _CAPABILITIES + _INDUSTRIES
    texts += [f"{c[0]} {c[1]}" for c in CALLS] + [f"{n[1]} {n[2]}" for n in NEEDS]
    common = sorted(set(clean_tokens(tokens(" ".join(texts)))))
    rare = [f"용어{i}" for i in range(tail)]
    return common, rare


def synthetic_docs(rng, count, length, common, rare):
    docs = []
    for _ in range(count):
        n = max(5, int(rng.gauss(length, length / 4)))
        # Two thirds of the tokens from the domain vocabulary, the rest from a Zipf-like long tail.
        docs.append(
            [
                rng.choice(common) if rng.random() < 0.66 else rare[int(len(rare) * rng.random() ** 3)]
                for _ in range(n)
            ]
        )
    return docs


def time_direction(label, index_docs, queries, sample, k=10):
    import numpy as np

    from dongne.opportunities.matching import BM25Index, BruteForce

    started = time.perf_counter()
    index = BM25Index(index_docs)
    build = time.perf_counter() - started
    times = []
    total_started = time.perf_counter()
    for q in queries:
        t0 = time.perf_counter()
        index.top(q, k)
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - total_started
    started = time.perf_counter()
    baseline = BruteForce(index_docs)
    brute_build = time.perf_counter() - started
    brute = []
    max_diff = 0.0
    for q in queries[:sample]:
        t0 = time.perf_counter()
        scores = baseline.scores(q)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
        brute.append(time.perf_counter() - t0)
        max_diff = max(max_diff, float(np.max(np.abs(index.scores(q) - np.array(scores)))))
        del order
    med, brute_med = statistics.median(times), statistics.median(brute)
    p95 = sorted(times)[int(len(times) * 0.95) - 1]
    print(f"\n{label}")
    print(
        f"  index build           {build * 1000:9.1f} ms  ({len(index_docs):,} documents, {len(index.postings):,} terms)"
    )
    print(
        f"  indexed, per query    median {med * 1000:7.3f} ms  p95 {p95 * 1000:7.3f} ms  total {total:6.2f} s for {len(queries):,}"
    )
    print(
        f"  brute force, per query median {brute_med * 1000:7.3f} ms  (on {len(brute)} queries; "
        f"{brute_med * len(queries):6.1f} s for all, extrapolated)"
    )
    print(f"  brute force setup     {brute_build * 1000:9.1f} ms  (term counts and document frequencies)")
    print(f"  ratio brute/indexed   {brute_med / med:9.1f}×   same scores: max |Δ| = {max_diff:.2e}")
    print(f"  target per-query median < 20 ms: {'met' if med < 0.020 else 'NOT met'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--opportunities", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-evaluation", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dongne-bench-opp-") as data_dir:
        setup_django(data_dir)
        if not args.skip_evaluation:
            evaluation()
        rng = random.Random(args.seed)
        common, rare = vocabulary(rng)
        members = synthetic_docs(rng, args.members, 60, common, rare)
        opportunities = synthetic_docs(rng, args.opportunities, 90, common, rare)
        print(
            f"\nSynthetic corpus: {args.members:,} member profiles (~60 tokens), {args.opportunities:,} opportunities (~90 tokens)"
        )
        time_direction(
            f"Members for each of {args.opportunities:,} opportunities",
            members,
            [list(set(o)) for o in opportunities],
            sample=200,
        )
        time_direction(
            f"Opportunities for each of {args.members:,} members",
            opportunities,
            [list(set(m)) for m in members],
            sample=10,
        )


if __name__ == "__main__":
    main()
