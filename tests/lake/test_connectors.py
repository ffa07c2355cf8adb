"""data.go.kr / TourAPI connectors against recorded responses served by a real local HTTP server.

The server (``api`` fixture) plays apis.data.go.kr: it answers ``/<scenario>/B551011/KorService2/<operation>``
from the files under tests/lake/data/api/ — ``tourapi/<operation>/page<pageNo>.<json|xml>`` for a normal
answer, ``errors/*`` for the failures — and, like the real gateway, answers a wrong serviceKey with its
XML error page and HTTP 200. Nothing of ours is mocked: requests go through urllib and a socket.
"""

import datetime as dt
import json
import logging
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow as pa
import pytest

from dongne.lake.errors import ConnectorError
from dongne.lake.io.connectors import (
    TOURAPI_SCHEMAS,
    DataGoKrClient,
    TourApiConnector,
    tourapi_record,
)

DATA = Path(__file__).parent / "data" / "api"
SERVICE = "B551011/KorService2"
# Shaped like a data.go.kr "Decoding" key: base64 with + / and = that must be percent-encoded once.
KEY = "dNg7Kx2Qm+Chuncheon/32SiGunGu13TourApiKey+Lake/Q9zXw4Vb8Rt1Ys6Hp3Je0Lf5Nc2Ua7Od9Mi4Gk1Wq8Ex==="
CHUNCHEON = {"areaCode": "32", "sigunguCode": "13"}


def no_sleep(seconds):
    pass


class Recorder:
    def __init__(self):
        self.sleeps = []

    def __call__(self, seconds):
        self.sleeps.append(seconds)


class FakeGateway:
    """What the test server knows: received requests and per-scenario counters."""

    def __init__(self):
        self.requests = []
        self.counts = {}
        self.lock = threading.Lock()
        self.port = None

    def url(self, scenario="ok"):
        return f"http://127.0.0.1:{self.port}/{scenario}/{SERVICE}"

    def client(self, scenario="ok", **options):
        options.setdefault("sleep", no_sleep)
        return DataGoKrClient(self.url(scenario), options.pop("key", KEY), **options)

    def tourapi(self, scenario="ok", **options):
        return TourApiConnector(self.client(scenario, **options))


def _content_type(path):
    return {
        ".json": "application/json;charset=UTF-8",
        ".xml": "text/xml;charset=UTF-8",
        ".html": "text/html;charset=UTF-8",
    }[path.suffix]


def _handler(gateway):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send(self, status, path=None, body=None, headers=None):
            if path is not None:
                body = path.read_text(encoding="utf-8").replace("{{request_uri}}", self.path)
                ctype = _content_type(path)
            else:
                ctype = "text/plain;charset=UTF-8"
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def recorded(self, operation, query):
            ext = "xml" if query.get("_type", "xml").lower() == "xml" else "json"
            path = DATA / "tourapi" / operation / f"page{query.get('pageNo', '1')}.{ext}"
            if not path.exists():
                return self.send(404, body="404 Not Found")
            return self.send(200, path)

        def do_GET(self):
            parsed = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
            parts = parsed.path.strip("/").split("/")
            scenario, operation = parts[0], parts[-1]
            with gateway.lock:
                gateway.requests.append({"scenario": scenario, "operation": operation, "query": query})
                count = gateway.counts[scenario] = gateway.counts.get(scenario, 0) + 1
            if query.get("serviceKey") != KEY:  # what apis.data.go.kr does with a wrong key
                return self.send(200, DATA / "errors" / "gateway_key_not_registered.xml")
            if scenario == "ok":
                return self.recorded(operation, query)
            if scenario == "flaky":  # HTTP 500 twice, then the recorded answer
                if count <= 2:
                    return self.send(500, DATA / "errors" / "server_error.html")
                return self.recorded(operation, query)
            if scenario == "down":
                return self.send(500, DATA / "errors" / "server_error.html")
            if scenario == "busy":
                return self.send(503, body="Service Unavailable", headers={"Retry-After": "3"})
            if scenario == "slow":  # the first answer comes too late for the client's timeout
                if count == 1:
                    time.sleep(0.6)
                return self.recorded(operation, query)
            if scenario == "file":  # /file/<name>/…: always that recorded file, with HTTP 200
                return self.send(200, DATA / "errors" / parts[1])
            return self.send(404, body="no such scenario")

    return Handler


