"""Type inference over whole columns and strict casts, in DuckDB."""

import datetime as dt

import duckdb
import pyarrow as pa
import pytest

from dongne.lake import normalize
from dongne.lake.sqlutil import connect


@pytest.fixture
def con():
    c = connect(threads=1)
    yield c
    c.close()


def typed(con, values: dict[str, list]):
    """(types, rows) after inferring and casting the given text columns."""
    con.register("src", pa.table({k: pa.array(v, pa.string()) for k, v in values.items()}))
    inferred = normalize.infer_types(con, "src", list(values))
    rows = con.execute(f"SELECT {normalize.select_list(list(values), inferred.types)} FROM src").fetchall()
    return inferred, rows


@pytest.mark.parametrize(
    ("values", "type_", "expected"),
    [
        (["1,234", "1,234원", "-5", "+7", " 12 "], "integer", [1234, 1234, -5, 7, 12]),
        (["1,234.5", "36.5695076", ".5", "1e3", "12원"], "double", [1234.5, 36.5695076, 0.5, 1000.0, 12.0]),
        (
            ["2024-05-01", "2024.05.01", "20240501", "2024/5/1", "2024. 5. 1."],
            "date",
            [dt.date(2024, 5, 1)] * 5,
        ),
        (["1760-01-01", "2022-04-22"], "date", [dt.date(1760, 1, 1), dt.date(2022, 4, 22)]),
        (
            ["2024-05-01 10:30", "2024-05-02"],
            "timestamp",
            [dt.datetime(2024, 5, 1, 10, 30), dt.datetime(2024, 5, 2)],
        ),
    ],
)
def test_unambiguous_columns_are_typed(con, values, type_, expected):
    inferred, rows = typed(con, {"값": values})
    assert inferred.types == {"값": type_}
    assert [r[0] for r in rows] == expected


@pytest.mark.parametrize(
    "values",
    [
        ["1,234", "1,234", "없음"],  # one word keeps the column text
        ["1,23", "4,56"],  # badly placed separators: a list, not thousands
        ["2024-05-01", "2024-13-01"],  # no 13th month: not a date column (and not a number)
        ["1.5", "2024-05-01"],  # numbers and dates mixed
    ],
)
def test_a_column_with_any_value_that_does_not_fit_stays_text_unchanged(con, values):
    inferred, rows = typed(con, {"값": values})
    assert inferred.types == {"값": "text"}
    assert [r[0] for r in rows] == values  # nothing nulled, nothing rewritten


def test_the_reason_a_nearly_numeric_column_stays_text_is_noted(con):
    inferred, _ = typed(con, {"수용인원수": ["5174"] * 20 + ["-"]})
    assert inferred.types == {"수용인원수": "text"}
    assert inferred.notes == ["'수용인원수' stays text: 1 of 21 values are not numbers (e.g. '-')."]


def test_an_8_digit_number_that_is_not_a_date_is_a_number(con):
    inferred, rows = typed(con, {"금액": ["20240501", "12345678"]})
    assert inferred.types == {"금액": "integer"}
    assert [r[0] for r in rows] == [20240501, 12345678]


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("행정구역", ["01110", "42110"]),  # leading zeros
        ("값", ["0012", "13"]),
        ("제공기관코드", ["4180000", "4181000"]),  # by name: a code, not a quantity
        ("법정동", ["5111010100"]),
        ("우편번호", ["24232"]),
        ("sigungu_code", ["110"]),
        ("관리기관전화번호", ["0335"]),
    ],
)
def test_code_columns_stay_text_and_keep_leading_zeros(con, name, values):
    inferred, rows = typed(con, {name: values})
    assert inferred.types == {name: "text"}
    assert [r[0] for r in rows] == values


def test_leading_zero_is_noted(con):
    inferred, _ = typed(con, {"값": ["0012", "13"]})
    assert "leading zeros" in inferred.notes[0]


def test_zero_and_decimals_below_one_are_numbers_not_codes(con):
    inferred, rows = typed(con, {"비율": ["0", "0.25", "0.5"]})
    assert inferred.types == {"비율": "double"}


@pytest.mark.parametrize("blank", ["", " ", "   ", "\t", "\u3000", "\u00a0"])
def test_empty_and_blank_cells_are_null(con, blank):
    inferred, rows = typed(con, {"수": ["1", blank, None], "이름": ["봄내", blank, None]})
    assert inferred.types == {"수": "integer", "이름": "text"}
    assert rows == [(1, "봄내"), (None, None), (None, None)]


