"""기업마당 (bizinfo) and K-Startup feeds against recorded responses served by a real local HTTP server.

The server answers ``/bizinfo`` like bizinfoApi.do (``crtfcKey``, ``pageIndex``, ``pageUnit`` →
``{"jsonArray": [...]}``) and ``/kstartup`` like getAnnouncementInformation01 (``serviceKey``, ``page``,
``perPage`` → ``{"data": [...], "totalCount": n}``) from the files under tests/opportunities/data/.
Nothing of ours is mocked: requests go through urllib and a socket.
"""

import datetime as dt
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from dongne.core.cli import main as dongne
from dongne.core.models import AuditEntry
from dongne.opportunities import feeds, services
from dongne.opportunities.models import FeedRun, Opportunity

DATA = Path(__file__).parent / "data"
BIZINFO_KEY = "bizinfo-test-key+/="
KSTARTUP_KEY = "kStartup+Test/Key=="


class Recorded:
    def __init__(self):
        self.requests = []
        self.port = None
        self.extra = {}  # path → list of items served instead of the file (for paging tests)

    def url(self, name):
        return f"http://127.0.0.1:{self.port}/{name}"


def _handler(state):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            parsed = urllib.parse.urlparse(self.path)
            query = dict(urllib.parse.parse_qsl(parsed.query))
            state.requests.append((parsed.path, query))
            name = parsed.path.strip("/")
            if name == "bizinfo":
                if query.get("crtfcKey") != BIZINFO_KEY:
                    return self._send({"reqErr": "인증키가 유효하지 않습니다."})
                page, size = int(query.get("pageIndex", 1)), int(query.get("pageUnit", 100))
                if "bizinfo" in state.extra:
                    items = state.extra["bizinfo"]
                    return self._send({"jsonArray": items[(page - 1) * size : page * size]})
                body = (
                    json.loads((DATA / "bizinfo" / f"page{page}.json").read_text())
                    if page == 1
                    else {"jsonArray": []}
                )
                return self._send(body)
            if name == "kstartup":
                if query.get("serviceKey") != KSTARTUP_KEY:
                    return self._send({"code": -4, "msg": "등록되지 않은 인증키 입니다."}, status=401)
                page = int(query.get("page", 1))
                body = (
                    json.loads((DATA / "kstartup" / "page1.json").read_text())
                    if page == 1
                    else {"data": [], "totalCount": 4}
                )
                return self._send(body)
            if name == "html":
                data = b"<html><body>Service Unavailable</body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return None
            return self._send({"error": "not found"}, status=404)

        def _send(self, body, status=200):
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def api(settings):
    state = Recorded()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.BIZINFO_BASE_URL = state.url("bizinfo")
    settings.BIZINFO_KEY = BIZINFO_KEY
    settings.KSTARTUP_BASE_URL = state.url("kstartup")
    settings.KSTARTUP_KEY = KSTARTUP_KEY
    yield state
    server.shutdown()
    server.server_close()


# --- parsing (no database) -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("20250301 ~ 20250331", (dt.date(2025, 3, 1), dt.date(2025, 3, 31), False)),
        ("2025-04-01 ~ 2025-05-15", (dt.date(2025, 4, 1), dt.date(2025, 5, 15), False)),
        ("2025.04.01 ~ 2025.05.15 18:00", (dt.date(2025, 4, 1), dt.date(2025, 5, 15), False)),
        ("상시", (None, None, True)),
        ("예산 소진시까지", (None, None, True)),
        ("사업별 상이", (None, None, False)),
        ("", (None, None, False)),
        ("~ 20250331", (None, dt.date(2025, 3, 31), False)),
    ],
)
def test_period_as_announced(text, expected):
    start, end, rolling, note = feeds.parse_period(text)
    assert (start, end, rolling) == expected
    assert note == " ".join(text.split())


def test_kstartup_dates_in_both_formats():
    assert feeds.parse_date("20250301") == dt.date(2025, 3, 1)
    assert feeds.parse_date("2025-04-20 18:00:00") == dt.date(2025, 4, 20)
    with pytest.raises(ValueError):
        feeds.parse_date("미정")


def test_company_age_from_biz_enyy():
    assert feeds.parse_company_age("예비창업자,1년미만,2년미만,3년미만,5년미만,7년미만") == (None, 7)
    assert feeds.parse_company_age("10년이상") == (10, None)
    assert feeds.parse_company_age("") == (None, None)


