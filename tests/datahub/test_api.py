"""The datahub API under /api/v1/datahub/ as a program uses it: catalog and facets, rows with filters, sort
and paging, aggregates, read-only SQL — and errors that name what to fix."""

import pytest

from dongne.core import services as core_services
from dongne.datahub.models import Dataset

from . import fixtures
from .fixtures import csv_bytes, expected_values, make_dataset, visitor_rows

pytestmark = pytest.mark.django_db
datahub_dirs = fixtures.datahub_dirs  # autouse: the lake, uploads and exports in tmp_path
ingest = fixtures.ingest
API = "/api/v1/datahub"
ROWS = visitor_rows(120)
DATA = expected_values(ROWS)


@pytest.fixture
def dataset(secretariat, org, ingest):
    dataset = make_dataset(secretariat, publisher=org, spatial=["32010"], keywords=["춘천", "관광"])
    ingest(secretariat, dataset, csv_bytes(ROWS))
    return dataset


def post(client, path, body, **headers):
    return client.post(API + path, body, content_type="application/json", **headers)


def rows_of(response):
    assert response.status_code == 200, response.content
    return response.json()


# --- catalog -----------------------------------------------------------------------------------------------
def test_dataset_detail_carries_the_stored_metadata(client, dataset, org):
    body = client.get(f"{API}/datasets/{dataset.slug}").json()
    assert body["title"] == "춘천 읍면동 방문객 통계"
    assert body["publisher"] == org.name and body["themes"] == ["tourism"]
    assert body["spatial"] == ["32010"] and body["keywords"] == ["춘천", "관광"]
    assert (body["rows"], body["current_version"]) == (120, 1)
    assert [c["name"] for c in body["columns"]] == list(DATA[0])
    assert body["preview"][0] == DATA[0]
    assert {p["name"] for p in body["profile"]} == set(DATA[0])
    versions = client.get(f"{API}/datasets/{dataset.slug}/versions").json()
    assert [(v["number"], v["rows"], v["encoding"]) for v in versions] == [(1, 120, "cp949")]
    missing = client.get(f"{API}/datasets/no-such-data")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_catalog_search_and_facets(client, secretariat, other_org, dataset, ingest):
    other = make_dataset(
        secretariat,
        slug="festivals",
        title="춘천 축제 일정",
        themes=["culture", "tourism"],
        publisher=other_org,
    )
    make_dataset(
        secretariat, slug="bus-stops", title="시내버스 정류장", themes=["transport"], licence="CC-BY-4.0"
    )
    ingest(secretariat, other, csv_bytes(visitor_rows(3)))

    def slugs(**params):
        return sorted(d["slug"] for d in client.get(f"{API}/datasets", params).json()["items"])

    assert slugs() == ["bus-stops", "chuncheon-visitors", "festivals"]
    assert slugs(q="축제") == ["festivals"]
    assert slugs(q="정류장") == ["bus-stops"]
    assert slugs(theme="tourism") == ["chuncheon-visitors", "festivals"]
    assert slugs(publisher=str(other_org.pk)) == ["festivals"]
    assert slugs(licence="CC-BY-4.0") == ["bus-stops"]
    assert slugs(format="csv") == ["chuncheon-visitors", "festivals"]
    assert slugs(region="32010") == ["chuncheon-visitors"]
    assert slugs(q="축제", theme="transport") == []

    facets = client.get(f"{API}/facets").json()
    assert {f["theme__code"]: f["n"] for f in facets["theme"]} == {"tourism": 2, "culture": 1, "transport": 1}
    assert facets["theme"][0]["theme__code"] == "tourism"  # most used first
    assert {f["publisher__name"]: f["n"] for f in facets["publisher"]} == {"봄내데이터랩": 1, "소양소프트": 1}
    assert {f["licence"]: f["n"] for f in facets["licence"]} == {"KOGL-1": 2, "CC-BY-4.0": 1}
    assert facets["format"] == [{"current_version__source_format": "csv", "n": 2}]


def test_registering_through_the_api(client, secretariat, org):
    token = core_services.create_api_token(actor=secretariat, name="등록 스크립트").raw_token
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {"slug": "parking-lots", "title": "공영주차장", "publisher_id": org.pk, "themes": ["transport"]}
    response = post(client, "/datasets", body, **headers)
    assert response.status_code == 201, response.content
    assert response.json()["publisher"] == org.name
    again = post(client, "/datasets", body, **headers)
    assert again.status_code == 400 and "slug" in again.json()["errors"]
    assert post(client, "/datasets", {**body, "slug": "x-2"}).status_code == 401
    assert Dataset.objects.count() == 1