@pytest.fixture
def api():
    gateway = FakeGateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gateway))
    server.daemon_threads = True
    gateway.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def assert_key_hidden(error, caplog=None):
    spellings = {KEY, urllib.parse.quote(KEY, safe=""), urllib.parse.quote_plus(KEY), KEY[10:40]}
    texts = [str(error), error.message, repr(error.detail), repr(error.as_dict()), repr(error.args)]
    if caplog is not None:
        texts.append(caplog.text)
    for text in texts:
        for spelling in spellings:
            assert spelling not in text, text


# -- paging ---------------------------------------------------------------------------------------------


def test_pages_through_to_total_count(api):
    items = list(api.client().iter_items("areaBasedList2", {**CHUNCHEON, "_type": "json"}, num_of_rows=3))

    assert len(items) == 8
    assert [r["query"]["pageNo"] for r in api.requests] == ["1", "2", "3"]
    assert all(r["query"]["numOfRows"] == "3" for r in api.requests)
    assert [i["title"] for i in items][:4] == ["공지천유원지", "구곡폭포", "김유정문학촌", "남이섬"]
    assert items[-1]["title"] == "소양강댐"


def test_get_page_reports_paging_fields(api):
    page = api.client().get_page("areaBasedList2", CHUNCHEON, page_no=3, num_of_rows=3)

    assert (page.page_no, page.num_of_rows, page.total_count) == (3, 3, 8)
    assert [i["title"] for i in page.items] == ["소양강 스카이워크", "소양강댐"]
    assert page.result_code == "0000"


def test_tourapi_sends_common_parameters_and_the_key_once_encoded(api):
    records = list(api.tourapi().records("areaBasedList2", num_of_rows=3, arrange="A", **CHUNCHEON))

    assert len(records) == 8
    query = api.requests[0]["query"]
    assert query["serviceKey"] == KEY  # decoded by the server to exactly the key: encoded once, not twice
    assert {
        k: query[k] for k in ("MobileOS", "MobileApp", "_type", "areaCode", "sigunguCode", "arrange")
    } == {
        "MobileOS": "ETC",
        "MobileApp": "Dongne",
        "_type": "json",
        "areaCode": "32",
        "sigunguCode": "13",
        "arrange": "A",
    }


def test_an_already_encoded_key_is_not_encoded_again(api):
    client = api.client(key=urllib.parse.quote(KEY, safe=""))

    assert len(list(client.iter_items("areaBasedList2", CHUNCHEON, num_of_rows=3))) == 8
    assert api.requests[0]["query"]["serviceKey"] == KEY


def test_single_item_object_is_one_record(api):
    records = list(api.tourapi().records("searchFestival2", eventStartDate=dt.date(2025, 5, 1), **CHUNCHEON))

    assert api.requests[0]["query"]["eventStartDate"] == "20250501"
    assert len(records) == 1
    mime = records[0]
    assert mime["title"] == "춘천마임축제"
    assert mime["eventstartdate"] == dt.date(2025, 5, 25)
    assert mime["eventenddate"] == dt.date(2025, 6, 1)
    assert mime["contenttypeid"] == "15"
    assert mime["progresstype"] is None  # "" in the answer


def test_empty_items_string_is_an_empty_result(api):
    records = list(api.tourapi().records("searchKeyword2", keyword="우주정거장", **CHUNCHEON))

    assert records == []
    assert len(api.requests) == 1


def test_no_data_result_code_03_is_an_empty_result(api):
    page = api.client("file/nodata.xml").get_page("areaBasedList2", CHUNCHEON, 1, 10, response_type="xml")

    assert page.items == [] and page.total_count == 0


