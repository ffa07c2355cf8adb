"""Journey: a member opens the regional overview on the demo data, sees the maps and charts drawn by the
site's own plotly.js, changes a filter and watches the charts change in place — no page reload, the URL
updated so the view can be shared, and Back brings the previous charts again. Nothing is loaded from another
site. On a phone the dashboard fits the screen."""

import re

import pytest
from playwright.sync_api import expect

from dongne.insights.demo import load_insights_demo
from tests.datahub.fixtures import seed_themes

CHARTS = ["map-emd", "map-sigungu", "chart-trend", "chart-mix", "chart-spending"]
TREND = "document.getElementById('chart-trend')"


@pytest.fixture(autouse=True)
def demo(settings, tmp_path, transactional_db, secretariat):
    # The live server runs in a thread of this process, so it reads these settings too.
    settings.LAKE_ROOT = tmp_path / "lake"
    settings.UPLOAD_DIR = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path / "data"
    settings.INSIGHTS_MIN_COUNT = 10
    seed_themes()  # an earlier transactional test may have flushed them
    return load_insights_demo(secretariat)


def watch_requests(page, base_url):
    """Every URL the page asks for that is not this site's."""
    elsewhere = []
    page.on(
        "request", lambda request: None if request.url.startswith(base_url) else elsewhere.append(request.url)
    )
    return elsewhere


def wait_drawn(page, chart_ids=CHARTS):
    for chart_id in chart_ids:
        expect(page.locator(f"#{chart_id}")).to_have_attribute("data-drawn", "yes")


def trend_series(page):
    return page.evaluate(
        f"{TREND}.data.filter(t => !(t.meta && t.meta.moving_average)).map(t => t.meta.series)"
    )


def trend_values(page):
    return page.evaluate(f"{TREND}.data.map(t => Array.from(t.y).slice(0, 60))")


def test_a_filter_changes_the_charts_without_reloading(page, live_server):
    elsewhere = watch_requests(page, live_server.url)
    page.goto("/insights/")
    wait_drawn(page)
    # plotly.js is the site's own copy, and it drew SVG with Hangul labels in it.
    assert page.evaluate("window.Plotly && window.Plotly.version")
    expect(page.locator("#map-emd svg").first).to_be_visible()
    expect(page.locator("#chart-spending .ytick text").first).to_have_text(re.compile("[가-힣]"))  # 식음료 …

    page.evaluate("window.__insightsMarker = 'still here'")
    assert trend_series(page) == ["local", "other", "foreign"]
    before = trend_values(page)

    # Visitor type → only foreign visitors; htmx swaps the charts fragment.
    with page.expect_response(
        lambda r: "visitor_type=foreign" in r.url and r.request.headers.get("hx-request")
    ):
        page.locator("#id_visitor_type").select_option("foreign")
    page.wait_for_function(
        # Predicates are functions, not expression strings: Playwright evaluates a string with eval, which the
        # site's Content-Security-Policy (script-src 'self') forbids.
        f"() => {TREND} && {TREND}.getAttribute('data-drawn') === 'yes' && {TREND}.data.length === 2"
    )
    wait_drawn(page)
    assert trend_series(page) == ["foreign"]
    assert trend_values(page) != before
    assert page.evaluate("window.__insightsMarker") == "still here"  # the same document: no reload
    assert "visitor_type=foreign" in page.url  # pushed: the filtered view has its own address
    expect(page.locator("#insight-status")).not_to_be_empty()

    # Area → 남산면: the trend is that 읍면동's, and the map outlines it.
    foreign_in_city = trend_values(page)
    with page.expect_response(lambda r: "area=3201036" in r.url and r.request.headers.get("hx-request")):
        page.locator("#id_area").select_option("3201036")
    page.wait_for_function(
        "() => { const m = document.getElementById('map-emd'); if (!m || m.getAttribute('data-drawn') !== 'yes')"
        " return false; const t = m.data[0]; return t.locations.some((c, i) => c === '3201036'"
        " && t.marker.line.width[i] > 1); }"
    )
    wait_drawn(page)
    assert trend_values(page) != foreign_in_city
    assert page.evaluate("window.__insightsMarker") == "still here"

    # Back: the previous charts again, still the same document.
    page.go_back()
    page.wait_for_function(f"() => {TREND} && {TREND}.getAttribute('data-drawn') === 'yes'")
    assert "area=3201036" not in page.url
    assert trend_series(page) == ["foreign"]
    assert page.evaluate("window.__insightsMarker") == "still here"

    # Every chart offers its data as CSV, and the link works.
    link = page.locator("#chart-trend-box a.data-link")
    response = page.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("text/csv")

    assert elsewhere == []


def test_the_overview_fits_a_phone(new_page, live_server):
    page = new_page(viewport={"width": 390, "height": 844})
    elsewhere = watch_requests(page, live_server.url)
    page.goto("/insights/")
    wait_drawn(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#map-emd").bounding_box()
    assert box["width"] > 300  # the map uses the screen's width (its colour scale sits below it)
    # Labels on every filter, reachable on a small screen.
    for name in ("start", "end", "area", "visitor_type", "industry", "grain"):
        expect(page.locator(f"label[for=id_{name}]")).to_be_visible()
    assert elsewhere == []
