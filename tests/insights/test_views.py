"""The insights dashboards through the test client: the overview with its maps and charts, the htmx fragment a
filter change asks for, the festival, keyword and opportunity pages, and the files the charts need (plotly.js,
boundaries) served by the site itself — no page refers to another site.

``published`` (conftest) makes the pages read the generated demo tables directly; ``demo_datasets`` runs the
real demo loader (datahub registration and ingest), used where the catalog matters (the default period comes
from the dataset's profile; opportunity cards link to the datasets)."""

import csv
import gzip
import io
import json
import re

import plotly
import pytest

from dongne.core.regions import CHUNCHEON, emd_of, sigungu
from dongne.insights import analyses

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "insight-charts"}
CHART_IDS = ["map-emd", "map-sigungu", "chart-trend", "chart-mix", "chart-spending"]


def figure(html, chart_id):
    """The plotly figure embedded for ``chart_id`` (the JSON that static/insights/charts.js draws)."""
    match = re.search(rf'<script type="application/json" id="{chart_id}-json">(.*?)</script>', html, re.S)
    assert match, f"no figure {chart_id}"
    return json.loads(match.group(1))


def caption(html, chart_id):
    match = re.search(rf'<figcaption id="{chart_id}-caption">(.*?)</figcaption>', html, re.S)
    assert match, f"no caption for {chart_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def data_link(html, chart_id):
    box = re.search(rf'id="{chart_id}-box".*?</figure>', html, re.S).group(0)
    return re.search(r'class="data-link" href="([^"]+)"', box).group(1).replace("&amp;", "&")


def english(client):
    client.cookies["django_language"] = "en"
    return client


# --- overview -----------------------------------------------------------------------------------------------


