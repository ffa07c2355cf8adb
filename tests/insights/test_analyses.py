"""Each analysis against numbers computed independently here, in plain DuckDB SQL over the same Parquet files."""

import datetime as dt

import duckdb
import pytest

from dongne.insights import analyses as A
from dongne.insights.analyses import Filters

from .conftest import K

YEAR_2025 = Filters(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))


@pytest.fixture(scope="module")
def sql(sources):
    con = duckdb.connect()
    for slug, paths in sources.items():
        con.execute(f"CREATE VIEW {slug.split('-')[1]} AS SELECT * FROM read_parquet({paths!r})")

    def run(query, *params):
        return con.execute(query, params).fetchall()

    yield run
    con.close()


def analyse(name, *args, sources, **kwargs):
    return A.ANALYSES[name](*args, sources=sources, k=kwargs.pop("k", K), **kwargs)


def test_trend_by_day_is_the_sum_over_gangwon(sources, sql):
    table = analyse("trend", YEAR_2025, sources=sources, moving_average=0)
    expected = sql(
        "SELECT date, sum(visitors) FROM visitors WHERE length(area_code) = 5 AND year(date) = 2025 "
        "GROUP BY 1 ORDER BY 1"
    )
    assert [(r["period"], r["visitors"]) for r in table.rows] == expected
    assert len(table.rows) == 365 and all(r["days"] == 1 for r in table.rows)
    assert table.meta["k"] == K and table.meta["engine"] == "duckdb"


def test_trend_by_visitor_type_monthly_with_a_moving_average(sources, sql):
    table = analyse("trend", YEAR_2025, "month", "visitor_type", 3, sources=sources)
    expected = sql(
        """SELECT month, visitor_type, n, nd,
                  CASE WHEN count(*) OVER w = 3 THEN avg(n) OVER w END
           FROM (SELECT date_trunc('month', date)::DATE AS month, visitor_type, sum(visitors) n,
                        count(DISTINCT date) nd
                 FROM visitors WHERE length(area_code) = 5 AND year(date) = 2025 GROUP BY 1, 2)
           WINDOW w AS (PARTITION BY visitor_type ORDER BY month ROWS 2 PRECEDING)
           ORDER BY 1, 2"""
    )
    got = [
        (r["period"], r["visitor_type"], r["visitors"], r["days"], r["moving_average"]) for r in table.rows
    ]
    assert len(got) == 36
    for row, want in zip(got, expected, strict=True):
        assert row[:4] == want[:4]
        assert (row[4] is None and want[4] is None) or row[4] == pytest.approx(want[4], abs=0.05)
    assert {r["visitor_type_label"] for r in table.rows} == {
        "Local residents",
        "Visitors from other regions",
        "Foreign visitors",
    }  # English msgids; the API and pages translate them


def test_trend_weekly_by_area_for_chosen_areas(sources, sql):
    f = Filters(start=dt.date(2026, 3, 4), end=dt.date(2026, 4, 30), areas=["3201036", "32030"])
    table = analyse("trend", f, "week", "area", sources=sources)
    expected = sql(
        """SELECT date_trunc('week', date)::DATE, area_code, area_name, sum(visitors), count(DISTINCT date)
           FROM visitors WHERE area_code IN ('3201036', '32030') AND date BETWEEN '2026-03-04' AND '2026-04-30'
           GROUP BY ALL ORDER BY 1, 2"""
    )
    got = [(r["period"], r["area_code"], r["area_name"], r["visitors"], r["days"]) for r in table.rows]
    assert got == expected
    assert got[0][0] == dt.date(2026, 3, 2) and got[0][4] == 5  # a partial first week, from its Monday


def test_year_over_year_by_month(sources, sql):
    table = analyse("year_over_year", Filters(start=dt.date(2025, 1, 1), areas=["32010"]), sources=sources)
    by_month = dict(
        sql(
            "SELECT date_trunc('month', date)::DATE, sum(visitors) FROM visitors WHERE area_code='32010' GROUP BY 1"
        )
    )
    assert table.rows[0]["period_start"] == dt.date(2025, 1, 1)
    for row in table.rows:
        start = row["period_start"]
        previous = by_month.get(start.replace(year=start.year - 1))
        assert row["visitors"] == by_month[start] and row["previous_year"] == previous
        assert row["change_pct"] == pytest.approx((by_month[start] / previous - 1) * 100, abs=0.051)
    assert table.rows[-1]["period_start"] == dt.date(2026, 10, 1) and len(table.rows) == 22


