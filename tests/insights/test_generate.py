"""The generated regional data: reproducible, shaped like the real sources, and with the patterns the analyses
are meant to find (weekly cycle, seasons, holidays, festivals, spending that follows visitors, rising terms)."""

import datetime as dt
import re

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dongne.core.regions import CHUNCHEON, emd_of, sigungu
from dongne.insights import generate


@pytest.fixture(scope="module")
def con(regional):
    con = duckdb.connect()
    for name in generate.SLUGS:
        con.register(name, getattr(regional, name))
    yield con
    con.close()


def one(con, sql, *params):
    return con.execute(sql, params).fetchone()


def test_same_seed_same_data_other_seed_other_data(regional):
    again = generate.generate(dt.date(2024, 5, 1), dt.date(2024, 6, 30))
    assert again.visitors.equals(generate.generate(dt.date(2024, 5, 1), dt.date(2024, 6, 30)).visitors)
    assert again.reviews.equals(generate.generate(dt.date(2024, 5, 1), dt.date(2024, 6, 30)).reviews)
    other = generate.generate(dt.date(2024, 5, 1), dt.date(2024, 6, 30), seed=7)
    assert not again.visitors.equals(other.visitors)
    # The demo window is fixed, so the demo is the same data on every machine and every day.
    assert regional.visitors.column("date")[0].as_py() == generate.DEMO_START
    assert regional.visitors.column("date")[-1].as_py() == generate.DEMO_END


def test_areas_are_chuncheons_25_emd_and_gangwons_18_sigungu(con):
    areas = dict(con.execute("SELECT DISTINCT area_code, area_name FROM visitors").fetchall())
    expected = {**sigungu(), **emd_of(CHUNCHEON)}
    assert len(sigungu()) == 18 and len(emd_of(CHUNCHEON)) == 25
    assert areas == expected
    assert all(len(code) == 7 and code.startswith(CHUNCHEON) for code in emd_of(CHUNCHEON))
    spending_areas = dict(con.execute("SELECT DISTINCT area_code, area_name FROM spending").fetchall())
    assert spending_areas == expected


def test_schemas_keep_dates_as_dates_and_codes_as_text(regional):
    assert regional.visitors.schema == generate.VISITORS_SCHEMA
    assert regional.spending.schema == generate.SPENDING_SCHEMA
    assert regional.festivals.schema.field("start_date").type == pa.date32()
    assert regional.reviews.schema.field("date").type == pa.date32()
    assert regional.attractions.schema.field("area_code").type == pa.string()


def test_one_row_per_day_area_and_type(con):
    days = (generate.DEMO_END - generate.DEMO_START).days + 1
    rows, distinct = one(
        con, "SELECT count(*), count(DISTINCT (date, area_code, visitor_type)) FROM visitors"
    )
    assert rows == distinct == days * 43 * 3
    assert {r[0] for r in con.execute("SELECT DISTINCT visitor_type FROM visitors").fetchall()} == {
        "local",
        "other",
        "foreign",
    }
    rows, distinct = one(con, "SELECT count(*), count(DISTINCT (date, area_code, industry)) FROM spending")
    assert rows == distinct == days * 43 * 6
    assert (
        one(con, "SELECT min(visitors), min(amount), min(transactions) FROM visitors, spending LIMIT 1")[0]
        >= 0
    )


def test_weekends_are_busier_than_weekdays(con):
    weekend, weekday = one(
        con,
        """SELECT avg(total) FILTER (WHERE isodow(date) >= 6), avg(total) FILTER (WHERE isodow(date) < 6)
           FROM (SELECT date, sum(visitors) AS total FROM visitors WHERE length(area_code) = 5 GROUP BY date)""",
    )
    assert weekend > 1.1 * weekday
    # Other-region visitors drive it; locals hardly change.
    ratio_other, ratio_local = one(
        con,
        """SELECT avg(visitors) FILTER (WHERE visitor_type = 'other' AND isodow(date) >= 6)
                  / avg(visitors) FILTER (WHERE visitor_type = 'other' AND isodow(date) < 6),
                  avg(visitors) FILTER (WHERE visitor_type = 'local' AND isodow(date) >= 6)
                  / avg(visitors) FILTER (WHERE visitor_type = 'local' AND isodow(date) < 6)
           FROM visitors""",
    )
    assert ratio_other > 1.4 and 0.95 < ratio_local < 1.1


