"""Funding-call feeds: 기업마당 (bizinfo) and K-Startup, in their real field formats.

Fetching (``fetch_bizinfo``, ``fetch_kstartup``) speaks each API's own paging; parsing
(``parse_bizinfo``, ``parse_kstartup``) turns one raw record into the fields of an ``Opportunity`` or
raises ``Skip`` with the reason. The service ``import_feed`` stores them one record at a time.

Neither API uses the data.go.kr ``response/header/resultCode`` envelope that lake's ``DataGoKrClient``
expects: bizinfo answers ``{"jsonArray": [...]}`` and pages with ``pageIndex``/``pageUnit``; K-Startup
(on apis.data.go.kr, but an odcloud-style service) answers ``{"data": [...], "totalCount": …}`` and
pages with ``page``/``perPage``. So this module has its own small urllib client; like lake's, it never
lets the key into an error message.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import nh3

from dongne.core.korean import parse_amount

from .regions import canonical, parse_regions

BIZINFO_DEFAULT_URL = "https://www.bizinfo.go.kr/uss/rss/bizinfoApi.do"
KSTARTUP_DEFAULT_URL = "https://apis.data.go.kr/B552735/kisedKstartupService01/getAnnouncementInformation01"
BIZINFO_SITE = "https://www.bizinfo.go.kr"
USER_AGENT = "Dongne/0.1 (opportunities feed)"

ALLOWED_TAGS = {
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "strong",
    "b",
    "em",
    "i",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "h3",
    "h4",
}


class FeedError(Exception):
    """The feed as a whole could not be read (unreachable, refused key, not JSON)."""


class Skip(Exception):
    """One record cannot become an opportunity; the message says why."""


@dataclass
class Parsed:
    source_id: str
    fields: dict
    warnings: list = field(default_factory=list)


# --- transport --------------------------------------------------------------------------------------
def _mask(text, key):
    text = str(text)
    for variant in {key, urllib.parse.quote(key, safe=""), urllib.parse.quote_plus(key)}:
        if variant:
            text = text.replace(variant, "***")
    return text


def _get_json(url, params, key, timeout):
    query = urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
    full = f"{url}{'&' if '?' in url else '?'}{query}"
    request = urllib.request.Request(full, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise FeedError(_mask(f"HTTP {exc.code} from {url}", key)) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FeedError(_mask(f"could not reach {url} ({getattr(exc, 'reason', exc)})", key)) from None
    text = body.decode("utf-8-sig", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        snippet = " ".join(_mask(text[:300], key).split())[:120]
        raise FeedError(f"the answer from {url} is not JSON (starts with {snippet!r})") from None


def fetch_bizinfo(base_url, key, *, page_size=100, max_pages=20, timeout=15):
    """Every announcement the bizinfo API lists, page by page (``{"jsonArray": [...]}``)."""
    if not key:
        raise FeedError("no bizinfo key is configured (DONGNE_BIZINFO_KEY)")
    items = []
    for page in range(1, max_pages + 1):
        data = _get_json(
            base_url,
            {
                "crtfcKey": key,
                "dataType": "json",
                "pageUnit": page_size,
                "pageIndex": page,
                "searchCnt": page_size,
            },
            key,
            timeout,
        )
        if not isinstance(data, dict) or "jsonArray" not in data:
            message = data.get("reqErr") or data.get("message") if isinstance(data, dict) else None
            raise FeedError(f"bizinfo answered without jsonArray ({message or 'unknown answer'})")
        batch = data["jsonArray"] or []
        if isinstance(batch, dict):
            batch = [batch]
        items.extend(batch)
        total = None
        if batch and isinstance(batch[0], dict) and str(batch[0].get("totCnt", "")).isdigit():
            total = int(batch[0]["totCnt"])
        if len(batch) < page_size or (total is not None and len(items) >= total):
            break
    return items


def fetch_kstartup(base_url, key, *, page_size=100, max_pages=20, timeout=15):
    """Every announcement of K-Startup's getAnnouncementInformation01 (``{"data": [...], "totalCount": n}``)."""
    if not key:
        raise FeedError("no K-Startup service key is configured (DONGNE_KSTARTUP_KEY)")
    raw_key = urllib.parse.unquote(key) if re.search(r"%[0-9A-Fa-f]{2}", key) else key
    items = []
    for page in range(1, max_pages + 1):
        data = _get_json(
            base_url,
            {"serviceKey": raw_key, "page": page, "perPage": page_size, "returnType": "json"},
            raw_key,
            timeout,
        )
        if not isinstance(data, dict) or "data" not in data:
            message = data.get("msg") or data.get("message") if isinstance(data, dict) else None
            raise FeedError(f"K-Startup answered without data ({message or 'unknown answer'})")
        batch = data["data"] or []
        items.extend(batch)
        total = data.get("totalCount")
        if not batch or len(batch) < page_size or (isinstance(total, int) and len(items) >= total):
            break
    return items


