"""Property-based tests: the Korean date and amount parsers take anything and answer with a value or a
ValueError saying what to write (forms and imports show it), never another exception.

tests/core/test_korean.py has the round trips (every date in every common form, comma-grouped
amounts, 억/만 combinations); these add arbitrary input, as a spreadsheet cell or a feed can hold it.
"""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from dongne.core.korean import parse_amount, parse_korean_date

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True)

# Text near the accepted forms (digits, separators, units) as well as anything at all.
near_text = st.text(alphabet=st.sampled_from(list("0123456789.-/ 년월일조억만천백원₩,+KRW:T٣")), max_size=20)
cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and infinities included: a JSON feed or a float cell can carry them
    st.text(max_size=20),
    near_text,
    st.dates(),
    st.datetimes(),
    st.decimals(allow_nan=True),
)


@PROPERTY
@given(value=cell_values)
def test_a_date_or_a_value_error(value):
    try:
        parsed = parse_korean_date(value)
    except ValueError as exc:
        assert str(exc)
        return
    assert isinstance(parsed, dt.date) and not isinstance(parsed, dt.datetime)


@PROPERTY
@given(value=cell_values)
def test_an_amount_or_a_value_error(value):
    try:
        parsed = parse_amount(value)
    except ValueError as exc:
        assert str(exc)
        return
    assert isinstance(parsed, int) and not isinstance(parsed, bool)