# --- rows --------------------------------------------------------------------------------------------------
def test_rows_with_equality_filters(client, dataset):
    body = rows_of(client.get(f"{API}/datasets/{dataset.slug}/rows", {"읍면동": "근화동", "업종": "숙박"}))
    expected = [r for r in DATA if r["읍면동"] == "근화동" and r["업종"] == "숙박"]
    assert body["rows"] == expected and body["total"] == len(expected) > 0
    assert body["version"] == 1
    # A typed column compares typed values: "2024.05.02" matches the date 2024-05-02.
    by_day = rows_of(client.get(f"{API}/datasets/{dataset.slug}/rows", {"일자": "2024.05.02", "limit": 1000}))
    assert by_day["total"] == sum(r["일자"] == "2024-05-02" for r in DATA) == 9
    by_code = rows_of(client.get(f"{API}/datasets/{dataset.slug}/rows", {"행정동코드": "3201025000"}))
    assert by_code["total"] == 40


def test_rows_sorted_and_paged(client, dataset):
    url = f"{API}/datasets/{dataset.slug}/rows"
    ranked = sorted(DATA, key=lambda r: -r["매출액"])
    first = rows_of(client.get(url, {"sort": "-매출액", "limit": 25}))
    second = rows_of(client.get(url, {"sort": "-매출액", "limit": 25, "offset": 25}))
    assert (first["total"], first["limit"], first["offset"]) == (120, 25, 0)
    assert (second["limit"], second["offset"]) == (25, 25)
    assert first["rows"] + second["rows"] == ranked[:50]
    last = rows_of(client.get(url, {"sort": "매출액", "limit": 10, "offset": 115}))
    assert last["rows"] == sorted(DATA, key=lambda r: r["매출액"])[115:]
    only = rows_of(client.get(url, {"columns": "읍면동,방문객수", "sort": "읍면동,-방문객수", "limit": 2}))
    expected = sorted(DATA, key=lambda r: (r["읍면동"], -r["방문객수"]))[:2]
    assert only["rows"] == [{"읍면동": r["읍면동"], "방문객수": r["방문객수"]} for r in expected]


