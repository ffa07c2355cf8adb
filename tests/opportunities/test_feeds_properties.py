"""Property-based tests of the feed importers' parsing (기업마당 bizinfo and K-Startup records).

A feed is someone else's JSON: any field may be missing, null, a number, a list or free text. Parsing
one record either gives an opportunity's fields or raises ``Skip`` with the reason — never anything
else, so that ``import_feed`` reports the record instead of losing the batch. Dates come in either
announced format, and a period's dates are found wherever the text puts them.
"""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from dongne.opportunities import feeds
from dongne.opportunities.regions import NATIONWIDE

settings.register_profile("feeds", max_examples=100, deadline=None, derandomize=True)
FEEDS = settings.get_profile("feeds")

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
dates = st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31))


def announced(date, style):
    """A date the way the feeds write it."""
    return {
        "compact": date.strftime("%Y%m%d"),
        "iso": date.isoformat(),
        "iso_time": f"{date.isoformat()} 18:00:00",
        "dotted": date.strftime("%Y.%m.%d"),
        "korean": f"{date.year}년 {date.month}월 {date.day}일",
    }[style]


date_styles = st.sampled_from(["compact", "iso", "iso_time", "dotted", "korean"])
# Free text as announcements write it around and instead of dates.
period_words = st.sampled_from(
    [
        "",
        "상시",
        "수시 접수",
        "예산 소진시까지",
        "사업별 상이",
        "~",
        " ~ ",
        "-",
        " - ",
        "18:00",
        "까지",
        "(예정)",
    ]
)
free_text = st.lists(st.one_of(period_words, st.text(max_size=12)), max_size=5).map(" ".join)

BIZINFO_FIELDS = [
    "pblancId",
    "pblancNm",
    "reqstBeginEndDe",
    "hashtags",
    "hashTags",
    "excInsttNm",
    "jrsdInsttNm",
    "printFlpthNm",
    "printFileNm",
    "flpthNm",
    "fileNm",
    "bsnsSumryCn",
    "pldirSportRealmLclasCodeNm",
    "trgetNm",
    "pblancUrl",
]
KSTARTUP_FIELDS = [
    "pbanc_sn",
    "biz_pbanc_nm",
    "intg_pbanc_biz_nm",
    "pbanc_rcpt_bgng_dt",
    "pbanc_rcpt_end_dt",
    "supt_regin",
    "biz_enyy",
    "aply_trgt",
    "aply_trgt_ctnt",
    "biz_trgt_age",
    "pbanc_ctnt",
    "pbanc_ntrp_nm",
    "sprv_inst",
    "supt_biz_clsfc",
    "detl_pg_url",
]


def records(fields, **special):
    """Records with the feed's own field names, each absent or holding any JSON value (or a special one)."""
    values = {name: special.get(name, json_values) for name in fields}
    return st.fixed_dictionaries({}, optional=values)


def assert_sane(parsed):
    fields = parsed.fields
    assert parsed.source_id.strip() and fields["title"].strip()
    assert len(fields["title"]) <= 300
    if fields["starts_on"] and fields["deadline"]:
        assert fields["starts_on"] <= fields["deadline"]
    assert all(isinstance(r, str) and r for r in fields["regions"])
    assert all(isinstance(k, str) and k and not k.startswith("#") for k in fields["keywords"])
    assert all(isinstance(w, str) for w in parsed.warnings)


def parse_or_skip(parse, record):
    try:
        parsed = parse(record)
    except feeds.Skip as exc:
        assert str(exc)  # the reason goes into the import report
        return None
    assert_sane(parsed)
    return parsed


@FEEDS
@given(record=json_values)
def test_anything_that_is_not_a_record_is_skipped_with_a_reason(record):
    parse_or_skip(feeds.parse_bizinfo, record)
    parse_or_skip(feeds.parse_kstartup, record)


@FEEDS
@given(
    record=records(
        BIZINFO_FIELDS,
        reqstBeginEndDe=st.one_of(json_values, free_text),
        hashtags=st.one_of(
            json_values,
            st.lists(st.one_of(st.text(max_size=8), st.sampled_from(["#강원", "#춘천", "#전국"]))),
        ),
    )
)
def test_a_bizinfo_record_of_any_shape_is_parsed_or_skipped(record):
    parse_or_skip(feeds.parse_bizinfo, record)


@FEEDS
@given(
    record=records(
        KSTARTUP_FIELDS,
        pbanc_rcpt_bgng_dt=st.one_of(json_values, free_text, st.builds(announced, dates, date_styles)),
        pbanc_rcpt_end_dt=st.one_of(json_values, free_text, st.builds(announced, dates, date_styles)),
        biz_enyy=st.one_of(json_values, free_text),
    )
)
def test_a_kstartup_record_of_any_shape_is_parsed_or_skipped(record):
    parse_or_skip(feeds.parse_kstartup, record)


@FEEDS
@given(date=dates, style=date_styles)
def test_a_date_reads_back_in_every_announced_format(date, style):
    assert feeds.parse_date(announced(date, style)) == date


@FEEDS
@given(text=st.one_of(free_text, st.text()))
def test_parse_date_gives_a_date_none_or_value_error(text):
    try:
        found = feeds.parse_date(text)
    except ValueError:
        return
    assert found is None or isinstance(found, dt.date)


@FEEDS
@given(
    first=dates,
    second=dates,
    styles=st.tuples(date_styles, date_styles),
    separator=st.sampled_from([" ~ ", "~", " 〜 ", " - "]),
    before=st.sampled_from(["", "접수기간: "]),
    after=st.sampled_from(["", " 18:00", " (예정)"]),
)
def test_a_period_finds_its_two_dates_in_either_format(first, second, styles, separator, before, after):
    start, end = sorted([first, second])
    text = before + announced(start, styles[0]) + separator + announced(end, styles[1]) + after
    starts_on, deadline, rolling, note = feeds.parse_period(text)
    assert (starts_on, deadline, rolling) == (start, end, False)
    assert note == " ".join(text.split())


@FEEDS
@given(text=st.one_of(free_text, st.text(), json_values))
def test_any_period_text_gives_dates_or_a_note(text):
    starts_on, deadline, rolling, note = feeds.parse_period(text)
    assert isinstance(note, str)
    if rolling:
        assert starts_on is None and deadline is None
    if starts_on is not None:
        assert deadline is not None  # a single date is the deadline


@FEEDS
@given(value=json_values)
def test_hashtags_become_clean_strings(value):
    tags = feeds.split_list(value)
    assert all(isinstance(t, str) and t and t == t.strip() and not t.startswith("#") for t in tags)


@FEEDS
@given(
    tags=st.lists(st.sampled_from(["#강원", "#강원특별자치도", "#춘천", "춘천시", "#전국", "#AI", "#데이터"]))
)
def test_region_hashtags_become_regions_and_the_rest_keywords(tags):
    record = {"pblancId": "PBLN_1", "pblancNm": "공고", "hashtags": ",".join(tags)}
    fields = feeds.parse_bizinfo(record).fields
    assert set(fields["keywords"]) == {t.lstrip("#") for t in tags} - {
        "강원",
        "강원특별자치도",
        "춘천",
        "춘천시",
        "전국",
    }
    assert NATIONWIDE not in fields["regions"]


@FEEDS
@given(text=st.one_of(free_text, st.text(), json_values))
def test_company_age_is_a_pair_of_years_or_none(text):
    low, high = feeds.parse_company_age(text)
    assert low is None or (isinstance(low, int) and low >= 0)
    assert high is None or (isinstance(high, int) and high >= 0)
