"""k-suppression: no published count below k, in any analysis, in JSON or in CSV; the ``suppressed`` flag says
where something was held back; values computed from a suppressed count are held back too."""

import csv
import datetime as dt
import io
import json

import pytest

from dongne.insights import analyses as A
from dongne.insights.analyses import Filters

from .conftest import K

# Columns that hold counts of people, payments or reviews.
COUNT_COLUMNS = {
    "visitors",
    "previous_year",
    "previous_visitors",
    "local",
    "other",
    "foreign",
    "transactions",
    "count",
    "previous",
}
SMALL = Filters(areas=["3201039", "3201031", "3201032"], visitor_types=["foreign"])  # rural, few foreigners


def every_analysis(sources, k=K):
    yield "trend", A.trend(SMALL, by="area", sources=sources, k=k)
    yield "trend_week", A.trend(SMALL, grain="week", by="area", moving_average=4, sources=sources, k=k)
    yield (
        "year_over_year",
        A.year_over_year(
            Filters(areas=["3201039"], visitor_types=["foreign"]), grain="day", sources=sources, k=k
        ),
    )
    yield (
        "visitor_mix",
        A.visitor_mix(
            Filters(areas=["3201039", "3201031"], start=dt.date(2026, 1, 5), end=dt.date(2026, 1, 5)),
            by="area",
            sources=sources,
            k=k,
        ),
    )
    yield (
        "spend_per_visitor",
        A.spend_per_visitor(
            Filters(start=dt.date(2026, 1, 6), end=dt.date(2026, 1, 6), level="emd"),
            by="area",
            sources=sources,
            k=k,
        ),
    )
    yield (
        "hotspots",
        A.hotspots(
            Filters(start=dt.date(2026, 1, 6), end=dt.date(2026, 1, 6), visitor_types=["foreign"]),
            top=25,
            sources=sources,
            k=k,
        ),
    )
    yield (
        "seasonality",
        A.seasonality(
            Filters(
                areas=["3201039"],
                visitor_types=["foreign"],
                start=dt.date(2026, 1, 1),
                end=dt.date(2026, 1, 31),
            ),
            sources=sources,
            k=k,
        ),
    )
    yield (
        "area_totals",
        A.area_totals(Filters(start=dt.date(2026, 1, 6), end=dt.date(2026, 1, 6)), sources=sources, k=k),
    )
    yield "keyword_trends", A.keyword_trends(Filters(areas=["3201039"]), sources=sources, k=k)
    yield "opportunities", A.opportunities(sources=sources, k=k)
    yield "festival_impact", A.festival_impact("marathon-2025", SMALL, sources=sources, k=k)
    impact = A.festival_impact(
        "marathon-2025", Filters(visitor_types=["foreign"], industries=["숙박"]), sources=sources, k=k
    )
    yield "festival_series", impact.meta["series"]
    yield "keyword_frequency", A.keyword_trends(Filters(areas=["3201039"]), sources=sources, k=k).meta["frequency"]  # fmt: skip


@pytest.fixture(scope="module")
def tables(sources):
    return dict(every_analysis(sources))


def test_no_count_below_k_in_any_output(tables):
    suppressed_somewhere = set()
    for name, table in tables.items():
        for row in table.rows:
            for column in COUNT_COLUMNS & set(row):
                value = row[column]
                assert value is None or value >= K, (name, column, value)
            if row["suppressed"]:
                suppressed_somewhere.add(name)
        assert table.meta.get("suppressed_rows", 0) == sum(r["suppressed"] for r in table.rows) or name in (
            "festival_impact",
        )
    # The filters were chosen so that small counts occur: suppression is exercised, not vacuous.
    assert {"trend", "visitor_mix", "hotspots", "area_totals", "keyword_frequency"} <= (suppressed_somewhere)


def test_json_and_csv_exports_hold_no_count_below_k(tables):
    for name, table in tables.items():
        data = json.loads(json.dumps(table.as_dict()))
        counts = [c["name"] for c in data["columns"] if c["name"] in COUNT_COLUMNS]
        for row in data["rows"]:
            for column in counts:
                assert row[column] is None or row[column] >= K, (name, column)
        reader = csv.DictReader(io.StringIO(table.to_csv().lstrip("\ufeff")))
        for row in reader:
            for column in counts:
                assert row[column] == "" or int(row[column]) >= K, (name, column, row[column])
            assert row["suppressed"] in ("true", "false")


def test_values_computed_from_a_suppressed_count_are_held_back(tables):
    mix = tables["visitor_mix"]
    for row in mix.rows:
        if row["visitors"] is None:
            assert row["share"] is None and row["suppressed"]
    # A moving average whose window holds a suppressed week is not published either.
    weekly = tables["trend_week"]
    by_area = {}
    for row in weekly.rows:
        by_area.setdefault(row["area_code"], []).append(row)
    for rows in by_area.values():
        for i, row in enumerate(rows):
            window = rows[max(0, i - 3) : i + 1]
            if any(r["visitors"] is None for r in window):
                assert row["moving_average"] is None


def test_suppression_follows_k(sources):
    def nulls(k):
        table = A.trend(SMALL, by="area", sources=sources, k=k)
        return sum(r["visitors"] is None for r in table.rows)

    assert nulls(0) == 0
    assert 0 < nulls(5) < nulls(10) < nulls(50)
    table = A.trend(SMALL, by="area", sources=sources, k=0)
    assert any(r["visitors"] is not None and r["visitors"] < K for r in table.rows)


def test_a_festival_estimate_on_counts_below_k_is_not_published(sources):
    # About a hundred foreigners a day in 서면: published with k = 10, held back with k = 150.
    foreign = Filters(visitor_types=["foreign"])
    shown = A.festival_impact("marathon-2025", foreign, sources=sources, k=K)
    assert not any(r["suppressed"] for r in shown.rows if r["metric"] == "visitors")
    hidden = A.festival_impact("marathon-2025", foreign, sources=sources, k=150)
    visitors = next(r for r in hidden.rows if r["metric"] == "visitors")
    assert visitors["suppressed"] and visitors["uplift_pct"] is None and visitors["ci_low_pct"] is None
    assert visitors["days"] == 1  # how much was held back is not itself a count of people
    series = hidden.meta["series"]
    assert all(r["visitors"] is None or r["visitors"] >= 150 for r in series.rows)
    assert any(r["suppressed"] for r in series.rows)


def test_k_comes_from_settings_when_not_given(sources, settings):
    settings.INSIGHTS_MIN_COUNT = 1_000_000
    table = A.visitor_mix(
        Filters(areas=["3201039"], start=dt.date(2026, 1, 5), end=dt.date(2026, 1, 5)), sources=sources
    )
    assert table.meta["k"] == 1_000_000
    assert all(r["visitors"] is None and r["share"] is None and r["suppressed"] for r in table.rows)


def test_suppress_helper():
    rows = [
        {"n": 3, "m": 40, "share": 0.1, "avg": 5.0, "_low": 3},
        {"n": 30, "m": 40, "share": 0.4, "avg": 5.0, "_low": 12},
    ]
    touched = A.suppress(rows, 10, counts=["n", "m"], derived={"share": ["n"]}, guards={"avg": "_low"})
    assert touched == 1
    assert rows[0] == {"n": None, "m": 40, "share": None, "avg": None, "suppressed": True}
    assert rows[1] == {"n": 30, "m": 40, "share": 0.4, "avg": 5.0, "suppressed": False}