def test_summer_and_autumn_peaks_over_winter(con):
    by_month = dict(
        con.execute(
            """SELECT month(date), sum(visitors) / count(DISTINCT date) FROM visitors
               WHERE visitor_type = 'other' AND area_code = '3201036' GROUP BY 1"""
        ).fetchall()
    )
    assert by_month[8] > 1.3 * by_month[1] and by_month[10] > 1.3 * by_month[1]
    assert by_month[10] > by_month[12]


def test_seollal_and_chuseok_bring_other_region_visitors(con):
    assert dt.date(2025, 10, 6) in generate.HOLIDAYS and dt.date(2024, 2, 10) in generate.HOLIDAYS
    assert generate.HOLIDAYS[dt.date(2026, 2, 17)] == "설날"
    lifts = []
    for day in [d for d in generate.holidays(generate.DEMO_START, generate.DEMO_END)]:
        same_weekdays = [day + dt.timedelta(days=7 * w) for w in (-3, -2, 2, 3)]
        holiday = one(
            con,
            "SELECT sum(visitors) FROM visitors WHERE visitor_type='other' AND length(area_code)=5 AND date=?",
            day,
        )[0]
        usual = one(
            con,
            "SELECT sum(visitors) / 4 FROM visitors WHERE visitor_type='other' AND length(area_code)=5 "
            "AND date IN (?, ?, ?, ?)",
            *same_weekdays,
        )[0]
        lifts.append(holiday / usual)
    assert len(lifts) >= 9
    assert min(lifts) > 1.2


def test_festival_days_are_busier_in_the_festival_area(con, regional):
    calendar = generate.festival_calendar()
    assert {f["festival_id"].rsplit("-", 1)[0] for f in calendar} >= {
        "mime",
        "puppet",
        "dakgalbi",
        "sancheoneo",
    }
    for festival in calendar:
        area, first, last = festival["area_code"], festival["start_date"], festival["end_date"]
        during = one(
            con,
            "SELECT avg(visitors) FROM visitors WHERE visitor_type='other' AND area_code=? AND date BETWEEN ? AND ?",
            area,
            first,
            last,
        )[0]
        # The same weekdays three and four weeks earlier.
        before = one(
            con,
            "SELECT avg(visitors) FROM visitors WHERE visitor_type='other' AND area_code=? AND "
            "(date BETWEEN ? AND ? OR date BETWEEN ? AND ?)",
            area,
            first - dt.timedelta(days=21),
            last - dt.timedelta(days=21),
            first - dt.timedelta(days=28),
            last - dt.timedelta(days=28),
        )[0]
        assert during > 1.15 * before, festival["festival_id"]
        assert regional.truth["festivals"][festival["festival_id"]]["uplift"] == festival["uplift"]


def test_festival_calendar_follows_the_real_dates():
    calendar = {f["festival_id"]: f for f in generate.festival_calendar()}
    mime = calendar["mime-2025"]
    assert mime["name"] == "2025 춘천마임축제"
    assert mime["start_date"].month == 5 and mime["end_date"] == dt.date(2025, 5, 25)  # last Sunday of May
    assert mime["end_date"].weekday() == 6 and (mime["end_date"] - mime["start_date"]).days == 7
    assert calendar["marathon-2025"]["start_date"] == dt.date(2025, 10, 26)
    assert calendar["sancheoneo-2026"]["area_code"] == "32370"
    assert all(f["start_date"] <= f["end_date"] for f in calendar.values())


def test_chuncheon_is_the_deduplicated_sum_of_its_towns(con):
    worst = one(
        con,
        """WITH towns AS (SELECT date, visitor_type, sum(visitors) s FROM visitors
                          WHERE length(area_code) = 7 GROUP BY ALL),
                city AS (SELECT date, visitor_type, visitors FROM visitors WHERE area_code = '32010')
           SELECT max(abs(city.visitors - round(0.9 * towns.s))) FROM city JOIN towns USING (date, visitor_type)""",
    )[0]
    assert worst <= 1  # rounding of halves (numpy rounds them to even)
    assert (
        one(
            con,
            """SELECT sum(amount) FILTER (WHERE area_code = '32010') - sum(amount) FILTER (WHERE length(area_code) = 7)
           FROM spending""",
        )[0]
        == 0
    )


