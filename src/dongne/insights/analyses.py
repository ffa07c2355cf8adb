"""Regional analyses: tidy tables computed with Ibis over the insights datasets (docs/insights.md).

Every analysis is an Ibis expression over a dataset version's Parquet files, executed by a lake engine — DuckDB
in-process by default, Spark unchanged (``engine="spark"``). Only the small aggregated result comes back to Python,
where ratios, the festival bootstrap and privacy suppression are applied.

Every function returns a :class:`Table` and takes, keyword-only:

- ``sources``: ``{dataset slug: [parquet paths]}``; None → the datahub's current versions
  (:func:`dongne.insights.selectors.current_sources`, which needs Django);
- ``k``: the suppression threshold; None → ``settings.INSIGHTS_MIN_COUNT``;
- ``engine``: ``"duckdb"`` (default), ``"spark"`` or a :class:`~dongne.lake.engines.Engine`.

Plain Python otherwise (no Django import at module level), so the benchmark and tests call it with explicit
``sources`` and ``k``.

**Areas.** The visitor and spending tables hold both levels: 시군구 (5-digit codes, 춘천시 included) and
Chuncheon's 읍면동 (7-digit). Analyses that add areas together (trend, year_over_year, visitor_mix,
spend_per_visitor without ``by="area"``) would count Chuncheon twice, so with no ``areas`` they use
``filters.level`` or else the 시군구 level (Gangwon as a whole). Per-area analyses (area_totals, seasonality,
``by="area"``) return every area unless ``areas`` or ``level`` narrow them; hotspots and opportunities rank within
one level (읍면동 unless ``level`` says otherwise). For reviews, attractions and festivals a 시군구 code also
matches the 읍면동 inside it.

**Privacy.** Every count below k (visitors, transactions, review counts) is published as null, and so is every
value computed from it (a share, a moving average whose window holds it, a growth rate); the row's ``suppressed``
column says so and ``meta["suppressed_rows"]`` counts them. This is primary suppression: totals are published
when they reach k even if one of their parts did not.

Output columns (stable; every table also has ``suppressed``):

- trend: period (date: the day, the week's Monday or the month's 1st), [visitor_type, visitor_type_label |
  area_code, area_name], visitors, days, moving_average
- year_over_year: year, period (month 1–12, ISO week or day of year), period_start (date), visitors,
  previous_year, change_pct
- festival_impact: metric (visitors|spending), during, baseline, control_during, control_baseline, uplift_pct,
  ci_low_pct, ci_high_pct, extra_per_day, extra_total, extra_ci_low, extra_ci_high (the interval of
  extra_per_day), days, baseline_days;
  meta: festival {...}, control_areas [...], method, series (a Table: date, phase before|during|after,
  baseline_day, visitors, control_visitors, spending, control_spending)
- visitor_mix: [area_code, area_name,] visitor_type, visitor_type_label, visitors, share (0–1)
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

import csv
import datetime as dt
import functools
import io
import math
import re
import statistics
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis

from dongne.lake.engines import get_engine
from dongne.lake.query import json_safe

from .generate import HOLIDAYS, INDUSTRIES, SLUGS, VISITOR_TYPES


def gettext_noop(message: str) -> str:
    """Marks a label for extraction (makemessages knows this name) without importing Django here: labels are
    English msgids, translated where a request's language is known (insights.selectors.localise)."""
    return message


__all__ = [
    "ANALYSES",
    "INDUSTRIES",
    "LEVELS",
    "VISITOR_TYPES",
    "VISITOR_TYPE_LABELS",
    "AnalysisError",
    "Filters",
    "Table",
    "area_totals",
    "attractions",
    "festival_impact",
    "festivals",
    "hotspots",
    "keyword_trends",
    "opportunities",
    "seasonality",
    "spend_per_visitor",
    "suppress",
    "trend",
    "visitor_mix",
    "year_over_year",
]

VISITOR_TYPE_LABELS = {
    "local": gettext_noop("Local residents"),
    "other": gettext_noop("Visitors from other regions"),
    "foreign": gettext_noop("Foreign visitors"),
}
LEVELS = {"sigungu": 5, "emd": 7}
GRAINS = ("day", "week", "month")
WEEKDAY_LABELS = (
    gettext_noop("Mon"),
    gettext_noop("Tue"),
    gettext_noop("Wed"),
    gettext_noop("Thu"),
    gettext_noop("Fri"),
    gettext_noop("Sat"),
    gettext_noop("Sun"),
)
MONTH_LABELS = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)


