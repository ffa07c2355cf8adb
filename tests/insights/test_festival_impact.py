"""Festival impact: the difference-in-differences estimate finds the uplift the generator injected, its interval
covers it, and the numbers are those of the method written in meta (recomputed here from the Parquet files)."""

import datetime as dt
import math

import duckdb
import pytest

from dongne.insights import analyses as A
from dongne.insights import generate
from dongne.insights.analyses import Filters

from .conftest import K

OTHER = Filters(visitor_types=["other"])


def impact(festival_id, filters=None, *, sources, **kwargs):
    return A.festival_impact(festival_id, filters, sources=sources, k=K, **kwargs)


def metric(table, name):
    return next(r for r in table.rows if r["metric"] == name)


def test_uplift_is_positive_and_its_interval_covers_the_injected_uplift(sources):
    """Other-region visitors were multiplied by (1 + uplift) in the festival's area on its days."""
    covered, editions = 0, generate.festival_calendar()
    for festival in editions:
        table = impact(festival["festival_id"], OTHER, sources=sources)
        visitors, spending = metric(table, "visitors"), metric(table, "spending")
        true = festival["uplift"] * 100
        assert visitors["uplift_pct"] > 0 and visitors["ci_low_pct"] > 0, festival["festival_id"]
        assert visitors["ci_low_pct"] < visitors["uplift_pct"] < visitors["ci_high_pct"]
        assert abs(visitors["uplift_pct"] - true) < 12, festival["festival_id"]
        covered += visitors["ci_low_pct"] <= true <= visitors["ci_high_pct"]
        assert spending["uplift_pct"] > 0 and spending["ci_low_pct"] > 0, festival["festival_id"]
        assert visitors["extra_per_day"] > 0 and visitors["extra_ci_low"] < visitors["extra_per_day"]
    # A 95 % interval should miss about one edition in twenty.
    assert covered >= len(editions) - 3, f"{covered} of {len(editions)}"


def test_the_estimate_is_the_documented_did_recomputed_independently(sources):
    table = impact("mime-2025", sources=sources)
    meta = table.meta
    assert meta["festival"]["area_code"] == "3201057" and meta["interval"] == "bootstrap"
    controls = [c["area_code"] for c in meta["control_areas"]]
    # Neither the festival area, its neighbours nor areas with their own festival in the window compare.
    assert "3201057" not in controls and not set(meta["excluded_neighbours"]) & set(controls)
    assert "3201053" not in controls  # 닭갈비골목 is a neighbour of 근화동
    assert len(controls) >= 10

    first, last = dt.date(2025, 5, 18), dt.date(2025, 5, 25)
    con = duckdb.connect()
    rows = con.execute(
        f"""SELECT date, sum(visitors) FILTER (area_code = '3201057'),
                   sum(visitors) FILTER (area_code IN {tuple(controls)}) / {len(controls)}
            FROM read_parquet({sources["insights-visitors"]!r})
            WHERE date BETWEEN DATE '2025-04-27' AND DATE '2025-06-15' GROUP BY 1 ORDER BY 1"""
    ).fetchall()
    r = {d: math.log1p(t) - math.log1p(c) for d, t, c in rows}
    during = [r[first + dt.timedelta(days=i)] for i in range(8)]
    baseline = {}
    for week in (1, 2, 3):
        for i in range(7):
            for day in (
                first - dt.timedelta(days=7 * week - i),
                last + dt.timedelta(days=7 * (week - 1) + i + 1),
            ):
                if day not in generate.HOLIDAYS:
                    baseline.setdefault(day.weekday(), []).append(r[day])
    weights = {}
    for i in range(8):
        weekday = (first + dt.timedelta(days=i)).weekday()
        weights[weekday] = weights.get(weekday, 0) + 1 / 8
    base = sum(w * sum(baseline[d]) / len(baseline[d]) for d, w in weights.items())
    delta = sum(during) / len(during) - base
    visitors = metric(table, "visitors")
    assert visitors["uplift_pct"] == pytest.approx(math.expm1(delta) * 100, abs=0.051)
    assert visitors["days"] == 8 and visitors["baseline_days"] == sum(len(v) for v in baseline.values()) == 42
    assert visitors["during"] == pytest.approx(
        sum(r_[1] for r_ in rows if first <= r_[0] <= last) / 8, abs=0.05
    )


def test_series_before_during_after(sources):
    table = impact("puppet-2025", sources=sources, weeks=2)
    series = table.meta["series"]
    phases = [r["phase"] for r in series.rows]
    assert phases[:14] == ["before"] * 14 and phases[-14:] == ["after"] * 14 and phases.count("during") == 6
    assert series.rows[0]["date"] == dt.date(2025, 8, 12) - dt.timedelta(days=14)
    during = [r["visitors"] for r in series.rows if r["phase"] == "during"]
    before = [r["visitors"] for r in series.rows if r["phase"] == "before"]
    assert sum(during) / len(during) > sum(before) / len(before)
    assert not any(r["baseline_day"] for r in series.rows if r["phase"] == "during")
    assert table.as_dict()["meta"]["series"]["columns"][0]["name"] == "date"


def test_holidays_are_not_baseline_days(sources):
    # 2025 추석 (Oct 5–8) falls in the window of 정선아리랑제 (Oct 2–5).
    series = impact("arirang-2025", sources=sources).meta["series"]
    flags = {r["date"]: r["baseline_day"] for r in series.rows}
    assert flags[dt.date(2025, 10, 7)] is False and flags[dt.date(2025, 10, 14)] is True


def test_a_one_day_event_still_gets_an_interval(sources):
    visitors = metric(impact("marathon-2025", OTHER, sources=sources), "visitors")
    assert visitors["days"] == 1
    assert visitors["ci_low_pct"] < visitors["uplift_pct"] < visitors["ci_high_pct"]
    assert visitors["ci_high_pct"] - visitors["ci_low_pct"] > 10


def test_seeded_and_comparison_areas_can_be_chosen(sources):
    a = impact("dakgalbi-2025", sources=sources)
    b = impact("dakgalbi-2025", sources=sources)
    assert a.rows == b.rows
    c = impact("dakgalbi-2025", sources=sources, seed=1)
    assert metric(c, "visitors")["uplift_pct"] == metric(a, "visitors")["uplift_pct"]
    assert metric(c, "visitors")["ci_low_pct"] != metric(a, "visitors")["ci_low_pct"]
    chosen = impact("dakgalbi-2025", Filters(areas=["3201067", "3201068"]), sources=sources)
    assert [c["area_code"] for c in chosen.meta["control_areas"]] == ["3201067", "3201068"]


def test_unknown_festival(sources):
    with pytest.raises(A.AnalysisError) as err:
        impact("nope-2025", sources=sources)
    assert err.value.code == "unknown_festival" and err.value.param == "festival_id"