def test_html_is_sanitised_to_formatting_only():
    html = '<p onclick="x()">본문 <b>굵게</b></p><script>alert(1)</script><a href="javascript:alert(1)">링크</a><iframe src=x></iframe>'
    clean = feeds.sanitise_html(html)
    assert (
        "<script" not in clean
        and "onclick" not in clean
        and "javascript:" not in clean
        and "iframe" not in clean
    )
    assert "<b>굵게</b>" in clean
    assert feeds.plain_text("<p>관광&nbsp;데이터</p>") == "관광 데이터"


def test_the_same_announcement_gets_the_same_key_from_both_feeds():
    a = feeds.dedupe_key(
        "[강원] 2025년 초기창업패키지 창업기업 모집 공고", "창업진흥원", dt.date(2025, 3, 31), False
    )
    b = feeds.dedupe_key("2025년 초기창업패키지 창업기업 모집", "창업진흥원", dt.date(2025, 3, 31), False)
    c = feeds.dedupe_key("2025년 초기창업패키지 창업기업 모집", "창업진흥원", dt.date(2025, 4, 30), False)
    assert a == b != c


def test_bizinfo_record_fields():
    record = json.loads((DATA / "bizinfo" / "page1.json").read_text())["jsonArray"][1]
    parsed = feeds.parse_bizinfo(record)
    assert parsed.source_id == "PBLN_000000000101240"
    assert parsed.fields["is_rolling"] is True and parsed.fields["deadline"] is None
    assert parsed.fields["regions"] == ["강원", "춘천시"]  # #강원특별자치도 and 춘천 from the hashtags
    assert (
        parsed.fields["organiser"] == "강원정보문화산업진흥원"
        and parsed.fields["ministry"] == "강원특별자치도"
    )
    assert parsed.fields["source_url"].startswith("https://www.bizinfo.go.kr/web/lay1/")


# --- import ---------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_bizinfo_pull_reports_each_record_and_bad_ones_do_not_stop_the_rest(api, secretariat):
    run = services.pull_feed(actor=secretariat, feed="bizinfo")
    by_id = {e["id"]: e for e in run.report}
    assert run.counts == {"created": 4, "updated": 0, "duplicate": 0, "skipped": 2}
    assert (
        by_id["PBLN_000000000101260"]["outcome"] == "skipped"
        and "pblancNm" in by_id["PBLN_000000000101260"]["reason"]
    )
    assert (
        by_id["PBLN_000000000101261"]["outcome"] == "skipped"
        and "ends before it starts" in by_id["PBLN_000000000101261"]["reason"]
    )
    # 사업별 상이: no dates, kept as a note, with a warning; 울릉도 is not a region we know.
    varies = Opportunity.objects.get(source_id="PBLN_000000000101255")
    assert varies.deadline is None and not varies.is_rolling and varies.period_note == "사업별 상이"
    assert varies.regions == []  # 전국
    warnings = " ".join(by_id["PBLN_000000000101255"]["warnings"])
    assert "사업별 상이" in warnings and "울릉도" in warnings
    # HTML in the body is sanitised; attachments keep their links.
    first = Opportunity.objects.get(source_id="PBLN_000000000101234")
    assert (
        "<script" not in first.body
        and "onclick" not in first.body
        and "<strong>사업화</strong>" in first.body
    )
    assert first.deadline == dt.date(2025, 3, 31) and first.regions == ["강원"]
    assert sorted(a.title for a in first.attachments.all()) == ["공고문.hwp", "공고문.pdf"]
    assert first.kind == "funding_call" and first.source == "bizinfo"
    # The key went to the server but is in no report or audit entry.
    assert api.requests[0][1]["crtfcKey"] == BIZINFO_KEY
    assert BIZINFO_KEY not in json.dumps(run.report)
    assert AuditEntry.objects.filter(action="opportunities.feed.imported").count() == 1


@pytest.mark.django_db
def test_a_second_pull_updates_instead_of_duplicating(api, secretariat):
    services.pull_feed(actor=secretariat, feed="bizinfo")
    Opportunity.objects.filter(source_id="PBLN_000000000101240").update(title="옛 제목")
    run = services.pull_feed(actor=secretariat, feed="bizinfo")
    assert run.counts["created"] == 0 and run.counts["updated"] == 4
    reasons = {e["id"]: e["reason"] for e in run.report}
    assert "title" in reasons["PBLN_000000000101240"] and reasons["PBLN_000000000101234"] == "no changes"
    assert Opportunity.objects.get(source_id="PBLN_000000000101240").title.startswith("2025년 강원 관광")
    assert Opportunity.objects.count() == 4