def test_overview_without_data_explains_how_to_load_it(client, settings, tmp_path):
    settings.LAKE_ROOT = tmp_path / "lake"
    response = client.get("/insights/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="insight-empty"' in html and "make run" in html
    assert "data-figure" not in html


def test_overview_opens_on_chuncheon_with_maps_trend_and_mix(client, demo_datasets, secretariat):
    client.force_login(secretariat)  # members see the links to the members-only raw tables
    html = english(client).get("/insights/").content.decode()
    for chart_id in CHART_IDS:
        assert f'data-figure="{chart_id}-json"' in html
        assert len(caption(html, chart_id)) > 30, chart_id  # a text summary stands in for every chart

    # The default view: 춘천시, the last year of data (from the dataset's profile), daily.
    assert re.search(r'<option value="32010" selected>', html)
    assert 'name="start" value="2025-11-01"' in html and 'name="end" value="2026-10-31"' in html

    # Maps: Chuncheon's 25 읍면동 and Gangwon's 18 시군구, from our own boundary files, with the source named.
    emd = figure(html, "map-emd")
    shown = {code for trace in emd["data"] for code in trace["locations"]}
    assert shown == set(emd_of(CHUNCHEON)) and len(shown) == 25
    assert all(t["geojson"].startswith("/insights/geo/chuncheon-emd-") for t in emd["data"])
    sgg = figure(html, "map-sigungu")
    assert {code for trace in sgg["data"] for code in trace["locations"]} == set(sigungu())
    assert html.count("출처: 통계청 통계지리정보서비스") >= 2

    # Trend: one line and one moving average per visitor type, in the page's Korean-capable font.
    trend = figure(html, "chart-trend")
    names = [t["name"] for t in trend["data"]]
    assert names[:2] == ["Local residents", "Local residents · 7-day average"]
    assert len(names) == 6
    assert "Noto Sans CJK KR" in trend["layout"]["font"]["family"]
    days = trend["data"][0]["x"]
    assert days[0] == "2025-11-01" and days[-1] == "2026-10-31"

    # The numbers in the caption are the analysis' own.
    table = analyses.trend(
        analyses.Filters(start=_date("2025-11-01"), end=_date("2026-10-31"), areas=(CHUNCHEON,)),
        by="visitor_type",
    )
    total = sum(r["visitors"] for r in table.rows if r["visitors"] is not None)
    assert f"{total:,} visits in all" in caption(html, "chart-trend")

    # Opportunity cards link to the datasets behind them.
    assert 'href="/data/insights-visitors/"' in html and 'href="/data/insights-spending/"' in html


def _date(text):
    import datetime as dt

    return dt.date.fromisoformat(text)


def test_every_chart_has_its_data_as_csv_from_the_api(client, published):
    html = client.get("/insights/?area=3201036&visitor_type=other&grain=week").content.decode()
    for chart_id in CHART_IDS:
        url = data_link(html, chart_id)
        assert url.startswith("/api/v1/insights/") and url.endswith("format=csv"), url
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        assert response["Content-Type"].startswith("text/csv")
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        assert len(list(csv.reader(io.StringIO(text)))) > 1
    trend_url = data_link(html, "chart-trend")
    assert "area=3201036" in trend_url and "visitor_type=other" in trend_url and "grain=week" in trend_url


def test_a_filter_change_returns_only_the_charts(client, published):
    response = client.get("/insights/?area=32010&visitor_type=foreign&grain=month", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="insight-charts"')
    assert "<html" not in html and "<form" not in html and "site-header" not in html
    assert "plotly" not in html.split("insight-charts", 1)[0]
    trend = figure(html, "chart-trend")
    assert {t["meta"]["series"] for t in trend["data"]} == {"foreign"}
    assert trend["data"][0]["x"][0][:7] == "2023-11"  # monthly, from the first month with data
    # Screen readers hear what changed (an out-of-band update of the live region).
    assert 'id="insight-status"' in html and 'hx-swap-oob="innerHTML"' in html


def test_the_filtered_url_opens_the_same_view_as_a_whole_page(client, published):
    """The URL that htmx pushes is bookmarkable: without htmx it renders the page with the filters chosen."""
    html = client.get("/insights/?area=3201036&visitor_type=foreign&grain=month").content.decode()
    assert "<html" in html and 'id="insight-filters"' in html
    assert re.search(r'<option value="3201036" selected>', html)
    assert re.search(r'<option value="foreign" selected>', html)
    assert {t["meta"]["series"] for t in figure(html, "chart-trend")["data"]} == {"foreign"}
    # The chosen 읍면동 is outlined on the map.
    emd = figure(html, "map-emd")["data"][0]
    highlighted = [c for c, w in zip(emd["locations"], emd["marker"]["line"]["width"], strict=True) if w > 1]
    assert highlighted == ["3201036"]
    # A history restore (htmx's cache missed) gets the whole page too.
    restored = client.get("/insights/?area=3201036", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<html" in restored.content.decode()


def test_a_period_ending_before_it_starts_is_explained(client, published):
    html = english(client).get("/insights/?start=2025-05-01&end=2025-04-01", **HTMX).content.decode()
    assert "The end of the period comes before its start." in html
    assert "data-figure" not in html


# --- festivals ----------------------------------------------------------------------------------------------


def test_festival_list_links_every_edition(client, published):
    html = client.get("/insights/festivals/").content.decode()
    calendar = analyses.festivals(sources=published, k=10).rows
    assert calendar
    for row in calendar:
        assert f'href="/insights/festivals/{row["festival_id"]}/"' in html


def test_festival_page_shows_the_estimate_with_its_interval_and_the_baseline(client, published):
    festival = next(
        r for r in analyses.festivals(sources=published, k=10).rows if r["name"].endswith("닭갈비막국수축제")
    )
    expected = analyses.festival_impact(festival["festival_id"], sources=published, k=10)
    visitors = next(r for r in expected.rows if r["metric"] == "visitors")

    html = english(client).get(f"/insights/festivals/{festival['festival_id']}/").content.decode()
    assert festival["name"] in html
    assert f"+{visitors['uplift_pct']:.1f}%" in html
    assert f"95% interval +{visitors['ci_low_pct']:.1f}% to +{visitors['ci_high_pct']:.1f}%" in html
    assert "very likely raised" in html  # an interval above zero, said in words
    assert "What the baseline is" in html and "difference in differences" in html
    series = figure(html, "chart-festival")
    phases = [t["meta"]["phase"] for t in series["data"] if t.get("meta")]
    assert phases == ["before", "during", "after"]
    assert "festival_id=" in data_link(html, "chart-festival") and "part=series" in data_link(
        html, "chart-festival"
    )
    assert figure(html, "chart-impact")["data"][0]["x"]


def test_unknown_festival_is_not_found(client, published):
    assert client.get("/insights/festivals/no-such-festival/").status_code == 404


# --- keywords and opportunities -----------------------------------------------------------------------------


def test_keyword_page_shows_rising_korean_terms_with_example_sentences(client, published):
    html = client.get("/insights/keywords/?month=2026-10&area=").content.decode()
    expected = analyses.keyword_trends(
        analyses.Filters(start=_date("2026-09-01"), end=_date("2026-10-31")), top=20, sources=published, k=10
    )
    assert expected.rows
    for row in expected.rows[:5]:
        assert f'<span class="term-word">{row["term"]}</span>' in html
        assert f"<mark>{row['term']}</mark>" in html
    assert re.search(r"[가-힣]", caption(html, "chart-keywords"))


def test_keyword_month_filter_moves_the_period(client, published):
    july = client.get("/insights/keywords/?month=2026-07").content.decode()
    october = client.get("/insights/keywords/?month=2026-10").content.decode()
    assert "2026.07" in caption(july, "chart-keywords") and "2026.10" in caption(october, "chart-keywords")
    assert figure(july, "chart-keywords") != figure(october, "chart-keywords")


def test_opportunities_page_names_places_and_links_the_datasets(client, demo_datasets, secretariat):
    # The raw tables are members-only (row counts below k); the public does not get links it could not open.
    assert 'href="/data/insights-spending/"' not in client.get("/insights/opportunities/").content.decode()
    client.force_login(secretariat)
    html = client.get("/insights/opportunities/").content.decode()
    cards = re.findall(r'<li class="card opportunity" data-area="(\d+)" data-industry="([^"]+)"', html)
    assert cards and all(len(code) == 7 and code.startswith(CHUNCHEON) for code, _ in cards)
    assert 'href="/data/insights-spending/"' in html
    assert "/api/v1/insights/opportunities?" in html


# --- assets: nothing from another site ----------------------------------------------------------------------


def test_plotly_js_is_served_from_the_installed_package(client):
    url = f"/insights/plotly-{plotly.__version__}.min.js"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "max-age=31536000" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert b"plotly.js v" in body[:200] and len(body) > 1_000_000
    zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert zipped["Content-Encoding"] == "gzip" and gzip.decompress(zipped.content) == body
    old = client.get("/insights/plotly-0.0.1.min.js")
    assert old.status_code == 302 and old["Location"] == url


def test_boundaries_are_served_by_the_site(client):
    from dongne.insights import charts, geo, views

    table = analyses.Table([], [{"area_code": "3201011", "visitors": 120}])
    codes = geo.layer_codes("chuncheon-emd")
    embedded = charts.embed(
        charts.choropleth(table, geojson_url=views._geo_url("chuncheon-emd"), codes=codes, label="v")
    )
    assert "</" not in embedded  # safe inside <script>
    url = json.loads(embedded)["data"][0]["geojson"]
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    assert "immutable" in response["Cache-Control"]
    data = json.loads(response.content)
    assert len(data["features"]) == 25 and all(f["id"].startswith(CHUNCHEON) for f in data["features"])
    assert client.get("/insights/geo/chuncheon-emd-000000000000.geojson")["Location"] == url
    assert client.get("/insights/topojson/world_110m.json")["Content-Type"] == "application/json"


EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//|https?://""", re.I)


def test_no_page_refers_to_another_site(client, published):
    festival = analyses.festivals(sources=published, k=10).rows[0]["festival_id"]
    for url in [
        "/insights/",
        "/insights/?visitor_type=foreign",
        "/insights/festivals/",
        f"/insights/festivals/{festival}/",
        "/insights/keywords/",
        "/insights/opportunities/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not EXTERNAL.search(html), (url, EXTERNAL.search(html).group(0))
        assert f'src="/insights/plotly-{plotly.__version__}.min.js"' in html or "data-figure" not in html


def test_main_navigation_links_the_insights(client, db):
    html = client.get("/").content.decode()
    assert 'href="/insights/"' in html


# --- the start page ------------------------------------------------------------------------------------------


def test_start_page_opens_on_the_regional_overview(client, demo_datasets):
    html = client.get("/").content.decode()
    assert 'id="home-insights-h"' in html
    assert 'data-figure="map-emd-json"' in html and 'data-figure="chart-trend-json"' in html
    emd = figure(html, "map-emd")
    assert {code for trace in emd["data"] for code in trace["locations"]} == set(emd_of(CHUNCHEON))


def test_start_page_without_regional_data_has_no_panel(client, settings, tmp_path, db):
    settings.LAKE_ROOT = tmp_path / "lake"
    response = client.get("/")
    assert response.status_code == 200
    assert 'id="home-insights-h"' not in response.content.decode()


def test_the_overview_charts_are_cached_until_a_new_version_of_the_data_arrives(
    client, demo_datasets, secretariat, tmp_path
):
    """The charts are kept per filters, language and data version (views._charts_key): the same page twice is
    served from the cache, and a new version of the visitors dataset shows on the very next request."""
    import duckdb
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dongne.datahub import services as datahub
    from dongne.datahub.models import Dataset
    from dongne.insights import selectors

    page = english(client)
    with CaptureQueriesContext(connection) as first:
        before = caption(page.get("/insights/").content.decode(), "chart-trend")
    with CaptureQueriesContext(connection) as second:
        assert caption(page.get("/insights/").content.decode(), "chart-trend") == before
    # the analyses (each reading the current versions) did not run again
    assert len(second.captured_queries) < len(first.captured_queries)

    # A new version with every visitor count doubled.
    visitors = Dataset.objects.get(slug="insights-visitors")
    current = selectors.current_sources()["insights-visitors"]
    doubled = tmp_path / "doubled.parquet"
    files = ", ".join(f"'{p}'" for p in current)
    con = duckdb.connect()
    columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM read_parquet([{files}])").fetchall()]
    select = ", ".join(f'"{c}" * 2 AS "{c}"' if c == "visitors" else f'"{c}"' for c in columns)
    con.execute(f"COPY (SELECT {select} FROM read_parquet([{files}])) TO '{doubled}' (FORMAT parquet)")
    upload = SimpleUploadedFile(
        "doubled.parquet", doubled.read_bytes(), content_type="application/vnd.apache.parquet"
    )
    job = datahub.start_ingest(actor=secretariat, dataset_id=visitors.pk, uploaded_file=upload, note="x2")
    datahub.run_ingest_job(actor=secretariat, job_id=job.pk)

    after = caption(page.get("/insights/").content.decode(), "chart-trend")
    assert after != before
    total = lambda text: int(re.search(r"([\d,]+) visits in all", text).group(1).replace(",", ""))  # noqa: E731
    assert total(after) == 2 * total(before)


def test_the_overview_still_renders_when_the_cache_server_is_down(client, demo_datasets, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    html = english(client).get("/insights/").content.decode()
    assert 'data-figure="chart-trend-json"' in html
