"""Ingest: a user's file becomes a typed, profiled version — or a clear error, with the old version intact."""

import codecs
import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dongne.lake.ingest as ingest
from dongne.lake.errors import ReadError
from dongne.lake.ingest import ingest_batches, ingest_file
from dongne.lake.store import Store

from .samples import TOURIST_CP949, table, write_csv, write_xlsx


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "lake")


def types(version):
    return {c["name"]: c["type"] for c in version.columns}


def test_real_cp949_public_data_becomes_a_typed_version(store):
    v = ingest_file(store, "tourist-attractions", TOURIST_CP949, note="2022 표준데이터")
    assert (v.number, v.rows, v.meta["encoding"], v.meta["format"]) == (1, 745, "cp949", "csv")
    t = types(v)
    assert list(t)[:4] == [
        "관광지명",
        "관광지구분",
        "소재지도로명주소",
        "소재지지번주소",
    ]  # Korean names exactly
    assert (t["위도"], t["경도"], t["면적"]) == ("double", "double", "double")
    assert (t["지정일자"], t["데이터기준일자"]) == ("date", "date")
    assert (t["제공기관코드"], t["관리기관전화번호"]) == ("text", "text")
    data = table(v)
    assert data.schema.field("위도").type == pa.float64()
    assert data.column("지정일자")[0].as_py() == dt.date(2003, 12, 15)
    assert data.column("제공기관코드")[0].as_py() == "5070000"
    assert min(data.column("지정일자").to_pylist()) == dt.date(1760, 1, 1)
    codes = data.column("제공기관코드").to_pylist()
    assert "4180000" in codes and all(len(c) == 7 for c in codes)  # 강원도 춘천시, as written
    # "-" in 수용인원수 keeps it text (nothing nulled), and the version says why.
    assert t["수용인원수"] == "text" and "-" in data.column("수용인원수").to_pylist()
    assert any("수용인원수" in n for n in v.meta["notes"])
    assert len(v.preview) == 50 and v.preview[0]["관광지명"] == "안동문화관광지"
    assert v.meta["note"] == "2022 표준데이터" and v.meta["source"] == {
        "file": TOURIST_CP949.name,
        "bytes": 277564,
    }


def test_a_second_ingest_adds_a_version_and_keeps_the_first(store, tmp_path):
    ingest_file(store, "t", TOURIST_CP949)
    path = write_csv(tmp_path / "small.csv", [["관광지명", "위도"], ["남이섬", "37.79"]])
    v2 = ingest_file(store, "t", path)
    assert [(v.number, v.rows) for v in store.versions("t")] == [(1, 745), (2, 1)]
    assert v2.meta["encoding"] == "utf-8"


def test_codes_with_leading_zeros_amounts_and_dates(store, tmp_path):
    rows = [["행정구역코드", "우편번호", "매출액", "방문자수", "개업일", "기준일", "등록일", "비고"]]
    rows += [["01110", "02134", "12,300원", "1,234", "2024-05-01", "2024.05.01", "20240501", " "]]
    rows += [["42110", "24232", "900원", "7", "2023-01-31", "2023.01.31", "20230131", "주차 가능"]]
    v = ingest_file(store, "shops", write_csv(tmp_path / "s.csv", rows, encoding="cp949"))
    assert types(v) == {
        "행정구역코드": "text",
        "우편번호": "text",
        "매출액": "integer",
        "방문자수": "integer",
        "개업일": "date",
        "기준일": "date",
        "등록일": "date",
        "비고": "text",
    }
    assert table(v).to_pylist()[0] == {
        "행정구역코드": "01110",
        "우편번호": "02134",
        "매출액": 12300,
        "방문자수": 1234,
        "개업일": dt.date(2024, 5, 1),
        "기준일": dt.date(2024, 5, 1),
        "등록일": dt.date(2024, 5, 1),
        "비고": None,
    }


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("cp949", b""), ("utf-16", b"")],
)
def test_encodings(store, tmp_path, encoding, prefix):
    path = tmp_path / "e.csv"
    path.write_bytes(prefix + "지역,인구\n춘천시,286000\n강릉시,211000\n".encode(encoding))
    v = ingest_file(store, "pop", path)
    assert table(v).to_pylist() == [{"지역": "춘천시", "인구": 286000}, {"지역": "강릉시", "인구": 211000}]