def test_spending_follows_visitors(con):
    correlation = one(
        con,
        """WITH v AS (SELECT date, area_code, sum(visitors) n FROM visitors GROUP BY ALL),
                s AS (SELECT date, area_code, sum(amount) a FROM spending GROUP BY ALL)
           SELECT corr(ln(n + 1), ln(a + 1)) FROM v JOIN s USING (date, area_code)""",
    )[0]
    assert correlation > 0.8
    tickets = dict(
        con.execute("SELECT industry, sum(amount) / sum(transactions) FROM spending GROUP BY 1").fetchall()
    )
    assert tickets["숙박"] > 3 * tickets["식음료"]


def test_attractions_have_real_coordinates_in_known_areas(regional):
    names = set(regional.attractions.column("name").to_pylist())
    assert {
        "남이섬",
        "소양강댐",
        "김유정문학촌",
        "레고랜드 코리아",
        "삼악산 호수케이블카",
        "명동 닭갈비골목",
    } <= names
    known = {**sigungu(), **emd_of(CHUNCHEON)}
    for row in regional.attractions.to_pylist():
        assert row["area_code"] in known
        assert 37.0 < row["latitude"] < 38.7 and 127.0 < row["longitude"] < 129.4
    nami = next(r for r in regional.attractions.to_pylist() if r["name"] == "남이섬")
    assert nami["area_code"] == "3201036" and abs(nami["latitude"] - 37.79) < 0.01


def test_reviews_are_korean_and_their_topics_move(con):
    rows, hangul = one(
        con, "SELECT count(*), count(*) FILTER (WHERE regexp_matches(text, '[가-힣]{2,}')) FROM reviews"
    )
    assert rows > 5000 and hangul == rows
    assert one(con, "SELECT count(*) FROM reviews r ANTI JOIN attractions a USING (attraction_id)")[0] == 0
    # Seasonal words follow the calendar; 감자빵 becomes popular over the period.
    in_month = lambda word, month: one(  # noqa: E731
        con, "SELECT count(*) FROM reviews WHERE month(date) = ? AND contains(text, ?)", month, word
    )[0]
    assert in_month("단풍", 10) > 5 * in_month("단풍", 5)
    assert in_month("벚꽃", 4) > 5 * in_month("벚꽃", 8)
    early, late = one(
        con,
        """SELECT count(*) FILTER (WHERE date < DATE '2024-11-01' AND contains(text, '감자빵')),
                  count(*) FILTER (WHERE date >= DATE '2025-11-01' AND contains(text, '감자빵')) FROM reviews""",
    )
    assert late > 4 * max(early, 1)
    # Particles agree with the word before them.
    texts = [r[0] for r in con.execute("SELECT text FROM reviews LIMIT 2000").fetchall()]
    assert not any(re.search(r"배이 |단풍가 |장미이 ", t) for t in texts)


def test_bench_writer_streams_row_groups(tmp_path):
    info = generate.write_bench_visitors(tmp_path, rows=300_000, files=2, row_group_rows=50_000)
    assert info["rows"] >= 300_000 and info["areas"] > 3000
    files = sorted(tmp_path.glob("*.parquet"))
    assert len(files) == 2
    total = 0
    for path in files:
        meta = pq.ParquetFile(path).metadata
        assert meta.num_row_groups >= 2
        total += meta.num_rows
    assert total == info["rows"]
    schema = pq.read_schema(files[0])
    assert schema.field("area_code").type == pa.string() and schema.field("date").type == pa.date32()
    con = duckdb.connect()
    first, last, codes = con.execute(
        f"SELECT min(date), max(date), count(DISTINCT area_code) FROM read_parquet({[str(f) for f in files]})"
    ).fetchone()
    assert last == info["end"] and first == info["start"] and codes == info["areas"]


def test_generator_and_analyses_import_without_django():
    """The benchmark and Spark jobs use them outside the web application."""
    import subprocess
    import sys

    code = (
        "import sys, dongne.insights.generate, dongne.insights.analyses; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
