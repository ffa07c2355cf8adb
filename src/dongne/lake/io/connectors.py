"""Connectors for Korean public-data OpenAPIs in the data.go.kr convention, and TourAPI (KorService2).

``DataGoKrClient`` speaks the convention every data.go.kr API shares: ``serviceKey``, ``pageNo``,
``numOfRows``, a JSON or XML answer in the ``response/header/resultCode`` envelope, paging until
``totalCount``, the portal's result codes, and the gateway's own XML error page (which comes back with
HTTP 200 even when JSON was asked for). ``TourApiConnector`` builds on it for the Korea Tourism
Organization's list operations and turns items into typed, flat records and ``pyarrow`` batches.

Standard library only (``urllib.request``, ``json``, ``xml.etree``) plus ``pyarrow``; no Django.

Retry policy (see docs/connectors.md): an attempt is repeated only when the failure is transient —
connection errors, timeouts, HTTP 5xx, and the provider's resultCode ``04`` (gateway HTTP error) and
``05`` (service timeout). Nothing else is retried: HTTP 4xx, every service-key error (20, 21, 22, 30,
31, 32, 33), bad parameters (10, 11, 12), application/DB errors (01, 02, 99) and unreadable bodies.
``retries`` is the total number of attempts; the wait before attempt *n + 1* is
``backoff * 2 ** (n - 1)`` seconds (0.5, 1, 2, … by default), raised to a ``Retry-After`` header of a
5xx answer when there is one (capped at 60 s).

The service key never appears in an error message, an error's ``detail`` or a log line: every text
that leaves this module goes through ``_Masker`` first.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import math
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import pyarrow as pa

from dongne.lake.errors import ConnectorError

logger = logging.getLogger("dongne.lake.connectors")

DEFAULT_DATAGOKR_BASE_URL = "https://apis.data.go.kr"
DEFAULT_TOURAPI_BASE_URL = "https://apis.data.go.kr/B551011/KorService2"

MAX_BODY_BYTES = 64 * 1024 * 1024  # one page; far above anything numOfRows ≤ 1000 produces
MAX_RETRY_AFTER_S = 60.0
USER_AGENT = "Dongne/0.1 (+https://github.com/dongne; lake connector)"

# data.go.kr result codes → (error code, what went wrong and what to do, parameter at fault, transient?)
# "00"/"0000" is success and "03" (NODATA_ERROR) is an empty result, not an error.
RESULT_CODES: dict[str, tuple[str, str, str | None, bool]] = {
    "01": ("application_error", "the provider's application failed (APPLICATION_ERROR)", None, False),
    "02": ("db_error", "the provider's database failed (DB_ERROR)", None, False),
    "04": ("provider_http_error", "the provider's gateway reported an HTTP error (HTTP_ERROR)", None, True),
    "05": ("service_timeout", "the provider's service timed out (SERVICETIME_OUT)", None, True),
    "10": ("invalid_parameter", "a request parameter has an invalid value; correct it", None, False),
    "11": ("missing_parameter", "a required request parameter is missing; add it", None, False),
    "12": (
        "unknown_operation",
        "the service or operation does not exist (or was withdrawn); check the base URL and the operation name",
        "operation",
        False,
    ),
    "20": (
        "access_denied",
        "the service key is not approved for this API; apply for this API on data.go.kr with the key",
        "serviceKey",
        False,
    ),
    "21": ("key_disabled", "the service key is temporarily disabled", "serviceKey", False),
    "22": (
        "request_limit_exceeded",
        "the service key's request limit is exceeded; wait for the quota to reset (usually the next day) "
        "or ask data.go.kr for a higher limit",
        "serviceKey",
        False,
    ),
    "30": (
        "key_not_registered",
        "the service key is not registered; check the key (a new key can take an hour or two to become active)",
        "serviceKey",
        False,
    ),
    "31": (
        "key_expired",
        "the service key's usage period has expired; extend it on data.go.kr",
        "serviceKey",
        False,
    ),
    "32": (
        "unregistered_ip",
        "calls from this domain or IP address are not registered for the service key; register them on data.go.kr",
        "serviceKey",
        False,
    ),
    "33": ("unsigned_call", "the call was not signed as the service requires", "serviceKey", False),
    "99": ("unknown_error", "the provider reported an unknown error (UNKNOWN_ERROR)", None, False),
}

# The gateway's returnAuthMsg names, for an error page that carries a name but no usable code.
_AUTH_MSG_CODES = {
    "APPLICATION_ERROR": "01",
    "DB_ERROR": "02",
    "NODATA_ERROR": "03",
    "HTTP_ERROR": "04",
    "SERVICETIME_OUT": "05",
    "INVALID_REQUEST_PARAMETER_ERROR": "10",
    "NO_MANDATORY_REQUEST_PARAMETERS_ERROR": "11",
    "NO_OPENAPI_SERVICE_ERROR": "12",
    "SERVICE_ACCESS_DENIED_ERROR": "20",
    "TEMPORARILY_DISABLE_THE_SERVICEKEY_ERROR": "21",
    "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR": "22",
    "SERVICE_KEY_IS_NOT_REGISTERED_ERROR": "30",
    "DEADLINE_HAS_EXPIRED_ERROR": "31",
    "UNREGISTERED_IP_ERROR": "32",
    "UNSIGNED_CALL_ERROR": "33",
    "UNKNOWN_ERROR": "99",
}

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']", re.IGNORECASE)
_PAREN_PARAM = re.compile(r"\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)")


@dataclass
class Page:
    """One page of a data.go.kr list operation."""

    items: list[dict] = field(default_factory=list)
    page_no: int = 1
    num_of_rows: int = 0
    total_count: int | None = 0
    result_code: str = "00"
    result_msg: str = ""


class _Masker:
    """Replaces every spelling of the service key (raw, percent-encoded, form-encoded) in a text."""

    def __init__(self, key):
        variants = {key, urllib.parse.quote(key, safe=""), urllib.parse.quote_plus(key)}
        variants |= {v.lower() for v in variants if "%" in v} | {v.upper() for v in variants if "%" in v}
        self._variants = sorted((v for v in variants if v), key=len, reverse=True)

    def __call__(self, text):
        if text is None:
            return None
        text = str(text)
        for v in self._variants:
            text = text.replace(v, "***")
        return text


class _Attempt(Exception):
    """Internal: one attempt failed; ``error`` is what the caller sees if no attempt succeeds."""

    def __init__(self, error: ConnectorError, *, transient: bool, wait: float | None = None):
        super().__init__(error.message)
        self.error = error
        self.transient = transient
        self.wait = wait


class DataGoKrClient:
    """A client for one data.go.kr service (``base_url`` is the service's URL, operations are appended).

    ``service_key`` may be given as the portal's "Decoding" key (raw) or its "Encoding" key
    (already percent-encoded); it is sent percent-encoded exactly once either way.
    ``type_param`` is the name of the parameter that asks for JSON or XML (``_type`` for TourAPI and
    most services; some use ``type`` or ``dataType``); ``None`` sends none.
    """

    def __init__(
        self,
        base_url: str,
        service_key: str,
        *,
        timeout: float = 10,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        type_param: str | None = "_type",
        service_name: str = "data.go.kr",
    ):
        if not base_url:
            raise ConnectorError("A base URL is required.", code="not_configured", param="base_url")
        if not service_key or not str(service_key).strip():
            raise ConnectorError(
                "A service key is required; set one issued by data.go.kr.",
                code="not_configured",
                param="serviceKey",
            )
        key = str(service_key).strip()
        # The "Encoding" key from the portal is already percent-encoded: decode it once so that it is
        # not encoded twice (%2B → %252B is the classic SERVICE_KEY_IS_NOT_REGISTERED cause).
        raw_key = urllib.parse.unquote(key) if re.search(r"%[0-9A-Fa-f]{2}", key) else key
        self.base_url = base_url.rstrip("/")
        self._key = raw_key
        self._mask = _Masker(raw_key)
        self._mask_original = _Masker(key)
        self.timeout = timeout
        self.retries = max(1, int(retries))
        self.backoff = backoff
        self.sleep = sleep
        self.type_param = type_param
        self.service_name = service_name

    def __repr__(self):
        return f"DataGoKrClient({self.base_url!r}, serviceKey=***)"

    # -- masking ---------------------------------------------------------------------------------------
    def mask(self, text):
        """The text with the service key replaced by ``***`` (in any of its encodings)."""
        return self._mask_original(self._mask(text))

    def url_for(self, operation: str, params: Mapping | None = None, *, masked: bool = True) -> str:
        query = [("serviceKey", self._key)]
        for name, value in (params or {}).items():
            if value is None:
                continue
            query.append((name, _param_text(value)))
        url = f"{self.base_url}/{operation.strip('/')}?{urllib.parse.urlencode(query, quote_via=urllib.parse.quote)}"
        return self.mask(url) if masked else url

    # -- one page --------------------------------------------------------------------------------------
    def get_page(
        self,
        operation: str,
        params: Mapping | None,
        page_no: int = 1,
        num_of_rows: int = 100,
        response_type: str = "json",
    ) -> Page:
        """Fetch one page; retries transient failures; raises ``ConnectorError`` on anything else.

        A "no data" answer (resultCode 03, ``"items": ""``, no ``items``) is an empty page.
        """
        if not operation or not str(operation).strip():
            raise ConnectorError(
                "An operation name is required.", code="unknown_operation", param="operation"
            )
        query = dict(params or {})
        for reserved in ("serviceKey", "ServiceKey", "pageNo", "numOfRows"):
            query.pop(reserved, None)
        if self.type_param and response_type and self.type_param not in query:
            query[self.type_param] = response_type
        query["pageNo"] = int(page_no)
        query["numOfRows"] = int(num_of_rows)
        url = self.url_for(operation, query, masked=False)
        context = {"operation": operation, "page_no": int(page_no), "params": sorted(query)}

        last: _Attempt | None = None
        for attempt in range(1, self.retries + 1):
            try:
                status, headers, body = self._fetch(url, context)
                return self._interpret(status, headers, body, context)
            except _Attempt as failure:
                last = failure
                failure.error.detail = {**(failure.error.detail or {}), "attempts": attempt}
                if not failure.transient or attempt == self.retries:
                    break
                wait = self.backoff * (2 ** (attempt - 1))
                if failure.wait is not None:
                    wait = max(wait, min(failure.wait, MAX_RETRY_AFTER_S))
                logger.warning(
                    "%s %s page %s: attempt %d of %d failed (%s); retrying in %.2fs",
                    self.service_name,
                    operation,
                    page_no,
                    attempt,
                    self.retries,
                    self.mask(failure.error.message),
                    wait,
                )
                self.sleep(wait)
        assert last is not None
        error = last.error
        if last.transient and self.retries > 1:
            error.message = f"{error.message} — gave up after {self.retries} attempts"
            error.args = (error.describe(),)
        logger.info("%s %s page %s failed: %s", self.service_name, operation, page_no, error.describe())
        raise error

    def iter_items(
        self,
        operation: str,
        params: Mapping | None = None,
        num_of_rows: int = 100,
        *,
        response_type: str = "json",
        max_pages: int | None = None,
    ) -> Iterator[dict]:
        """Yield every item of a list operation, page by page, until ``totalCount`` items were seen
        (or a page comes back empty, or — when a service reports no totalCount — a short page)."""
        page_no = 1
        seen = 0
        while True:
            page = self.get_page(operation, params, page_no, num_of_rows, response_type)
            yield from page.items
            seen += len(page.items)
            if not page.items:
                return
            if page.total_count is not None:
                if seen >= page.total_count:
                    return
            elif len(page.items) < num_of_rows:
                return
            if max_pages is not None and page_no >= max_pages:
                return
            page_no += 1

    # -- transport -------------------------------------------------------------------------------------
    def _error(self, message, *, code, context, param=None, **detail):
        detail = {"operation": context["operation"], "page_no": context["page_no"], **detail}
        detail = {k: (self.mask(v) if isinstance(v, str) else v) for k, v in detail.items()}
        return ConnectorError(
            self.mask(f"{self.service_name} {context['operation']}: {message}"),
            code=code,
            param=param,
            detail=detail,
        )

    def _fetch(self, url, context):
        request = urllib.request.Request(
            url,
            headers={
                "Accept": "application/json, application/xml;q=0.9, */*;q=0.1",
                "User-Agent": USER_AGENT,
            },
        )
        logger.debug("GET %s", self.mask(url))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(MAX_BODY_BYTES + 1)
                return response.status, response.headers, body
        except urllib.error.HTTPError as exc:
            try:
                body = exc.read(MAX_BODY_BYTES + 1)
            except Exception:
                body = b""
            finally:
                exc.close()
            return exc.code, exc.headers, body
        except TimeoutError as exc:
            raise _Attempt(
                self._error(f"no answer within {self.timeout}s ({exc})", code="timeout", context=context),
                transient=True,
            ) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise _Attempt(
                    self._error(f"no answer within {self.timeout}s", code="timeout", context=context),
                    transient=True,
                ) from None
            raise _Attempt(
                self._error(
                    f"could not reach {self.mask(self.base_url)} ({reason})",
                    code="unreachable",
                    context=context,
                ),
                transient=True,
            ) from None
        except (ConnectionError, OSError, http.client.HTTPException) as exc:
            # http.client.RemoteDisconnected, connection reset while reading, …
            raise _Attempt(
                self._error(
                    f"the connection failed ({exc.__class__.__name__}: {exc})",
                    code="unreachable",
                    context=context,
                ),
                transient=True,
            ) from None

    # -- interpretation --------------------------------------------------------------------------------
    def _interpret(self, status, headers, body, context) -> Page:
        if len(body) > MAX_BODY_BYTES:
            raise _Attempt(
                self._error(
                    f"the answer is larger than {MAX_BODY_BYTES} bytes; ask for fewer rows per page",
                    code="bad_response",
                    context=context,
                    param="numOfRows",
                    http_status=status,
                ),
                transient=False,
            )
        text = _decode(body, headers)
        envelope = None
        try:
            envelope = _parse_envelope(text)
        except _Unreadable:
            envelope = None

        if status >= 300 or status < 200:
            # A recognisable error envelope says more than the status line does.
            if envelope is not None and envelope.code not in ("00", "03"):
                raise self._result_error(envelope, context, http_status=status)
            if status >= 500:
                retry_after = _retry_after(headers)
                raise _Attempt(
                    self._error(
                        f"the server answered HTTP {status}",
                        code="server_error",
                        context=context,
                        http_status=status,
                    ),
                    transient=True,
                    wait=retry_after,
                )
            code, message, param = {
                401: ("access_denied", "the gateway refused the service key (HTTP 401)", "serviceKey"),
                403: ("access_denied", "the gateway refused the request (HTTP 403)", "serviceKey"),
                404: (
                    "unknown_operation",
                    "no such service or operation (HTTP 404); check the base URL and operation",
                    "operation",
                ),
                429: (
                    "request_limit_exceeded",
                    "too many requests (HTTP 429); the key's quota or rate limit is used up",
                    "serviceKey",
                ),
            }.get(status, ("http_error", f"the server answered HTTP {status}", None))
            raise _Attempt(
                self._error(message, code=code, context=context, param=param, http_status=status),
                transient=False,
            )

        if envelope is None:
            # Mask before cutting: a cut through the key would leave a piece the mask cannot recognise.
            snippet = " ".join(self.mask(text[:2000]).split())[:160]
            raise _Attempt(
                self._error(
                    f"the answer is neither the data.go.kr JSON nor XML envelope (starts with {snippet!r})",
                    code="bad_response",
                    context=context,
                    http_status=status,
                ),
                transient=False,
            )
        if envelope.code == "03":
            return Page([], context["page_no"], envelope.num_of_rows or 0, 0, "03", envelope.msg)
        if envelope.code != "00":
            raise self._result_error(envelope, context, http_status=status)
        return Page(
            items=envelope.items,
            page_no=envelope.page_no or context["page_no"],
            num_of_rows=envelope.num_of_rows or 0,
            total_count=envelope.total_count,
            result_code=envelope.raw_code or "00",
            result_msg=envelope.msg,
        )

    def _result_error(self, envelope, context, *, http_status):
        known = RESULT_CODES.get(envelope.code)
        if known is None:
            code, what, param, transient = (
                "provider_error",
                "the provider reported an error this client does not know",
                None,
                False,
            )
        else:
            code, what, param, transient = known
        if code in ("invalid_parameter", "missing_parameter"):
            param = _param_from_message(envelope.msg, context["params"]) or param
        shown = envelope.raw_code or envelope.code
        msg = f" {envelope.msg}" if envelope.msg else ""
        error = self._error(
            f"{what} [resultCode {shown}{msg}]",
            code=code,
            context=context,
            param=param,
            result_code=envelope.code,
            result_msg=envelope.msg,
            http_status=http_status,
        )
        return _Attempt(error, transient=transient)


# ---------------------------------------------------------------------------------------------------------
# Parsing the envelope (JSON or XML), independent of what was asked for


class _Unreadable(Exception):
    pass


@dataclass
class _Envelope:
    code: str
    raw_code: str
    msg: str
    items: list[dict]
    page_no: int | None = None
    num_of_rows: int | None = None
    total_count: int | None = None


def _decode(body: bytes, headers) -> str:
    charset = None
    if headers is not None:
        try:
            charset = headers.get_content_charset()
        except AttributeError:
            charset = None
    if not charset:
        match = _XML_ENCODING.match(body[:200])
        if match:
            charset = match.group(1).decode("ascii")
    candidates = [c for c in (charset, "utf-8-sig", "cp949") if c]
    for encoding in candidates:
        try:
            text = body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
        return text[1:] if text.startswith("\ufeff") else text
    return body.decode("utf-8", errors="replace")


def _normalise_code(code) -> tuple[str, str]:
    raw = "" if code is None else str(code).strip()
    if raw.isdigit():
        return f"{int(raw):02d}", raw
    upper = raw.upper()
    if upper in ("OK", "NORMAL_SERVICE", "NORMAL SERVICE", "INFO-000"):
        return "00", raw
    if upper in _AUTH_MSG_CODES:
        return _AUTH_MSG_CODES[upper], raw
    return (raw or "99"), raw


def _as_int(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        try:
            return int(float(str(value).strip()))
        except ValueError:
            return None


def _parse_envelope(text: str) -> _Envelope:
    stripped = text.lstrip()
    if not stripped:
        raise _Unreadable("empty body")
    if stripped[0] in "{[":
        try:
            data = json.loads(stripped)
        except ValueError as exc:
            raise _Unreadable(str(exc)) from None
        return _json_envelope(data)
    if stripped[0] == "<":
        head = stripped[:512].lower()
        if (
            head.startswith("<!doctype html")
            or head.startswith("<html")
            or "<!entity" in stripped[:4096].lower()
        ):
            raise _Unreadable("HTML or DTD")
        if "<!doctype" in head:
            raise _Unreadable("DTD")
        try:
            root = ET.fromstring(_XML_DECL.sub("", stripped, count=1))
        except ET.ParseError as exc:
            raise _Unreadable(str(exc)) from None
        return _xml_envelope(root)
    raise _Unreadable("not JSON or XML")


def _json_envelope(data) -> _Envelope:
    if not isinstance(data, dict):
        raise _Unreadable("JSON is not an object")
    root = data.get("response", data.get("OpenAPI_ServiceResponse", data))
    if not isinstance(root, dict):
        raise _Unreadable("response is not an object")
    header = root.get("header")
    if isinstance(header, dict) and "resultCode" in header:
        code, raw = _normalise_code(header.get("resultCode"))
        msg = str(header.get("resultMsg") or "").strip()
    elif "resultCode" in root:  # the newer gateway's bare error object
        code, raw = _normalise_code(root.get("resultCode"))
        msg = str(root.get("resultMsg") or "").strip()
    elif isinstance(root.get("cmmMsgHeader"), dict):
        return _gateway_envelope(root["cmmMsgHeader"].get)
    else:
        raise _Unreadable("no resultCode")
    body = root.get("body")
    if not isinstance(body, dict):
        body = {}
    items_node = body.get("items")
    items: list[dict] = []
    if isinstance(items_node, dict):
        item = items_node.get("item")
        if isinstance(item, dict):
            items = [item]
        elif isinstance(item, list):
            items = [i for i in item if isinstance(i, dict)]
    elif isinstance(items_node, list):  # a few services drop the "item" level
        items = [i for i in items_node if isinstance(i, dict)]
    # "" / None / missing: no results
    return _Envelope(
        code=code,
        raw_code=raw,
        msg=msg,
        items=items,
        page_no=_as_int(body.get("pageNo")),
        num_of_rows=_as_int(body.get("numOfRows")),
        total_count=_as_int(body.get("totalCount")),
    )


def _gateway_envelope(get) -> _Envelope:
    reason = str(get("returnReasonCode") or "").strip()
    auth = str(get("returnAuthMsg") or "").strip()
    err = str(get("errMsg") or "").strip()
    code, raw = _normalise_code(reason) if reason else _normalise_code(auth.split("(")[0].strip() or "99")
    if code == "00":  # an error page never means success
        code, raw = "99", raw
    msg = " ".join(part for part in (err, auth) if part)
    return _Envelope(code=code, raw_code=raw, msg=msg, items=[])


def _xml_text(element, path):
    found = element.find(path)
    return None if found is None else (found.text or "").strip()


def _xml_envelope(root) -> _Envelope:
    if root.tag == "OpenAPI_ServiceResponse" or root.find("cmmMsgHeader") is not None:
        header = root.find("cmmMsgHeader")
        header = header if header is not None else root
        return _gateway_envelope(lambda name: _xml_text(header, name))
    header = root.find("header")
    if header is None and root.tag == "header":
        header = root
    if header is None or header.find("resultCode") is None:
        raise _Unreadable("no resultCode")
    code, raw = _normalise_code(_xml_text(header, "resultCode"))
    msg = _xml_text(header, "resultMsg") or ""
    body = root.find("body")
    items: list[dict] = []
    if body is not None:
        items_el = body.find("items")
        if items_el is not None:
            for item in items_el.findall("item"):
                items.append({child.tag: (child.text or "").strip() for child in item})
    get = (lambda name: _xml_text(body, name)) if body is not None else (lambda name: None)
    return _Envelope(
        code=code,
        raw_code=raw,
        msg=msg,
        items=items,
        page_no=_as_int(get("pageNo")),
        num_of_rows=_as_int(get("numOfRows")),
        total_count=_as_int(get("totalCount")),
    )


def _param_from_message(message: str, sent: Iterable[str]) -> str | None:
    if not message:
        return None
    match = _PAREN_PARAM.search(message)
    if match:
        return match.group(1)
    named = [name for name in sent if re.search(rf"\b{re.escape(name)}\b", message)]
    return named[0] if len(named) == 1 else None


def _retry_after(headers) -> float | None:
    if headers is None:
        return None
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _param_text(value) -> str:
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y%m%d%H%M%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    return str(value)


# ---------------------------------------------------------------------------------------------------------
# TourAPI (한국관광공사 국문 관광정보 서비스, KorService2)

TEXT = pa.string()

_COMMON_HEAD = [
    ("contentid", TEXT),
    ("contenttypeid", TEXT),
    ("title", TEXT),
]
_COMMON_PLACE = [
    ("addr1", TEXT),
    ("addr2", TEXT),
    ("zipcode", TEXT),
    ("areacode", TEXT),
    ("sigungucode", TEXT),
    ("lDongRegnCd", TEXT),
    ("lDongSignguCd", TEXT),
    ("longitude", pa.float64()),
    ("latitude", pa.float64()),
]
_COMMON_TAIL = [
    ("mlevel", pa.int32()),
    ("cat1", TEXT),
    ("cat2", TEXT),
    ("cat3", TEXT),
    ("lclsSystm1", TEXT),
    ("lclsSystm2", TEXT),
    ("lclsSystm3", TEXT),
    ("tel", TEXT),
    ("firstimage", TEXT),
    ("firstimage2", TEXT),
    ("cpyrhtDivCd", TEXT),
    ("createdtime", pa.timestamp("s")),
    ("modifiedtime", pa.timestamp("s")),
]
_FESTIVAL = [
    ("eventstartdate", pa.date32()),
    ("eventenddate", pa.date32()),
    ("progresstype", TEXT),
    ("festivaltype", TEXT),
]

TOURAPI_SCHEMAS: dict[str, pa.Schema] = {
    "areaBasedList2": pa.schema(_COMMON_HEAD + _COMMON_PLACE + _COMMON_TAIL),
    "locationBasedList2": pa.schema(_COMMON_HEAD + _COMMON_PLACE + [("dist", pa.float64())] + _COMMON_TAIL),
    "searchKeyword2": pa.schema(_COMMON_HEAD + _COMMON_PLACE + _COMMON_TAIL),
    "searchFestival2": pa.schema(_COMMON_HEAD + _FESTIVAL + _COMMON_PLACE + _COMMON_TAIL),
    "searchStay2": pa.schema(_COMMON_HEAD + _COMMON_PLACE + _COMMON_TAIL),
}

# Parameters each operation cannot do without (TourAPI 4.0 manual, KorService2).
TOURAPI_REQUIRED: dict[str, tuple[str, ...]] = {
    "areaBasedList2": (),
    "locationBasedList2": ("mapX", "mapY", "radius"),
    "searchKeyword2": ("keyword",),
    "searchFestival2": ("eventStartDate",),
    "searchStay2": (),
}

# Source field of a record column, where it differs from the column name.
_SOURCE_FIELD = {"longitude": "mapx", "latitude": "mapy"}


def _text(value):
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _float(value):
    text = _text(value)
    if text is None:
        return None
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _coordinate(value):
    number = _float(value)
    # TourAPI writes 0 (or leaves it empty) for an item without a position.
    return None if number is None or number == 0 else number


def _int(value):
    number = _float(value)
    return None if number is None else int(number)


def _date(value):
    text = _text(value)
    if text is None:
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) < 8:
        return None
    try:
        return dt.datetime.strptime(digits[:8], "%Y%m%d").date()
    except ValueError:
        return None


def _timestamp(value):
    text = _text(value)
    if text is None:
        return None
    digits = re.sub(r"\D", "", text)
    try:
        if len(digits) >= 14:
            return dt.datetime.strptime(digits[:14], "%Y%m%d%H%M%S")
        if len(digits) >= 8:
            return dt.datetime.strptime(digits[:8], "%Y%m%d")
    except ValueError:
        return None
    return None


def _caster(arrow_type, name):
    if name in ("longitude", "latitude"):
        return _coordinate
    if pa.types.is_floating(arrow_type):
        return _float
    if pa.types.is_integer(arrow_type):
        return _int
    if pa.types.is_date(arrow_type):
        return _date
    if pa.types.is_timestamp(arrow_type):
        return _timestamp
    return _text


def tourapi_record(operation: str, item: Mapping) -> dict:
    """One TourAPI item as a flat record with exactly the columns of ``TOURAPI_SCHEMAS[operation]``.

    Codes (contentid, areacode, sigungucode, lDong…) stay text; mapx → ``longitude`` and
    mapy → ``latitude`` (floats, None when 0 or empty); event dates → ``datetime.date``;
    createdtime/modifiedtime → naive ``datetime`` in Korean time (KST) as the API writes them.
    Empty strings become None; fields the schema does not know are dropped.
    """
    schema = _schema(operation)
    record = {}
    for column in schema:
        source = _SOURCE_FIELD.get(column.name, column.name)
        record[column.name] = _caster(column.type, column.name)(item.get(source))
    return record


def _schema(operation):
    try:
        return TOURAPI_SCHEMAS[operation]
    except KeyError:
        raise ConnectorError(
            f"TourAPI operation {operation!r} is not supported; use one of {', '.join(TOURAPI_SCHEMAS)}",
            code="unknown_operation",
            param="operation",
        ) from None


class TourRecords(Iterator[dict]):
    """The records of one TourAPI operation: an iterator of dicts that also knows its ``operation``
    and Arrow ``schema`` (so ``TourApiConnector.to_batches`` needs nothing else)."""

    def __init__(self, operation: str, items: Iterator[Mapping]):
        self.operation = operation
        self.schema = _schema(operation)
        self._items = iter(items)

    def __iter__(self):
        return self

    def __next__(self) -> dict:
        return tourapi_record(self.operation, next(self._items))


class TourApiConnector:
    """TourAPI 4.0 (KorService2) list operations as typed records and Arrow batches.

    ``client`` is a ``DataGoKrClient`` whose base URL is the KorService2 service URL
    (``DEFAULT_TOURAPI_BASE_URL``). Every call sends ``MobileOS=ETC``, ``MobileApp=Dongne`` and
    ``_type=json`` besides the caller's parameters (``areaCode``, ``sigunguCode``, ``contentTypeId``,
    ``lDongRegnCd``, ``arrange``, ``keyword``, ``eventStartDate``, ``mapX``/``mapY``/``radius``, …).
    """

    OPERATIONS = tuple(TOURAPI_SCHEMAS)

    def __init__(self, client: DataGoKrClient, *, mobile_os: str = "ETC", mobile_app: str = "Dongne"):
        self.client = client
        if client.service_name == "data.go.kr":
            client.service_name = "TourAPI"
        self.common_params = {"MobileOS": mobile_os, "MobileApp": mobile_app, "_type": "json"}

    @classmethod
    def create(
        cls, service_key: str, base_url: str = DEFAULT_TOURAPI_BASE_URL, **client_options
    ) -> TourApiConnector:
        """A connector with its own client (``client_options``: timeout, retries, backoff, sleep)."""
        return cls(
            DataGoKrClient(
                base_url or DEFAULT_TOURAPI_BASE_URL, service_key, service_name="TourAPI", **client_options
            )
        )

    @staticmethod
    def schema(operation: str) -> pa.Schema:
        return _schema(operation)

    def params_for(self, operation: str, params: Mapping) -> dict:
        """The query parameters sent for ``operation`` (without serviceKey, pageNo, numOfRows)."""
        _schema(operation)
        query = {**self.common_params}
        for name, value in params.items():
            if value is None:
                continue
            query[name] = value
        missing = [
            name for name in TOURAPI_REQUIRED[operation] if _text(_param_text(query.get(name, ""))) is None
        ]
        if missing:
            raise ConnectorError(
                f"TourAPI {operation} needs the parameter {missing[0]}"
                + (" (a date, YYYYMMDD)" if missing[0] == "eventStartDate" else ""),
                code="missing_parameter",
                param=missing[0],
            )
        return query

    def items(
        self, operation: str, *, num_of_rows: int = 100, max_pages: int | None = None, **params
    ) -> Iterator[dict]:
        """The raw items of every page (strings as TourAPI sends them)."""
        query = self.params_for(operation, params)
        return self.client.iter_items(operation, query, num_of_rows, max_pages=max_pages)

    def records(
        self, operation: str, *, num_of_rows: int = 100, max_pages: int | None = None, **params
    ) -> TourRecords:
        """Typed flat records (see ``tourapi_record``) of every page of ``operation``.

        Parameters are validated before any request is made; paging is lazy (one page per
        ``num_of_rows`` records consumed).
        """
        params.pop("numOfRows", None)
        params.pop("pageNo", None)
        query = self.params_for(operation, params)
        return TourRecords(
            operation, self.client.iter_items(operation, query, num_of_rows, max_pages=max_pages)
        )

    def to_batches(
        self, records: Iterable[Mapping], batch_size: int = 1000, *, operation: str | None = None
    ) -> Iterator[pa.RecordBatch]:
        """``pyarrow.RecordBatch``es of at most ``batch_size`` rows with the operation's fixed schema.

        The operation is taken from ``records`` (what ``records()`` returns) or given explicitly.
        With no records at all, one empty batch is yielded so that the schema is still known.
        """
        operation = operation or getattr(records, "operation", None)
        if operation is None:
            raise ConnectorError(
                "to_batches needs the TourAPI operation (pass records() output or operation=...)",
                code="unknown_operation",
                param="operation",
            )
        schema = _schema(operation)
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        rows: list[Mapping] = []
        produced = False
        for record in records:
            rows.append(record)
            if len(rows) >= batch_size:
                yield pa.RecordBatch.from_pylist(rows, schema=schema)
                produced = True
                rows = []
        if rows or not produced:
            yield pa.RecordBatch.from_pylist(rows, schema=schema)