@pytest.mark.parametrize(
    "params, param",
    [({"없는열": "x"}, "filters"), ({"sort": "-없는열"}, "sort"), ({"columns": "읍면동,없는열"}, "columns")],
)
def test_rows_on_a_missing_column_name_it(client, dataset, params, param):
    response = client.get(f"{API}/datasets/{dataset.slug}/rows", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unknown_column"
    assert body["errors"]["column"] == "없는열" and body["errors"]["param"] == param
    assert "읍면동" in body["errors"]["detail"]  # the columns that do exist are listed


def test_a_value_that_does_not_fit_the_column_is_refused(client, dataset):
    response = client.get(f"{API}/datasets/{dataset.slug}/rows", {"방문객수": "많음"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_value"
    assert response.json()["errors"]["column"] == "방문객수"


# --- query -------------------------------------------------------------------------------------------------
def test_group_by_with_aggregates(client, dataset):
    body = rows_of(
        post(
            client,
            f"/datasets/{dataset.slug}/query",
            {
                "filters": [{"column": "업종", "op": "!=", "value": "레저"}],
                "group_by": ["읍면동"],
                "aggregates": [
                    {"func": "count", "alias": "건수"},
                    {"func": "sum", "column": "방문객수", "alias": "방문객합계"},
                    {"func": "avg", "column": "매출액", "alias": "평균매출"},
                    {"func": "min", "column": "일자", "alias": "첫날"},
                    {"func": "max", "column": "방문객수", "alias": "최다방문"},
                ],
                "sort": [["방문객합계", "desc"]],
            },
        )
    )
    groups = {}
    for r in DATA:
        if r["업종"] != "레저":
            groups.setdefault(r["읍면동"], []).append(r)
    expected = [
        {
            "읍면동": town,
            "건수": len(rs),
            "방문객합계": sum(r["방문객수"] for r in rs),
            "평균매출": sum(r["매출액"] for r in rs) / len(rs),
            "첫날": min(r["일자"] for r in rs),
            "최다방문": max(r["방문객수"] for r in rs),
        }
        for town, rs in groups.items()
    ]
    expected.sort(key=lambda g: -g["방문객합계"])
    assert body["total"] == 3
    assert [g["읍면동"] for g in body["rows"]] == [g["읍면동"] for g in expected]
    for got, want in zip(body["rows"], expected, strict=True):
        assert got["평균매출"] == pytest.approx(want.pop("평균매출"))
        assert {k: got[k] for k in want} == want


def test_query_filters_with_operators(client, dataset):
    body = rows_of(
        post(
            client,
            f"/datasets/{dataset.slug}/query",
            {
                "filters": [
                    {"column": "방문객수", "op": ">=", "value": 800},
                    {"column": "읍면동", "op": "in", "value": ["신북읍", "근화동"]},
                ],
                "columns": ["일자", "읍면동", "방문객수"],
                "sort": "방문객수",
                "limit": 1000,
            },
        )
    )
    expected = [r for r in DATA if r["방문객수"] >= 800 and r["읍면동"] in ("신북읍", "근화동")]
    assert body["total"] == len(expected) > 0
    assert [r["방문객수"] for r in body["rows"]] == sorted(r["방문객수"] for r in expected)


@pytest.mark.parametrize(
    "body, code, param",
    [
        ({"filters": [{"column": "방문자", "op": "=", "value": 1}]}, "unknown_column", "filters"),
        ({"group_by": ["동네"], "aggregates": [{"func": "count"}]}, "unknown_column", "group_by"),
        ({"aggregates": [{"func": "sum", "column": "매출"}]}, "unknown_column", "aggregates"),
        ({"aggregates": [{"func": "median", "column": "매출액"}]}, "invalid_aggregate", "aggregates"),
        ({"filters": [{"column": "읍면동", "op": "~", "value": "동"}]}, "invalid_operator", "filters"),
    ],
)
def test_query_errors_name_the_parameter(client, dataset, body, code, param):
    response = post(client, f"/datasets/{dataset.slug}/query", body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert response.json()["errors"]["param"] == param
    if code == "unknown_column":
        assert response.json()["errors"]["column"] in str(body)


def test_an_older_version_can_be_queried(client, secretariat, dataset, ingest):
    ingest(secretariat, dataset, csv_bytes(visitor_rows(10)))
    current = rows_of(client.get(f"{API}/datasets/{dataset.slug}/rows", {"limit": 0}))
    old = rows_of(post(client, f"/datasets/{dataset.slug}/query", {"version": 1, "limit": 0}))
    assert (current["version"], current["total"]) == (2, 10)
    assert (old["version"], old["total"]) == (1, 120)


# --- SQL ---------------------------------------------------------------------------------------------------
def test_a_select_over_a_dataset(client, dataset):
    body = rows_of(
        post(
            client,
            "/sql",
            {
                "sql": "SELECT 읍면동, sum(방문객수) AS 합계 FROM chuncheon_visitors "
                "WHERE 일자 >= DATE '2024-05-05' GROUP BY 읍면동 ORDER BY 읍면동"
            },
        )
    )
    totals = {}
    for r in DATA:
        if r["일자"] >= "2024-05-05":
            totals[r["읍면동"]] = totals.get(r["읍면동"], 0) + r["방문객수"]
    # DuckDB sums BIGINT into HUGEINT, which the lake serves as exact decimal text.
    assert [(r["읍면동"], int(r["합계"])) for r in body["rows"]] == sorted(totals.items())


def test_sql_rows_are_capped(client, dataset):
    body = rows_of(post(client, "/sql", {"sql": "SELECT * FROM chuncheon_visitors", "max_rows": 7}))
    assert len(body["rows"]) == 7 and body["truncated"] is True


@pytest.mark.parametrize(
    "sql, code, where",
    [
        ("DELETE FROM chuncheon_visitors", "not_select", None),
        ("CREATE TABLE copy AS SELECT * FROM chuncheon_visitors", "not_select", None),
        ("COPY chuncheon_visitors TO '/tmp/dongne-leak.csv'", "not_select", None),
        ("ATTACH '/tmp/dongne-leak.duckdb' AS leak", "not_select", None),
        ("SELECT * FROM read_csv('/etc/passwd')", "forbidden_function", "read_csv"),
        ("SELECT * FROM '/etc/passwd'", "forbidden_function", None),
        ("SELECT 1; SELECT 2", "multiple_statements", None),
        ("SELECT * FROM secrets", "unknown_table", "secrets"),
        ("SELEC 읍면동 FROM chuncheon_visitors", "syntax_error", None),
    ],
)
def test_sql_that_is_not_a_plain_select_is_refused(client, dataset, sql, code, where):
    response = post(client, "/sql", {"sql": sql})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code
    assert body["messages"]["ko"] and body["messages"]["en"]
    if where:
        assert body["errors"]["param"] == where
    # Nothing was written or changed: the data still answers in full.
    assert rows_of(client.get(f"{API}/datasets/{dataset.slug}/rows", {"limit": 0}))["total"] == 120
