"""The query layer on DuckDB: filters, sort, paging, group-by and the errors a caller sees.

Expected answers are computed in plain Python from the same rows the Parquet fixture holds."""

import datetime as dt
import json
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dongne.lake.errors import QueryError
from dongne.lake.query import Aggregate, Filter, QuerySpec, run_query

# Ibis 12 calls a DuckDB 2.0 method that DuckDB now marks deprecated; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")

REGIONS = ["춘천시", "원주시", "강릉시", "속초시", "홍천군"]
KINDS = ["숙박", "음식", "관광지", "쇼핑"]
N_ROWS = 300

SCHEMA = pa.schema(
    [
        ("번호", pa.int64()),
        ("시군구", pa.string()),
        ("법정동코드", pa.string()),
        ("날짜", pa.date32()),
        ("방문객수", pa.int64()),
        ("매출액", pa.float64()),
        ("업종", pa.string()),
        ("갱신시각", pa.timestamp("us", tz="UTC")),
    ]
)


def make_rows(n=N_ROWS, seed=7):
    """Visitor counts per 시군구 and day: every column but 번호 and 날짜 has some nulls."""
    rnd = random.Random(seed)
    start = dt.date(2024, 1, 1)
    rows = []
    for i in range(n):
        rows.append(
            {
                "번호": i + 1,
                "시군구": None if i % 23 == 5 else rnd.choice(REGIONS),
                "법정동코드": f"{rnd.randint(1, 9999):05d}",
                "날짜": start + dt.timedelta(days=i % 120),
                "방문객수": None if i % 17 == 3 else rnd.randint(0, 5000),
                "매출액": None if i % 13 == 7 else round(rnd.uniform(0, 1_000_000), 2),
                "업종": None if i % 11 == 4 else rnd.choice(KINDS),
                "갱신시각": None
                if i % 19 == 9
                else dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=rnd.randint(0, 500_000)),
            }
        )
    return rows


def write_visits(folder, rows=None, files=2):
    """The rows as Parquet split over ``files`` files in ``folder``; returns the file paths."""
    rows = make_rows() if rows is None else rows
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    size = -(-len(rows) // files)
    paths = []
    for k in range(files):
        path = folder / f"part-{k:05d}.parquet"
        pq.write_table(table.slice(k * size, size), path)
        paths.append(str(path))
    return paths


@pytest.fixture
def rows():
    return make_rows()


@pytest.fixture
def paths(tmp_path, rows):
    return write_visits(tmp_path / "v000001", rows)


def ids(result):
    return [r["번호"] for r in result.rows]


def query(paths, **kw):
    kw.setdefault("limit", 10_000)
    return run_query(paths, QuerySpec(**kw))


# --- filters --------------------------------------------------------------------------------------------------

SOME = [r["방문객수"] for r in make_rows()[:6] if r["방문객수"] is not None][:3]

FILTER_CASES = [
    (Filter("시군구", "=", "춘천시"), lambda r: r["시군구"] == "춘천시"),
    (Filter("시군구", "!=", "춘천시"), lambda r: r["시군구"] is not None and r["시군구"] != "춘천시"),
    (Filter("방문객수", "<", 1000), lambda r: r["방문객수"] is not None and r["방문객수"] < 1000),
    (Filter("방문객수", "<=", "1,000"), lambda r: r["방문객수"] is not None and r["방문객수"] <= 1000),
    (Filter("매출액", ">", 500000.5), lambda r: r["매출액"] is not None and r["매출액"] > 500000.5),
    (Filter("날짜", ">=", "2024.03.01"), lambda r: r["날짜"] >= dt.date(2024, 3, 1)),
    (Filter("날짜", "<", dt.date(2024, 1, 15)), lambda r: r["날짜"] < dt.date(2024, 1, 15)),
    (Filter("업종", "in", ["숙박", "쇼핑"]), lambda r: r["업종"] in ("숙박", "쇼핑")),
    (Filter("방문객수", "in", [str(SOME[0]), *SOME[1:], 9999]), lambda r: r["방문객수"] in (*SOME, 9999)),
    (Filter("시군구", "contains", "천"), lambda r: r["시군구"] is not None and "천" in r["시군구"]),
    (Filter("법정동코드", "startswith", "00"), lambda r: r["법정동코드"].startswith("00")),
    (Filter("업종", "isnull"), lambda r: r["업종"] is None),
    (
        Filter("갱신시각", "<", "2024-03-01T12:00:00+00:00"),
        lambda r: r["갱신시각"] is not None and r["갱신시각"] < dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC),
    ),
    (Filter("방문객수", "notnull"), lambda r: r["방문객수"] is not None),
]


