"""/api/v1/insights/<analysis>: JSON and CSV for anyone, filters from the query string, errors naming the
parameter."""

import csv
import io

import pytest

from .conftest import K

pytestmark = pytest.mark.django_db

URL = "/api/v1/insights/"


def test_anyone_reads_an_analysis_as_json(client, published):
    response = client.get(
        URL + "trend",
        {"area": "32010", "start": "2026-01-01", "end": "2026-03-31", "grain": "month", "by": "visitor_type"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["analysis"] == "trend"
    assert [c["name"] for c in body["columns"]] == [
        "period",
        "visitor_type",
        "visitor_type_label",
        "visitors",
        "days",
        "moving_average",
        "suppressed",
    ]
    assert [r["period"] for r in body["rows"]][:3] == ["2026-01-01"] * 3
    assert len(body["rows"]) == 9
    assert body["meta"]["filters"]["areas"] == ["32010"] and body["meta"]["k"] == K


def test_csv_is_utf8_with_a_bom_and_korean_text(client, published):
    response = client.get(URL + "visitor_mix", {"area": "3201036", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="insights-visitor_mix.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["visitor_type_label"] for r in rows] == ["현지인", "외지인", "외국인"]


def test_labels_follow_the_language_of_the_request(client, published):
    korean = client.get(URL + "seasonality", {"area": "3201036"}).json()
    english = client.get(URL + "seasonality", {"area": "3201036"}, HTTP_ACCEPT_LANGUAGE="en").json()
    label = {c["name"]: c["label"] for c in korean["columns"]}
    assert (label["index"], label["suppressed"]) == ("지수(평균=1)", "비공개 값 포함")
    assert {c["name"]: c["label"] for c in english["columns"]}["index"] == "Index (mean = 1)"
    saturday = [
        r["label"] for r in korean["rows"] + english["rows"] if r["kind"] == "weekday" and r["key"] == 5
    ]
    assert saturday == ["토", "Sat"]
    may = [r["label"] for r in korean["rows"] if r["kind"] == "month" and r["key"] == 5]
    assert may == ["5월"]


def test_repeatable_filters_and_options(client, published):
    response = client.get(
        URL + "area_totals", {"area": ["3201036", "3201057"], "visitor_type": ["other", "foreign"]}
    )
    rows = response.json()["rows"]
    assert [r["area_code"] for r in rows] == ["3201036", "3201057"]
    assert all(r["local"] is None and r["visitors"] == r["other"] + r["foreign"] for r in rows)
    response = client.get(URL + "hotspots", {"top": "3", "start": "2026-10-01", "end": "2026-10-31"})
    assert [r["rank"] for r in response.json()["rows"]] == [1, 2, 3]


def test_festival_impact_and_its_series(client, published):
    body = client.get(URL + "festival_impact", {"festival_id": "mime-2025"}).json()
    assert {r["metric"] for r in body["rows"]} == {"visitors", "spending"}
    visitors = next(r for r in body["rows"] if r["metric"] == "visitors")
    assert visitors["ci_low_pct"] < visitors["uplift_pct"] < visitors["ci_high_pct"]
    assert body["meta"]["series"]["rows"][0]["phase"] == "before"
    response = client.get(
        URL + "festival_impact", {"festival_id": "mime-2025", "part": "series", "format": "csv"}
    )
    assert response["Content-Disposition"].endswith('festival_impact-series.csv"')
    assert response.content.decode("utf-8-sig").startswith("date,phase,baseline_day,visitors,")


def test_keywords_in_korean(client, published):
    body = client.get(URL + "keyword_trends", {"end": "2026-05-31", "top": "10"}).json()
    assert len(body["rows"]) == 10 and "마임" in {r["term"] for r in body["rows"]}
    assert body["meta"]["period"] == "2026-05-01"
    response = client.get(URL + "keyword_trends", {"end": "2026-05-31", "part": "frequency", "format": "csv"})
    assert response.content.decode("utf-8-sig").startswith("month,area_code,area_name,term,count,suppressed")


@pytest.mark.parametrize(
    ("params", "param", "code"),
    [
        ({"start": "2026-13-01"}, "start", "invalid_date"),
        ({"end": "어제"}, "end", "invalid_date"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "end", "invalid_period"),
        ({"area": ["32010", "99999"]}, "area", "unknown_area"),
        ({"visitor_type": "tourist"}, "visitor_type", "invalid_visitor_type"),
        ({"industry": "카페"}, "industry", "invalid_industry"),
        ({"level": "dong"}, "level", "invalid_level"),
        ({"grain": "year"}, "grain", "invalid_grain"),
        ({"by": "industry"}, "by", "invalid_by"),
        ({"moving_average": "seven"}, "moving_average", "invalid_number"),
        ({"format": "xlsx"}, "format", "invalid_format"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, published, params, param, code):
    response = client.get(URL + "trend", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert list(body["errors"]) == [param]
    assert body["messages"]["ko"] and body["messages"]["en"]


def test_festival_errors(client, published):
    response = client.get(URL + "festival_impact")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["festival_id"]
    response = client.get(URL + "festival_impact", {"festival_id": "nope-2025"})
    assert response.status_code == 404 and response.json()["code"] == "unknown_festival"
    response = client.get(URL + "hotspots", {"top": "0"})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["top"]
    response = client.get(URL + "trend", {"part": "series"})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["part"]


def test_unknown_analysis_and_no_data(client, published, monkeypatch):
    response = client.get(URL + "forecast")
    assert response.status_code == 404 and response.json()["code"] == "unknown_analysis"
    from dongne.insights import selectors

    monkeypatch.setattr(selectors, "current_sources", lambda: {})
    response = client.get(URL + "trend")
    assert response.status_code == 404 and response.json()["code"] == "no_data"


def test_the_index_lists_the_analyses(client):
    body = client.get(URL).json()
    assert {a["name"] for a in body["analyses"]} >= {"trend", "festival_impact", "keyword_trends"}
