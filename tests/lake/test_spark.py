"""The same query code on DuckDB and on Spark (pyspark, local mode) gives the same answers.

Skipped when pyspark or Java is missing, unless DONGNE_REQUIRE_SPARK=1 (CI), where that is a failure."""

import logging
import math
import os
import shutil

import pytest

from dongne.lake.query import Aggregate, Filter, QuerySpec, run_query

from .test_query import make_rows, write_visits

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark.*"),
    pytest.mark.filterwarnings("ignore::UserWarning:pyspark.*"),
]


def _spark_missing():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install -e '.[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (
        java_home and os.path.exists(os.path.join(java_home, "bin", "java"))
    ):
        return "Java is not installed (apt-get install default-jre-headless)"
    return None


@pytest.fixture(scope="session")
def spark_engine():
    reason = _spark_missing()
    if reason:
        if os.environ.get("DONGNE_REQUIRE_SPARK") == "1":
            pytest.fail(f"DONGNE_REQUIRE_SPARK=1 but {reason}")
        pytest.skip(reason)
    from dongne.lake.engines.spark import SparkEngine

    engine = SparkEngine(master="local[2]")
    yield engine
    engine.close()
    # py4j logs "Closing down clientserver connection" from __del__ at exit, after pytest closed its streams.
    logging.getLogger("py4j").setLevel(logging.WARNING)


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    return write_visits(tmp_path_factory.mktemp("spark") / "v000001", make_rows())


ALL_AGGREGATES = [
    Aggregate("count"),
    Aggregate("count", "매출액"),
    Aggregate("sum", "방문객수"),
    Aggregate("avg", "매출액"),
    Aggregate("min", "날짜"),
    Aggregate("max", "방문객수"),
    Aggregate("min", "시군구", alias="첫_시군구"),
    Aggregate("max", "매출액"),
    Aggregate("max", "갱신시각"),
]

SPECS = {
    "rows sorted by number, second page": QuerySpec(sort=[("번호", "asc")], limit=50, offset=50),
    "every comparison and null operator": QuerySpec(
        filters=[
            Filter("방문객수", ">=", 100),
            Filter("방문객수", "<", "4,500"),
            Filter("매출액", "<=", 900000),
            Filter("매출액", ">", 1000.5),
            Filter("시군구", "!=", "속초시"),
            Filter("업종", "notnull"),
            Filter("날짜", ">", "2024-01-10"),
        ],
        sort=[("번호", "desc")],
        limit=1000,
    ),
    "equality, in, contains, startswith": QuerySpec(
        filters=[
            Filter("시군구", "in", ["춘천시", "원주시", "홍천군"]),
            Filter("시군구", "contains", "천"),
            Filter("법정동코드", "startswith", "0"),
            Filter("업종", "=", "숙박"),
        ],
        sort=[("날짜", "asc"), ("번호", "asc")],
        limit=1000,
    ),
    "timestamps with a time zone": QuerySpec(
        filters=[Filter("갱신시각", ">=", "2024-03-01 00:00:00+00:00")],
        sort=[("갱신시각", "desc")],
        columns=["번호", "갱신시각"],
        limit=60,
    ),
    "isnull and projection": QuerySpec(
        columns=["번호", "시군구", "매출액"], filters=[Filter("매출액", "isnull")], sort=["번호"], limit=1000
    ),
    "sort desc with nulls and ties, deep page": QuerySpec(
        sort=[("방문객수", "desc"), ("시군구", "asc")], limit=40, offset=250
    ),
    "sort by text asc, nulls last": QuerySpec(sort=[("업종", "asc")], columns=["업종", "번호"], limit=120),
    "group by region, every aggregate": QuerySpec(group_by=["시군구"], aggregates=ALL_AGGREGATES),
    "group by two keys, filtered, sorted by an aggregate": QuerySpec(
        filters=[Filter("날짜", ">=", "2024.02.01")],
        group_by=["시군구", "업종"],
        aggregates=[Aggregate("sum", "방문객수", alias="방문객"), Aggregate("avg", "방문객수")],
        sort=[("방문객", "desc")],
        limit=15,
        offset=5,
    ),
    "group by date, count only, paged": QuerySpec(group_by=["날짜"], limit=30, offset=60),
    "aggregate without groups": QuerySpec(aggregates=ALL_AGGREGATES),
    "limit zero still counts": QuerySpec(filters=[Filter("시군구", "=", "강릉시")], limit=0),
    "offset beyond the groups": QuerySpec(group_by=["업종"], limit=10, offset=100),
}


def same(a, b):
    """Equal values, floats to within 1e-9 (relative): the engines sum in different orders."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return type(a) is type(b) and a == b


def assert_same_result(spark, duck):
    assert spark.columns == duck.columns
    assert spark.total == duck.total
    assert len(spark.rows) == len(duck.rows)
    for i, (s, d) in enumerate(zip(spark.rows, duck.rows, strict=True)):
        assert list(s) == list(d), f"row {i}: columns differ"
        for key in d:
            assert same(s[key], d[key]), f"row {i}, {key}: spark {s[key]!r} != duckdb {d[key]!r}"


@pytest.mark.parametrize("name", list(SPECS))
def test_spark_and_duckdb_give_identical_results(spark_engine, paths, name):
    spec = SPECS[name]
    on_duckdb = run_query(paths, spec)
    on_spark = run_query(paths, spec, engine=spark_engine)
    assert (on_spark.engine, on_duckdb.engine) == ("spark", "duckdb")
    assert on_duckdb.rows or spec.limit == 0 or spec.offset >= on_duckdb.total, (
        "the spec must select something"
    )
    assert_same_result(on_spark, on_duckdb)
