"""The DuckDB engine's compiled-SQL cache: a cached run gives exactly what ``expr.to_pyarrow()`` gives."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import ibis
import pyarrow as pa
import pytest

from dongne.lake.engines.duckdb import DuckDBEngine

from .test_query import write_visits

pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")


@pytest.fixture
def paths(tmp_path):
    return write_visits(tmp_path / "v000001")


@pytest.fixture
def engine():
    with DuckDBEngine() as engine:
        yield engine


def _exprs(t):
    """Expressions of the shapes the query layer and the analyses build."""
    since = dt.date(2024, 2, 1)
    recent = t.filter(t["날짜"] >= since, t["방문객수"].notnull())
    by_day = recent.group_by("시군구", "날짜").aggregate(
        visitors=recent["방문객수"].sum(),
        n=recent.count(),
        spend=recent["매출액"].mean(),
        lodging=recent["방문객수"].sum(where=recent["업종"] == "숙박"),
    )
    win = ibis.window(group_by="시군구", order_by="날짜", preceding=6, following=0)
    grouped = t.group_by("시군구", "업종").aggregate(n=t.count())
    return {
        "rows": t.order_by(t["번호"].desc()),
        "filtered dates": recent.select("번호", "날짜", "갱신시각", "법정동코드").order_by("번호"),
        "group by": by_day.order_by("시군구", "날짜"),
        "window": by_day.mutate(avg7=by_day["visitors"].mean().over(win)).order_by("시군구", "날짜"),
        "total window": grouped.mutate(total=grouped.count().over(ibis.window())).order_by("시군구", "업종"),
        "casts": t.select(
            small=t["방문객수"].cast("int32"),
            money=t["매출액"].cast("decimal(18, 2)"),
            month=t["날짜"].truncate("M"),
            code=t["법정동코드"].cast("int64"),
            label=t["시군구"].fill_null("?").concat("-", t["업종"].fill_null("?")),
        ).order_by("code", "month", "small", "money"),
        "scalar": t["방문객수"].sum().name("s").as_table(),
        "empty": t.filter(t["날짜"] > dt.date(2030, 1, 1)).select("번호", "날짜"),
    }


@pytest.mark.parametrize("paging", [{}, {"limit": 7}, {"limit": 5, "offset": 11}, {"limit": 0}])
def test_cached_runs_equal_ibis_to_pyarrow(paths, engine, paging):
    def paged(expr):
        return expr.limit(paging.get("limit"), offset=paging.get("offset", 0)) if paging else expr

    with engine.open(paths) as t:
        for name, expr in _exprs(t).items():
            expected = paged(expr).to_pyarrow()
            first = engine.fetch(expr, **paging)
            second = engine.fetch(expr, **paging)  # from the cache
            for got in (first, second):
                assert got.schema == expected.schema, name
                assert got.equals(expected), name
    # Built again from a fresh table, the same expressions hit the cache.
    with engine.open(paths) as t:
        exprs = _exprs(t)
        cache = engine._local.sql_cache
        assert all(paged(e).op() in cache for e in exprs.values())
        assert engine.fetch(exprs["window"]).equals(exprs["window"].to_pyarrow())


def test_memtables_are_not_cached_and_still_work(paths, engine):
    names = ibis.memtable({"시군구": ["춘천시", "원주시"], "label": ["C", "W"]})
    with engine.open(paths) as t:
        joined = t.join(names, "시군구")
        expr = joined.group_by("label").aggregate(n=joined.count()).order_by("label")
        got = engine.fetch(expr)
        assert expr.op() not in engine._local.sql_cache
    assert got.column_names == ["label", "n"]
    assert got.column("label").to_pylist() == ["C", "W"]


def test_the_cache_is_bounded(paths, engine, monkeypatch):
    monkeypatch.setattr(DuckDBEngine, "SQL_CACHE_SIZE", 3)
    with engine.open(paths) as t:
        for k in range(6):
            engine.fetch(t.filter(t["번호"] > k).count().name("n").as_table())
        assert len(engine._local.sql_cache) == 3


def test_execution_errors_are_raised_on_every_run(paths, engine):
    with engine.open(paths) as t:
        expr = t.select(n=t["시군구"].cast("int64"))
        errors = []
        for _ in range(2):
            with pytest.raises(Exception) as info:  # noqa: PT011 - DuckDB's conversion error, as before
                engine.fetch(expr)
            errors.append(type(info.value))
        assert errors[0] is errors[1]


def test_threads_share_nothing_but_get_the_same_answers(paths, engine):
    def run(k):
        with engine.open(paths) as t:
            part = t.filter(t["번호"] % 4 == k % 4)
            expr = part.group_by("시군구").aggregate(n=part.count()).order_by("시군구")
            return engine.fetch(expr).to_pylist()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, range(16)))
    for k, result in enumerate(results):
        assert result == results[k % 4]
    assert isinstance(results[0], list) and results[0]
    assert pa.Table.from_pylist(results[0]).num_rows > 0