def test_an_all_empty_column_has_no_type_yet(con):
    inferred, rows = typed(con, {"비고": [None, " ", ""]})
    assert inferred.types == {"비고": None}
    assert rows == [(None,), (None,), (None,)]


def test_korean_column_names_with_quotes_and_spaces(con):
    inferred, rows = typed(con, {'면적 "㎡"': ["1,000"], "it's": ["2"]})
    assert inferred.types == {'면적 "㎡"': "integer", "it's": "integer"}
    assert rows == [(1000, 2)]


@pytest.mark.parametrize(
    ("type_", "bad"),
    [
        ("integer", "1.5"),
        ("integer", "99999999999999999999"),
        ("double", "abc"),
        ("date", "2024-02-30"),
        ("date", "24-05-01"),
    ],
)
def test_strict_cast_refuses_a_value_instead_of_nulling_it(con, type_, bad):
    con.register(
        "src", pa.table({"a": ["1", "2"], "b": pa.array(["2024-01-01" if type_ == "date" else "1", bad])})
    )
    with pytest.raises(duckdb.Error) as e:
        con.execute(
            f"SELECT {normalize.select_list(['a', 'b'], {'a': 'integer', 'b': type_})} FROM src"
        ).fetchall()
    assert normalize.cast_failure(e.value) == 1  # the index of the column at fault


@pytest.mark.parametrize(
    ("duck", "lake"),
    [
        ("BIGINT", "integer"),
        ("DOUBLE", "double"),
        ("DECIMAL(18,3)", "double"),
        ("DATE", "date"),
        ("TIMESTAMP WITH TIME ZONE", "timestamp"),
        ("BOOLEAN", "boolean"),
        ("VARCHAR", "text"),
        ("STRUCT(a INTEGER)", "other"),
    ],
)
def test_logical_types(duck, lake):
    assert normalize.logical_type(duck) == lake


# --- the cheap casts for a column's usual spelling never disagree with the general cast ---

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SPELLINGS = st.lists(
    st.one_of(
        st.text("0123456789,.-/원 +e\t\u3000", max_size=14),
        st.from_regex(r"[+-]?\d{1,4}(,\d{1,4}){0,3}(\.\d{0,3})?원?", fullmatch=True),
        st.from_regex(r"(19|20|24|99)\d{2}[-./]? ?\d{1,3}[-./]? ?\d{1,3}\.?", fullmatch=True),
        st.from_regex(r"(19|20)\d{6,7}", fullmatch=True),
    ),
    min_size=1,
    max_size=40,
)


@pytest.mark.parametrize(
    ("type_", "shape"),
    [("integer", "grouped"), ("double", "grouped")]
    + [("date", form) for form in ("iso", "dots", "slashes", "compact")],
)
@settings(max_examples=150, deadline=None)
@given(values=_SPELLINGS)
def test_a_shaped_cast_takes_what_the_general_cast_takes_and_nothing_else(type_, shape, values):
    with connect(threads=1) as con:
        con.register("src", pa.table({"v": pa.array(values, pa.string())}))
        rows = con.execute(
            f"SELECT v, {normalize.fit_expression('v', type_)}, {normalize.fit_expression('v', type_, shape)} "
            "FROM src"
        ).fetchall()
    for value, general, shaped in rows:
        assert shaped == general, (value, general, shaped)


def test_the_usual_spelling_is_found_on_the_sample(con):
    inferred, rows = typed(
        con,
        {
            "매출액": ["12,300원", "900원", "1,000원"],
            "방문자수": ["1,234", "7", "2,999"],
            "기준일": ["2024.05.01", "2024.5.2", "2024-05-03"],
            "등록일": ["20240501", "20240502", "2024-05-03"],
            "개업일": ["2024-05-01", "2024. 5. 1.", "2024/5/1"],  # no spelling is most: no shape
        },
    )
    assert inferred.shapes == {
        "매출액": "grouped",
        "방문자수": "grouped",
        "기준일": "dots",
        "등록일": "compact",
    }
    assert rows[0] == (12300, 1234, dt.date(2024, 5, 1), dt.date(2024, 5, 1), dt.date(2024, 5, 1))