def test_xml_answer_has_the_same_items_as_json(api):
    client = api.client()
    page = client.get_page("searchStay2", {**CHUNCHEON, "MobileOS": "ETC"}, 1, 100, response_type="xml")

    assert api.requests[0]["query"]["_type"] == "xml"
    assert page.total_count == 2
    assert [i["title"] for i in page.items] == ["세종호텔 춘천", "엘리시안 강촌"]
    hotel = tourapi_record("searchStay2", page.items[0])
    assert hotel["longitude"] == pytest.approx(127.7315, abs=1e-3)
    assert hotel["latitude"] == pytest.approx(37.8870, abs=1e-3)
    assert hotel["modifiedtime"] == dt.datetime(2025, 2, 10, 14, 33, 22)
    assert tourapi_record("searchStay2", page.items[1])["firstimage"] is None  # empty element


# -- typed records and batches ------------------------------------------------------------------------------


def test_mapx_is_longitude_and_mapy_is_latitude(api):
    records = {r["title"]: r for r in api.tourapi().records("areaBasedList2", num_of_rows=3, **CHUNCHEON)}

    dam = records["소양강댐"]
    assert dam["longitude"] == pytest.approx(127.814, abs=1e-3)
    assert dam["latitude"] == pytest.approx(37.945, abs=1e-3)
    assert "mapx" not in dam and "mapy" not in dam
    for record in records.values():  # all of Chuncheon lies around 127.7 E, 37.8 N
        assert 127.4 < record["longitude"] < 127.9
        assert 37.7 < record["latitude"] < 38.0


def test_record_fields_are_typed(api):
    records = {r["title"]: r for r in api.tourapi().records("areaBasedList2", num_of_rows=3, **CHUNCHEON)}

    nami = records["남이섬"]
    assert nami["contentid"] == "125494"
    assert (nami["areacode"], nami["sigungucode"]) == ("32", "13")
    assert (nami["lDongRegnCd"], nami["lDongSignguCd"]) == ("51", "110")
    assert nami["addr1"] == "강원특별자치도 춘천시 남산면 남이섬길 1"
    assert nami["addr2"] is None
    assert nami["mlevel"] == 6
    assert nami["modifiedtime"] == dt.datetime(2025, 5, 27, 9, 45, 12)
    assert nami["createdtime"] == dt.datetime(2003, 10, 28, 9, 0, 0)
    assert records["소양강 스카이워크"]["firstimage"] is None
    assert records["소양강댐"]["tel"] is None
    assert list(nami) == TOURAPI_SCHEMAS["areaBasedList2"].names


def test_location_based_records_carry_distance(api):
    connector = api.tourapi()
    records = list(connector.records("locationBasedList2", mapX=127.7165, mapY=37.8848, radius=2000))

    assert api.requests[0]["query"]["mapX"] == "127.7165"
    assert [r["title"] for r in records] == ["레고랜드 코리아 리조트", "소양강 스카이워크", "공지천유원지"]
    assert records[0]["dist"] == pytest.approx(173.66, abs=0.01)


def test_batches_have_a_fixed_schema_per_operation(api):
    connector = api.tourapi()
    batches = list(connector.to_batches(connector.records("areaBasedList2", num_of_rows=3, **CHUNCHEON), 3))

    assert [b.num_rows for b in batches] == [3, 3, 2]
    schema = TOURAPI_SCHEMAS["areaBasedList2"]
    assert all(b.schema.equals(schema) for b in batches)
    assert schema.field("contentid").type == pa.string()
    assert schema.field("longitude").type == pa.float64()
    assert schema.field("modifiedtime").type == pa.timestamp("s")
    table = pa.Table.from_batches(batches)
    assert table.column("sigungucode").to_pylist() == ["13"] * 8
    assert table.column("title").to_pylist()[3] == "남이섬"

    festival = list(
        connector.to_batches(connector.records("searchFestival2", eventStartDate="20250501"), 100)
    )
    assert festival[0].schema.field("eventstartdate").type == pa.date32()
    assert festival[0].column("eventstartdate").to_pylist() == [dt.date(2025, 5, 25)]


def test_no_records_still_give_the_schema(api):
    connector = api.tourapi()
    batches = list(connector.to_batches(connector.records("searchKeyword2", keyword="우주정거장"), 50))

    assert len(batches) == 1 and batches[0].num_rows == 0
    assert batches[0].schema.equals(TOURAPI_SCHEMAS["searchKeyword2"])


