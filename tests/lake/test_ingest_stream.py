"""The streamed CP949 path (named pipes, several parts at once) gives exactly what the file path gives, and
hands over to the file path whenever it cannot finish: a record cut between parts, a bad byte, a failing feed."""

import threading

import pytest

import dongne.lake.ingest as ingest
from dongne.lake.errors import ReadError
from dongne.lake.ingest import ingest_file
from dongne.lake.io import iconv
from dongne.lake.store import Store

from .samples import table, write_csv


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "lake")


@pytest.fixture
def feeds(monkeypatch):
    """Small files split into parts of 1 kB (as many as DuckDB has threads), and the feeds made."""
    monkeypatch.setattr(ingest._Feed, "MIN_PART", 1024)
    made = []
    init = ingest._Feed.__init__

    def spy(self, *args, **kwargs):
        init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(ingest._Feed, "__init__", spy)
    return made


@pytest.fixture
def fallbacks(monkeypatch):
    """How many times the file path took over."""
    seen = []
    scan = ingest._scan

    def spy(*args, **kwargs):
        seen.append(args[0])
        return scan(*args, **kwargs)

    monkeypatch.setattr(ingest, "_scan", spy)
    return seen


def shops(n: int, start: int = 0):
    rows = [["순번", "우편번호", "상호명", "매출액", "기준일", "등록일", "비고"]]
    for i in range(start, start + n):
        rows.append(
            [
                str(i + 1),
                f"{(i * 7919) % 100000:05d}",
                f"봄내 식당 {i % 997}호점",
                f"{(i * 7) % 100000 * 100:,}원",
                f"20{10 + i % 14}.{1 + i % 12:02d}.{1 + i % 28:02d}",
                f"20{15 + i % 9}{1 + i % 12:02d}{1 + i % 28:02d}",
                "주차 가능, 예약 필수" if i % 10 == 0 else (" " if i % 10 == 1 else ""),
            ]
        )
    return rows


def test_a_streamed_file_gives_what_the_file_path_gives(store, tmp_path, feeds, fallbacks, monkeypatch):
    path = write_csv(tmp_path / "shops.csv", shops(30_000), encoding="cp949")
    streamed = ingest_file(store, "streamed", path)
    threads = ingest.connect().execute("SELECT current_setting('threads')").fetchone()[0]
    assert fallbacks == [] and len(feeds[-1].pipes) == min(threads, 4)
    monkeypatch.setattr(ingest._Feed, "possible", staticmethod(lambda: False))
    filed = ingest_file(store, "filed", path)
    assert fallbacks == [path]
    assert table(streamed).equals(table(filed))
    for key in ("rows", "columns", "profile", "preview", "notes", "encoding"):
        assert streamed.meta[key] == filed.meta[key], key
    assert table(streamed).column("우편번호")[0].as_py() == "00000"


def test_a_quoted_field_across_a_cut_hands_over_to_the_file_path(store, tmp_path, feeds, fallbacks):
    rows = shops(400)
    rows[200][-1] = "여러 줄에 걸친\n메모 " * 2000  # a quoted field of many lines, across the middle
    path = write_csv(tmp_path / "memo.csv", rows, encoding="cp949")
    v = ingest_file(store, "memo", path)
    assert fallbacks == [path]  # the cut fell inside the field: the feed noticed and gave up
    assert v.rows == 400 and table(v).column("비고")[199].as_py() == rows[200][-1]


def test_a_failing_feed_never_passes_for_a_whole_file(store, tmp_path, feeds, fallbacks, monkeypatch):
    path = write_csv(tmp_path / "shops.csv", shops(20_000), encoding="cp949")
    convert, calls = iconv.convert_into, []

    def flaky(src, out, quotes=None):
        if threading.current_thread().name == "lake-feed-1":
            calls.append(1)
            if len(calls) == 2:
                raise OSError("the disk went away")
        return convert(src, out, quotes)

    monkeypatch.setattr(ingest, "CHUNK_BYTES", 64 * 1024)
    monkeypatch.setattr(iconv, "convert_into", flaky)
    v = ingest_file(store, "shops", path)
    assert len(calls) >= 2 and fallbacks == [path]
    assert v.rows == 20_000 and table(v).column("순번")[-1].as_py() == 20_000


def test_a_bad_byte_in_a_later_part_is_named_by_its_line(store, tmp_path, feeds, fallbacks, monkeypatch):
    monkeypatch.setattr(ingest, "SAMPLE_ROWS", 1000)  # the head is fine: the feed meets the byte
    good = write_csv(tmp_path / "good.csv", shops(30_000), encoding="cp949").read_bytes()
    bad = tmp_path / "bad.csv"
    lines = good.split(b"\n")
    lines[25_000] += b"\x80"  # past the megabyte that detection reads
    bad.write_bytes(b"\n".join(lines))
    with pytest.raises(ReadError) as e:
        ingest_file(store, "bad", bad)
    assert (e.value.code, e.value.row) == ("bad_encoding", 25_001)
    if len(feeds[0].pipes) > 1:  # (DuckDB has more than one thread here) the byte is in the last part
        assert feeds[0].ranges[-1][0] < bad.read_bytes().index(b"\x80")
    assert fallbacks == [bad] and store.staging_dirs("bad") == []
