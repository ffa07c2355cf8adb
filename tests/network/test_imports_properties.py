"""Property-based tests of the member register's import mapping and its CSV export guard.

Any spreadsheet row — text, numbers, dates, blanks, under any mix of known and unknown headers — maps
to service data plus field errors (reported per row), never an exception; and text the export guards
against Excel formulas comes back unchanged when the file is imported again.
"""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from dongne.network.imports import COLUMNS, _cell, _csv_text, map_row, parse_rows

PROPERTY = settings(max_examples=150, deadline=None, derandomize=True)

known_headers = [ko for _f, ko, _en in COLUMNS] + [en for _f, _ko, en in COLUMNS]
headers = st.lists(
    st.one_of(st.sampled_from(known_headers), st.text(max_size=8)), min_size=1, max_size=12, unique=True
)
cells = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.sampled_from(
        ["Y", "N", "예", "x", "생산자", "조합원 생산자", "활동", "신청", "탈퇴", "춘천시", "강원도 춘천시"]
    ),
    st.sampled_from(["2024-03-01", "2024.3.1", "2024년 3월 1일", "20240301", "2024-02-30", "미정"]),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.datetimes(),
)


@PROPERTY
@given(header=headers, rows=st.lists(st.lists(cells, max_size=14), max_size=5))
def test_any_row_maps_to_data_and_field_errors(header, rows):
    numbered = list(enumerate(rows, start=2))
    for number, raw in parse_rows(header, numbered):
        assert number >= 2
        assert all(isinstance(v, str) for v in raw.values())
        data, membership, errors = map_row(raw)
        assert isinstance(data, dict) and isinstance(errors, dict)
        assert all(isinstance(message, str) and message for message in errors.values())
        if membership is not None:
            joined = membership["joined_on"]
            assert joined is None or isinstance(joined, dt.date)


# Text as people type it, with the starts that matter biased in: formula characters and apostrophes.
guarded_text = st.builds(
    lambda start, rest: start + rest,
    st.sampled_from(["", "'", "''", "=", "'=", "''=", "+", "-", "@", "'@", "\t", "\r", " ", " ="]),
    st.text(max_size=30),
)


@PROPERTY
@given(text=guarded_text)
def test_text_the_export_guards_against_formulas_imports_back_unchanged(text):
    assert _cell(_csv_text(text)) == text.strip()