def test_tsv_and_semicolons(store, tmp_path):
    v = ingest_file(
        store,
        "a",
        write_csv(tmp_path / "a.tsv", [["이름", "주소"], ["봄내", "중앙로 1, 2층"]], delimiter="\t"),
    )
    assert table(v).to_pylist() == [{"이름": "봄내", "주소": "중앙로 1, 2층"}]
    v = ingest_file(
        store,
        "b",
        write_csv(tmp_path / "b.csv", [["이름", "값"], ["봄내", "1,5"], ["소양", "2"]], delimiter=";"),
    )
    assert (v.meta["delimiter"], types(v)["값"]) == (";", "text")


def test_quoted_newlines_and_duplicate_headers(store, tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('이름,이름,\n"봄내\n데이터랩",1,x\n소양,2,y\n', encoding="utf-8")
    v = ingest_file(store, "q", path)
    assert [c["name"] for c in v.columns] == ["이름", "이름_2", "열3"]
    assert table(v).column("이름").to_pylist() == ["봄내\n데이터랩", "소양"]
    assert len(v.meta["notes"]) == 2


# --- bad input: a code, the row at fault, and the previous version untouched ---


def bad_files(tmp_path):
    ragged = tmp_path / "ragged.csv"
    ragged.write_text('a,b\n1,2\n"x\ny",3\n4,5,6\n', encoding="utf-8")  # line 5, after a two-line record
    header_only = tmp_path / "header.csv"
    header_only.write_text("관광지명,위도\n", encoding="cp949")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes("id,city\n1,춘천시\n2,원주시\n".encode() + "3,강릉시\n".encode("cp949"))
    quote = tmp_path / "quote.csv"
    quote.write_text('a,b\n1,2\n3,"4\n5,6\n', encoding="utf-8")
    merged = write_xlsx(
        tmp_path / "merged.xlsx",
        [["지역", "인구", None], [None, "남", "여"], ["춘천", 1, 2]],
        merged=["B1:C1"],
    )
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_text('{"a": 1}\n{"a": }\n', encoding="utf-8")
    return [
        (ragged, "ragged_row", 5),
        (header_only, "no_rows", 2),
        (empty, "empty_file", None),
        (mixed, "bad_encoding", 4),
        (quote, "bad_csv", 3),
        (merged, "merged_header", 1),
        (jsonl, "bad_json", 2),
    ]


def test_bad_input_is_named_and_the_previous_version_stays(store, tmp_path):
    v1 = ingest_file(store, "t", TOURIST_CP949)
    for path, code, row in bad_files(tmp_path):
        with pytest.raises(ReadError) as e:
            ingest_file(store, "t", path)
        assert (path.name, e.value.code, e.value.row) == (path.name, code, row)
        assert [v.number for v in store.versions("t")] == [1]
        assert store.current("t").meta == v1.meta
        assert store.staging_dirs("t") == []


def test_a_value_after_the_sample_keeps_its_column_text(store, tmp_path, monkeypatch):
    """The sample says integer; row 5,000 says otherwise. The column becomes text with every value as
    written (nothing nulled), another becomes double, and the version notes both."""
    monkeypatch.setattr(ingest, "SAMPLE_ROWS", 100)
    rows = [["순번", "인원", "금액"]] + [[str(i), str(i % 50), "1,000"] for i in range(1, 6001)]
    rows[5000][1] = "없음"
    rows[5500][2] = "1,000.5"
    v = ingest_file(store, "late", write_csv(tmp_path / "late.csv", rows, encoding="cp949"))
    assert types(v) == {"순번": "integer", "인원": "text", "금액": "double"}
    data = table(v)
    assert data.column("인원")[4999].as_py() == "없음" and data.column("인원")[0].as_py() == "1"
    assert data.column("금액")[5499].as_py() == 1000.5
    assert v.rows == 6000
    assert sum("after row 100" in n for n in v.meta["notes"]) == 2


@pytest.mark.parametrize(
    ("late", "type_", "value"),
    [
        ("1.5", "double", 1.5),  # DuckDB's own BIGINT parse would have rounded it to 2
        ("nan", "text", "nan"),  # its DOUBLE parse would have accepted it
        ("2024-05-01 10:30", "timestamp", dt.datetime(2024, 5, 1, 10, 30)),  # its DATE parse drops the time
        ("24-05-01", "text", "24-05-01"),  # ... and reads a two-digit year
    ],
)
def test_plain_columns_parsed_by_duckdb_still_refuse_what_does_not_fit(
    store, tmp_path, monkeypatch, late, type_, value
):
    monkeypatch.setattr(ingest, "SAMPLE_ROWS", 100)
    plain = "2024-05-01" if ":" in late or late.startswith("24") else "7"
    rows = [["id", "값"]] + [[str(i), plain] for i in range(1, 3001)]
    rows[2500][1] = late
    v = ingest_file(store, "n", write_csv(tmp_path / "n.csv", rows))
    assert types(v)["값"] == type_
    assert table(v).column("값")[2499].as_py() == value


def test_single_space_cells_after_the_sample_are_null_without_a_second_pass(store, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "SAMPLE_ROWS", 100)
    rows = [["id", "값"]] + [[str(i), "7" if i != 2000 else " "] for i in range(1, 3001)]
    v = ingest_file(store, "n", write_csv(tmp_path / "n.csv", rows))
    assert types(v)["값"] == "integer" and table(v).column("값")[1999].as_py() is None
    assert v.meta["notes"] == []


def test_a_column_empty_in_the_sample_is_typed_over_the_whole_file(store, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "SAMPLE_ROWS", 100)
    rows = [["id", "폐업일"]] + [[str(i), "" if i < 3000 else "2024-01-02"] for i in range(1, 4001)]
    v = ingest_file(store, "sparse", write_csv(tmp_path / "s.csv", rows))
    assert types(v)["폐업일"] == "date"


@pytest.mark.parametrize("converter", ["compiled", "iconv", "python"])
def test_cp949_transcodes_in_pieces_cut_at_newlines(store, tmp_path, monkeypatch, converter):
    from dongne.lake.io import iconv as iconv_mod

    if converter != "compiled":
        monkeypatch.setattr(iconv_mod, "_compiled", lambda: None)
    if converter == "python":
        monkeypatch.setattr(iconv_mod, "_libc", lambda: None)  # Python's codec instead of the C library's
    if iconv_mod.converter() != converter:
        pytest.skip(f"no {converter} converter here")
    monkeypatch.setattr(ingest, "CHUNK_BYTES", 4096)  # many pieces
    rows = [["지역", "값"]] + [[f"강원특별자치도 춘천시 {i}", str(i)] for i in range(5000)]
    v = ingest_file(store, "p", write_csv(tmp_path / "p.csv", rows, encoding="cp949"))
    assert v.rows == 5000 and table(v).column("지역")[4999].as_py() == "강원특별자치도 춘천시 4999"
    long = "긴 줄 " * 3000  # one line longer than a piece
    rows = [["지역", "값"], [long, "1"]] + [[f"춘천시 {i}", str(i)] for i in range(3000)]
    v = ingest_file(store, "p", write_csv(tmp_path / "long.csv", rows, encoding="cp949"))
    assert v.rows == 3001 and table(v).column("지역")[0].as_py() == long
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"".join(f"{i},춘천\n".encode("cp949") for i in range(3000)) + b"3000,\x80\x80\n")
    with pytest.raises(ReadError) as e:
        ingest_file(store, "p", bad, header=False)
    assert (e.value.code, e.value.row) == ("bad_encoding", 3001)
    cut = tmp_path / "cut.csv"  # the last character lacks its second byte
    cut.write_bytes(b"".join(f"{i},\xc3\xe1\xc3\xb5\n".encode("latin-1") for i in range(5)) + b"5,\xc3")
    with pytest.raises(ReadError) as e:
        ingest_file(store, "p", cut, header=False, encoding="cp949")
    assert (e.value.code, e.value.row) == ("bad_encoding", 6)