# --- field parsing ----------------------------------------------------------------------------------
_DATE = re.compile(r"(\d{4})[.\-/년\s]*(\d{1,2})[.\-/월\s]*(\d{1,2})")
_ROLLING = ("상시", "수시", "연중", "예산 소진", "예산소진", "소진시")


def parse_date(text):
    """A date from YYYYMMDD, YYYY-MM-DD, 'YYYY-MM-DD HH:MM:SS', YYYY.MM.DD or 2025년 3월 1일; None when absent."""
    text = str(text or "").strip()
    if not text:
        return None
    digits = re.fullmatch(r"(\d{4})(\d{2})(\d{2})(\d{6})?", text)
    match = digits or _DATE.search(text)
    if not match:
        raise ValueError(f"not a date: {text!r}")
    return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def parse_period(text):
    """(starts_on, deadline, is_rolling, note) from a period as announced.

    "20250301 ~ 20250331" → both dates; "상시" or "예산 소진시까지" → rolling; "사업별 상이" and other
    wording without dates → no dates, the text kept as the note.
    """
    text = " ".join(str(text or "").split())
    if not text:
        return None, None, False, ""
    if any(word in text for word in _ROLLING) and not re.search(r"\d{4}", text):
        return None, None, True, text
    parts = re.split(r"\s*[~〜∼]\s*|\s+-\s+", text)
    dates = []
    for part in parts:
        try:
            found = parse_date(part)
        except ValueError:
            found = None
        if found:
            dates.append(found)
    if not dates:
        return None, None, False, text
    if len(dates) == 1:
        return None, dates[0], False, text
    return dates[0], dates[-1], False, text


def sanitise_html(html):
    """HTML from a feed as safe HTML: only text-formatting tags, links with rel=noopener."""
    return nh3.clean(
        str(html or ""), tags=ALLOWED_TAGS, attributes={"a": {"href"}}, link_rel="noopener noreferrer"
    ).strip()


def plain_text(html):
    return " ".join(nh3.clean(str(html or ""), tags=set()).replace("&nbsp;", " ").split())


def split_list(value):
    if isinstance(value, list):
        # A JSON list may hold numbers, nulls or objects as well as strings: keep the scalars as text.
        items = [str(i) for i in value if isinstance(i, str | int | float) and not isinstance(i, bool)]
    else:
        items = re.split(r"[,/·|\n]", str(value or ""))
    return [i.strip().lstrip("#") for i in items if i and i.strip().lstrip("#")]


def parse_company_age(text):
    """(min, max) years from K-Startup's biz_enyy ("예비창업자,1년미만,3년미만,7년미만" → (None, 7))."""
    text = str(text or "")
    if not text.strip():
        return None, None
    below = [int(n) for n in re.findall(r"(\d+)\s*년\s*미만", text)]
    above = [int(n) for n in re.findall(r"(\d+)\s*년\s*이상", text)]
    within = [int(n) for n in re.findall(r"(\d+)\s*년\s*이내", text)]
    high = max(below + within) if (below or within) and not above else None
    low = min(above) if above and not (below or within) else None
    return low, high


def normalise_title(title):
    title = unicodedata.normalize("NFKC", str(title or "")).lower()
    title = re.sub(r"[\[\(【<「].*?[\]\)】>」]", " ", title)  # [강원] (재공고) prefixes and tags
    title = re.sub(r"(재공고|추가공고|수정공고|공고)", " ", title)
    return re.sub(r"[\W_]+", "", title)


def dedupe_key(title, organiser, deadline, is_rolling):
    """Normalised title + organiser + deadline: the same announcement from two feeds gets the same key."""
    organiser = re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", str(organiser or "")).lower())
    when = deadline.isoformat() if deadline else ("rolling" if is_rolling else "none")
    return f"{normalise_title(title)}|{organiser}|{when}"[:400]


def _absolute(url):
    url = str(url or "").strip()
    if url.startswith("/"):
        return BIZINFO_SITE + url
    return url if url.startswith(("http://", "https://")) else ""