@pytest.mark.parametrize(
    ("flt", "expected"), FILTER_CASES, ids=[f"{f.column} {f.op}" for f, _ in FILTER_CASES]
)
def test_each_filter_operator_selects_the_rows_python_would(paths, rows, flt, expected):
    result = query(paths, filters=[flt], sort=[("번호", "asc")])
    want = [r["번호"] for r in rows if expected(r)]
    assert want, "the fixture must exercise the filter"
    assert ids(result) == want
    assert result.total == len(want)


def test_filters_combine_with_and(paths, rows):
    result = query(
        paths,
        filters=[Filter("시군구", "=", "강릉시"), Filter("방문객수", ">=", 2500), Filter("업종", "notnull")],
        sort=[("번호", "asc")],
    )
    want = [
        r["번호"]
        for r in rows
        if r["시군구"] == "강릉시" and (r["방문객수"] or -1) >= 2500 and r["업종"] is not None
    ]
    assert ids(result) == want


def test_code_column_keeps_leading_zeros_when_filtered_by_text(paths, rows):
    code = next(r["법정동코드"] for r in rows if r["법정동코드"].startswith("0"))
    result = query(paths, filters=[Filter("법정동코드", "=", code)])
    assert result.rows and all(r["법정동코드"] == code for r in result.rows)


# --- sort and paging ------------------------------------------------------------------------------------------


def test_sort_desc_puts_nulls_last_and_breaks_ties_by_the_other_columns(paths, rows):
    result = query(paths, sort=[("방문객수", "desc")])
    values = [r["방문객수"] for r in result.rows]
    non_null = [v for v in values if v is not None]
    assert non_null == sorted(non_null, reverse=True)
    assert values[len(non_null) :] == [None] * (len(values) - len(non_null))
    assert result.total == N_ROWS
    # Ties (and the null block) are ordered by the remaining columns, 번호 first: the same order every time.
    nulls = [r["번호"] for r in result.rows if r["방문객수"] is None]
    assert nulls == sorted(nulls)


def test_sort_asc_puts_nulls_last_too(paths):
    values = [r["매출액"] for r in query(paths, sort=["매출액"]).rows]
    non_null = [v for v in values if v is not None]
    assert non_null == sorted(non_null)
    assert values[len(non_null) :] == [None] * (len(values) - len(non_null))


def test_sort_by_several_columns(paths, rows):
    result = query(paths, sort=[("시군구", "asc"), ("날짜", "desc")], columns=["시군구", "날짜", "번호"])
    key = [(r["시군구"], r["날짜"]) for r in result.rows]
    expected = sorted(
        ((r["시군구"], r["날짜"]) for r in rows),
        key=lambda k: (k[0] is None, k[0] or "", -k[1].toordinal()),
    )
    assert key == expected


def test_pages_partition_the_sorted_rows_and_total_counts_all_matches(paths, rows):
    flt = [Filter("방문객수", "notnull")]
    want = sorted((r for r in rows if r["방문객수"] is not None), key=lambda r: (-r["방문객수"], r["번호"]))
    seen = []
    for offset in range(0, len(want) + 40, 40):
        page = run_query(paths, QuerySpec(filters=flt, sort=[("방문객수", "desc")], limit=40, offset=offset))
        assert page.total == len(want)
        assert len(page.rows) == max(0, min(40, len(want) - offset))
        seen += ids(page)
    assert seen == [r["번호"] for r in want]