def test_progress_is_reported_as_it_goes(store, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "CHUNK_BYTES", 64 * 1024)
    rows = [["지역", "값"]] + [[f"춘천시 {i}", str(i)] for i in range(40_000)]
    path = write_csv(tmp_path / "p.csv", rows, encoding="cp949")
    calls = []
    v = ingest_file(store, "p", path, progress=lambda *a: calls.append(a))
    total = path.stat().st_size
    assert len(calls) >= 5
    assert all(c[1] == total for c in calls)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)  # monotone
    assert calls[-1] == (total, total, v.rows)
    assert any(0 < c[2] < v.rows for c in calls)  # rows counted while reading


# --- other formats ---


def test_xlsx(store, tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            ["관광지", "우편번호", "방문객", "조사일"],
            ["소양강 스카이워크", "24232", 120000, dt.datetime(2024, 5, 1)],
            ["김유정 문학촌", "24468", 35000, dt.datetime(2024, 5, 2)],
        ],
    )
    v = ingest_file(store, "x", path)
    assert (v.meta["format"], v.rows) == ("xlsx", 2)
    assert types(v) == {"관광지": "text", "우편번호": "text", "방문객": "integer", "조사일": "date"}


def test_json_envelope_and_lines(store, tmp_path):
    env = tmp_path / "resp.json"
    items = [
        {"title": "남이섬", "mapx": "127.5258", "areacode": "32", "zipcode": "24464"},
        {"title": "소양강댐", "mapx": "127.8148", "areacode": "32", "zipcode": "24101"},
    ]
    env.write_text(
        json.dumps(
            {"response": {"header": {"resultCode": "0000"}, "body": {"items": {"item": items}}}},
            ensure_ascii=False,
        )
    )
    v = ingest_file(store, "j", env)
    assert types(v) == {
        "title": "text",
        "mapx": "double",
        "areacode": "text",
        "zipcode": "text",
    }  # codes by name
    lines = tmp_path / "a.jsonl"
    lines.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items), encoding="utf-8")
    assert ingest_file(store, "j", lines).rows == 2