class AnalysisError(ValueError):
    """A request the analyses cannot answer: ``code`` says why, ``param`` names the parameter at fault."""

    def __init__(self, message: str, *, code: str, param: str | None = None, value: Any = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.value = value


# ---------------------------------------------------------------------------------------------------------------
# Filters and results
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What to analyse. ``start``/``end``: inclusive dates (None: open). ``areas``: area codes (empty: see the
    module docstring for each analysis' default). ``visitor_types``: of ``local other foreign``; ``industries``: of
    :data:`INDUSTRIES`; ``level``: ``"sigungu"`` or ``"emd"``, used when ``areas`` is empty."""

    start: dt.date | None = None
    end: dt.date | None = None
    areas: Sequence[str] = ()
    visitor_types: Sequence[str] = ()
    industries: Sequence[str] = ()
    level: str | None = None

    def __post_init__(self):
        for name in ("areas", "visitor_types", "industries"):
            value = getattr(self, name) or ()
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(dict.fromkeys(str(v) for v in value)))
        for name in ("start", "end"):
            value = getattr(self, name)
            if isinstance(value, dt.datetime):
                object.__setattr__(self, name, value.date())
            elif value is not None and not isinstance(value, dt.date):
                raise AnalysisError(f"{name} must be a date.", code="invalid_date", param=name, value=value)
        if self.start and self.end and self.end < self.start:
            raise AnalysisError("end is before start.", code="invalid_period", param="end", value=self.end)
        bad = [v for v in self.visitor_types if v not in VISITOR_TYPES]
        if bad:
            raise AnalysisError(
                f"Unknown visitor type {bad[0]!r}; use {', '.join(VISITOR_TYPES)}.",
                code="invalid_visitor_type",
                param="visitor_type",
                value=bad[0],
            )
        bad = [v for v in self.industries if v not in INDUSTRIES]
        if bad:
            raise AnalysisError(
                f"Unknown industry {bad[0]!r}; use {', '.join(INDUSTRIES)}.",
                code="invalid_industry",
                param="industry",
                value=bad[0],
            )
        if self.level not in (None, *LEVELS):
            raise AnalysisError(
                f"Unknown level {self.level!r}; use sigungu or emd.",
                code="invalid_level",
                param="level",
                value=self.level,
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "areas": list(self.areas),
            "visitor_types": list(self.visitor_types),
            "industries": list(self.industries),
            "level": self.level,
        }


@dataclass
class Table:
    """A tidy result. ``columns``: ``[{"name", "type", "label"}]`` (type: ``date string integer number boolean
    list``; ``label`` an English msgid, translated by selectors.localise); ``rows``: one dict per row; ``meta``: what was computed and how (may hold other
    Tables, e.g. a festival's daily series)."""

    columns: list[dict[str, str]]
    rows: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [c["name"] for c in self.columns]

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe: dates as ISO strings, NaN as null, nested Tables as dicts."""
        return {
            "columns": self.columns,
            "rows": [{name: json_safe(row.get(name)) for name in self.names} for row in self.rows],
            "meta": _json_meta(self.meta),
        }

    def to_csv(self) -> str:
        """CSV text beginning with a UTF-8 byte-order mark (so Excel opens Hangul correctly); suppressed values are
        empty cells, lists are joined with `` / ``."""
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.names)
        for row in self.rows:
            writer.writerow([_csv_value(row.get(name)) for name in self.names])
        return out.getvalue()


def _json_meta(value):
    if isinstance(value, Table):
        return value.as_dict()
    if isinstance(value, Mapping):
        return {str(k): _json_meta(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_meta(v) for v in value]
    return json_safe(value)


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return " / ".join(str(_csv_value(v)) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return "" if not math.isfinite(value) else repr(value)
    return value


_LABELS = {  # English msgids; the Django layer translates them (insights.selectors.localise)
    "period": gettext_noop("Period"),
    "visitor_type": gettext_noop("Visitor type"),
    "visitor_type_label": gettext_noop("Type"),
    "area_code": gettext_noop("Area code"),
    "area_name": gettext_noop("Area"),
    "level": gettext_noop("Level"),
    "visitors": gettext_noop("Visitors"),
    "days": gettext_noop("Days"),
    "moving_average": gettext_noop("Moving average"),
    "year": gettext_noop("Year"),
    "period_start": gettext_noop("Period start"),
    "previous_year": gettext_noop("Same period a year earlier"),
    "change_pct": gettext_noop("Change on a year earlier (%)"),
    "metric": gettext_noop("Metric"),
    "during": gettext_noop("Daily average during the festival"),
    "baseline": gettext_noop("Daily average on comparable days"),
    "control_during": gettext_noop("Comparison areas: daily average during the festival"),
    "control_baseline": gettext_noop("Comparison areas: daily average on comparable days"),
    "uplift_pct": gettext_noop("Uplift (%)"),
    "ci_low_pct": gettext_noop("95 percent interval, low (%)"),
    "ci_high_pct": gettext_noop("95 percent interval, high (%)"),
    "extra_per_day": gettext_noop("Extra per day"),
    "extra_total": gettext_noop("Extra over the period"),
    "extra_ci_low": gettext_noop("Extra per day, 95 percent interval low"),
    "extra_ci_high": gettext_noop("Extra per day, 95 percent interval high"),
    "baseline_days": gettext_noop("Comparable days"),
    "date": gettext_noop("Date"),
    "phase": gettext_noop("Phase"),
    "baseline_day": gettext_noop("Comparable day"),
    "control_visitors": gettext_noop("Comparison areas: visitors (mean)"),
    "spending": gettext_noop("Card spending (KRW)"),
    "control_spending": gettext_noop("Comparison areas: spending (mean, KRW)"),
    "share": gettext_noop("Share"),
    "industry": gettext_noop("Industry"),
    "amount": gettext_noop("Spending (KRW)"),
    "transactions": gettext_noop("Transactions"),
    "per_visitor": gettext_noop("Spending per visitor (KRW)"),
    "avg_ticket": gettext_noop("Spending per transaction (KRW)"),
    "rank": gettext_noop("Rank"),
    "visitors_per_day": gettext_noop("Visitors per day"),
    "previous_visitors": gettext_noop("Visitors in the previous period"),
    "growth_pct": gettext_noop("Growth (%)"),
    "attractions": gettext_noop("Attractions"),
    "kind": gettext_noop("Kind"),
    "key": gettext_noop("Value"),
    "label": gettext_noop("Name"),
    "index": gettext_noop("Index (mean = 1)"),
    "term": gettext_noop("Keyword"),
    "count": gettext_noop("Reviews mentioning it"),
    "previous": gettext_noop("Mentions in the previous period"),
    "growth": gettext_noop("Growth (times)"),
    "examples": gettext_noop("Examples"),
    "month": gettext_noop("Month"),
    "benchmark_per_visitor": gettext_noop("Benchmark spending per visitor (KRW)"),
    "gap": gettext_noop("Estimated unrealised spending (KRW)"),
    "datasets": gettext_noop("Source datasets"),
    "local": gettext_noop("Local residents"),
    "other": gettext_noop("Visitors from other regions"),
    "foreign": gettext_noop("Foreign visitors"),
    "festival_id": gettext_noop("Festival ID"),
    "name": gettext_noop("Name"),
    "start_date": gettext_noop("Start date"),
    "end_date": gettext_noop("End date"),
    "place": gettext_noop("Place"),
    "attraction_id": gettext_noop("Attraction ID"),
    "latitude": gettext_noop("Latitude"),
    "longitude": gettext_noop("Longitude"),
    "category": gettext_noop("Category"),
    "suppressed": gettext_noop("Includes withheld values"),
}


def _columns(spec: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    cols = [{"name": n, "type": t, "label": _LABELS.get(n, n)} for n, t in spec]
    if not any(c["name"] == "suppressed" for c in cols):
        cols.append({"name": "suppressed", "type": "boolean", "label": _LABELS["suppressed"]})
    return cols


def suppress(
    rows: list[dict],
    k: int,
    counts: Sequence[str] = (),
    derived: Mapping[str, Sequence[str]] | None = None,
    guards: Mapping[str, str] | None = None,
) -> int:
    """Apply the k rule to ``rows`` in place and return how many rows were touched.

    ``counts``: count columns — a value below ``k`` becomes None. ``derived``: ``{column: [count columns]}`` —
    None when any of those counts was suppressed (a share would give the count back). ``guards``: ``{column:
    helper}`` — None when ``row[helper]`` (e.g. the smallest count in a moving-average window) is below ``k``;
    the helper key is removed. Every row gets ``suppressed`` (bool)."""
    derived = list((derived or {}).items())
    guards = list((guards or {}).items())
    touched = 0
    for row in rows:
        hidden = None  # most rows hide nothing: no set built for them
        for name in counts:
            value = row.get(name)
            if value is not None and value < k:
                row[name] = None
                hidden = hidden or set()
                hidden.add(name)
        if hidden:
            for name, sources in derived:
                if row.get(name) is not None and not hidden.isdisjoint(sources):
                    row[name] = None
                    hidden.add(name)
        for name, helper in guards:
            low = row.pop(helper, None)
            if low is not None and low < k and row.get(name) is not None:
                row[name] = None
                hidden = hidden or set()
                hidden.add(name)
        flag = bool(hidden) or bool(row.get("suppressed"))
        row["suppressed"] = flag
        touched += flag
    return touched


# ---------------------------------------------------------------------------------------------------------------
# Plumbing: sources, k, engine, filters as Ibis predicates
# ---------------------------------------------------------------------------------------------------------------


def _resolve_k(k):
    if k is None:
        from django.conf import settings

        k = settings.INSIGHTS_MIN_COUNT
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise AnalysisError("k must be a whole number ≥ 0.", code="invalid_k", param="k", value=k)
    return k


def _resolve_sources(sources):
    if sources is None:
        from .selectors import current_sources

        sources = current_sources()
    return sources


def _paths(sources, name) -> list[str]:
    slug = SLUGS[name]
    paths = sources.get(slug) or sources.get(name)
    if not paths:
        raise AnalysisError(f"The dataset {slug} has no published version.", code="no_data", param=slug)
    if isinstance(paths, str | bytes) or not isinstance(paths, Sequence):
        paths = [paths]
    return [str(p) for p in paths]


@dataclass
class _Run:
    """Everything one analysis call needs, resolved once."""

    name: str
    filters: Filters
    sources: Mapping[str, Sequence[str]]
    k: int
    engine: Any
    started: float = field(default_factory=time.perf_counter)
    queries: int = 0

    def fetch(self, table_name: str, build: Callable[[ibis.Table], ibis.Table]) -> list[dict]:
        """Open one dataset, build the expression with ``build(table)``, run it, return Python rows. The engine
        may reuse the SQL of an earlier call whose ``build`` was the same code over the same values."""
        result = self.engine.fetch_built(_paths(self.sources, table_name), build, key=_closure_key(build))
        self.queries += 1
        return result.to_pylist()

    def table(self, columns, rows, suppressed=0, **meta) -> Table:
        info = {
            "analysis": self.name,
            "filters": self.filters.as_dict(),
            "k": self.k,
            "suppressed_rows": suppressed,
            "engine": self.engine.name,
            "queries": self.queries,
            "elapsed_ms": round((time.perf_counter() - self.started) * 1000, 1),
        }
        info.update(meta)
        return Table(_columns(columns), rows, info)


_VALUE_TYPES = (type(None), bool, int, float, str, bytes, dt.date, dt.datetime, Filters)


def _closure_key(fn, depth=0):
    """A hashable key equal for two calls of the same function code over equal captured values: the code object
    plus the values in its closure cells — or None when a captured value is not a plain value (then nothing is
    cached: an object hashed by identity could match a different object later at the same address). Lists and
    tuples count by content at the time of the call, nested functions by their own key."""
    if depth > 3 or not hasattr(fn, "__code__"):
        return None
    parts = [fn.__code__]
    for cell in fn.__closure__ or ():
        try:
            value = _value_key(cell.cell_contents, depth)
        except ValueError:  # an empty cell
            return None
        if value is _NO_KEY:
            return None
        parts.append(value)
    if fn.__defaults__:
        defaults = _value_key(fn.__defaults__, depth)
        if defaults is _NO_KEY:
            return None
        parts.append(defaults)
    return tuple(parts)


_NO_KEY = object()


def _value_key(value, depth):
    if isinstance(value, _VALUE_TYPES):
        return (type(value).__name__, value)
    if isinstance(value, list | tuple):
        items = tuple(_value_key(v, depth) for v in value)
        return _NO_KEY if _NO_KEY in items else (type(value).__name__, items)
    if isinstance(value, dict):
        items = tuple((k, _value_key(v, depth)) for k, v in sorted(value.items(), key=lambda kv: repr(kv[0])))
        return _NO_KEY if any(v is _NO_KEY for _, v in items) else ("dict", items)
    if callable(value):
        key = _closure_key(value, depth + 1)
        return _NO_KEY if key is None else key
    return _NO_KEY


def _start(name, filters, sources, k, engine) -> _Run:
    if filters is None:
        filters = Filters()
    elif isinstance(filters, Mapping):
        filters = Filters(**filters)
    elif not isinstance(filters, Filters):
        raise AnalysisError("filters must be a Filters.", code="invalid_filters", param="filters")
    return _Run(name, filters, _resolve_sources(sources), _resolve_k(k), get_engine(engine))


def _level_of(code: str) -> str | None:
    return {5: "sigungu", 7: "emd"}.get(len(code))


def _where(
    t, f: Filters, *, default_level=None, dates=True, types=True, industries=False, hierarchical=False
):
    """Predicates of ``f`` on ``t``. ``default_level`` applies when neither areas nor level are given;
    ``hierarchical`` lets a 시군구 code match the 읍면동 codes under it (reviews, attractions, festivals)."""
    preds = []
    if dates and f.start:
        preds.append(t.date >= f.start)
    if dates and f.end:
        preds.append(t.date <= f.end)
    if f.areas:
        if hierarchical:
            preds.append(functools.reduce(lambda a, b: a | b, [t.area_code.startswith(a) for a in f.areas]))
        else:
            preds.append(t.area_code.isin(list(f.areas)))
    else:
        level = f.level or default_level
        if level:
            preds.append(t.area_code.length() == LEVELS[level])
    if types and f.visitor_types and "visitor_type" in t.columns:
        preds.append(t.visitor_type.isin(list(f.visitor_types)))
    if industries and f.industries and "industry" in t.columns:
        preds.append(t.industry.isin(list(f.industries)))
    return preds


def _filtered(t, preds):
    return t.filter(*preds) if preds else t


def _period(column, grain):
    if grain == "day":
        return column
    if grain == "week":
        return column.truncate("W")
    if grain == "month":
        return column.truncate("M")
    raise AnalysisError(
        f"Unknown grain {grain!r}; use day, week or month.", code="invalid_grain", param="grain"
    )


def _round(value, digits=1):
    if value is None:
        return None
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def _pct(new, old, digits=1):
    if new is None or old in (None, 0):
        return None
    return round((new / old - 1) * 100, digits)


@functools.lru_cache(maxsize=1)
def _area_names() -> dict[str, str]:
    from dongne.core.regions import emd, sigungu

    names = dict(sigungu())
    names.update({code: name for code, (_sgg, name) in emd().items()})
    return names


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


# ---------------------------------------------------------------------------------------------------------------
# Trends
# ---------------------------------------------------------------------------------------------------------------


def trend(
    filters=None, grain="day", by=None, moving_average=7, *, sources=None, k=None, engine=None
) -> Table:
    """Visitors per day, week (from Monday) or month, in total or ``by`` ``"visitor_type"`` or ``"area"``, with
    a trailing moving average over ``moving_average`` periods (None or 0: none; null until the window is full).

    ``days`` is the number of days with data in the period (partial first and last weeks and months)."""
    run = _start("trend", filters, sources, k, engine)
    f = run.filters
    if by not in (None, "visitor_type", "area"):
        raise AnalysisError("by must be visitor_type or area.", code="invalid_by", param="by", value=by)
    window = int(moving_average or 0)
    if window < 0 or window > 366:
        raise AnalysisError(
            "moving_average must be 0–366.", code="invalid_moving_average", param="moving_average"
        )
    keys = {"visitor_type": ["visitor_type"], "area": ["area_code", "area_name"], None: []}[by]

    def build(t):
        ft = _filtered(t, _where(t, f, default_level=None if by == "area" else "sigungu"))
        measures = {"visitors": ft.visitors.sum()}
        if grain != "day":
            measures.update(first=ft.date.min(), last=ft.date.max())
        return ft.group_by(period=_period(ft.date, grain), **{key: ft[key] for key in keys}).aggregate(
            **measures
        )

    rows = run.fetch("visitors", build)
    series = defaultdict(list)
    for row in rows:
        row["days"] = (row.pop("last") - row.pop("first")).days + 1 if grain != "day" else 1
        if by == "visitor_type":
            row["visitor_type_label"] = VISITOR_TYPE_LABELS.get(row["visitor_type"], row["visitor_type"])
        series[tuple(row[key] for key in keys)].append(row)
    # The moving average runs over the small aggregated series here rather than as SQL windows: the same
    # numbers, and the expression compiles faster (a dashboard runs it on every filter change).
    for items in series.values():
        items.sort(key=lambda r: r["period"])
        _moving_average(items, window)
    rows.sort(key=lambda r: (r["period"], *[r[key] or "" for key in keys]))
    hidden = suppress(
        rows, run.k, counts=["visitors"], guards={"moving_average": "_window_min"} if window > 1 else None
    )
    cols = [("period", "date")]
    cols += {
        "visitor_type": [("visitor_type", "string"), ("visitor_type_label", "string")],
        "area": [("area_code", "string"), ("area_name", "string")],
        None: [],
    }[by]
    cols += [("visitors", "integer"), ("days", "integer"), ("moving_average", "number")]
    return run.table(cols, rows, hidden, grain=grain, by=by, moving_average=window or None)


def _moving_average(items, window):
    """Trailing mean of ``visitors`` over ``window`` rows (None until the window is full), and the window's
    smallest count in ``_window_min`` for the k rule; O(n) with a running sum and a monotone queue."""
    if window <= 1:
        for row in items:
            row["moving_average"] = None
        return
    total, low = 0, deque()
    for i, row in enumerate(items):
        value = row["visitors"] or 0
        total += value
        while low and low[-1][1] >= value:
            low.pop()
        low.append((i, value))
        if i >= window:
            total -= items[i - window]["visitors"] or 0
        while low[0][0] <= i - window:
            low.popleft()
        if i + 1 >= window:
            row["moving_average"] = _round(total / window)
            row["_window_min"] = low[0][1]
        else:
            row["moving_average"] = None


def year_over_year(filters=None, grain="month", *, sources=None, k=None, engine=None) -> Table:
    """Visitors per period against the same period a year earlier: the same month for ``grain="month"``; for
    ``"week"`` and ``"day"`` the period 52 weeks (364 days) earlier, so weekdays line up. Data from a year before
    ``start`` is read so that the first periods have their comparison."""
    run = _start("year_over_year", filters, sources, k, engine)
    f = run.filters
    if grain not in GRAINS:
        raise AnalysisError("grain must be day, week or month.", code="invalid_grain", param="grain")
    early = f.start - dt.timedelta(days=366) if f.start else None
    wide = Filters(early, f.end, f.areas, f.visitor_types, f.industries, f.level)

    def build(t):
        ft = _filtered(t, _where(t, wide, default_level="sigungu"))
        return (
            ft.group_by(period_start=_period(ft.date, grain))
            .aggregate(visitors=ft.visitors.sum())
            .order_by("period_start")
        )

    fetched = {r["period_start"]: r["visitors"] for r in run.fetch("visitors", build)}
    rows = []
    for start_day, visitors in sorted(fetched.items()):
        if f.start and start_day < _period_start(f.start, grain):
            continue
        if grain == "month":
            before = start_day.replace(year=start_day.year - 1)
            period = start_day.month
        else:
            before = start_day - dt.timedelta(days=364)
            period = start_day.isocalendar()[1] if grain == "week" else start_day.timetuple().tm_yday
        previous = fetched.get(before)
        rows.append(
            {
                "year": start_day.year,
                "period": period,
                "period_start": start_day,
                "visitors": visitors,
                "previous_year": previous,
                "change_pct": _pct(visitors, previous),
            }
        )
    hidden = suppress(
        rows,
        run.k,
        counts=["visitors", "previous_year"],
        derived={"change_pct": ["visitors", "previous_year"]},
    )
    cols = [
        ("year", "integer"),
        ("period", "integer"),
        ("period_start", "date"),
        ("visitors", "integer"),
        ("previous_year", "integer"),
        ("change_pct", "number"),
    ]
    return run.table(cols, rows, hidden, grain=grain)


def _period_start(day, grain):
    if grain == "month":
        return day.replace(day=1)
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    return day


# ---------------------------------------------------------------------------------------------------------------
# Mix, spending, hotspots, seasonality, map totals
# ---------------------------------------------------------------------------------------------------------------


def visitor_mix(filters=None, *, by=None, sources=None, k=None, engine=None) -> Table:
    """Visitors by type (현지인/외지인/외국인) and their share, in total or ``by="area"`` (shares within each
    area)."""
    run = _start("visitor_mix", filters, sources, k, engine)
    f = run.filters
    if by not in (None, "area"):
        raise AnalysisError("by must be area or empty.", code="invalid_by", param="by", value=by)
    keys = ["area_code", "area_name"] if by == "area" else []

    def build(t):
        ft = _filtered(t, _where(t, f, default_level=None if by else "sigungu"))
        return ft.group_by([*keys, "visitor_type"]).aggregate(visitors=ft.visitors.sum())

    rows = run.fetch("visitors", build)
    totals = Counter()
    for row in rows:
        totals[tuple(row[key] for key in keys)] += row["visitors"]
    order = {t: i for i, t in enumerate(VISITOR_TYPES)}
    for row in rows:
        total = totals[tuple(row[key] for key in keys)]
        row["share"] = round(row["visitors"] / total, 4) if total else None
        row["visitor_type_label"] = VISITOR_TYPE_LABELS.get(row["visitor_type"], row["visitor_type"])
    rows.sort(key=lambda r: (*[r[key] for key in keys], order.get(r["visitor_type"], 9)))
    hidden = suppress(rows, run.k, counts=["visitors"], derived={"share": ["visitors"]})
    cols = [(key, "string") for key in keys]
    cols += [
        ("visitor_type", "string"),
        ("visitor_type_label", "string"),
        ("visitors", "integer"),
        ("share", "number"),
    ]
    return run.table(cols, rows, hidden, by=by)


def spend_per_visitor(filters=None, by="industry", *, sources=None, k=None, engine=None) -> Table:
    """Card spending per visitor: ``by="industry"`` (one row per industry, per visitor of the whole scope),
    ``"area"`` or ``"month"``. ``per_visitor`` = amount / visitors (of the selected visitor types),
    ``avg_ticket`` = amount / transactions, ``share`` = the row's part of the amount. Spending is suppressed
    with its transactions (a small number of payments is a small number of people)."""
    run = _start("spend_per_visitor", filters, sources, k, engine)
    f = run.filters
    if by not in ("industry", "area", "month"):
        raise AnalysisError("by must be industry, area or month.", code="invalid_by", param="by", value=by)
    default_level = None if by == "area" else "sigungu"
    spend_keys = {"industry": ["industry"], "area": ["area_code", "area_name"], "month": ["period"]}[by]
    visit_keys = {"industry": [], "area": ["area_code", "area_name"], "month": ["period"]}[by]

    def group(ft, keys):
        named = {key: (ft.date.truncate("M") if key == "period" else ft[key]) for key in keys}
        return ft.group_by(**named) if named else ft

    def build_spending(t):
        ft = _filtered(t, _where(t, f, default_level=default_level, industries=True))
        return group(ft, spend_keys).aggregate(amount=ft.amount.sum(), transactions=ft.transactions.sum())

    def build_visitors(t):
        ft = _filtered(t, _where(t, f, default_level=default_level))
        grouped = group(ft, visit_keys)
        return grouped.aggregate(visitors=ft.visitors.sum())

    spending = run.fetch("spending", build_spending)
    visitors = {
        tuple(r[key] for key in visit_keys): r["visitors"] for r in run.fetch("visitors", build_visitors)
    }
    total_amount = sum(r["amount"] or 0 for r in spending)
    rows = []
    for row in spending:
        people = visitors.get(tuple(row[key] for key in visit_keys))
        rows.append(
            {
                **row,
                "visitors": people,
                "per_visitor": _round(row["amount"] / people) if people else None,
                "avg_ticket": _round(row["amount"] / row["transactions"]) if row["transactions"] else None,
                "share": round(row["amount"] / total_amount, 4) if total_amount else None,
            }
        )
    if by == "industry":
        rows.sort(key=lambda r: INDUSTRIES.index(r["industry"]))
    else:
        rows.sort(key=lambda r: tuple(r[key] for key in spend_keys))
    hidden = suppress(
        rows,
        run.k,
        counts=["transactions", "visitors"],
        derived={
            "amount": ["transactions"],
            "per_visitor": ["transactions", "visitors"],
            "avg_ticket": ["transactions"],
            "share": ["transactions"],
        },
    )
    key_cols = {
        "industry": [("industry", "string")],
        "area": [("area_code", "string"), ("area_name", "string")],
        "month": [("period", "date")],
    }[by]
    cols = key_cols + [
        ("amount", "integer"),
        ("transactions", "integer"),
        ("visitors", "integer"),
        ("per_visitor", "number"),
        ("avg_ticket", "number"),
        ("share", "number"),
    ]
    return run.table(cols, rows, hidden, by=by)


def area_totals(filters=None, *, sources=None, k=None, engine=None) -> Table:
    """Visitors per area for the choropleth maps: total, per day, and per type (every area of both levels unless
    ``areas`` or ``level`` narrow them; ``visitors`` counts only the selected types)."""
    run = _start("area_totals", filters, sources, k, engine)
    f = run.filters

    def build(t):
        ft = _filtered(t, _where(t, f, types=False))
        chosen = list(f.visitor_types or VISITOR_TYPES)
        per_type = {vt: ft.visitors.sum(where=ft.visitor_type == vt) for vt in VISITOR_TYPES}
        total = ft.visitors.sum(where=ft.visitor_type.isin(chosen)) if f.visitor_types else ft.visitors.sum()
        return ft.group_by(["area_code", "area_name"]).aggregate(
            visitors=total, first=ft.date.min(), last=ft.date.max(), **per_type
        )

    rows = run.fetch("visitors", build)
    unselected = [vt for vt in VISITOR_TYPES if f.visitor_types and vt not in f.visitor_types]
    selected = [vt for vt in VISITOR_TYPES if vt not in unselected]
    levels = {5: "sigungu", 7: "emd"}
    for row in rows:
        days = (row.pop("last") - row.pop("first")).days + 1
        row["level"] = levels.get(len(row["area_code"]))
        row["visitors"] = row["visitors"] or 0
        row["visitors_per_day"] = round(row["visitors"] / days, 1)
        for vt in selected:
            if row[vt] is None:  # a filtered sum over no rows is null: no visitors of that type
                row[vt] = 0
        for vt in unselected:
            row[vt] = None
    rows.sort(key=lambda r: (len(r["area_code"]), r["area_code"]))
    hidden = suppress(
        rows, run.k, counts=["visitors", *VISITOR_TYPES], derived={"visitors_per_day": ["visitors"]}
    )
    cols = [
        ("area_code", "string"),
        ("area_name", "string"),
        ("level", "string"),
        ("visitors", "integer"),
        ("visitors_per_day", "number"),
        ("local", "integer"),
        ("other", "integer"),
        ("foreign", "integer"),
    ]
    return run.table(cols, rows, hidden)


def _data_range(run, name, f, **where) -> tuple[dt.date, dt.date] | None:
    def build(t):
        ft = _filtered(t, _where(t, f, **where))
        return ft.aggregate(first=ft.date.min(), last=ft.date.max())

    row = run.fetch(name, build)[0]
    if row["first"] is None:
        return None
    return row["first"], row["last"]


def hotspots(filters=None, top=10, *, sources=None, k=None, engine=None) -> Table:
    """Areas ranked by visitors in the period (읍면동 unless ``level``/``areas`` say otherwise), with the change
    against the period of the same length just before it and the attractions in each area."""
    run = _start("hotspots", filters, sources, k, engine)
    f = run.filters
    top = _top(top)
    level = None if f.areas else (f.level or "emd")
    scoped = Filters(f.start, f.end, f.areas, f.visitor_types, (), level)
    span = _data_range(run, "visitors", scoped)
    if span is None:
        return run.table(_HOTSPOT_COLS, [], 0, level=level)
    start, end = f.start or span[0], f.end or span[1]
    length = (end - start).days + 1
    previous_start = start - dt.timedelta(days=length)

    def build(t):
        wide = Filters(previous_start, end, f.areas, f.visitor_types, (), level)
        ft = _filtered(t, _where(t, wide))
        now = ft.date >= start
        return ft.group_by(["area_code", "area_name"]).aggregate(
            visitors=ft.visitors.sum(where=now),
            previous_visitors=ft.visitors.sum(where=~now),
            previous_days=ft.date.nunique(where=~now),
        )

    rows = run.fetch("visitors", build)
    names = _attraction_names(run)
    for row in rows:
        row["visitors"] = row["visitors"] or 0
        has_previous = row.pop("previous_days") >= length
        if not has_previous:
            row["previous_visitors"] = None
        row["level"] = _level_of(row["area_code"])
        row["visitors_per_day"] = _round(row["visitors"] / length)
        row["growth_pct"] = _pct(row["visitors"], row["previous_visitors"])
        row["attractions"] = names.get(row["area_code"], [])
    rows.sort(key=lambda r: (-r["visitors"], r["area_code"]))
    rows = rows[:top]
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    hidden = suppress(
        rows,
        run.k,
        counts=["visitors", "previous_visitors"],
        derived={"visitors_per_day": ["visitors"], "growth_pct": ["visitors", "previous_visitors"]},
    )
    return run.table(
        _HOTSPOT_COLS, rows, hidden, level=level, period=[start, end], previous_period=[previous_start, start]
    )


_HOTSPOT_COLS = [
    ("rank", "integer"),
    ("area_code", "string"),
    ("area_name", "string"),
    ("level", "string"),
    ("visitors", "integer"),
    ("visitors_per_day", "number"),
    ("previous_visitors", "integer"),
    ("growth_pct", "number"),
    ("attractions", "list"),
]


def _top(top, upper=1000):
    try:
        top = int(top)
    except (TypeError, ValueError):
        raise AnalysisError("top must be a whole number.", code="invalid_top", param="top", value=top)
    if not 1 <= top <= upper:
        raise AnalysisError(f"top must be 1–{upper}.", code="invalid_top", param="top", value=top)
    return top


def _attraction_names(run) -> dict[str, list[str]]:
    """{area code: [attraction names]}; empty when the attractions dataset is not published."""
    try:
        rows = run.fetch(
            "attractions", lambda t: t.select("area_code", "name").order_by(["area_code", "name"])
        )
    except AnalysisError:
        return {}
    out = defaultdict(list)
    for row in rows:
        out[row["area_code"]].append(row["name"])
        out[row["area_code"][:5]].append(row["name"])
    return dict(out)


def seasonality(filters=None, *, sources=None, k=None, engine=None) -> Table:
    """Each area's seasonal profile: visitors per day in each month (1–12) and on each weekday (0 = Monday),
    as an index against the area's own average day (1.0 = average)."""
    run = _start("seasonality", filters, sources, k, engine)
    f = run.filters

    def build(t):
        ft = _filtered(t, _where(t, f))
        return ft.group_by(
            area_code=ft.area_code,
            area_name=ft.area_name,
            month=ft.date.month(),
            weekday=ft.date.day_of_week.index(),
        ).aggregate(visitors=ft.visitors.sum(), days=ft.date.nunique())

    cells = run.fetch("visitors", build)
    per_area = defaultdict(list)
    for cell in cells:
        per_area[(cell["area_code"], cell["area_name"])].append(cell)
    rows = []
    for (code, name), items in sorted(per_area.items(), key=lambda kv: (len(kv[0][0]), kv[0][0])):
        total = sum(c["visitors"] for c in items)
        days = sum(c["days"] for c in items)
        average = total / days if days else None
        for kind, key_name, keys, label in (
            ("month", "month", range(1, 13), lambda m: MONTH_LABELS[m - 1]),
            ("weekday", "weekday", range(7), lambda d: WEEKDAY_LABELS[d]),
        ):
            for key in keys:
                chosen = [c for c in items if c[key_name] == key]
                if not chosen:
                    continue
                visitors = sum(c["visitors"] for c in chosen)
                n = sum(c["days"] for c in chosen)
                per_day = visitors / n if n else None
                rows.append(
                    {
                        "area_code": code,
                        "area_name": name,
                        "kind": kind,
                        "key": key,
                        "label": label(key),
                        "visitors": visitors,
                        "visitors_per_day": _round(per_day),
                        "index": round(per_day / average, 3) if per_day is not None and average else None,
                    }
                )
    hidden = suppress(
        rows, run.k, counts=["visitors"], derived={"visitors_per_day": ["visitors"], "index": ["visitors"]}
    )
    for row in rows:
        del row["visitors"]
    cols = [
        ("area_code", "string"),
        ("area_name", "string"),
        ("kind", "string"),
        ("key", "integer"),
        ("label", "string"),
        ("visitors_per_day", "number"),
        ("index", "number"),
    ]
    return run.table(cols, rows, hidden)


def opportunities(filters=None, top=10, *, sources=None, k=None, engine=None) -> Table:
    """Places and times where visitors are many but spending in an industry is low: for each area (읍면동 unless
    ``level``/``areas`` say otherwise), industry and calendar month, spending per visitor against the median of
    the same level's areas (``benchmark_per_visitor``). Kept: areas with at least the median number of visitors
    that month and under 60 % of the benchmark; ``gap`` = (benchmark − actual) × visitors, the spending such a
    place would see at the benchmark — largest first."""
    run = _start("opportunities", filters, sources, k, engine)
    f = run.filters
    top = _top(top)
    level = None if f.areas else (f.level or "emd")
    scoped = Filters(f.start, f.end, f.areas, f.visitor_types, f.industries, level)

    def build_visitors(t):
        ft = _filtered(t, _where(t, scoped))
        return ft.group_by(area_code=ft.area_code, area_name=ft.area_name, month=ft.date.month()).aggregate(
            visitors=ft.visitors.sum()
        )

    def build_spending(t):
        ft = _filtered(t, _where(t, scoped, industries=True))
        return ft.group_by(area_code=ft.area_code, industry=ft.industry, month=ft.date.month()).aggregate(
            amount=ft.amount.sum(), transactions=ft.transactions.sum()
        )

    visits = {(r["area_code"], r["month"]): r for r in run.fetch("visitors", build_visitors)}
    spending = run.fetch("spending", build_spending)
    per_visitor = defaultdict(list)
    for row in spending:
        v = visits.get((row["area_code"], row["month"]))
        if v and v["visitors"] and row["transactions"] >= run.k and v["visitors"] >= run.k:
            row["per_visitor"] = row["amount"] / v["visitors"]
            per_visitor[(_level_of(row["area_code"]), row["industry"], row["month"])].append(
                row["per_visitor"]
            )
    crowd = defaultdict(list)
    for (code, month), v in visits.items():
        crowd[(_level_of(code), month)].append(v["visitors"])
    rows = []
    for row in spending:
        if "per_visitor" not in row:
            continue
        lvl = _level_of(row["area_code"])
        peers = per_visitor[(lvl, row["industry"], row["month"])]
        if len(peers) < 3:
            continue
        benchmark = statistics.median(peers)
        v = visits[(row["area_code"], row["month"])]
        if v["visitors"] < statistics.median(crowd[(lvl, row["month"])]):
            continue
        if row["per_visitor"] >= 0.6 * benchmark:
            continue
        rows.append(
            {
                "area_code": row["area_code"],
                "area_name": v["area_name"],
                "industry": row["industry"],
                "month": row["month"],
                "visitors": v["visitors"],
                "amount": row["amount"],
                "transactions": row["transactions"],
                "per_visitor": _round(row["per_visitor"]),
                "benchmark_per_visitor": _round(benchmark),
                "gap": int(round((benchmark - row["per_visitor"]) * v["visitors"])),
                "datasets": [SLUGS["visitors"], SLUGS["spending"]],
            }
        )
    rows.sort(key=lambda r: (-r["gap"], r["area_code"], r["industry"], r["month"]))
    rows = rows[:top]
    hidden = suppress(rows, run.k, counts=["visitors", "transactions"])
    for row in rows:
        del row["transactions"]
    cols = [
        ("area_code", "string"),
        ("area_name", "string"),
        ("industry", "string"),
        ("month", "integer"),
        ("visitors", "integer"),
        ("amount", "integer"),
        ("per_visitor", "number"),
        ("benchmark_per_visitor", "number"),
        ("gap", "integer"),
        ("datasets", "list"),
    ]
    return run.table(cols, rows, hidden, level=level, datasets=[SLUGS["visitors"], SLUGS["spending"]])


# ---------------------------------------------------------------------------------------------------------------
# Festivals and attractions (lookups)
# ---------------------------------------------------------------------------------------------------------------


def festivals(filters=None, *, sources=None, k=None, engine=None) -> Table:
    """The festival calendar: editions overlapping [start, end] in the areas (a 시군구 code includes its
    읍면동), in date order."""
    run = _start("festivals", filters, sources, k, engine)
    rows = _festival_rows(run, run.filters)
    cols = [
        ("festival_id", "string"),
        ("name", "string"),
        ("area_code", "string"),
        ("area_name", "string"),
        ("start_date", "date"),
        ("end_date", "date"),
        ("place", "string"),
        ("days", "integer"),
    ]
    suppress(rows, run.k)
    return run.table(cols, rows, 0)


def _festival_rows(run, f):
    def build(t):
        preds = _where(t, f, dates=False, types=False, hierarchical=True)
        if f.start:
            preds.append(t.end_date >= f.start)
        if f.end:
            preds.append(t.start_date <= f.end)
        return _filtered(t, preds).order_by(["start_date", "festival_id"])

    rows = run.fetch("festivals", build)
    names = _area_names()
    out = []
    for row in rows:
        out.append(
            {
                "festival_id": row["festival_id"],
                "name": row["name"],
                "area_code": row["area_code"],
                "area_name": names.get(row["area_code"], row["area_code"]),
                "start_date": row["start_date"],
                "end_date": row["end_date"],
                "place": row.get("place"),
                "days": (row["end_date"] - row["start_date"]).days + 1,
            }
        )
    return out


def attractions(filters=None, *, sources=None, k=None, engine=None) -> Table:
    """Attractions with their coordinates (WGS84), in the areas (a 시군구 code includes its 읍면동)."""
    run = _start("attractions", filters, sources, k, engine)
    f = run.filters

    def build(t):
        return _filtered(t, _where(t, f, dates=False, types=False, hierarchical=True)).order_by(
            "attraction_id"
        )

    rows = run.fetch("attractions", build)
    names = _area_names()
    for row in rows:
        row["area_name"] = names.get(row["area_code"], row["area_code"])
    suppress(rows, run.k)
    cols = [
        ("attraction_id", "string"),
        ("name", "string"),
        ("area_code", "string"),
        ("area_name", "string"),
        ("latitude", "number"),
        ("longitude", "number"),
        ("category", "string"),
    ]
    return run.table(cols, rows, 0)


# ---------------------------------------------------------------------------------------------------------------
# Festival impact: difference in differences
# ---------------------------------------------------------------------------------------------------------------

_METHOD = (
    "Difference in differences on the log scale. r(d) = ln(1 + festival area) − ln(1 + mean of the comparison "
    "areas) on day d; the estimate is δ = mean of r over the festival days − mean of r over the baseline days "
    "(the same weekdays in the {weeks} weeks before and after, weighted to the festival's weekday mix; holidays "
    "and other festivals' days excluded); uplift = exp(δ) − 1. Comparison areas: the same level, without the "
    "festival area, its neighbours and areas with their own festival in the window. 95 % interval: percentile "
    "bootstrap over days ({resamples} resamples, seed {seed}); baseline days are resampled within weekdays; for "
    "events shorter than 5 days the festival days' noise is drawn from the baseline days' residuals instead."
)


def festival_impact(
    festival_id, filters=None, *, weeks=3, resamples=2000, seed=2018, sources=None, k=None, engine=None
) -> Table:
    """Uplift of visitors and card spending during a festival against a baseline built from the same area's
    comparable days and from comparable areas (difference in differences), with a 95 % interval, plus the daily
    before/during/after series in ``meta["series"]``.

    ``filters.visitor_types`` and ``filters.industries`` narrow what is counted; ``filters.areas``, when given,
    are the comparison areas (otherwise chosen as described in ``meta["method"]``); start/end are ignored (the
    window follows from the festival's dates and ``weeks``)."""
    import numpy as np

    from .generate import neighbours

    run = _start("festival_impact", filters, sources, k, engine)
    f = run.filters
    weeks = int(weeks)
    if not 1 <= weeks <= 8:
        raise AnalysisError("weeks must be 1–8.", code="invalid_weeks", param="weeks", value=weeks)
    calendar = _festival_rows(run, Filters())
    festival = next((row for row in calendar if row["festival_id"] == str(festival_id)), None)
    if festival is None:
        raise AnalysisError(
            f"There is no festival {festival_id!r}.",
            code="unknown_festival",
            param="festival_id",
            value=festival_id,
        )
    area = festival["area_code"]
    first, last = festival["start_date"], festival["end_date"]
    window_start = first - dt.timedelta(days=7 * weeks)
    window_end = last + dt.timedelta(days=7 * weeks)
    level = _level_of(area)
    near = _safe_neighbours(neighbours, area)

    busy_areas = set()  # areas with their own festival (and their neighbours) in the window
    busy_days = set()  # days of other festivals at the festival area or its neighbours
    for other in calendar:
        if other["festival_id"] == festival["festival_id"]:
            continue
        if other["end_date"] < window_start or other["start_date"] > window_end:
            continue
        busy_areas.add(other["area_code"])
        busy_areas.update(_safe_neighbours(neighbours, other["area_code"]))
        if other["area_code"] == area or other["area_code"] in near:
            day = other["start_date"]
            while day <= other["end_date"]:
                busy_days.add(day)
                day += dt.timedelta(days=1)

    if f.areas:
        controls = [c for c in f.areas if c != area]
    else:
        from dongne.core.regions import CHUNCHEON, emd_of, sigungu

        candidates = list(sigungu()) if level == "sigungu" else list(emd_of(area[:5] or CHUNCHEON))
        controls = [c for c in candidates if c != area and c not in near and c not in busy_areas]
    if not controls:
        raise AnalysisError(
            "No comparison areas are left for this festival.", code="no_controls", param="area", value=area
        )

    def build_visitors(t):
        ft = t.filter(t.date >= window_start, t.date <= window_end, t.area_code.isin([area, *controls]))
        if f.visitor_types:
            ft = ft.filter(ft.visitor_type.isin(list(f.visitor_types)))
        here = ft.area_code == area
        return (
            ft.group_by("date")
            .aggregate(
                treated=ft.visitors.sum(where=here),
                control=ft.visitors.sum(where=~here),
                control_areas=ft.area_code.nunique(where=~here),
            )
            .order_by("date")
        )

    def build_spending(t):
        ft = t.filter(t.date >= window_start, t.date <= window_end, t.area_code.isin([area, *controls]))
        if f.industries:
            ft = ft.filter(ft.industry.isin(list(f.industries)))
        here = ft.area_code == area
        return (
            ft.group_by("date")
            .aggregate(
                treated=ft.amount.sum(where=here),
                treated_tx=ft.transactions.sum(where=here),
                control=ft.amount.sum(where=~here),
                control_tx=ft.transactions.sum(where=~here),
                control_areas=ft.area_code.nunique(where=~here),
            )
            .order_by("date")
        )

    series = {"visitors": run.fetch("visitors", build_visitors)}
    try:
        series["spending"] = run.fetch("spending", build_spending)
    except AnalysisError:
        series["spending"] = []

    rng = np.random.default_rng(seed)
    estimates = []
    daily = {}
    for metric, rows in series.items():
        by_day = {}
        for row in rows:
            n = row["control_areas"] or 0
            by_day[row["date"]] = {
                "treated": row["treated"],
                "control": row["control"] / n if n else None,
                "treated_tx": row.get("treated_tx"),
                "control_tx": (row["control_tx"] / n) if n and row.get("control_tx") is not None else None,
            }
        daily[metric] = by_day
        estimate = _did(by_day, first, last, busy_days, weeks, resamples, rng)
        if estimate is None:
            continue
        estimate["metric"] = metric
        estimates.append(estimate)

    # k: a metric built on any festival-area daily count below k is not published.
    for est in estimates:
        low = est.pop("_min_count")
        est["suppressed"] = bool(low is not None and low < run.k)
        if est["suppressed"]:
            for key in list(est):
                if key not in ("metric", "days", "baseline_days", "suppressed"):
                    est[key] = None
    hidden = sum(e["suppressed"] for e in estimates)

    series_rows = []
    day = window_start
    while day <= window_end:
        v = daily["visitors"].get(day, {})
        s = daily.get("spending", {}).get(day, {})
        series_rows.append(
            {
                "date": day,
                "phase": "before" if day < first else ("during" if day <= last else "after"),
                "baseline_day": _is_baseline(day, first, last, busy_days),
                "visitors": v.get("treated"),
                "control_visitors": _round(v.get("control")),
                "spending": s.get("treated"),
                "control_spending": _round(s.get("control"), 0),
                "_tx": s.get("treated_tx"),
                "_ctx": s.get("control_tx"),
            }
        )
        day += dt.timedelta(days=1)
    series_hidden = suppress(
        series_rows,
        run.k,
        counts=["visitors", "control_visitors"],
        guards={"spending": "_tx", "control_spending": "_ctx"},
    )
    series_table = Table(
        _columns(
            [
                ("date", "date"),
                ("phase", "string"),
                ("baseline_day", "boolean"),
                ("visitors", "integer"),
                ("control_visitors", "number"),
                ("spending", "integer"),
                ("control_spending", "number"),
            ]
        ),
        series_rows,
        {"suppressed_rows": series_hidden},
    )
    cols = [
        ("metric", "string"),
        ("during", "number"),
        ("baseline", "number"),
        ("control_during", "number"),
        ("control_baseline", "number"),
        ("uplift_pct", "number"),
        ("ci_low_pct", "number"),
        ("ci_high_pct", "number"),
        ("extra_per_day", "number"),
        ("extra_total", "number"),
        ("extra_ci_low", "number"),
        ("extra_ci_high", "number"),
        ("days", "integer"),
        ("baseline_days", "integer"),
    ]
    names = _area_names()
    return run.table(
        cols,
        estimates,
        hidden,
        festival={**festival},
        control_areas=[{"area_code": c, "area_name": names.get(c, c)} for c in controls],
        excluded_neighbours=list(near),
        window=[window_start, window_end],
        method=_METHOD.format(weeks=weeks, resamples=resamples, seed=seed),
        interval="bootstrap",
        series=series_table,
    )


def _safe_neighbours(neighbours, code):
    try:
        return neighbours(code)
    except KeyError:  # an area the bundled geography does not know (real data from elsewhere)
        return ()


def _is_baseline(day, first, last, busy_days):
    return (day < first or day > last) and day not in HOLIDAYS and day not in busy_days


def _did(by_day, first, last, busy_days, weeks, resamples, rng):
    """The log-scale DiD estimate and its bootstrap interval for one metric; None without usable days."""
    import numpy as np

    during, baseline = [], []
    for day, v in sorted(by_day.items()):
        if v["control"] is None or v["treated"] is None:
            continue
        r = math.log1p(v["treated"]) - math.log1p(v["control"])
        item = (day, r, v["treated"], v["control"], v.get("treated_tx"))
        if first <= day <= last:
            during.append(item)
        elif _is_baseline(day, first, last, busy_days):
            baseline.append(item)
    if not during or not baseline:
        return None
    weekdays = Counter(d.weekday() for d, *_ in during)
    strata = defaultdict(list)
    for item in baseline:
        strata[item[0].weekday()].append(item)
    # Weekday weights of the festival days; a weekday without baseline days borrows every baseline day.
    groups = [(w / len(during), strata.get(wd) or baseline) for wd, w in sorted(weekdays.items())]

    def weighted(column, picks=None):
        total = 0.0
        for i, (weight, items) in enumerate(groups):
            values = np.array([it[column] for it in items], dtype=float)
            total += weight * (values[picks[i]].mean(axis=-1) if picks is not None else values.mean())
        return total

    r_during = np.array([it[1] for it in during])
    t_during = np.array([it[2] for it in during], dtype=float)
    c_during = np.array([it[3] for it in during], dtype=float)
    r_base = weighted(1)
    delta = r_during.mean() - r_base
    counterfactual = (1 + c_during) * math.exp(r_base) - 1
    extra_per_day = float((t_during - counterfactual).mean())

    # Bootstrap over days.
    n_d = len(during)
    base_picks = [rng.integers(0, len(items), (resamples, len(items))) for _w, items in groups]
    r_base_star = weighted(1, base_picks)
    if n_d >= 5:
        pick = rng.integers(0, n_d, (resamples, n_d))
        r_during_star = r_during[pick].mean(axis=1)
        extra_star = (t_during[pick] - ((1 + c_during[pick]) * np.exp(r_base_star)[:, None] - 1)).mean(axis=1)
    else:
        # Too few festival days to resample: their noise is drawn from the baseline residuals.
        residuals = np.concatenate(
            [np.array([it[1] for it in items]) - np.mean([it[1] for it in items]) for _w, items in groups]
        )
        noise = residuals[rng.integers(0, len(residuals), (resamples, n_d))].mean(axis=1)
        r_during_star = r_during.mean() + noise
        extra_star = np.full(resamples, extra_per_day) + (np.exp(noise) - 1) * t_during.mean()
    delta_star = r_during_star - r_base_star
    low, high = np.percentile(np.expm1(delta_star), [2.5, 97.5])
    # The k rule looks at every daily count of the festival area the estimate is built on.
    used = during + baseline
    tx_counts = [it[4] for it in used if it[4] is not None]
    counts = tx_counts or [it[2] for it in used]
    return {
        "during": _round(t_during.mean()),
        "baseline": _round(weighted(2)),
        "control_during": _round(c_during.mean()),
        "control_baseline": _round(weighted(3)),
        "uplift_pct": round(math.expm1(delta) * 100, 1),
        "ci_low_pct": round(float(low) * 100, 1),
        "ci_high_pct": round(float(high) * 100, 1),
        "extra_per_day": _round(extra_per_day),
        "extra_total": _round(extra_per_day * n_d),
        "extra_ci_low": _round(float(np.percentile(extra_star, 2.5))),
        "extra_ci_high": _round(float(np.percentile(extra_star, 97.5))),
        "days": n_d,
        "baseline_days": len(baseline),
        "_min_count": min(counts) if counts else None,
    }


# ---------------------------------------------------------------------------------------------------------------
# Keyword trends
# ---------------------------------------------------------------------------------------------------------------

# Nouns that carry no topic in a review.
_STOPWORDS = frozenset(
    "것 수 곳 때 등 분 번 정도 이번 다음 생각 사람 느낌 이유 시간 여행 최고 정말 진짜 조금 한참 코스 "
    "기간 시기 분위기 덕분 구경 걱정 대비 자리 일 중 이곳 그곳 여기 거기 전 후 날 오늘 어제 곳곳 랜드".split()
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _nouns(text: str) -> tuple[str, ...]:
    """Distinct topic nouns of one review (kiwipiepy through core.korean.tokens): two syllables or more, not a
    stopword, in order of appearance."""
    seen = {}
    for sentence in _SENTENCE_END.split(text):
        for noun in _sentence_nouns(sentence.strip()):
            seen.setdefault(noun, None)
    return tuple(seen)


@functools.lru_cache(maxsize=200_000)
def _sentence_nouns(sentence: str) -> tuple[str, ...]:
    """Cached per sentence: reviews repeat sentences (and a process tokenizes each one once)."""
    from dongne.core.korean import tokens

    return tuple(
        form
        for form, kind in tokens(sentence, with_tags=True)
        if kind == "noun" and len(form) >= 2 and form not in _STOPWORDS
    )


def keyword_trends(
    filters=None, top=20, *, min_support=None, examples=2, sources=None, k=None, engine=None
) -> Table:
    """Rising terms in visitor reviews: for the current month (the month of ``end``, or the latest month with
    reviews) against the month before, the nouns (kiwipiepy morphemes) whose share of reviews grew most, among
    those mentioned in at least ``min_support`` reviews (default: max(k, 5)), each with ``examples`` example
    sentences. ``meta["frequency"]`` holds the review counts per month and area of the ``top`` most mentioned
    terms of the whole filtered period.

    ``growth`` = (count / reviews this month) ÷ ((previous + ½) / reviews last month)."""
    run = _start("keyword_trends", filters, sources, k, engine)
    f = run.filters
    top = _top(top, 200)
    support = max(run.k, 5) if min_support is None else int(min_support)

    def build(t):
        preds = _where(t, f, types=False, hierarchical=True)
        return _filtered(t, preds).select("review_id", "date", "area_code", "text").order_by("review_id")

    reviews = run.fetch("reviews", build)
    empty_meta = {"period": None, "previous_period": None, "frequency": Table(_columns(_FREQ_COLS), [], {})}
    if not reviews:
        return run.table(_RISING_COLS, [], 0, reviews=0, **empty_meta)
    current = _month_start(f.end) if f.end else _month_start(max(r["date"] for r in reviews))
    previous = _add_months(current, -1)

    per_month = Counter()
    term_month = Counter()
    cell = Counter()
    for review in reviews:
        month = _month_start(review["date"])
        nouns = _nouns(review["text"] or "")
        review["_nouns"] = nouns
        per_month[month] += 1
        for term in nouns:
            term_month[(term, month)] += 1
            cell[(month, review["area_code"], term)] += 1

    n_now, n_before = per_month[current], per_month[previous]
    candidates = []
    for (term, month), count in term_month.items():
        if month != current or count < support:
            continue
        before = term_month.get((term, previous), 0)
        growth = (count / n_now) / ((before + 0.5) / n_before) if n_before else None
        candidates.append((term, count, before, growth))
    candidates.sort(key=lambda c: (-(c[3] or 0), -c[1], c[0]))
    candidates = candidates[:top]

    rows = []
    for rank, (term, count, before, growth) in enumerate(candidates, 1):
        rows.append(
            {
                "rank": rank,
                "term": term,
                "count": count,
                "previous": before,
                "growth": round(growth, 2) if growth is not None else None,
                "examples": _examples(reviews, term, current, examples),
            }
        )
    hidden = suppress(rows, run.k, counts=["count", "previous"], derived={"growth": ["count", "previous"]})

    totals = Counter()
    for (term, _month), count in term_month.items():
        totals[term] += count
    frequent = [t for t, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    chosen = set(frequent)
    names = _area_names()
    freq_rows = [
        {"month": month, "area_code": code, "area_name": names.get(code, code), "term": term, "count": count}
        for (month, code, term), count in sorted(cell.items())
        if term in chosen
    ]
    freq_hidden = suppress(freq_rows, run.k, counts=["count"])
    frequency = Table(_columns(_FREQ_COLS), freq_rows, {"suppressed_rows": freq_hidden, "terms": frequent})
    return run.table(
        _RISING_COLS,
        rows,
        hidden,
        period=current,
        previous_period=previous,
        reviews=len(reviews),
        reviews_in_period=n_now,
        reviews_in_previous_period=n_before,
        min_support=support,
        frequency=frequency,
    )


_RISING_COLS = [
    ("rank", "integer"),
    ("term", "string"),
    ("count", "integer"),
    ("previous", "integer"),
    ("growth", "number"),
    ("examples", "list"),
]
_FREQ_COLS = [
    ("month", "date"),
    ("area_code", "string"),
    ("area_name", "string"),
    ("term", "string"),
    ("count", "integer"),
]


def _examples(reviews, term, month, limit):
    """Up to ``limit`` distinct sentences of this month's reviews that use ``term``, shortest first (deterministic)."""
    found = []
    for review in reviews:
        if _month_start(review["date"]) != month or term not in review["_nouns"]:
            continue
        for sentence in _SENTENCE_END.split(review["text"] or ""):
            if term in sentence and sentence not in found:
                found.append(sentence.strip())
        if len(found) >= 20:
            break
    found.sort(key=lambda s: (len(s), s))
    return found[: max(0, int(limit))]


ANALYSES: dict[str, Callable[..., Table]] = {
    "trend": trend,
    "year_over_year": year_over_year,
    "festival_impact": festival_impact,
    "visitor_mix": visitor_mix,
    "spend_per_visitor": spend_per_visitor,
    "hotspots": hotspots,
    "seasonality": seasonality,
    "keyword_trends": keyword_trends,
    "opportunities": opportunities,
    "area_totals": area_totals,
    "festivals": festivals,
    "attractions": attractions,
}
