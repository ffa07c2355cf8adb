"""Keyword trends from the Korean reviews: morpheme nouns (kiwipiepy), counts per month and area, rising terms
with example sentences."""

import datetime as dt
import re

import duckdb
import pytest

from dongne.insights import analyses as A
from dongne.insights.analyses import Filters

from .conftest import K

HANGUL = re.compile(r"^[가-힣]{2,}$")


@pytest.fixture(scope="module")
def may_2026(sources):
    return A.keyword_trends(Filters(end=dt.date(2026, 5, 31)), top=20, sources=sources, k=K)


def test_rising_terms_are_korean_nouns_of_the_month(may_2026):
    terms = [r["term"] for r in may_2026.rows]
    assert len(terms) == 20 and all(HANGUL.match(t) for t in terms)
    assert may_2026.meta["period"] == dt.date(2026, 5, 1) and may_2026.meta["previous_period"] == dt.date(
        2026, 4, 1
    )
    # May's seasonal words and the 마임축제 (late May, 근화동) rise against April.
    assert {"장미", "신록", "마임"} <= set(terms)
    assert "벚꽃" not in terms  # April's word falls
    # Morphemes, not words: "마임이", "장미가" are counted as 마임, 장미.
    assert not [t for t in terms if re.fullmatch(r"(마임|장미|신록|축제)(이|가|은|는|을|를|에서)", t)]


def test_rising_terms_have_support_growth_and_examples(may_2026):
    for row in may_2026.rows:
        assert row["count"] >= max(K, 5)
        assert 1 <= len(row["examples"]) <= 2
        assert all(row["term"] in sentence for sentence in row["examples"])
        if row["previous"] is not None and row["growth"] is not None:
            n_now = may_2026.meta["reviews_in_period"]
            n_before = may_2026.meta["reviews_in_previous_period"]
            assert row["growth"] == pytest.approx(
                (row["count"] / n_now) / ((row["previous"] + 0.5) / n_before), abs=0.006
            )
    growths = [r["growth"] for r in may_2026.rows if r["growth"] is not None]
    assert growths == sorted(growths, reverse=True)


def test_frequency_per_month_and_area_matches_the_reviews(may_2026, sources):
    frequency = may_2026.meta["frequency"]
    terms = frequency.meta["terms"]
    assert len(terms) == 20
    con = duckdb.connect()
    for term in ("닭갈비", "케이블카"):
        if term not in terms:
            continue
        got = {
            (r["month"], r["area_code"]): r["count"]
            for r in frequency.rows
            if r["term"] == term and r["count"]
        }
        expected = dict(
            ((month, code), n)
            for month, code, n in con.execute(
                f"""SELECT date_trunc('month', date)::DATE, area_code, count(*)
                    FROM read_parquet({sources["insights-reviews"]!r})
                    WHERE date <= DATE '2026-05-31' AND contains(text, ?) GROUP BY ALL""",
                [term],
            ).fetchall()
            if n >= K
        )
        assert got == expected
    assert any(r["term"] == "닭갈비" for r in frequency.rows)
    assert all(r["area_name"] for r in frequency.rows)


def test_area_filter_and_latest_month_by_default(sources):
    table = A.keyword_trends(Filters(areas=["3201036"]), sources=sources, k=K)
    assert table.meta["period"] == dt.date(2026, 10, 1)
    codes = {r["area_code"] for r in table.meta["frequency"].rows}
    assert codes == {"3201036"}
    everywhere = A.keyword_trends(Filters(areas=["32010"]), sources=sources, k=K)
    assert {r["area_code"][:5] for r in everywhere.meta["frequency"].rows} == {"32010"}
    assert len({r["area_code"] for r in everywhere.meta["frequency"].rows}) > 3
