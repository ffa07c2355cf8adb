"""Readers: every format to string batches (Parquet keeps its types), errors naming the row at fault."""

import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dongne.lake.errors import ReadError
from dongne.lake.io.readers import open_reader

from .samples import TOURIST_CP949, write_csv, write_xlsx


def read_all(reader):
    return pa.Table.from_batches(list(reader.batches()))


def test_real_cp949_file_reads_745_rows_with_korean_columns():
    with open_reader(TOURIST_CP949) as r:
        t = read_all(r)
    assert (r.format, r.encoding, t.num_rows) == ("csv", "cp949", 745)
    assert t.column_names[-2:] == ["제공기관코드", "제공기관명"]
    assert t.schema.field("위도").type == pa.string()  # text readers yield strings; normalize types them
    assert t.column("관광지명")[0].as_py() == "안동문화관광지"


def test_csv_streams_in_batches(tmp_path):
    path = write_csv(tmp_path / "big.csv", [["id", "이름"]] + [[str(i), "봄내"] for i in range(2500)])
    with open_reader(path) as r:
        sizes = [b.num_rows for b in r.batches(batch_rows=1000)]
    assert sizes == [1000, 1000, 500]


def test_ragged_row_names_the_line_the_user_sees(tmp_path):
    # The quoted field spans two lines, so the short row is on line 5 although it is the 4th record.
    path = tmp_path / "r.csv"
    path.write_text('a,b,c\n1,2,3\n"x\ny",5,6\n7,8\n9,10,11\n', encoding="utf-8")
    with pytest.raises(ReadError) as e, open_reader(path) as r:
        read_all(r)
    assert (e.value.code, e.value.row, e.value.detail) == ("ragged_row", 5, {"expected": 3, "found": 2})
    assert "Line 5" in str(e.value)


def test_blank_lines_are_skipped_and_empty_cells_are_null(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("a,b\n1,\n\n3,4\n", encoding="utf-8")
    with open_reader(path) as r:
        assert read_all(r).to_pylist() == [{"a": "1", "b": None}, {"a": "3", "b": "4"}]


def test_crlf_and_bom(tmp_path):
    path = tmp_path / "w.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "지역,값\r\n춘천,1\r\n".encode())
    with open_reader(path) as r:
        assert (r.encoding, read_all(r).to_pylist()) == ("utf-8-sig", [{"지역": "춘천", "값": "1"}])


def test_tsv(tmp_path):
    path = write_csv(tmp_path / "t.tsv", [["지역", "주소"], ["춘천", "중앙로 1, 2층"]], delimiter="\t")
    with open_reader(path) as r:
        assert (r.format, r.delimiter, read_all(r).to_pylist()) == (
            "tsv",
            "\t",
            [{"지역": "춘천", "주소": "중앙로 1, 2층"}],
        )


def test_zero_byte_file(tmp_path):
    (tmp_path / "z.csv").write_bytes(b"")
    with pytest.raises(ReadError) as e:
        open_reader(tmp_path / "z.csv")
    assert e.value.code == "empty_file"


# --- XLSX ---


def test_xlsx_values_become_text_that_normalize_can_type(tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            ["2024년 춘천시 관광객 현황"],  # a title row above the header
            ["관광지", "우편번호", "방문객", "비율", "조사일"],
            ["소양강 스카이워크", "24232", 120000, 0.25, dt.datetime(2024, 5, 1)],
            ["김유정 문학촌", "24468", 35000.0, 0.5, dt.datetime(2024, 5, 2, 10, 30)],
            [None, None, None, None, None],  # formatted but empty rows are skipped
        ],
    )
    with open_reader(path) as r:
        rows = read_all(r).to_pylist()
    assert r.columns == ["관광지", "우편번호", "방문객", "비율", "조사일"]
    assert rows == [
        {
            "관광지": "소양강 스카이워크",
            "우편번호": "24232",
            "방문객": "120000",
            "비율": "0.25",
            "조사일": "2024-05-01",
        },
        {
            "관광지": "김유정 문학촌",
            "우편번호": "24468",
            "방문객": "35000",
            "비율": "0.5",
            "조사일": "2024-05-02 10:30:00",
        },
    ]
    assert any("title" in n for n in r.notes)


def test_xlsx_merged_header_is_refused_naming_the_cells(tmp_path):
    path = write_xlsx(
        tmp_path / "m.xlsx",
        [["행정구역", "인구", None], [None, "남", "여"], ["춘천시", 140000, 146000]],
        merged=["B1:C1", "A1:A2"],
    )
    with pytest.raises(ReadError) as e:
        open_reader(path)
    err = e.value
    assert (err.code, err.row) == ("merged_header", 1)
    assert set(err.detail["cells"]) == {"B1:C1", "A1:A2"}
    assert "B1:C1" in err.message and "A1:A2" in err.message