def test_limit_zero_still_reports_the_total(paths, rows):
    result = query(paths, filters=[Filter("시군구", "=", "속초시")], limit=0)
    assert result.rows == []
    assert result.total == sum(r["시군구"] == "속초시" for r in rows)


def test_limit_is_capped(paths):
    result = run_query(paths, QuerySpec(limit=5000), max_limit=120)
    assert len(result.rows) == 120
    assert result.limit == 120
    assert result.total == N_ROWS
    assert len(run_query(paths, QuerySpec(limit=None), max_limit=50).rows) == 50


def test_default_limit_is_100(paths):
    assert len(run_query(paths, QuerySpec()).rows) == 100


@pytest.mark.parametrize(("kw", "param"), [({"offset": -1}, "offset"), ({"limit": -5}, "limit")])
def test_negative_paging_is_refused(paths, kw, param):
    with pytest.raises(QueryError) as exc:
        run_query(paths, QuerySpec(**kw))
    assert exc.value.param == param


def test_columns_select_and_type_the_output(paths):
    result = query(paths, columns=["시군구", "방문객수", "날짜"], limit=3, sort=["번호"])
    assert result.columns == [
        {"name": "시군구", "type": "string"},
        {"name": "방문객수", "type": "int64"},
        {"name": "날짜", "type": "date"},
    ]
    assert list(result.rows[0]) == ["시군구", "방문객수", "날짜"]
    assert result.rows[0]["날짜"] == dt.date(2024, 1, 1)


def test_a_version_directory_can_be_passed_instead_of_its_files(tmp_path, rows):
    write_visits(tmp_path / "v000002", rows)
    assert run_query(tmp_path / "v000002", QuerySpec(limit=0)).total == N_ROWS


# --- group-by ---------------------------------------------------------------------------------------------------


def reference_groups(rows, key):
    groups = {}
    for r in rows:
        groups.setdefault(r[key], []).append(r)
    out = []
    for k, members in groups.items():
        visitors = [m["방문객수"] for m in members if m["방문객수"] is not None]
        sales = [m["매출액"] for m in members if m["매출액"] is not None]
        out.append(
            {
                key: k,
                "count": len(members),
                "count_업종": sum(m["업종"] is not None for m in members),
                "sum_방문객수": sum(visitors) if visitors else None,
                "avg_매출액": sum(sales) / len(sales) if sales else None,
                "min_날짜": min(m["날짜"] for m in members),
                "max_방문객수": max(visitors) if visitors else None,
            }
        )
    return sorted(out, key=lambda g: (g[key] is None, g[key] or ""))


ALL_AGGREGATES = [
    Aggregate("count"),
    Aggregate("count", "업종"),
    Aggregate("sum", "방문객수"),
    Aggregate("avg", "매출액"),
    Aggregate("min", "날짜"),
    Aggregate("max", "방문객수"),
]


def test_group_by_with_every_aggregate_matches_python(paths, rows):
    result = query(paths, group_by=["시군구"], aggregates=ALL_AGGREGATES)
    want = reference_groups(rows, "시군구")
    assert result.total == len(want) == len(REGIONS) + 1  # the null 시군구 is a group of its own, last
    assert [r["시군구"] for r in result.rows] == [g["시군구"] for g in want]
    for got, exp in zip(result.rows, want, strict=True):
        assert got["avg_매출액"] == pytest.approx(exp.pop("avg_매출액"), rel=1e-12)
        assert {k: v for k, v in got.items() if k != "avg_매출액"} == exp
    assert [c["type"] for c in result.columns] == [
        "string",
        "int64",
        "int64",
        "int64",
        "float64",
        "date",
        "int64",
    ]


