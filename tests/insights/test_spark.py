"""The same insights on Spark (pyspark, local mode) as on DuckDB: one analysis end to end, and the festival
impact whose daily difference-in-differences core runs on the engine.

Skipped when pyspark or Java is missing, unless DONGNE_REQUIRE_SPARK=1 (CI), where that is a failure; the
session fixture is the lake tests' own."""

import datetime as dt

import pytest

from dongne.insights import analyses as A
from dongne.insights.analyses import Filters
from tests.lake.test_spark import spark_engine  # noqa: F401 - the shared SparkSession fixture

from .conftest import K

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark.*"),
    pytest.mark.filterwarnings("ignore::UserWarning:pyspark.*"),
]


def same(spark_table, duck_table):
    assert spark_table.columns == duck_table.columns
    assert len(spark_table.rows) == len(duck_table.rows)
    for a, b in zip(spark_table.rows, duck_table.rows, strict=True):
        assert a.keys() == b.keys()
        for key in a:
            if isinstance(b[key], float):
                assert a[key] == pytest.approx(b[key], rel=1e-9, abs=1e-9), key
            else:
                assert a[key] == b[key], key


def test_trend_by_visitor_type_on_spark_matches_duckdb(spark_engine, sources):  # noqa: F811
    filters = Filters(start=dt.date(2025, 6, 1), end=dt.date(2026, 5, 31), areas=["32010"])
    for grain, window in (("week", 4), ("day", 7)):
        on_spark = A.trend(filters, grain, "visitor_type", window, sources=sources, k=K, engine=spark_engine)
        on_duckdb = A.trend(filters, grain, "visitor_type", window, sources=sources, k=K, engine="duckdb")
        assert on_spark.meta["engine"] == "spark" and on_duckdb.meta["engine"] == "duckdb"
        assert len(on_spark.rows) > 150
        same(on_spark, on_duckdb)


def test_festival_impact_on_spark_matches_duckdb(spark_engine, sources):  # noqa: F811
    on_spark = A.festival_impact("mime-2025", sources=sources, k=K, engine=spark_engine)
    on_duckdb = A.festival_impact("mime-2025", sources=sources, k=K, engine="duckdb")
    same(on_spark, on_duckdb)
    same(on_spark.meta["series"], on_duckdb.meta["series"])
    assert on_spark.meta["control_areas"] == on_duckdb.meta["control_areas"]
    assert on_spark.rows[0]["uplift_pct"] > 0


def test_area_totals_and_mix_on_spark_match_duckdb(spark_engine, sources):  # noqa: F811
    filters = Filters(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))
    for analysis in (A.area_totals, A.visitor_mix):
        same(
            analysis(filters, sources=sources, k=K, engine=spark_engine),
            analysis(filters, sources=sources, k=K, engine="duckdb"),
        )