def test_visitor_mix_shares(sources, sql):
    table = analyse("visitor_mix", Filters(areas=["3201036"]), sources=sources)
    expected = dict(
        sql("SELECT visitor_type, sum(visitors) FROM visitors WHERE area_code='3201036' GROUP BY 1")
    )
    total = sum(expected.values())
    assert [r["visitor_type"] for r in table.rows] == ["local", "other", "foreign"]
    for row in table.rows:
        assert row["visitors"] == expected[row["visitor_type"]]
        assert row["share"] == pytest.approx(expected[row["visitor_type"]] / total, abs=5e-5)
    # 남이섬's 남산면: mostly visitors from elsewhere, and a tenth from abroad.
    shares = {r["visitor_type"]: r["share"] for r in table.rows}
    assert shares["other"] > 0.6 and shares["foreign"] > 0.05


def test_spend_per_visitor_by_industry(sources, sql):
    f = Filters(start=dt.date(2025, 7, 1), end=dt.date(2025, 8, 31), areas=["3201057"])
    table = analyse("spend_per_visitor", f, sources=sources)
    visitors = sql(
        "SELECT sum(visitors) FROM visitors WHERE area_code='3201057' AND date BETWEEN '2025-07-01' AND '2025-08-31'"
    )[0][0]
    expected = {
        industry: (amount, tx)
        for industry, amount, tx in sql(
            "SELECT industry, sum(amount), sum(transactions) FROM spending WHERE area_code='3201057' "
            "AND date BETWEEN '2025-07-01' AND '2025-08-31' GROUP BY 1"
        )
    }
    assert [r["industry"] for r in table.rows] == list(A.INDUSTRIES)
    total = sum(a for a, _ in expected.values())
    for row in table.rows:
        amount, tx = expected[row["industry"]]
        assert (row["amount"], row["transactions"], row["visitors"]) == (amount, tx, visitors)
        assert row["per_visitor"] == pytest.approx(amount / visitors, abs=0.05)
        assert row["avg_ticket"] == pytest.approx(amount / tx, abs=0.05)
        assert row["share"] == pytest.approx(amount / total, abs=5e-5)


def test_spend_per_visitor_by_area_and_industry_filter(sources, sql):
    f = Filters(start=dt.date(2026, 1, 1), level="emd", industries=["숙박"])
    table = analyse("spend_per_visitor", f, by="area", sources=sources)
    expected = {
        code: (amount, visitors)
        for code, amount, visitors in sql(
            """SELECT s.area_code, s.amount, v.visitors FROM
               (SELECT area_code, sum(amount) amount FROM spending WHERE industry = '숙박' AND date >= '2026-01-01'
                AND length(area_code) = 7 GROUP BY 1) s
               JOIN (SELECT area_code, sum(visitors) visitors FROM visitors WHERE date >= '2026-01-01' GROUP BY 1) v
               USING (area_code)"""
        )
    }
    assert len(table.rows) == 25
    for row in table.rows:
        amount, visitors = expected[row["area_code"]]
        assert row["amount"] == amount and row["visitors"] == visitors


def test_area_totals_for_the_maps(sources, sql):
    table = analyse(
        "area_totals", Filters(start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30)), sources=sources
    )
    expected = {
        code: (total, local, other, foreign)
        for code, total, local, other, foreign in sql(
            """SELECT area_code, sum(visitors), sum(visitors) FILTER (visitor_type='local'),
                      sum(visitors) FILTER (visitor_type='other'), sum(visitors) FILTER (visitor_type='foreign')
               FROM visitors WHERE date BETWEEN '2026-06-01' AND '2026-06-30' GROUP BY 1"""
        )
    }
    assert len(table.rows) == 43
    for row in table.rows:
        total, *parts = expected[row["area_code"]]
        assert row["visitors"] == total
        assert row["visitors_per_day"] == pytest.approx(total / 30, abs=0.05)
        for name, value in zip(("local", "other", "foreign"), parts, strict=True):
            assert row[name] == (value if value >= K else None)
        assert row["level"] == ("sigungu" if len(row["area_code"]) == 5 else "emd")
    only_other = analyse("area_totals", Filters(visitor_types=["other"], level="sigungu"), sources=sources)
    assert len(only_other.rows) == 18
    assert all(r["local"] is None and r["visitors"] == r["other"] for r in only_other.rows)