def test_aggregate_filters_apply_before_grouping(paths, rows):
    result = query(
        paths,
        filters=[Filter("날짜", ">=", "2024-02-01"), Filter("시군구", "notnull")],
        group_by=["시군구", "업종"],
        aggregates=[Aggregate("sum", "방문객수", alias="방문객")],
        sort=[("방문객", "desc")],
    )
    expected = {}
    for r in rows:
        if r["날짜"] >= dt.date(2024, 2, 1) and r["시군구"] is not None:
            key = (r["시군구"], r["업종"])
            expected.setdefault(key, None)
            if r["방문객수"] is not None:
                expected[key] = (expected[key] or 0) + r["방문객수"]
    assert result.total == len(expected)
    got = {(r["시군구"], r["업종"]): r["방문객"] for r in result.rows}
    assert got == expected
    totals = [r["방문객"] for r in result.rows]
    non_null = [t for t in totals if t is not None]
    assert non_null == sorted(non_null, reverse=True)


def test_groups_are_paged_in_key_order(paths, rows):
    first = run_query(paths, QuerySpec(group_by=["날짜"], limit=50))
    second = run_query(paths, QuerySpec(group_by=["날짜"], limit=50, offset=50))
    beyond = run_query(paths, QuerySpec(group_by=["날짜"], limit=50, offset=500))
    days = sorted({r["날짜"] for r in rows})
    assert first.total == second.total == beyond.total == len(days) == 120
    assert [r["날짜"] for r in first.rows + second.rows] == days[:100]
    assert beyond.rows == []


def test_group_by_alone_counts(paths, rows):
    result = query(paths, group_by=["업종"])
    assert result.columns == [{"name": "업종", "type": "string"}, {"name": "count", "type": "int64"}]
    assert {r["업종"]: r["count"] for r in result.rows} == {
        k: sum(r["업종"] == k for r in rows) for k in [*KINDS, None]
    }


def test_aggregate_without_group_by_is_one_row(paths, rows):
    result = query(
        paths, aggregates=[Aggregate("count"), Aggregate("max", "날짜"), Aggregate("min", "시군구")]
    )
    assert result.total == 1
    assert result.rows == [
        {"count": N_ROWS, "max_날짜": max(r["날짜"] for r in rows), "min_시군구": min(REGIONS)}
    ]


# --- errors -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "param"),
    [
        ({"filters": [Filter("인구", "=", 1)]}, "filters"),
        ({"sort": [("인구", "desc")]}, "sort"),
        ({"group_by": ["인구"]}, "group_by"),
        ({"columns": ["시군구", "인구"]}, "columns"),
        ({"aggregates": [Aggregate("sum", "인구")]}, "aggregates"),
    ],
)
def test_a_missing_column_is_named_with_its_parameter(paths, kw, param):
    with pytest.raises(QueryError) as exc:
        run_query(paths, QuerySpec(**kw))
    assert exc.value.code == "unknown_column"
    assert exc.value.column == "인구"
    assert exc.value.param == param
    assert "인구" in str(exc.value) and "시군구" in exc.value.message  # says which columns exist


def test_sorting_an_aggregate_by_a_column_that_is_not_in_the_output_is_refused(paths):
    with pytest.raises(QueryError) as exc:
        run_query(paths, QuerySpec(group_by=["시군구"], sort=[("방문객수", "desc")]))
    assert (exc.value.code, exc.value.param, exc.value.column) == ("unknown_column", "sort", "방문객수")


@pytest.mark.parametrize(
    ("flt", "text"),
    [
        (Filter("방문객수", "=", "abc"), "whole number"),
        (Filter("방문객수", ">", 1.5), "whole number"),
        (Filter("방문객수", "=", 2**70), "between"),
        (Filter("매출액", "<", "많음"), "number"),
        (Filter("날짜", "=", "어제"), "date"),
        (Filter("방문객수", "in", [1, "x"]), "whole number"),
        (Filter("방문객수", "in", []), "at least one"),
        (Filter("시군구", "=", None), "isnull"),
    ],
)
def test_a_value_that_does_not_fit_the_column_is_refused(paths, flt, text):
    with pytest.raises(QueryError) as exc:
        run_query(paths, QuerySpec(filters=[flt]))
    assert (exc.value.code, exc.value.column, exc.value.param) == ("invalid_value", flt.column, "filters")
    assert text in exc.value.message


