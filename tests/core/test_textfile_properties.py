"""Property-based tests of core.textfile, the reader behind the member register import.

Whatever a secretariat uploads, the reader gives a table or refuses with the platform's
ValidationError (a 400 with a message saying what to fix), never a server error; a table saved as CSV
in any of the encodings Korean offices use, or as XLSX, reads back as written.
"""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dongne.core.errors import ValidationError
from dongne.core.textfile import read_numbered_table

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

# Cell text: Hangul (what CP949 can encode), Latin letters, digits, spaces and some punctuation. The
# delimiters the reader sniffs for (, tab ; |) and quotes stay out of cells: a delimiter is guessed
# from the text, and text full of another candidate is a different table by design.
cell_text = st.text(
    alphabet=st.sampled_from(list("가나다라마바사아자차카타파하춘천강원 ABCabc0123456789.-()·@/")),
    max_size=12,
)
header_text = cell_text.map(str.strip).filter(bool)


@st.composite
def tables(draw):
    width = draw(st.integers(min_value=2, max_value=5))
    header = draw(st.lists(header_text, min_size=width, max_size=width, unique=True))
    rows = draw(st.lists(st.lists(cell_text, min_size=width, max_size=width), min_size=1, max_size=8))
    return header, rows


def as_csv(rows, encoding):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


@PROPERTY
@given(table=tables(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp949"]))
def test_a_csv_table_reads_back_in_every_office_encoding(table, encoding):
    header, rows = table
    read_header, numbered, found = read_numbered_table(as_csv([header, *rows], encoding), "회원명부.csv")
    assert read_header == header
    assert found == encoding
    kept = [(n, row) for n, row in enumerate(rows, start=2) if any(c.strip() for c in row)]
    assert numbered == kept  # blank rows dropped, numbers as the spreadsheet shows them


@PROPERTY
@given(table=tables())
def test_an_xlsx_table_reads_back(table):
    from openpyxl import Workbook

    header, rows = table
    book = Workbook()
    for row in [header, *rows]:
        book.active.append([cell or None for cell in row])
    out = io.BytesIO()
    book.save(out)
    read_header, numbered, found = read_numbered_table(out.getvalue(), "회원명부.xlsx")
    assert (read_header, found) == (header, "xlsx")
    kept = [(n, row) for n, row in enumerate(rows, start=2) if any(c.strip() for c in row)]
    assert [(n, [str(c) for c in row]) for n, row in numbered] == kept


@PROPERTY
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.binary(max_size=300).map(lambda b: b"\xef\xbb\xbf" + b),
        st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b),
        st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    ),
    filename=st.sampled_from(["a.csv", "a.tsv", "a.txt", "a.xlsx", "a", "a.pdf", ""]),
)
def test_any_upload_is_a_table_or_a_validation_error(data, filename):
    try:
        header, numbered, _encoding = read_numbered_table(data, filename)
    except ValidationError as exc:
        assert exc.code in {"bad_encoding", "bad_file", "bad_file_type", "empty_file"}
        return
    assert isinstance(header, list) and all(isinstance(c, str) for c in header)


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf\xff\xfe", b"\xef\xbb\xbf\xed\xa0\x80"])
def test_a_bom_followed_by_bytes_that_are_not_utf8_is_an_encoding_error(data):
    with pytest.raises(ValidationError) as exc:
        read_numbered_table(data, "members.csv")
    assert exc.value.code == "bad_encoding"
