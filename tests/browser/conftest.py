"""Real-browser journeys: Playwright (sync API) driving Debian's chromium against ``live_server``.

Playwright cannot download its own browser on offline machines, so the tests launch
/usr/bin/chromium (``apt-get install chromium fonts-noto-cjk``). Without it the journeys are
skipped, unless DONGNE_REQUIRE_BROWSER=1 (set by CI) turns the absence into a failure.

Selectors use ids, names, hrefs, classes and form actions, never visible text: the UI text is
translated (Korean by default), so text selectors would break whenever a translation changes.
"""

import os
import re
from pathlib import Path

import pytest

from tests.factories import PASSWORD

# Playwright's sync API keeps an asyncio loop running on the test thread; without this Django
# refuses ORM calls made by the test itself (factories, assertions on the database).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REQUIRED = os.environ.get("DONGNE_REQUIRE_BROWSER") == "1"
try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the dev extra is not installed: nothing here can run
    if REQUIRED:
        raise
    sync_playwright = None
    collect_ignore_glob = ["test_*.py"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
HERE = Path(__file__).resolve().parent
RESULTS_DIR = HERE.parent.parent / "test-results"
TIMEOUT_MS = 10_000  # generous for a loaded CI machine; a passing run never waits this long
if sync_playwright is not None:
    expect.set_options(timeout=TIMEOUT_MS)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Every test in this folder is a ``browser`` journey on committed data (live_server's thread
    reads the database through its own connection, so nothing may stay in an open transaction)."""
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


def pytest_report_header(config):
    if sync_playwright is None:
        return "browser journeys: not collected (the playwright package is not installed)"
    return None


def _unavailable(reason):
    if REQUIRED:
        pytest.fail(f"{reason} — and DONGNE_REQUIRE_BROWSER=1 requires the browser journeys.", pytrace=False)
    pytest.skip(reason)


# Package scope rather than session: the journeys share one browser, and Playwright (with its
# running event loop) is stopped as soon as the last journey is done, so tests that run after
# this folder never see an event loop on their thread.
@pytest.fixture(scope="package")
def browser():
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def new_page(browser, live_server, request):
    """Factory for pages, each in its own context (cookies, viewport); screenshots on failure.

    Every page's console is watched: a Content-Security-Policy violation (an inline script or handler, a
    resource from another origin) fails the test, so the pages are proven to work under the site's CSP."""
    contexts = []
    violations = []

    def watch(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(f"{message.type}: {message.text}")

    def make(*, viewport=None, locale="ko-KR"):
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            viewport=viewport or {"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        context.on("console", watch)
        return context.new_page()

    yield make
    report = getattr(request.node, "_report_call", None)
    failed = report is not None and report.failed
    for number, context in enumerate(contexts):
        if failed:
            RESULTS_DIR.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            for index, open_page in enumerate(context.pages):
                try:
                    open_page.screenshot(path=RESULTS_DIR / f"{name}-{number}-{index}.png", full_page=True)
                except Exception as exc:  # a crashed page must not hide the test's own failure
                    print(f"no screenshot of {request.node.nodeid}: {exc}")
        context.close()
    if violations:
        pytest.fail(
            "Content-Security-Policy violations on the console:\n" + "\n".join(violations), pytrace=False
        )


@pytest.fixture
def page(new_page):
    """A desktop-size page (1280×900, Korean browser) in a fresh context."""
    return new_page()


@pytest.fixture
def login():
    """Log ``user`` in through the login form; the page then shows wherever the site lands."""

    def do(page, user, password=PASSWORD):
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(user.email)
        page.locator("#id_password").fill(password)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()

    return do