def test_hotspots_rank_towns_by_visitors_with_growth(sources, sql):
    f = Filters(start=dt.date(2026, 8, 1), end=dt.date(2026, 8, 31))
    table = analyse("hotspots", f, top=5, sources=sources)
    current = sql(
        "SELECT area_code, sum(visitors) n FROM visitors WHERE length(area_code)=7 "
        "AND date BETWEEN '2026-08-01' AND '2026-08-31' GROUP BY 1 ORDER BY n DESC LIMIT 5"
    )
    previous = dict(
        sql(
            "SELECT area_code, sum(visitors) FROM visitors WHERE date BETWEEN '2026-07-01' AND '2026-07-31' GROUP BY 1"
        )
    )
    assert [(r["rank"], r["area_code"], r["visitors"]) for r in table.rows] == [
        (i, code, n) for i, (code, n) in enumerate(current, 1)
    ]
    for row in table.rows:
        assert row["previous_visitors"] == previous[row["area_code"]]
        assert row["growth_pct"] == pytest.approx(
            (row["visitors"] / previous[row["area_code"]] - 1) * 100, abs=0.051
        )
    assert table.rows[0]["area_name"] == "남산면" and "남이섬" in table.rows[0]["attractions"]


def test_seasonality_indexes(sources, sql):
    table = analyse("seasonality", Filters(areas=["3201036"]), sources=sources)
    average = sql("SELECT sum(visitors) / count(DISTINCT date) FROM visitors WHERE area_code='3201036'")[0][0]
    months = dict(
        sql(
            "SELECT month(date), sum(visitors) / count(DISTINCT date) FROM visitors WHERE area_code='3201036' GROUP BY 1"
        )
    )
    weekdays = dict(
        sql(
            "SELECT isodow(date) - 1, sum(visitors) / count(DISTINCT date) FROM visitors "
            "WHERE area_code='3201036' GROUP BY 1"
        )
    )
    rows = {(r["kind"], r["key"]): r for r in table.rows}
    assert len(rows) == 19
    for month, per_day in months.items():
        assert rows[("month", month)]["visitors_per_day"] == pytest.approx(per_day, abs=0.05)
        assert rows[("month", month)]["index"] == pytest.approx(per_day / average, abs=5e-4)
    for day, per_day in weekdays.items():
        assert rows[("weekday", day)]["index"] == pytest.approx(per_day / average, abs=5e-4)
    assert rows[("weekday", 5)]["label"] == "Sat" and rows[("weekday", 5)]["index"] > 1.2


def test_opportunities_find_the_places_where_spending_lags(sources, regional):
    table = analyse("opportunities", Filters(start=dt.date(2025, 1, 1)), top=40, sources=sources)
    found = {(r["area_code"], r["industry"]) for r in table.rows}
    # The generator made these three places spend little in one industry despite many visitors.
    assert set(regional.truth["gaps"]) <= found
    for row in table.rows:
        assert row["per_visitor"] < 0.6 * row["benchmark_per_visitor"]
        assert row["gap"] == pytest.approx(
            (row["benchmark_per_visitor"] - row["per_visitor"]) * row["visitors"], rel=1e-3
        )
        assert row["datasets"] == ["insights-visitors", "insights-spending"]
        assert 1 <= row["month"] <= 12
    assert [r["gap"] for r in table.rows] == sorted((r["gap"] for r in table.rows), reverse=True)


