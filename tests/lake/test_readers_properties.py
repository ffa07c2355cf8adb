"""Property-based tests of the CSV and XLSX readers: generated tables survive a round trip.

A table written the way a spreadsheet program writes it is read back cell for cell: text exactly, numbers
and dates as the text that ``normalize`` types, empty cells as None. Whatever else the reader meets, it
either reads or refuses with a ``ReadError`` naming the problem — never another exception.
"""

import csv
import datetime as dt
import math

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dongne.lake.errors import ReadError
from dongne.lake.io.readers import as_text, open_reader

from .samples import write_xlsx

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

# Examples write files, so keep them few; derandomized so that CI runs the same examples every time.
FILES = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text a cell can hold: Korean and Latin letters, digits, punctuation, spaces, line breaks. XML 1.0
# cannot hold most control characters, so neither can an .xlsx file; they are left out.
_TEXT_CHARS = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "S", "Zs"),
    include_characters="\n가나다춘천강원",
)
text_cells = st.text(_TEXT_CHARS, max_size=20)

# Column names: unique however DuckDB compares them (case-insensitively) and with no blanks around them,
# which the reader would trim.
names = st.lists(
    st.text(st.characters(categories=("L", "N"), include_characters="_가나다"), min_size=1, max_size=12),
    min_size=1,
    max_size=6,
    unique_by=lambda n: n.casefold(),
)


def read_all(path, **options):
    with open_reader(path, **options) as reader:
        table = pa.Table.from_batches(list(reader.batches(batch_rows=7)))
        return reader.columns, [list(row.values()) for row in table.to_pylist()]


@st.composite
def csv_tables(draw):
    header = draw(names)
    rows = draw(st.lists(st.lists(text_cells, min_size=len(header), max_size=len(header)), min_size=1))
    return header, rows


@FILES
@given(table=csv_tables())
def test_a_csv_table_reads_back_cell_for_cell(tmp_path, table):
    header, rows = table
    path = tmp_path / "t.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    columns, read = read_all(path, encoding="utf-8", delimiter=",", header=True)
    assert columns == header
    assert read == [[cell or None for cell in row] for row in rows]


# Cell values as openpyxl writes them. Text starting with "=" would be a formula, which has no value
# until Excel computes it; the reader's contract is about values, so formulas are not generated.
xlsx_values = st.one_of(
    st.none(),
    text_cells.filter(lambda s: not s.startswith("=")),
    st.integers(min_value=-(10**14), max_value=10**14),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
)


@st.composite
def xlsx_tables(draw):
    header = draw(names)
    rows = draw(st.lists(st.lists(xlsx_values, min_size=len(header), max_size=len(header)), min_size=1))
    return header, rows


def _expected(value):
    if isinstance(value, float):
        # Compared as numbers: a workbook has one number type, so 1e15 written as a float may come back
        # as the integer 1000000000000000 (both type to the same number in normalize).
        return value
    return as_text(value)


def _same(read, expected):
    if isinstance(expected, float):
        return read is not None and math.isclose(float(read), expected, rel_tol=1e-15)
    return read == expected


@FILES
@given(table=xlsx_tables())
def test_an_xlsx_table_reads_back_as_text_normalize_can_type(tmp_path, table):
    header, rows = table
    path = write_xlsx(tmp_path / "t.xlsx", [header, *rows])
    kept = [row for row in rows if any(as_text(v) is not None for v in row)]
    if not kept:
        with pytest.raises(ReadError) as e:
            read_all(path)
        assert e.value.code == "no_rows"
        return
    columns, read = read_all(path)
    assert columns == header
    assert len(read) == len(kept)
    for got_row, row in zip(read, kept, strict=True):
        assert len(got_row) == len(header)
        for got, value in zip(got_row, row, strict=True):
            assert _same(got, _expected(value)), (got, value)


@FILES
@given(data=st.binary(max_size=400), name=st.sampled_from(["x.csv", "x.tsv", "x.xlsx", "x.json"]))
def test_any_bytes_are_read_or_refused_with_a_read_error(tmp_path, data, name):
    path = tmp_path / name
    path.write_bytes(data)
    try:
        read_all(path)
    except ReadError:
        pass