def test_to_batches_needs_to_know_the_operation(api):
    with pytest.raises(ConnectorError) as caught:
        list(api.tourapi().to_batches([{"contentid": "1"}], 10))
    assert caught.value.param == "operation"


# -- parameters checked before any request ---------------------------------------------------------------


def test_missing_required_parameter_is_named_before_calling(api):
    with pytest.raises(ConnectorError) as caught:
        api.tourapi().records("searchFestival2", **CHUNCHEON)

    assert caught.value.code == "missing_parameter"
    assert caught.value.param == "eventStartDate"
    assert "eventStartDate" in str(caught.value)
    assert api.requests == []


def test_unsupported_operation_is_refused(api):
    with pytest.raises(ConnectorError) as caught:
        api.tourapi().records("areaBasedList1")

    assert caught.value.code == "unknown_operation" and caught.value.param == "operation"
    assert "areaBasedList2" in caught.value.message
    assert api.requests == []


# -- errors from the provider -------------------------------------------------------------------------------


def test_result_code_30_in_json_is_a_key_error_without_retry(api):
    with pytest.raises(ConnectorError) as caught:
        list(api.tourapi("file/key_not_registered.json").records("areaBasedList2", **CHUNCHEON))

    error = caught.value
    assert error.code == "key_not_registered"
    assert error.param == "serviceKey"
    assert "resultCode 30" in error.message and "not registered" in error.message
    assert error.detail["result_code"] == "30"
    assert len(api.requests) == 1
    assert_key_hidden(error)


def test_gateway_xml_error_page_with_http_200_when_json_was_asked(api):
    with pytest.raises(ConnectorError) as caught:
        list(api.tourapi("file/gateway_key_not_registered.xml").records("areaBasedList2", **CHUNCHEON))

    error = caught.value
    assert api.requests[0]["query"]["_type"] == "json"
    assert error.code == "key_not_registered"
    assert error.param == "serviceKey"
    assert error.detail["http_status"] == 200
    assert "SERVICE_KEY_IS_NOT_REGISTERED_ERROR" in error.message
    assert len(api.requests) == 1


def test_a_wrong_key_gets_the_gateway_error_and_is_masked(api, caplog):
    wrong = "WrongKey+" + KEY[9:]
    client = DataGoKrClient(api.url(), wrong, sleep=no_sleep)
    with caplog.at_level(logging.DEBUG, logger="dongne.lake.connectors"):
        with pytest.raises(ConnectorError) as caught:
            client.get_page("areaBasedList2", CHUNCHEON, 1, 10)

    assert caught.value.code == "key_not_registered"
    for text in (str(caught.value), repr(caught.value.detail), caplog.text):
        assert wrong not in text and urllib.parse.quote(wrong, safe="") not in text
    assert "serviceKey=***" in caplog.text  # the request was logged, without the key


def test_request_limit_is_not_retried(api):
    recorder = Recorder()
    with pytest.raises(ConnectorError) as caught:
        api.client("file/gateway_limit_exceeded.xml", sleep=recorder).get_page("areaBasedList2", {}, 1, 10)

    assert caught.value.code == "request_limit_exceeded"
    assert caught.value.param == "serviceKey"
    assert recorder.sleeps == [] and len(api.requests) == 1


def test_invalid_parameter_names_the_parameter(api):
    with pytest.raises(ConnectorError) as caught:
        list(api.tourapi("file/invalid_parameter.json").records("areaBasedList2", arrange="Z", **CHUNCHEON))

    assert caught.value.code == "invalid_parameter"
    assert caught.value.param == "arrange"
    assert "parameter 'arrange'" in str(caught.value)


def test_html_instead_of_data_is_a_bad_response(api, caplog):
    with caplog.at_level(logging.DEBUG, logger="dongne.lake.connectors"):
        with pytest.raises(ConnectorError) as caught:
            api.client("file/maintenance.html").get_page("areaBasedList2", CHUNCHEON, 1, 10)

    assert caught.value.code == "bad_response"
    assert len(api.requests) == 1
    assert "***" in caught.value.message  # the page echoed the URL; the key was masked out of the excerpt
    assert_key_hidden(caught.value, caplog)