@pytest.mark.django_db
def test_kstartup_pull_and_the_duplicate_from_bizinfo(api, secretariat):
    services.pull_feed(actor=secretariat, feed="bizinfo")
    run = services.pull_feed(actor=secretariat, feed="kstartup")
    by_id = {e["id"]: e for e in run.report}
    assert run.counts == {"created": 1, "updated": 0, "duplicate": 1, "skipped": 2}
    dup = by_id["172345"]
    original = Opportunity.objects.get(source_id="PBLN_000000000101234")
    assert dup["outcome"] == "duplicate" and dup["opportunity"] == original.pk
    original.refresh_from_db()
    assert original.also_listed[0]["source"] == "kstartup" and original.also_listed[0]["id"] == "172345"
    tour = Opportunity.objects.get(source="kstartup", source_id="172390")
    assert tour.starts_on == dt.date(2025, 4, 1) and tour.deadline == dt.date(2025, 4, 20)
    assert tour.regions == ["강원"] and tour.max_company_age == 7 and tour.ministry == "공공기관"
    assert "<b>예비창업자</b>" in tour.body
    assert "unreadable receipt period" in by_id["172400"]["reason"]
    assert by_id[""]["reason"] == "no pbanc_sn"


@pytest.mark.django_db
def test_an_unreachable_or_refusing_feed_is_recorded_as_a_failed_run(api, secretariat, settings):
    settings.KSTARTUP_KEY = "wrong-key"
    run = services.pull_feed(actor=secretariat, feed="kstartup")
    assert run.error and "401" in run.error and "wrong-key" not in run.error
    settings.BIZINFO_BASE_URL = api.url("html")
    run = services.pull_feed(actor=secretariat, feed="bizinfo")
    assert "not JSON" in run.error
    settings.BIZINFO_BASE_URL = "http://127.0.0.1:9/none"
    run = services.pull_feed(actor=secretariat, feed="bizinfo")
    assert "could not reach" in run.error
    assert not Opportunity.objects.exists()


def test_bizinfo_pages_until_a_short_page(api):
    items = [{"pblancId": f"P{i}", "pblancNm": f"공고 {i}"} for i in range(7)]
    api.extra["bizinfo"] = items
    got = feeds.fetch_bizinfo(api.url("bizinfo"), BIZINFO_KEY, page_size=3)
    assert [i["pblancId"] for i in got] == [f"P{i}" for i in range(7)]
    assert [q["pageIndex"] for _p, q in api.requests] == ["1", "2", "3"]


@pytest.mark.django_db
def test_only_the_secretariat_or_the_system_imports(api, secretariat):
    from dongne.core.errors import PermissionDenied
    from tests.factories import UserFactory

    with pytest.raises(PermissionDenied):
        services.pull_feed(actor=UserFactory(role="member_rep"), feed="bizinfo")
    run = services.pull_feed(actor=None, feed="bizinfo")
    assert run.counts["created"] == 4


@pytest.mark.django_db
def test_the_daily_job_pulls_every_configured_feed(api, settings):
    from dongne.opportunities.tasks import pull_feeds

    settings.KSTARTUP_KEY = ""  # not configured: skipped
    pull_feeds.call_local()
    assert set(FeedRun.objects.values_list("feed", flat=True)) == {"bizinfo"}


@pytest.mark.django_db(transaction=True)
def test_dongne_feeds_pull_prints_the_per_record_report(api, secretariat, capsys):
    assert dongne(["feeds", "pull", "bizinfo"]) == 0
    out = capsys.readouterr().out
    assert "PBLN_000000000101234" in out and "created" in out and "skipped" in out
    assert "bizinfo: created=4 updated=0 duplicate=0 skipped=2" in out
    assert "울릉도" in out


@pytest.mark.django_db
def test_secretariat_pulls_now_and_reads_the_report_on_the_page(api, client, secretariat):
    from tests.factories import UserFactory

    client.force_login(UserFactory(role="member_rep"))
    assert client.get("/opportunities/feeds/").status_code == 403
    client.force_login(secretariat)
    response = client.post("/opportunities/feeds/", {"feed": "bizinfo"})
    assert response.status_code == 302
    page = client.get("/opportunities/feeds/").content.decode()
    assert "2025년 강원 관광 데이터 활용 디지털 전환 지원사업" in page
    assert "울릉도" in page and "no pblancNm" in page


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_create_each_call_once(api, secretariat):
    from django.db import connection

    records = json.loads((DATA / "bizinfo" / "page1.json").read_text())["jsonArray"]
    runs, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            runs.append(services.import_feed(actor=secretariat, feed="bizinfo", records=records))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(runs) == 2
    assert Opportunity.objects.count() == 4
    created = sum(r.counts["created"] for r in runs)
    assert created == 4  # each call created by exactly one of the two runs
    for r in runs:
        assert sum(r.counts.values()) == len(records)