def parse_bizinfo(record):
    """One bizinfo ``jsonArray`` item → ``Parsed``; raises ``Skip`` when it cannot be an opportunity."""
    if not isinstance(record, dict):
        raise Skip("the record is not an object")
    source_id = str(record.get("pblancId") or "").strip()
    title = " ".join(str(record.get("pblancNm") or "").split())
    if not source_id:
        raise Skip("no pblancId")
    if not title:
        raise Skip("no pblancNm (title)")
    warnings = []
    starts_on, deadline, rolling, note = parse_period(record.get("reqstBeginEndDe"))
    if note and not (starts_on or deadline or rolling):
        warnings.append(f"period {note!r} has no dates; kept as a note")
    if starts_on and deadline and deadline < starts_on:
        raise Skip(f"the period {note!r} ends before it starts")
    tags = split_list(record.get("hashtags") or record.get("hashTags"))
    regions, unknown = parse_regions(tags)
    for name in unknown:
        warnings.append(f"unknown region hashtag {name!r}; ignored")
    organiser = str(record.get("excInsttNm") or record.get("jrsdInsttNm") or "").strip()
    attachments = []
    for url_key, name_key in (("printFlpthNm", "printFileNm"), ("flpthNm", "fileNm")):
        url = _absolute(record.get(url_key))
        if url:
            attachments.append(
                {"title": str(record.get(name_key) or url.rsplit("/", 1)[-1])[:300], "url": url}
            )
    fields = {
        "title": title[:300],
        "body": sanitise_html(record.get("bsnsSumryCn")),
        "organiser": organiser[:200],
        "ministry": str(record.get("jrsdInsttNm") or "").strip()[:200],
        "starts_on": starts_on,
        "deadline": deadline,
        "is_rolling": rolling,
        "period_note": note[:200],
        "support_field": str(record.get("pldirSportRealmLclasCodeNm") or "").strip()[:100],
        "regions": regions,
        "eligibility_note": str(record.get("trgetNm") or "").strip(),
        "source_url": _absolute(record.get("pblancUrl")),
        "attachments": attachments,
        # Region hashtags (#강원특별자치도, #춘천, #전국) became regions above; the rest are keywords.
        "keywords": [t for t in tags if canonical(t) is None],
    }
    return Parsed(source_id, fields, warnings)


def parse_kstartup(record):
    """One K-Startup ``data`` item → ``Parsed``; raises ``Skip`` when it cannot be an opportunity."""
    if not isinstance(record, dict):
        raise Skip("the record is not an object")
    source_id = str(record.get("pbanc_sn") or "").strip()
    title = " ".join(str(record.get("biz_pbanc_nm") or record.get("intg_pbanc_biz_nm") or "").split())
    if not source_id:
        raise Skip("no pbanc_sn")
    if not title:
        raise Skip("no biz_pbanc_nm (title)")
    warnings = []
    try:
        starts_on = parse_date(record.get("pbanc_rcpt_bgng_dt"))
        deadline = parse_date(record.get("pbanc_rcpt_end_dt"))
    except ValueError as exc:
        raise Skip(f"unreadable receipt period: {exc}") from None
    if starts_on and deadline and deadline < starts_on:
        raise Skip("the receipt period ends before it starts")
    regions, unknown = parse_regions(split_list(record.get("supt_regin")))
    for name in unknown:
        warnings.append(f"unknown region {name!r} in supt_regin; ignored")
    low, high = parse_company_age(record.get("biz_enyy"))
    target = "; ".join(
        part
        for part in (
            str(record.get("aply_trgt") or "").strip(),
            str(record.get("aply_trgt_ctnt") or "").strip(),
            str(record.get("biz_enyy") or "").strip(),
            str(record.get("biz_trgt_age") or "").strip(),
        )
        if part
    )
    body = sanitise_html(record.get("pbanc_ctnt"))
    fields = {
        "title": title[:300],
        "body": body,
        "organiser": str(record.get("pbanc_ntrp_nm") or "").strip()[:200],
        "ministry": str(record.get("sprv_inst") or "").strip()[:200],
        "starts_on": starts_on,
        "deadline": deadline,
        "is_rolling": False,
        "period_note": "",
        "support_field": str(record.get("supt_biz_clsfc") or "").strip()[:100],
        "regions": regions,
        "min_company_age": low,
        "max_company_age": high,
        "eligibility_note": target,
        "source_url": str(record.get("detl_pg_url") or "").strip()[:500],
        "attachments": [],
        "keywords": [],
    }
    return Parsed(source_id, fields, warnings)


def parse_budget(text):
    try:
        return parse_amount(text)
    except (ValueError, TypeError):
        return None