def test_xlsx_merged_title_above_the_header_is_fine(tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [["2024년 현황", None, None], ["지역", "남", "여"], ["춘천시", 140000, 146000]],
        merged=["A1:C1"],
    )
    with open_reader(path) as r:
        assert read_all(r).to_pylist() == [{"지역": "춘천시", "남": "140000", "여": "146000"}]


def test_xlsx_cell_beyond_the_header_is_a_ragged_row(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [["a", "b"], [1, 2], [3, 4, "메모"]])
    with pytest.raises(ReadError) as e, open_reader(path) as r:
        read_all(r)
    assert (e.value.code, e.value.row) == ("ragged_row", 3)


def test_xlsx_header_only(tmp_path):
    path = write_xlsx(tmp_path / "h.xlsx", [["a", "b"]])
    with pytest.raises(ReadError) as e, open_reader(path) as r:
        read_all(r)
    assert e.value.code == "no_rows"


def test_not_a_workbook(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ReadError) as e:
        open_reader(path)
    assert e.value.code == "bad_xlsx"


# --- JSON, JSON Lines ---


def test_json_array_with_differing_keys(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(
        json.dumps([{"이름": "봄내", "값": 1}, {"이름": "소양", "주소": {"시": "춘천"}}], ensure_ascii=False)
    )
    with open_reader(path) as r:
        assert read_all(r).to_pylist() == [
            {"이름": "봄내", "값": "1", "주소": None},
            {"이름": "소양", "값": None, "주소": '{"시": "춘천"}'},
        ]


def envelope(items, code="0000"):
    return {
        "response": {
            "header": {
                "resultCode": code,
                "resultMsg": "OK" if code == "0000" else "SERVICE_KEY_IS_NOT_REGISTERED_ERROR",
            },
            "body": {"items": items, "numOfRows": 10, "pageNo": 1, "totalCount": 2},
        }
    }


@pytest.mark.parametrize(
    ("items", "rows"),
    [
        ({"item": [{"title": "남이섬", "mapx": "127.52"}, {"title": "소양강댐", "mapx": "127.81"}]}, 2),
        ({"item": {"title": "남이섬", "mapx": "127.52"}}, 1),  # one item comes as an object
    ],
)
def test_data_go_kr_envelope(tmp_path, items, rows):
    path = tmp_path / "resp.json"
    path.write_text(json.dumps(envelope(items), ensure_ascii=False))
    with open_reader(path) as r:
        t = read_all(r)
    assert (t.num_rows, t.column_names) == (rows, ["title", "mapx"])


def test_data_go_kr_envelope_without_items_has_no_rows(tmp_path):
    path = tmp_path / "resp.json"
    path.write_text(json.dumps(envelope("")))
    with pytest.raises(ReadError) as e, open_reader(path) as r:
        read_all(r)
    assert e.value.code == "no_rows"


def test_saved_api_error_is_reported(tmp_path):
    path = tmp_path / "resp.json"
    path.write_text(json.dumps(envelope("", code="30")))
    with pytest.raises(ReadError) as e:
        open_reader(path)
    assert e.value.code == "api_error"
    assert "30" in e.value.message


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[\n{"a": 1},\n{"a": }\n]')
    with pytest.raises(ReadError) as e:
        open_reader(path)
    assert (e.value.code, e.value.row) == ("bad_json", 3)


def test_json_lines(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"이름": "봄내"}\n\n{"이름": "소양", "값": 2}\n', encoding="utf-8")
    with open_reader(path) as r:
        assert read_all(r).to_pylist() == [{"이름": "봄내", "값": None}, {"이름": "소양", "값": "2"}]


def test_json_lines_bad_line(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"a": 1}\n{"a": 2}\n{"a": \n', encoding="utf-8")
    with pytest.raises(ReadError) as e:
        open_reader(path)
    assert (e.value.code, e.value.row) == ("bad_json", 3)


# --- Parquet ---


def test_parquet_keeps_its_types(tmp_path):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"코드": ["01110"], "값": [1.5], "일자": [dt.date(2024, 5, 1)]}), path)
    with open_reader(path) as r:
        t = read_all(r)
    assert r.format == "parquet"
    assert t.schema.types == [pa.string(), pa.float64(), pa.date32()]
