"""Regional analyses: tidy tables computed with Ibis over the insights datasets (skeleton; see docs/insights.md).

Every function returns a :class:`Table` and takes keyword-only ``sources`` (dataset slug → Parquet paths; the
datahub's current versions when None), ``k`` (the suppression threshold; ``settings.INSIGHTS_MIN_COUNT`` when None)
and ``engine`` (``"duckdb"`` by default, ``"spark"``, or an Engine).

Output columns (stable; every table also has ``suppressed`` (bool): a count below k in the row was nulled):
- trend: period (date: the day, the week's Monday or the month's 1st), [visitor_type, visitor_type_label |
  area_code, area_name], visitors, days, moving_average
- year_over_year: year, period (month 1-12 or ISO week), period_start (date), visitors, previous_year, change_pct
- festival_impact: metric (visitors|spending), during, baseline, control_during, control_baseline, uplift_pct,
  ci_low_pct, ci_high_pct, extra_per_day, extra_total, days, baseline_days;
  meta: festival {...}, control_areas [...], method, series (a Table: date, phase before|during|after,
  baseline_day, visitors, control_visitors, spending, control_spending)
- visitor_mix: [area_code, area_name,] visitor_type, visitor_type_label, visitors, share (0-1)
- spend_per_visitor: industry | area_code, area_name | period; amount, transactions, visitors, per_visitor,
  avg_ticket, share
- hotspots: rank, area_code, area_name, level, visitors, visitors_per_day, previous_visitors, growth_pct,
  attractions
- seasonality: area_code, area_name, kind (month|weekday), key, label, visitors_per_day, index
- keyword_trends (rising terms): rank, term, count, previous, growth, examples (list of sentences);
  meta: period, previous_period, frequency (a Table: month, area_code, area_name, term, count)
- opportunities: area_code, area_name, industry, month, visitors, amount, per_visitor, benchmark_per_visitor,
  gap, datasets
- area_totals (for the maps): area_code, area_name, level, visitors, visitors_per_day, local, other, foreign
- festivals: festival_id, name, area_code, area_name, start_date, end_date, place, days
- attractions: attraction_id, name, area_code, area_name, latitude, longitude, category
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

VISITOR_TYPES = ("local", "other", "foreign")
INDUSTRIES = ("식음료", "숙박", "레저·스포츠", "쇼핑", "문화·관광", "운송")


@dataclass(frozen=True)
class Filters:
    """What to analyse. ``areas``: area codes (empty: every area; see each analysis for the default level);
    ``level``: ``"sigungu"`` (5-digit codes) or ``"emd"`` (7-digit) when ``areas`` is empty."""

    start: dt.date | None = None
    end: dt.date | None = None
    areas: Sequence[str] = ()
    visitor_types: Sequence[str] = ()
    industries: Sequence[str] = ()
    level: str | None = None


@dataclass
class Table:
    """A tidy result: ``columns`` ``[{"name", "type", "label"}]``, ``rows`` (dicts), ``meta``."""

    columns: list[dict[str, str]]
    rows: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_csv(self) -> str:
        raise NotImplementedError


def trend(
    filters=None, grain="day", by=None, moving_average=7, *, sources=None, k=None, engine=None
) -> Table:
    raise NotImplementedError


def year_over_year(filters=None, grain="month", *, sources=None, k=None, engine=None) -> Table:
    raise NotImplementedError


def festival_impact(
    festival_id, filters=None, *, weeks=3, resamples=2000, seed=2018, sources=None, k=None, engine=None
) -> Table:
    raise NotImplementedError


def visitor_mix(filters=None, *, by=None, sources=None, k=None, engine=None) -> Table:
    raise NotImplementedError


def spend_per_visitor(filters=None, by="industry", *, sources=None, k=None, engine=None) -> Table:
    raise NotImplementedError


def hotspots(filters=None, top=10, *, sources=None, k=None, engine=None) -> Table:
    raise NotImplementedError


def seasonality(filters=None, *, sources=None, k=None, engine=None) -> Table:
    raise NotImplementedError


def keyword_trends(
    filters=None, top=20, *, min_support=None, examples=2, sources=None, k=None, engine=None
) -> Table:
    raise NotImplementedError


def opportunities(filters=None, top=10, *, sources=None, k=None, engine=None) -> Table:
    raise NotImplementedError


def area_totals(filters=None, *, sources=None, k=None, engine=None) -> Table:
    raise NotImplementedError


def festivals(filters=None, *, sources=None, k=None, engine=None) -> Table:
    raise NotImplementedError


def attractions(filters=None, *, sources=None, k=None, engine=None) -> Table:
    raise NotImplementedError
