"""Property-based test of the insights query-parameter parser (``selectors.parse_filters``).

The public dashboards and /api/v1/insights/ read their filters from the query string: any mix of
parameters and values gives filters or a ValidationError naming the parameter (a 400), never another
exception; well-formed periods and areas come through as given.
"""

import datetime as dt

from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from dongne.core.errors import ValidationError
from dongne.core.regions import CHUNCHEON, emd, sigungu
from dongne.insights import analyses
from dongne.insights.selectors import parse_filters

PROPERTY = settings(max_examples=150, deadline=None, derandomize=True)

NAMES = ["start", "end", "area", "visitor_type", "industry", "level", "other"]
values = st.one_of(
    st.text(max_size=15),
    st.dates().map(str),
    st.dates().map(lambda d: d.strftime("%Y.%m.%d")),
    st.sampled_from([CHUNCHEON, "32010,32020", "local", "foreign", "sigungu", "emd", "9999-99-99", ""]),
    st.sampled_from(sorted(emd())[:20]),
    st.sampled_from(list(analyses.INDUSTRIES)),
)


def as_query(pairs):
    query = QueryDict(mutable=True)
    for name, value in pairs:
        query.appendlist(name, value)
    return query


@PROPERTY
@given(pairs=st.lists(st.tuples(st.sampled_from(NAMES), values), max_size=8))
def test_any_query_string_gives_filters_or_a_validation_error(pairs):
    try:
        filters = parse_filters(as_query(pairs))
    except ValidationError as exc:
        assert exc.errors and set(exc.errors) <= set(NAMES) | {"__all__"}
        return
    assert isinstance(filters, analyses.Filters)
    if filters.start and filters.end:
        assert filters.start <= filters.end
    assert set(filters.areas) <= set(sigungu()) | set(emd())


@PROPERTY
@given(
    period=st.lists(
        st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)), min_size=2, max_size=2
    ),
    areas=st.lists(st.sampled_from(sorted(sigungu())), max_size=3, unique=True),
)
def test_a_well_formed_period_and_areas_come_through(period, areas):
    start, end = sorted(period)
    filters = parse_filters(
        as_query([("start", start.isoformat()), ("end", end.isoformat())] + [("area", a) for a in areas])
    )
    assert (filters.start, filters.end, filters.areas) == (start, end, tuple(areas))