def test_festivals_and_attractions_lookups(sources, sql):
    may = analyse("festivals", Filters(start=dt.date(2025, 5, 1), end=dt.date(2025, 5, 31)), sources=sources)
    assert [r["festival_id"] for r in may.rows] == ["mime-2025", "dano-2025"]
    assert may.rows[0]["area_name"] == "근화동" and may.rows[0]["days"] == 8
    # A 시군구 code covers the 읍면동 inside it.
    chuncheon = analyse("festivals", Filters(areas=["32010"]), sources=sources)
    assert {r["festival_id"].split("-")[0] for r in chuncheon.rows} == {
        "mime",
        "puppet",
        "dakgalbi",
        "marathon",
    }
    places = analyse("attractions", Filters(areas=["3201036"]), sources=sources)
    assert {r["name"] for r in places.rows} == {"남이섬", "구곡폭포"}
    everything = analyse("attractions", sources=sources)
    assert len(everything.rows) == sql("SELECT count(*) FROM attractions")[0][0]


def test_filters_are_checked(sources):
    with pytest.raises(A.AnalysisError) as err:
        Filters(visitor_types=["tourist"])
    assert err.value.param == "visitor_type"
    with pytest.raises(A.AnalysisError) as err:
        Filters(start=dt.date(2025, 2, 1), end=dt.date(2025, 1, 1))
    assert err.value.param == "end"
    with pytest.raises(A.AnalysisError) as err:
        analyse("trend", None, "year", sources=sources)
    assert err.value.param == "grain"
    with pytest.raises(A.AnalysisError) as err:
        analyse("trend", sources={})
    assert err.value.code == "no_data"


def test_table_as_json_and_csv(sources):
    table = analyse("visitor_mix", Filters(areas=["3201039"]), sources=sources)
    data = table.as_dict()
    assert [c["name"] for c in data["columns"]][-1] == "suppressed"
    assert data["meta"]["filters"]["areas"] == ["3201039"]
    text = table.to_csv()
    assert text.startswith("\ufeffvisitor_type,visitor_type_label,visitors,share,suppressed\r\n")
    assert "Local residents" in text


def test_year_over_year_by_week_lines_up_weekdays(sources, sql):
    table = analyse(
        "year_over_year", Filters(start=dt.date(2026, 1, 5), areas=["3201036"]), "week", sources=sources
    )
    weeks = dict(
        sql(
            "SELECT date_trunc('week', date)::DATE, sum(visitors) FROM visitors WHERE area_code='3201036' GROUP BY 1"
        )
    )
    first = table.rows[0]
    assert first["period_start"] == dt.date(2026, 1, 5) and first["period"] == 2  # ISO week 2
    assert first["previous_year"] == weeks[dt.date(2025, 1, 6)]  # 52 weeks earlier: also a Monday
    assert all(r["period_start"].weekday() == 0 for r in table.rows)


def test_reused_sql_follows_the_filters(sources, sql):
    """The engine reuses the SQL of an identical earlier query (same code over equal values) — and only then:
    alternating filters give each filter's own numbers, equal to a fresh query's."""
    a = Filters(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), areas=["32010"])
    b = Filters(start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28), areas=["32010"])
    first = [analyse("trend", f, "month", sources=sources).rows for f in (a, b)]
    again = [analyse("trend", f, "month", sources=sources).rows for f in (a, b)]
    assert first == again and first[0] != first[1]
    want = sql(
        "SELECT sum(visitors) FROM visitors WHERE area_code = '32010' AND date BETWEEN DATE '2026-02-01' "
        "AND DATE '2026-02-28'"
    )[0][0]
    assert [r["visitors"] for r in again[1]] == [want]


def test_closure_keys_are_values_or_nothing():
    def make(f, grain, keys):
        def build(t):
            return (f, grain, keys)

        return build

    f = Filters(areas=["32010"])
    assert A._closure_key(make(f, "day", ["a"])) == A._closure_key(
        make(Filters(areas=("32010",)), "day", ["a"])
    )
    assert A._closure_key(make(f, "day", ["a"])) != A._closure_key(make(f, "week", ["a"]))
    assert A._closure_key(make(f, "day", ["a"])) != A._closure_key(make(f, "day", ["b"]))
    assert A._closure_key(make(f, object(), [])) is None  # an object is not a value: never cached