def test_truncated_json_is_a_bad_response(api):
    with pytest.raises(ConnectorError) as caught:
        api.client("file/truncated.json").get_page("areaBasedList2", CHUNCHEON, 1, 10)

    assert caught.value.code == "bad_response"


def test_unknown_operation_http_404_is_not_retried(api):
    recorder = Recorder()
    with pytest.raises(ConnectorError) as caught:
        api.client(sleep=recorder).get_page("areaBasedList9", CHUNCHEON, 1, 10)

    assert caught.value.code == "unknown_operation"
    assert caught.value.param == "operation"
    assert recorder.sleeps == [] and len(api.requests) == 1


# -- retries ---------------------------------------------------------------------------------------------


def test_http_500_twice_then_success_with_growing_backoff(api):
    recorder = Recorder()
    connector = api.tourapi("flaky", retries=3, backoff=0.5, sleep=recorder)

    records = list(connector.records("searchFestival2", eventStartDate="20250501", **CHUNCHEON))

    assert [r["title"] for r in records] == ["춘천마임축제"]
    assert len(api.requests) == 3
    assert recorder.sleeps == [0.5, 1.0]


def test_permanent_http_500_gives_up_after_the_attempts(api, caplog):
    recorder = Recorder()
    with caplog.at_level(logging.DEBUG, logger="dongne.lake.connectors"):
        with pytest.raises(ConnectorError) as caught:
            api.client("down", retries=4, backoff=0.5, sleep=recorder).get_page(
                "areaBasedList2", CHUNCHEON, 1, 10
            )

    error = caught.value
    assert error.code == "server_error"
    assert error.detail["http_status"] == 500 and error.detail["attempts"] == 4
    assert "4 attempts" in error.message
    assert len(api.requests) == 4
    assert recorder.sleeps == [0.5, 1.0, 2.0]
    assert_key_hidden(error, caplog)


def test_retry_after_of_a_busy_server_is_honoured(api):
    recorder = Recorder()
    with pytest.raises(ConnectorError) as caught:
        api.client("busy", retries=3, backoff=0.5, sleep=recorder).get_page("areaBasedList2", {}, 1, 10)

    assert caught.value.detail["http_status"] == 503
    assert recorder.sleeps == [3.0, 3.0]


def test_a_timeout_is_retried(api):
    recorder = Recorder()
    client = api.client("slow", timeout=0.2, retries=3, sleep=recorder)

    page = client.get_page("searchFestival2", {"eventStartDate": "20250501"}, 1, 100)

    assert [i["title"] for i in page.items] == ["춘천마임축제"]
    assert len(recorder.sleeps) == 1


def test_an_unreachable_server_fails_after_the_attempts(caplog):
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    recorder = Recorder()
    client = DataGoKrClient(f"http://127.0.0.1:{port}/{SERVICE}", KEY, retries=3, sleep=recorder)

    with caplog.at_level(logging.DEBUG, logger="dongne.lake.connectors"):
        with pytest.raises(ConnectorError) as caught:
            client.get_page("areaBasedList2", CHUNCHEON, 1, 10)

    assert caught.value.code == "unreachable"
    assert recorder.sleeps == [0.5, 1.0]
    assert_key_hidden(caught.value, caplog)


# -- the key never shows ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scenario",
    [
        "file/key_not_registered.json",
        "file/gateway_key_not_registered.xml",
        "file/gateway_limit_exceeded.xml",
        "file/invalid_parameter.json",
        "file/maintenance.html",
        "file/truncated.json",
        "down",
        "busy",
    ],
)
def test_the_key_is_masked_in_every_error(api, caplog, scenario):
    with caplog.at_level(logging.DEBUG, logger="dongne.lake.connectors"):
        with pytest.raises(ConnectorError) as caught:
            list(api.tourapi(scenario, retries=2).records("areaBasedList2", arrange="A", **CHUNCHEON))

    assert_key_hidden(caught.value, caplog)
    assert KEY not in json.dumps(caught.value.as_dict(), ensure_ascii=False)
    assert KEY not in repr(api.tourapi().client)


def test_a_missing_key_is_a_configuration_error():
    with pytest.raises(ConnectorError) as caught:
        TourApiConnector.create("")

    assert caught.value.code == "not_configured" and caught.value.param == "serviceKey"
