"""Matching opportunities and organisations: hard eligibility filters and BM25 relevance.

Everything here works on plain values (``OpportunityFacts``, ``OrganisationFacts``, token lists), so the
benchmark can rank synthetic data without a database, and the selectors turn model rows into facts.

BM25 (Robertson & Zaragoza) with k1 = 1.2, b = 0.75 and idf = ln(1 + (N − df + 0.5) / (df + 0.5)),
summed over the *distinct* terms of the query. ``BM25Index`` keeps an inverted index whose postings
already carry each term's weight in each document, so a query is a few vectorised additions;
``brute_force_scores`` computes the same scores document by document from term counts (the baseline
the benchmark and the tests compare against).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _

K1 = 1.2
B = 0.75
# Morphemes that carry no topic in announcements and profiles (verb stems of 하다/되다/있다, bound nouns).
STOPWORDS = frozenset(
    {"하", "되", "있", "없", "않", "이", "수", "것", "등", "및", "위", "통하", "대하", "년", "월", "일"}
)


def clean_tokens(tokens):
    return [t for t in tokens if t and t not in STOPWORDS]


class BM25Index:
    """An inverted index over ``docs`` (lists of tokens) with precomputed BM25 weights per posting."""

    def __init__(self, docs, *, k1=K1, b=B):
        self.k1, self.b = k1, b
        self.n = len(docs)
        self.counts = [Counter(doc) for doc in docs]
        self.lengths = np.array([len(doc) for doc in docs], dtype=np.float64)
        self.avgdl = float(self.lengths.mean()) if self.n and self.lengths.sum() else 1.0
        postings = {}
        for index, counts in enumerate(self.counts):
            for term, tf in counts.items():
                postings.setdefault(term, ([], []))
                postings[term][0].append(index)
                postings[term][1].append(tf)
        self.idf = {}
        self.postings = {}
        norm = self.k1 * (1 - self.b + self.b * self.lengths / self.avgdl)
        for term, (ids, tfs) in postings.items():
            ids = np.array(ids, dtype=np.int64)
            tfs = np.array(tfs, dtype=np.float64)
            idf = math.log(1 + (self.n - len(ids) + 0.5) / (len(ids) + 0.5))
            self.idf[term] = idf
            self.postings[term] = (ids, idf * tfs * (self.k1 + 1) / (tfs + norm[ids]))

    def term_weight(self, term, index):
        """BM25 contribution of ``term`` to document ``index`` (0 when absent)."""
        tf = self.counts[index].get(term, 0)
        if not tf:
            return 0.0
        norm = self.k1 * (1 - self.b + self.b * self.lengths[index] / self.avgdl)
        return self.idf[term] * tf * (self.k1 + 1) / (tf + norm)

    def scores(self, query):
        """Scores of every document for ``query`` (a token list) as a numpy array."""
        out = np.zeros(self.n, dtype=np.float64)
        for term in set(query):
            posting = self.postings.get(term)
            if posting is not None:
                out[posting[0]] += posting[1]
        return out

    def top(self, query, k=10, *, allowed=None):
        """The ``k`` best (index, score) pairs with a positive score, best first (ties by index)."""
        scores = self.scores(query)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > k:
            part = np.argpartition(-scores[candidates], k - 1)[:k]
            candidates = candidates[part]
        order = sorted(candidates.tolist(), key=lambda i: (-scores[i], i))
        return [(i, float(scores[i])) for i in order]

    def explain(self, query, index, limit=8):
        """The query terms found in document ``index`` with their contributions, largest first."""
        terms = [(t, self.term_weight(t, index)) for t in set(query)]
        terms = [(t, w) for t, w in terms if w > 0]
        terms.sort(key=lambda tw: (-tw[1], tw[0]))
        return terms[:limit]


class BruteForce:
    """The same BM25 scores without an inverted index: every document is visited for every query.

    Corpus statistics (term counts per document, lengths, document frequencies) are computed once, as
    any sensible baseline would; what the index saves is the visit of documents that share no term."""

    def __init__(self, docs, *, k1=K1, b=B):
        self.k1, self.b = k1, b
        self.n = len(docs)
        self.counts = [Counter(d) for d in docs]
        self.lengths = [len(d) for d in docs]
        self.avgdl = (sum(self.lengths) / self.n) if self.n else 1.0
        self.avgdl = self.avgdl or 1.0
        self.df = Counter()
        for c in self.counts:
            self.df.update(c.keys())

    def scores(self, query):
        terms = set(query)
        idf = {t: math.log(1 + (self.n - self.df[t] + 0.5) / (self.df[t] + 0.5)) for t in terms}
        out = []
        for c, length in zip(self.counts, self.lengths, strict=True):
            total = 0.0
            norm = self.k1 * (1 - self.b + self.b * length / self.avgdl)
            for t in terms:
                tf = c.get(t, 0)
                if tf:
                    total += idf[t] * tf * (self.k1 + 1) / (tf + norm)
            out.append(total)
        return out


def brute_force_scores(docs, query, *, k1=K1, b=B):
    """BM25 scores of ``query`` against ``docs`` computed document by document (no index)."""
    return BruteForce(docs, k1=k1, b=b).scores(query)


# --- eligibility ------------------------------------------------------------------------------------
@dataclass
class OrganisationFacts:
    id: int
    name: str
    regions: set = field(default_factory=set)  # canonical region names; empty = not recorded
    founded_on: dt.date | None = None
    employees: int | None = None
    industries: set = field(default_factory=set)
    capabilities: set = field(default_factory=set)
    kind: str = "member_company"
    tokens: list = field(default_factory=list)


@dataclass
class OpportunityFacts:
    id: int
    title: str
    regions: list = field(default_factory=list)  # canonical names; empty = nationwide
    min_company_age: int | None = None
    max_company_age: int | None = None
    min_employees: int | None = None
    max_employees: int | None = None
    industries: set = field(default_factory=set)
    capabilities: set = field(default_factory=set)
    deadline: dt.date | None = None
    is_rolling: bool = False
    tokens: list = field(default_factory=list)


@dataclass
class Line:
    """One eligibility line: ``ok`` True (passes), False (fails: excluded), None (not recorded: not excluded)."""

    ok: bool | None
    text: str

    @property
    def state(self):
        return {True: "pass", False: "fail", None: "unknown"}[self.ok]


def company_age(founded_on, today):
    return (today - founded_on).days / 365.25


def eligibility(opp, org, today, *, check_deadline=False):
    """The eligibility lines of ``org`` for ``opp``; a line with ok=False excludes the organisation."""
    lines = []
    if check_deadline:
        if opp.is_rolling or opp.deadline is None:
            lines.append(Line(True, _("Open: applications accepted all year or until further notice.")))
        elif opp.deadline < today:
            lines.append(
                Line(
                    False, _("Closed: the deadline %(date)s has passed.") % {"date": opp.deadline.isoformat()}
                )
            )
        else:
            lines.append(
                Line(
                    True,
                    _("Open until %(date)s (D-%(days)s).")
                    % {"date": opp.deadline.isoformat(), "days": (opp.deadline - today).days},
                )
            )
    if not opp.regions:
        lines.append(Line(True, _("Region: open nationwide.")))
    elif not org.regions:
        lines.append(
            Line(
                None,
                _("Region: limited to %(regions)s; the profile records no region.")
                % {"regions": ", ".join(opp.regions)},
            )
        )
    else:
        shared = [r for r in opp.regions if r in org.regions]
        if shared:
            lines.append(Line(True, _("Region: %(region)s is eligible.") % {"region": ", ".join(shared)}))
        else:
            lines.append(
                Line(
                    False,
                    _("Region: limited to %(regions)s; the company is in %(own)s.")
                    % {"regions": ", ".join(opp.regions), "own": ", ".join(sorted(org.regions))},
                )
            )
    if opp.min_company_age is not None or opp.max_company_age is not None:
        if org.founded_on is None:
            lines.append(Line(None, _("Company age: the founding date is not recorded.")))
        else:
            age = company_age(org.founded_on, today)
            limits = _age_limits(opp)
            too_young = opp.min_company_age is not None and age < opp.min_company_age
            too_old = opp.max_company_age is not None and age > opp.max_company_age
            params = {"age": f"{age:.1f}", "limits": limits}
            if too_young or too_old:
                lines.append(
                    Line(False, _("Company age: %(age)s years; the call requires %(limits)s.") % params)
                )
            else:
                lines.append(Line(True, _("Company age: %(age)s years, within %(limits)s.") % params))
    if opp.min_employees is not None or opp.max_employees is not None:
        if org.employees is None:
            lines.append(Line(None, _("Size: the number of employees is not recorded.")))
        else:
            low = opp.min_employees if opp.min_employees is not None else 0
            high = opp.max_employees
            limits = f"{low}–{high}" if high is not None else f"{low}+"
            params = {"n": org.employees, "limits": limits}
            if org.employees < low or (high is not None and org.employees > high):
                lines.append(Line(False, _("Size: %(n)s employees; the call requires %(limits)s.") % params))
            else:
                lines.append(Line(True, _("Size: %(n)s employees, within %(limits)s.") % params))
    if opp.industries:
        shared = sorted(opp.industries & org.industries)
        if shared:
            lines.append(Line(True, _("Industry: %(names)s.") % {"names": ", ".join(shared)}))
        else:
            lines.append(
                Line(
                    False,
                    _("Industry: the call is for %(names)s; the profile lists none of them.")
                    % {"names": ", ".join(sorted(opp.industries))},
                )
            )
    return lines


def _age_limits(opp):
    if opp.min_company_age is not None and opp.max_company_age is not None:
        return _("%(low)s to %(high)s years") % {"low": opp.min_company_age, "high": opp.max_company_age}
    if opp.max_company_age is not None:
        return _("at most %(high)s years") % {"high": opp.max_company_age}
    return _("at least %(low)s years") % {"low": opp.min_company_age}


def is_eligible(lines):
    return all(line.ok is not False for line in lines)


def capability_coverage(required, offered):
    """(covered, missing) capability names, sorted."""
    return sorted(required & offered), sorted(required - offered)


@dataclass
class Match:
    """One explained match: the other side (``obj``), its score, eligibility lines and matched terms."""

    obj: object
    score: float
    lines: list
    terms: list
    covered: list = field(default_factory=list)
    missing: list = field(default_factory=list)

    @property
    def eligible(self):
        return is_eligible(self.lines)

    @property
    def term_names(self):
        return [t for t, _w in self.terms]


def rank_organisations(opp, organisations, today, *, limit=10, index=None):
    """Organisations for an opportunity: (eligible matches best first, excluded ones with reasons)."""
    index = index or BM25Index([o.tokens for o in organisations])
    scores = index.scores(opp.tokens)
    eligible, excluded = [], []
    for position, org in enumerate(organisations):
        lines = eligibility(opp, org, today)
        covered, missing = capability_coverage(opp.capabilities, org.capabilities)
        match = Match(org, float(scores[position]), lines, [], covered, missing)
        (eligible if match.eligible else excluded).append((position, match))
    eligible.sort(key=lambda pm: (-pm[1].score, -len(pm[1].covered), pm[1].obj.name))
    for position, match in eligible[:limit]:
        match.terms = index.explain(opp.tokens, position)
    return [m for _p, m in eligible[:limit] if m.score > 0 or m.covered], [m for _p, m in excluded]


def rank_opportunities(org, opportunities, today, *, limit=20, index=None):
    """Open opportunities for an organisation: (eligible matches best first, excluded ones with reasons)."""
    index = index or BM25Index([o.tokens for o in opportunities])
    scores = index.scores(org.tokens)
    eligible, excluded = [], []
    for position, opp in enumerate(opportunities):
        lines = eligibility(opp, org, today, check_deadline=True)
        covered, missing = capability_coverage(opp.capabilities, org.capabilities)
        match = Match(opp, float(scores[position]), lines, [], covered, missing)
        (eligible if match.eligible else excluded).append((position, match))
    eligible.sort(key=lambda pm: (-pm[1].score, -len(pm[1].covered), pm[1].obj.id))
    eligible = [(p, m) for p, m in eligible if m.score > 0 or m.covered]
    for position, match in eligible[:limit]:
        match.terms = index.explain(org.tokens, position)
    return [m for _p, m in eligible[:limit]], [m for _p, m in excluded]


# --- evaluation -------------------------------------------------------------------------------------
def dcg_at_k(ranked, relevant, k=10):
    return sum(1.0 / math.log2(i + 2) for i, item in enumerate(ranked[:k]) if item in relevant)


def ndcg_at_k(ranked, relevant, k=10):
    """Binary-relevance nDCG@k: DCG of the ranking over the DCG of the ideal ranking (0 with no relevant item)."""
    relevant = set(relevant)
    if not relevant:
        return 0.0
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg_at_k(ranked, relevant, k) / ideal


def recall_at_k(ranked, relevant, k=10):
    """Share of the relevant items found in the first ``k`` (0 with no relevant item)."""
    relevant = set(relevant)
    if not relevant:
        return 0.0
    return len(relevant & set(ranked[:k])) / len(relevant)