def test_parquet_keeps_declared_types(store, tmp_path):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"코드": ["01110"], "값": ["1,234"], "n": [3]}), path)
    v = ingest_file(store, "pq", path)
    assert types(v) == {"코드": "text", "값": "text", "n": "integer"}


def test_ingest_batches_from_connector_pages(store):
    pages = [
        [{"contentid": "126508", "title": "남이섬", "mapx": "127.5258", "zipcode": "24464"}],
        [{"contentid": "126509", "title": "소양강댐", "mapx": "127.8148", "tel": "033-1", "extra": {"a": 1}}],
    ]
    calls = []
    v = ingest_batches(
        store, "tour-api", pages, source={"api": "tourapi"}, progress=lambda *a: calls.append(a)
    )
    assert [c["name"] for c in v.columns] == ["contentid", "title", "mapx", "zipcode", "tel", "extra"]
    assert types(v)["mapx"] == "double" and types(v)["zipcode"] == "text"
    assert table(v).column("extra").to_pylist() == [None, '{"a": 1}']
    assert calls[-1] == (0, 0, 2)
    assert v.meta["source"] == {"api": "tourapi"}


def test_ingest_batches_from_record_batches_without_normalizing(store):
    batch = pa.record_batch({"id": pa.array(["1", "2"]), "n": pa.array([1.5, 2.5])})
    v = ingest_batches(store, "b", [batch, pa.Table.from_batches([batch])], normalize_text=False)
    assert (v.rows, types(v)) == (4, {"id": "text", "n": "double"})


def test_ingest_batches_with_nothing(store):
    with pytest.raises(ReadError) as e:
        ingest_batches(store, "none", iter([]))
    assert e.value.code == "no_rows"
    assert store.versions("none") == [] and store.staging_dirs("none") == []