@pytest.mark.parametrize(
    ("kw", "code", "param"),
    [
        ({"filters": [Filter("시군구", "like", "%천")]}, "invalid_operator", "filters"),
        ({"filters": [Filter("방문객수", "contains", "1")]}, "invalid_operator", "filters"),
        ({"aggregates": [Aggregate("median", "방문객수")]}, "invalid_aggregate", "aggregates"),
        ({"aggregates": [Aggregate("sum", "시군구")]}, "invalid_aggregate", "aggregates"),
        ({"aggregates": [Aggregate("avg")]}, "invalid_aggregate", "aggregates"),
        (
            {"group_by": ["시군구"], "aggregates": [Aggregate("count", alias="시군구")]},
            "duplicate_alias",
            "aggregates",
        ),
        ({"sort": [("시군구", "upward")]}, "invalid_sort", "sort"),
        ({"group_by": ["시군구"], "columns": ["시군구"]}, "invalid_columns", "columns"),
    ],
)
def test_bad_operators_functions_and_shapes_name_the_parameter(paths, kw, code, param):
    with pytest.raises(QueryError) as exc:
        run_query(paths, QuerySpec(**kw))
    assert (exc.value.code, exc.value.param) == (code, param)


def test_no_files_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(QueryError) as exc:
        run_query(tmp_path / "empty", QuerySpec())
    assert exc.value.code == "no_data"


def test_unknown_engine_is_named(paths):
    with pytest.raises(QueryError) as exc:
        run_query(paths, QuerySpec(), engine="oracle")
    assert (exc.value.code, exc.value.param) == ("unknown_engine", "engine")


# --- API-shaped input and JSON output ------------------------------------------------------------------------


def test_spec_from_an_api_body(paths, rows):
    spec = QuerySpec.from_dict(
        {
            "filters": [
                {"column": "시군구", "op": "in", "value": ["춘천시", "원주시"]},
                ["방문객수", ">", "100"],
            ],
            "group_by": "시군구",
            "aggregates": [{"func": "sum", "column": "방문객수", "alias": "합계"}],
            "sort": "합계 desc",
            "limit": "10",
        }
    )
    result = run_query(paths, spec)
    expected = {
        k: sum(r["방문객수"] for r in rows if r["시군구"] == k and (r["방문객수"] or 0) > 100)
        for k in ("춘천시", "원주시")
    }
    assert {r["시군구"]: r["합계"] for r in result.rows} == expected
    assert [r["합계"] for r in result.rows] == sorted(expected.values(), reverse=True)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"filters": [{"column": "시군구"}]}, "filters"),
        ({"limit": "many"}, "limit"),
        ({"offset": True}, "offset"),
        ({"aggregates": [{}]}, "aggregates"),
        ({"order": "시군구"}, "order"),
    ],
)
def test_malformed_api_bodies_name_the_parameter(body, param):
    with pytest.raises(QueryError) as exc:
        QuerySpec.from_dict(body)
    assert exc.value.param == param


def test_result_as_dict_is_json(paths):
    result = query(paths, filters=[Filter("매출액", "isnull")], limit=2, sort=["번호"])
    data = json.loads(json.dumps(result.as_dict(), ensure_ascii=False))
    assert data["rows"][0]["날짜"].startswith("2024-")
    assert data["rows"][0]["매출액"] is None
    assert data["total"] == result.total


def test_the_default_engine_serves_several_threads_at_once(paths, rows):
    from concurrent.futures import ThreadPoolExecutor

    regions = [*REGIONS, *REGIONS]
    spec = lambda region: QuerySpec(filters=[Filter("시군구", "=", region)], limit=0)  # noqa: E731
    with ThreadPoolExecutor(max_workers=4) as pool:
        totals = list(pool.map(lambda region: run_query(paths, spec(region)).total, regions))
    assert totals == [sum(r["시군구"] == region for r in rows) for region in regions]
