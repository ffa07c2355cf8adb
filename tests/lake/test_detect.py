"""Detection: format, encoding, delimiter, header and column names — what a user's file turns out to be."""

import codecs

import pytest

from dongne.lake.errors import ReadError
from dongne.lake.io.detect import (
    TextDecoder,
    detect_encoding,
    detect_format,
    detect_header,
    sniff_delimiter,
    sniff_text,
    unique_names,
)

from .samples import TOURIST_CP949, write_csv

KOREAN = "관광지명,위도\n춘천 소양강 스카이워크,37.89\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (KOREAN.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + KOREAN.encode("utf-8"), "utf-8-sig"),
        (KOREAN.encode("cp949"), "cp949"),
        (KOREAN.encode("euc-kr"), "cp949"),  # EUC-KR is a subset of CP949
        (KOREAN.encode("utf-16"), "utf-16"),
        (b"a,b\n1,2\n", "ascii"),  # decided later, at the first non-ASCII byte
    ],
)
def test_encoding_is_detected(data, expected):
    assert detect_encoding(data, complete=True) == expected


def test_real_public_data_file_is_cp949():
    assert detect_encoding(TOURIST_CP949.read_bytes()[: 1 << 20], complete=True) == "cp949"


def test_undecodable_bytes_name_the_line():
    data = "이름\n가\n".encode() + b"\xff\xfe\xfd\n"
    with pytest.raises(ReadError) as e:
        detect_encoding(data, complete=True)
    assert (e.value.code, e.value.row) == ("bad_encoding", 3)


def test_utf8_with_cp949_pasted_in_is_not_taken_for_cp949():
    # Valid UTF-8 Hangul usually also decodes as (wrong) CP949; the file is refused at the switch instead.
    data = "id,city\n1,춘천시\n2,원주시\n".encode() + "3,강릉시\n".encode("cp949")
    with pytest.raises(ReadError) as e:
        detect_encoding(data, complete=True)
    assert (e.value.code, e.value.row) == ("bad_encoding", 4)


def test_a_file_that_switches_encoding_fails_on_the_line_where_it_switches(tmp_path):
    path = tmp_path / "mixed.csv"
    utf8 = "".join(f"{i},춘천\n" for i in range(1, 2001)).encode()
    path.write_bytes(b"id,city\n" + utf8 + "2001,강릉\n".encode("cp949"))
    with pytest.raises(ReadError) as e:
        for _ in TextDecoder(path, "utf-8", chunk_bytes=4096):
            pass
    assert (e.value.code, e.value.row) == ("bad_encoding", 2002)


def test_a_character_split_between_chunks_is_decoded_whole(tmp_path):
    path = tmp_path / "k.csv"
    text = "지역,값\n" + "강원특별자치도 춘천시,1\n" * 50
    path.write_bytes(text.encode("cp949"))
    decoded = "".join(TextDecoder(path, "cp949", chunk_bytes=7))  # 7 bytes: most chunks end mid-character
    assert decoded == text


def test_ascii_start_settles_on_cp949_when_korean_appears_late(tmp_path):
    path = tmp_path / "late.csv"
    path.write_bytes(b"code,name\n" + b"1,a\n" * 3000 + "2,춘천\n".encode("cp949"))
    decoder = TextDecoder(path, "ascii", chunk_bytes=1024)
    text = "".join(decoder)
    assert decoder.encoding == "cp949"
    assert text.endswith("2,춘천\n")


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("data.csv", b"a,b\n", "csv"),
        ("data.tsv", b"a\tb\n", "tsv"),
        ("renamed.csv", b"PAR1\x15\x04", "parquet"),  # magic bytes win over the name
        ("book.xlsx", b"PK\x03\x04", "xlsx"),
        ("items.json", b'[{"a": 1}]', "json"),
        ("items.json", b'{"a": 1}\n{"a": 2}\n', "jsonl"),
        ("resp.json", b'{\n "response": {"header": {}}\n}', "json"),
        ("noext", b'{"a": 1}\n{"a": 2}\n', "jsonl"),
    ],
)
def test_format_is_detected(tmp_path, name, head, expected):
    assert detect_format(tmp_path / name, head) == expected


def test_old_xls_is_refused_with_advice(tmp_path):
    with pytest.raises(ReadError) as e:
        detect_format(tmp_path / "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1")
    assert e.value.code == "unsupported_format"
    assert ".xlsx" in e.value.message


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_delimiter_is_detected(delimiter):
    lines = [delimiter.join(["이름", "주소", "값"]) + "\n"] + [
        delimiter.join(["봄내", '"춘천시, 중앙로 1"' if delimiter == "," else "춘천시, 중앙로 1", "3"]) + "\n"
    ] * 5
    assert sniff_delimiter(lines) == delimiter


def test_header_is_detected_over_numeric_data():
    rows = [["시군구", "인구"], ["춘천시", "286000"], ["강릉시", "211000"]]
    assert detect_header(rows) is True


def test_a_file_of_numbers_has_no_header():
    rows = [["1", "2024-01-01", "3.5"], ["2", "2024-01-02", "4.5"], ["3", "2024-01-03", "5.5"]]
    assert detect_header(rows) is False


def test_year_column_names_are_a_header():
    rows = [["시군구", "2021", "2022"], ["춘천시", "281000", "286000"], ["강릉시", "213000", "211000"]]
    assert detect_header(rows) is True


def test_empty_and_repeated_names_are_made_unique_with_a_note():
    names, notes = unique_names(["이름", "", "이름", " 값 ", "Name", "name", "이름_2"])
    assert names == ["이름", "열2", "이름_2", "값", "Name", "name_2", "이름_2_2"]
    assert len(notes) == 4
    assert any("열2" in n for n in notes)


def test_korean_names_are_kept_exactly():
    names, notes = unique_names(["관광지명", "소재지도로명주소", "위도", "면적(㎡)"])
    assert names == ["관광지명", "소재지도로명주소", "위도", "면적(㎡)"]
    assert notes == []


def test_sniff_reads_the_real_file():
    d = sniff_text(TOURIST_CP949)
    assert (d.encoding, d.delimiter, d.header, d.complete) == ("cp949", ",", True, True)
    assert d.columns[:5] == ["관광지명", "관광지구분", "소재지도로명주소", "소재지지번주소", "위도"]
    assert len(d.columns) == 22


def test_sniff_tsv_with_headerless_numbers(tmp_path):
    path = write_csv(tmp_path / "n.tsv", [["1", "2.5"], ["2", "3.5"], ["3", "4.5"]], delimiter="\t")
    d = sniff_text(path, tsv=True)
    assert (d.delimiter, d.header, d.columns) == ("\t", False, ["열1", "열2"])


def test_header_only_file_has_no_rows(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("관광지명,위도\n", encoding="utf-8")
    with pytest.raises(ReadError) as e:
        sniff_text(path)
    assert e.value.code == "no_rows"


@pytest.mark.parametrize("content", [b"", b"\n\n", codecs.BOM_UTF8])
def test_empty_file(tmp_path, content):
    path = tmp_path / "e.csv"
    path.write_bytes(content)
    with pytest.raises(ReadError) as e:
        sniff_text(path)
    assert e.value.code == "empty_file"
