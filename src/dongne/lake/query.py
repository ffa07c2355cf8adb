"""Query layer of the lake: filters, sort, paging and group-by written once as an Ibis expression, executed on
an engine (DuckDB in-process by default, Spark for scale), and read-only SQL on DuckDB.

    spec = QuerySpec(filters=[Filter("시군구", "=", "춘천시")], group_by=["월"],
                     aggregates=[Aggregate("sum", "방문객수")], sort=[("sum_방문객수", "desc")])
    result = run_query(version_paths, spec)        # Result(columns, rows, total)
    result = run_sql({"관광": version_paths}, "SELECT 시군구, count(*) FROM 관광 GROUP BY 1")

Everything a caller can get wrong raises :class:`~dongne.lake.errors.QueryError` with a ``code`` and the
``param`` (and ``column``) at fault. Plain Python: never imports Django.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt

from .errors import QueryError

__all__ = [
    "AGGREGATE_FUNCS",
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "OPERATORS",
    "Aggregate",
    "Filter",
    "Plan",
    "QuerySpec",
    "Result",
    "build_expr",
    "check_sql",
    "run_query",
    "run_sql",
]

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_IN_VALUES = 1_000

OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "in", "contains", "startswith", "isnull", "notnull")
_OP_ALIASES = {
    "==": "=",
    "eq": "=",
    "<>": "!=",
    "ne": "!=",
    "lt": "<",
    "lte": "<=",
    "le": "<=",
    "gt": ">",
    "gte": ">=",
    "ge": ">=",
}
AGGREGATE_FUNCS = ("count", "sum", "avg", "min", "max")
_FUNC_ALIASES = {"mean": "avg"}
_DIRECTIONS = ("asc", "desc")

# Name of the window column carrying the number of groups; never shown to callers.
_TOTAL = "__dongne_total__"


# ---------------------------------------------------------------------------------------------------------------
# Spec
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    """``column op value``. ``in`` takes a list; ``isnull``/``notnull`` ignore ``value``. Comparisons follow SQL:
    a null never equals, differs from or compares with anything (use ``isnull``)."""

    column: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class Aggregate:
    """``func(column) AS alias``. ``count`` without a column counts rows; with one, its non-null values.
    The alias defaults to ``count`` / ``<func>_<column>``."""

    func: str
    column: str | None = None
    alias: str | None = None

    @property
    def name(self) -> str:
        if self.alias:
            return self.alias
        if self.column is None:
            return self.func
        return f"{self.func}_{self.column}"


@dataclass(frozen=True)
class QuerySpec:
    """What to read from one dataset version.

    ``columns``: the columns to return (rows mode; all when empty). ``filters``: all must hold (AND).
    ``sort``: ``[("col", "asc"|"desc"), ...]`` (a bare ``"col"`` or ``"col desc"`` is accepted too); nulls sort
    last in both directions. ``group_by`` / ``aggregates``: aggregate mode, one row per group (``count`` when only
    ``group_by`` is given). ``limit`` is capped at the engine's ``max_limit``; ``offset`` ≥ 0.
    """

    columns: Sequence[str] | None = None
    filters: Sequence[Filter] = ()
    sort: Sequence[Any] = ()
    limit: int | None = DEFAULT_LIMIT
    offset: int = 0
    group_by: Sequence[str] = ()
    aggregates: Sequence[Aggregate] = ()

    @property
    def aggregated(self) -> bool:
        return bool(self.group_by or self.aggregates)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuerySpec:
        """A spec from JSON-shaped input (an API body), naming the parameter at fault when it is malformed.

        filters: ``[{"column", "op", "value"}]`` or ``[[column, op, value]]`` or ``{column: value}`` (equality);
        sort: ``[{"column", "direction"}]``, ``[[column, direction]]``, ``["col desc"]`` or ``"a, b desc"``;
        aggregates: ``[{"func", "column", "alias"}]`` or ``[[func, column, alias]]``.
        """
        if not isinstance(data, Mapping):
            raise QueryError("A query must be an object.", code="invalid_query", param="query")
        unknown = set(data) - {"columns", "filters", "sort", "limit", "offset", "group_by", "aggregates"}
        if unknown:
            name = sorted(unknown)[0]
            raise QueryError(f"Unknown query parameter {name!r}.", code="unknown_param", param=name)

        columns = data.get("columns")
        if isinstance(columns, str):
            columns = [c.strip() for c in columns.split(",") if c.strip()]

        filters = []
        raw_filters = data.get("filters") or []
        if isinstance(raw_filters, Mapping):
            raw_filters = [
                {"column": k, "op": "in" if isinstance(v, list) else "=", "value": v}
                for k, v in raw_filters.items()
            ]
        if not isinstance(raw_filters, list):
            raise QueryError("filters must be a list.", code="invalid_filter", param="filters")
        for item in raw_filters:
            if isinstance(item, Mapping) and "column" in item and "op" in item:
                filters.append(Filter(item["column"], item["op"], item.get("value")))
            elif isinstance(item, list | tuple) and len(item) in (2, 3):
                filters.append(Filter(*item))
            else:
                raise QueryError(
                    "Each filter needs a column, an op and (for most ops) a value.",
                    code="invalid_filter",
                    param="filters",
                )

        sort = data.get("sort") or []
        if isinstance(sort, str):
            sort = [s.strip() for s in sort.split(",") if s.strip()]
        if not isinstance(sort, list):
            raise QueryError("sort must be a list.", code="invalid_sort", param="sort")
        sort = [
            (item.get("column"), item.get("direction", "asc")) if isinstance(item, Mapping) else item
            for item in sort
        ]

        aggregates = []
        raw_aggs = data.get("aggregates") or []
        if not isinstance(raw_aggs, list):
            raise QueryError("aggregates must be a list.", code="invalid_aggregate", param="aggregates")
        for item in raw_aggs:
            if isinstance(item, Mapping) and "func" in item:
                aggregates.append(Aggregate(item["func"], item.get("column"), item.get("alias")))
            elif isinstance(item, list | tuple) and 1 <= len(item) <= 3:
                aggregates.append(Aggregate(*item))
            else:
                raise QueryError(
                    "Each aggregate needs a func and (except count) a column.",
                    code="invalid_aggregate",
                    param="aggregates",
                )

        group_by = data.get("group_by") or []
        if isinstance(group_by, str):
            group_by = [c.strip() for c in group_by.split(",") if c.strip()]

        limit = data.get("limit", DEFAULT_LIMIT)
        return cls(
            columns=columns,
            filters=filters,
            sort=sort,
            limit=_as_int(limit, "limit") if limit is not None else None,
            offset=_as_int(data.get("offset") or 0, "offset"),
            group_by=group_by,
            aggregates=aggregates,
        )


def _as_int(value, param):
    if isinstance(value, bool):
        raise QueryError(f"{param} must be a whole number.", code=f"invalid_{param}", param=param)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    raise QueryError(f"{param} must be a whole number, not {value!r}.", code=f"invalid_{param}", param=param)


# ---------------------------------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Result:
    """``columns``: ``[{"name", "type"}]`` (Ibis type names: ``string``, ``int64``, ``float64``, ``date``, …);
    ``rows``: one dict per row with Python values; ``total``: matching rows (or groups) before paging.
    ``truncated`` is set by :func:`run_sql` when the row limit cut the result."""

    columns: list[dict[str, str]]
    rows: list[dict[str, Any]]
    total: int
    limit: int | None = None
    offset: int = 0
    truncated: bool = False
    engine: str = "duckdb"
    elapsed_ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form: dates and times as ISO 8601, decimals as strings, NaN and infinities as null."""
        return {
            "columns": self.columns,
            "rows": [{k: json_safe(v) for k, v in row.items()} for row in self.rows],
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "truncated": self.truncated,
            "engine": self.engine,
        }


def json_safe(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, _dt.date | _dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        # Integer sums come back from DuckDB as HUGEINT → Decimal: keep them numbers while JSON can hold them.
        if value == value.to_integral_value() and abs(value) < 2**53:
            return int(value)
        return str(value)
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    return str(value)


def dtype_name(dtype: dt.DataType) -> str:
    """``int64``, ``float64``, ``string``, ``date``, ``timestamp``, ``decimal(10, 2)``, … (nullability dropped)."""
    return str(dtype.copy(nullable=True))


# ---------------------------------------------------------------------------------------------------------------
# Spec → Ibis expression
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """The Ibis side of a query, engine-neutral. ``expr`` is filtered, aggregated, ordered and projected but not
    paged (engines page it: Ibis' own offset is broken on PySpark). ``count`` is the total before paging; in
    aggregate mode ``expr`` also carries it as a window column (``total_column``) so that one pass gives page and
    total."""

    expr: ibis.Table
    count: ibis.Scalar
    columns: list[str]
    limit: int
    offset: int
    aggregated: bool
    total_column: str | None = None
    sort_keys: list = field(default_factory=list)


def build_expr(table: ibis.Table, spec: QuerySpec, *, max_limit: int = MAX_LIMIT) -> Plan:
    """Validate ``spec`` against ``table``'s schema and build the Ibis expression. Raises QueryError."""
    if not isinstance(spec, QuerySpec):
        raise QueryError("Expected a QuerySpec.", code="invalid_query", param="query")
    schema = table.schema()
    limit, offset = _paging(spec, max_limit)

    filtered = table
    predicates = [_predicate(table, schema, f) for f in _as_list(spec.filters, "filters")]
    if predicates:
        filtered = table.filter(*predicates)

    if spec.aggregated:
        if spec.columns:
            raise QueryError(
                "columns applies to row queries; in an aggregate query the output is group_by plus aggregates.",
                code="invalid_columns",
                param="columns",
            )
        keys = _unique(_check_columns(schema, _as_list(spec.group_by, "group_by"), "group_by"))
        aggs = _aggregates(filtered, schema, keys, _as_list(spec.aggregates, "aggregates"))
        grouped = filtered.group_by(keys).aggregate(**aggs) if keys else filtered.aggregate(**aggs)
        output = keys + list(aggs)
        sort = _sort_pairs(spec.sort, output, "an output column (a group_by column or an aggregate alias)")
        # Groups are unique by their keys: the keys as tie-breakers make every page deterministic.
        sort += [(k, "asc") for k in keys if k not in {c for c, _ in sort}]
        with_total = grouped.mutate(**{_TOTAL: grouped.count().over(ibis.window())})
        keys_expr = [_order(with_total, c, d) for c, d in sort]
        expr = with_total.order_by(keys_expr) if keys_expr else with_total
        return Plan(
            expr=expr,
            count=grouped.count(),
            columns=output,
            limit=limit,
            offset=offset,
            aggregated=True,
            total_column=_TOTAL,
            sort_keys=sort,
        )

    columns = list(schema.names)
    if spec.columns:
        columns = _unique(_check_columns(schema, _as_list(spec.columns, "columns"), "columns"))
    sort = _sort_pairs(spec.sort, list(schema.names), "a column of the dataset")
    if sort:
        # Ties broken by the remaining returned columns so that pages do not overlap and engines agree.
        seen = {c for c, _ in sort}
        sort += [(c, "asc") for c in columns if c not in seen and _orderable(schema[c])]
    keys_expr = [_order(filtered, c, d) for c, d in sort]
    ordered = filtered.order_by(keys_expr) if keys_expr else filtered
    expr = ordered.select(columns) if columns != list(schema.names) else ordered
    return Plan(
        expr=expr,
        count=filtered.count(),
        columns=columns,
        limit=limit,
        offset=offset,
        aggregated=False,
        sort_keys=sort,
    )


def _as_list(value, param) -> list:
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise QueryError(f"{param} must be a list.", code=f"invalid_{param}", param=param)
    return list(value)


def _unique(names):
    return list(dict.fromkeys(names))


def _paging(spec, max_limit):
    limit = spec.limit
    if limit is None:
        limit = max_limit
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise QueryError(f"limit must be a whole number, not {limit!r}.", code="invalid_limit", param="limit")
    if limit < 0:
        raise QueryError("limit must be 0 or more.", code="invalid_limit", param="limit")
    offset = spec.offset or 0
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise QueryError(
            f"offset must be a whole number, not {offset!r}.", code="invalid_offset", param="offset"
        )
    if offset < 0:
        raise QueryError("offset must be 0 or more.", code="invalid_offset", param="offset")
    if offset > MAX_OFFSET:  # engines take a 64-bit offset; a larger one was a conversion error (a 500)
        raise QueryError(f"offset must be at most {MAX_OFFSET}.", code="invalid_offset", param="offset")
    return min(limit, max_limit), offset


MAX_OFFSET = 2**62


def _check_column(schema, name, param):
    if not isinstance(name, str) or name not in schema:
        known = ", ".join(schema.names[:20])
        raise QueryError(
            f"There is no column {name!r}; the columns are: {known}.",
            code="unknown_column",
            column=name if isinstance(name, str) else repr(name),
            param=param,
        )
    return name


def _check_columns(schema, names, param):
    return [_check_column(schema, n, param) for n in names]


def _orderable(dtype):
    return dtype.is_primitive() or dtype.is_temporal() or dtype.is_string() or dtype.is_decimal()


def _order(table, column, direction):
    col = table[column]
    return col.desc(nulls_first=False) if direction == "desc" else col.asc(nulls_first=False)


def _sort_pairs(sort, allowed, what):
    pairs = []
    for item in _as_list(sort, "sort"):
        if isinstance(item, str):
            parts = item.strip().rsplit(None, 1)
            if len(parts) == 2 and parts[1].lower() in _DIRECTIONS:
                column, direction = parts
            elif item.startswith("-"):
                column, direction = item[1:], "desc"
            else:
                column, direction = item.strip(), "asc"
        elif isinstance(item, list | tuple) and len(item) in (1, 2):
            column = item[0]
            direction = item[1] if len(item) == 2 else "asc"
        else:
            raise QueryError(
                f"Each sort entry is (column, 'asc'|'desc'), not {item!r}.", code="invalid_sort", param="sort"
            )
        if not isinstance(direction, str) or direction.lower() not in _DIRECTIONS:
            raise QueryError(
                f"Sort direction must be 'asc' or 'desc', not {direction!r}.",
                code="invalid_sort",
                column=column if isinstance(column, str) else None,
                param="sort",
            )
        if column not in allowed:
            raise QueryError(
                f"Cannot sort by {column!r}: it is not {what}; those are: {', '.join(allowed[:20])}.",
                code="unknown_column",
                column=column if isinstance(column, str) else repr(column),
                param="sort",
            )
        if column not in {c for c, _ in pairs}:
            pairs.append((column, direction.lower()))
    return pairs


def _aggregates(filtered, schema, keys, aggregates):
    if not aggregates:
        aggregates = [Aggregate("count")]
    out = {}
    for agg in aggregates:
        if not isinstance(agg, Aggregate):
            raise QueryError(f"Not an aggregate: {agg!r}.", code="invalid_aggregate", param="aggregates")
        func = agg.func.lower() if isinstance(agg.func, str) else agg.func
        func = _FUNC_ALIASES.get(func, func)
        if func not in AGGREGATE_FUNCS:
            raise QueryError(
                f"Unknown aggregate {agg.func!r}; use one of {', '.join(AGGREGATE_FUNCS)}.",
                code="invalid_aggregate",
                column=agg.column,
                param="aggregates",
            )
        if agg.column is None:
            if func != "count":
                raise QueryError(f"{func} needs a column.", code="invalid_aggregate", param="aggregates")
            value = filtered.count()
        else:
            _check_column(schema, agg.column, "aggregates")
            dtype = schema[agg.column]
            col = filtered[agg.column]
            if func in ("sum", "avg") and not (dtype.is_numeric() and not dtype.is_boolean()):
                raise QueryError(
                    f"{func} needs a numeric column; {agg.column!r} holds {dtype_name(dtype)}.",
                    code="invalid_aggregate",
                    column=agg.column,
                    param="aggregates",
                )
            if func in ("min", "max") and not _orderable(dtype):
                raise QueryError(
                    f"{func} needs a column whose values can be ordered; {agg.column!r} holds {dtype_name(dtype)}.",
                    code="invalid_aggregate",
                    column=agg.column,
                    param="aggregates",
                )
            value = getattr(col, {"avg": "mean"}.get(func, func))()
        name = agg.alias or (func if agg.column is None else f"{func}_{agg.column}")
        if not isinstance(name, str) or not name or name == _TOTAL:
            raise QueryError(f"Invalid alias {name!r}.", code="invalid_aggregate", param="aggregates")
        if name in out or name in keys:
            raise QueryError(
                f"Two output columns would be called {name!r}; give the aggregate an alias.",
                code="duplicate_alias",
                column=name,
                param="aggregates",
            )
        out[name] = value
    return out


def _predicate(table, schema, flt):
    if not isinstance(flt, Filter):
        if isinstance(flt, list | tuple) and len(flt) in (2, 3):
            flt = Filter(*flt)
        else:
            raise QueryError(f"Not a filter: {flt!r}.", code="invalid_filter", param="filters")
    column = _check_column(schema, flt.column, "filters")
    op = flt.op.lower().strip() if isinstance(flt.op, str) else flt.op
    op = _OP_ALIASES.get(op, op)
    if op not in OPERATORS:
        raise QueryError(
            f"Unknown filter operator {flt.op!r}; use one of {' '.join(OPERATORS)}.",
            code="invalid_operator",
            column=column,
            param="filters",
        )
    dtype = schema[column]
    col = table[column]
    if op == "isnull":
        return col.isnull()
    if op == "notnull":
        return col.notnull()
    if op in ("contains", "startswith"):
        if not dtype.is_string():
            raise QueryError(
                f"{op} works on text columns; {column!r} holds {dtype_name(dtype)}.",
                code="invalid_operator",
                column=column,
                param="filters",
            )
        value = coerce_value(flt.value, dtype, column)
        return col.contains(value) if op == "contains" else col.startswith(value)
    if op == "in":
        values = flt.value
        if isinstance(values, str | bytes) or not isinstance(values, Iterable):
            values = [values]
        values = list(values)
        if not values:
            raise QueryError(
                "in needs at least one value.", code="invalid_value", column=column, param="filters"
            )
        if len(values) > MAX_IN_VALUES:
            raise QueryError(
                f"in takes at most {MAX_IN_VALUES} values.",
                code="invalid_value",
                column=column,
                param="filters",
            )
        coerced = [coerce_value(v, dtype, column) for v in values]
        return col.isin([ibis.literal(v, type=dtype) for v in coerced])
    value = ibis.literal(coerce_value(flt.value, dtype, column), type=dtype)
    return {
        "=": col == value,
        "!=": col != value,
        "<": col < value,
        "<=": col <= value,
        ">": col > value,
        ">=": col >= value,
    }[op]


_INT_RE = re.compile(r"[+-]?\d+")
_DATE_FORMATS = ("%Y-%m-%d", "%Y.%m.%d", "%Y%m%d", "%Y/%m/%d", "%Y. %m. %d", "%Y.%m.%d.")
_TRUE = {"true", "t", "1", "yes", "y", "예", "참"}
_FALSE = {"false", "f", "0", "no", "n", "아니오", "거짓"}


def coerce_value(value, dtype: dt.DataType, column: str):
    """``value`` converted to ``dtype`` (strings like ``"1,234"``, ``"2024.05.01"`` understood), or a QueryError
    that names the column and says what was expected."""

    def bad(expected):
        return QueryError(
            f"{value!r} is not {expected}, which column {column!r} ({dtype_name(dtype)}) holds.",
            code="invalid_value",
            column=column,
            param="filters",
        )

    if value is None:
        raise QueryError(
            "A filter value is missing; to match empty cells use the isnull operator.",
            code="invalid_value",
            column=column,
            param="filters",
        )
    if isinstance(value, list | tuple | dict | set):
        raise bad("a single value")
    if dtype.is_string():
        if isinstance(value, bool) or not isinstance(value, str | int | float | decimal.Decimal):
            raise bad("text")
        return str(value)
    if dtype.is_boolean():
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise bad("true or false")
    if dtype.is_integer():
        if isinstance(value, bool):
            raise bad("a whole number")
        if isinstance(value, int):
            number = value
        elif isinstance(value, float | decimal.Decimal) and math.isfinite(value) and value == int(value):
            number = int(value)
        elif isinstance(value, str) and _INT_RE.fullmatch(value.strip().replace(",", "")):
            number = int(value.strip().replace(",", ""))
        else:
            raise bad("a whole number")
        bits = dtype.nbytes * 8
        lo, hi = (
            (0, 2**bits - 1) if dtype.is_unsigned_integer() else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        )
        if not lo <= number <= hi:
            raise bad(f"a whole number between {lo} and {hi}")
        return number
    if dtype.is_floating() or dtype.is_decimal():
        if isinstance(value, bool):
            raise bad("a number")
        if isinstance(value, int | float | decimal.Decimal):
            number = value
        elif isinstance(value, str):
            try:
                number = decimal.Decimal(value.strip().replace(",", ""))
            except decimal.InvalidOperation:
                raise bad("a number")
        else:
            raise bad("a number")
        if dtype.is_decimal():
            return decimal.Decimal(str(number))
        number = float(number)
        if math.isnan(number):
            raise bad("a number")
        return number
    if dtype.is_date():
        if isinstance(value, _dt.datetime):
            return value.date()
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, str):
            parsed = _parse_date(value.strip())
            if parsed:
                return parsed
        raise bad("a date (YYYY-MM-DD)")
    if dtype.is_timestamp():
        if isinstance(value, _dt.datetime):
            return value
        if isinstance(value, _dt.date):
            return _dt.datetime(value.year, value.month, value.day)
        if isinstance(value, str):
            text = value.strip()
            try:
                return _dt.datetime.fromisoformat(text)
            except ValueError:
                parsed = _parse_date(text)
                if parsed:
                    return _dt.datetime(parsed.year, parsed.month, parsed.day)
        raise bad("a date and time (YYYY-MM-DD HH:MM:SS)")
    if dtype.is_time():
        if isinstance(value, _dt.time):
            return value
        try:
            return _dt.time.fromisoformat(str(value).strip())
        except ValueError:
            raise bad("a time (HH:MM:SS)")
    return value


def _parse_date(text):
    for fmt in _DATE_FORMATS:
        try:
            return _dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# ---------------------------------------------------------------------------------------------------------------
# run_query
# ---------------------------------------------------------------------------------------------------------------


def _parquet_paths(paths) -> list[str]:
    if isinstance(paths, str | Path):
        paths = [paths]
    out = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(str(f) for f in sorted(p.glob("*.parquet")))
        else:
            out.append(str(p))
    if not out:
        raise QueryError("The dataset version has no data files.", code="no_data", param="paths")
    missing = [p for p in out if not Path(p).is_file()]
    if missing:
        raise QueryError(f"Data file {missing[0]} does not exist.", code="no_data", param="paths")
    return out


def run_query(paths, spec: QuerySpec, engine=None, *, max_limit: int = MAX_LIMIT) -> Result:
    """Run ``spec`` over the Parquet files ``paths`` (a version's file list, or its directory) on ``engine``
    (an :class:`~dongne.lake.engines.Engine` or its name; DuckDB when None)."""
    from .engines import get_engine

    started = time.perf_counter()
    engine = get_engine(engine)
    files = _parquet_paths(paths)
    with engine.open(files) as table:
        plan = build_expr(table, spec, max_limit=max_limit)
        page = engine.fetch(plan.expr, limit=plan.limit, offset=plan.offset)
        if plan.total_column is not None:
            totals = page.column(plan.total_column)
            page = page.drop_columns([plan.total_column])
            total = int(totals[0].as_py()) if len(totals) else None
        else:
            total = None
        if total is None:
            # Rows mode, or an aggregate page that came back empty (limit 0, offset past the end).
            total = engine.count(plan.count)
    schema = plan.expr.schema()
    columns = [{"name": name, "type": dtype_name(schema[name])} for name in plan.columns]
    rows = page.select(plan.columns).to_pylist()
    return Result(
        columns=columns,
        rows=rows,
        total=total,
        limit=plan.limit,
        offset=plan.offset,
        engine=engine.name,
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )


# ---------------------------------------------------------------------------------------------------------------
# Read-only SQL
# ---------------------------------------------------------------------------------------------------------------

# First words of statements that are not queries; recognised even where sqlglot cannot parse the rest.
_NOT_SELECT_WORDS = {
    "ALTER", "ANALYZE", "ATTACH", "BEGIN", "CALL", "CHECKPOINT", "COMMENT", "COMMIT", "COPY", "CREATE",
    "DEALLOCATE", "DELETE", "DESCRIBE", "DETACH", "DROP", "EXECUTE", "EXPLAIN", "EXPORT", "FORCE", "GRANT",
    "IMPORT", "INSERT", "INSTALL", "LOAD", "MERGE", "PIVOT", "PRAGMA", "PREPARE", "RESET", "REVOKE",
    "ROLLBACK", "SET", "SHOW", "SUMMARIZE", "TRUNCATE", "UNPIVOT", "UPDATE", "UPSERT", "USE", "VACUUM",
    "ABORT", "END", "START", "UNINSTALL", "UPDATE_EXTENSIONS", "REPLACE",
}  # fmt: skip

# Functions that read files, reach the network, run SQL from a string or reveal the engine's internals.
_FORBIDDEN_FUNCTIONS = {
    "read_csv", "read_csv_auto", "read_parquet", "read_json", "read_json_auto", "read_json_objects",
    "read_json_objects_auto", "read_ndjson", "read_ndjson_auto", "read_ndjson_objects", "read_text",
    "read_blob", "read_xlsx", "read_xls", "parquet_scan", "parquet_metadata", "parquet_schema",
    "parquet_file_metadata", "parquet_kv_metadata", "parquet_bloom_probe", "glob", "sniff_csv", "sqlite_scan",
    "sqlite_attach", "postgres_scan", "postgres_attach", "postgres_query", "mysql_scan", "mysql_query",
    "delta_scan", "iceberg_scan", "iceberg_metadata", "iceberg_snapshots", "st_read", "st_read_meta",
    "query", "query_table", "getenv", "current_setting", "load_extension", "install_extension",
    "checkpoint", "force_checkpoint", "arrow_scan", "arrow_scan_dumb", "python_map_function", "pandas_scan",
    "seq_scan", "index_scan", "json_execute_serialized_sql", "read_file", "excel",
}  # fmt: skip
_FORBIDDEN_PREFIXES = ("read_", "duckdb_", "pragma_", "sqlite_", "postgres_", "mysql_")
_FORBIDDEN_SUFFIXES = ("_scan", "_attach", "_query", "_metadata")


def _statement_chunks(sql):
    """Split on top-level semicolons using sqlglot's tokenizer (strings and comments respected)."""
    from sqlglot.dialects.duckdb import DuckDB
    from sqlglot.errors import TokenError
    from sqlglot.tokens import TokenType

    try:
        tokens = DuckDB().tokenize(sql)
    except TokenError as exc:
        raise QueryError(f"The SQL could not be read: {exc}", code="syntax_error", param="sql")
    chunks, current = [], []
    for tok in tokens:
        if tok.token_type == TokenType.SEMICOLON:
            if current:
                chunks.append(current)
            current = []
        else:
            current.append(tok)
    if current:
        chunks.append(current)
    return chunks


def _function_name(node) -> str:
    from sqlglot import exp

    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    name = node.sql_name() if hasattr(node, "sql_name") else type(node).__name__
    return str(name).lower()


def _is_forbidden_function(name: str) -> bool:
    return (
        name in _FORBIDDEN_FUNCTIONS
        or name.startswith(_FORBIDDEN_PREFIXES)
        or name.endswith(_FORBIDDEN_SUFFIXES)
    )


def check_sql(sql: str, table_names: Iterable[str]):
    """Parse and vet a read-only statement; returns the sqlglot tree or raises QueryError with code
    ``syntax_error``, ``multiple_statements``, ``not_select``, ``forbidden_function`` or ``unknown_table`` and
    the offending token in ``param``."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    if not isinstance(sql, str) or not sql.strip():
        raise QueryError("The SQL statement is empty.", code="syntax_error", param="sql")
    chunks = _statement_chunks(sql)
    if not chunks:
        raise QueryError("The SQL statement is empty.", code="syntax_error", param="sql")
    if len(chunks) > 1:
        token = chunks[1][0].text
        raise QueryError(
            "Send exactly one statement; a second one starts here.",
            code="multiple_statements",
            param=token,
            detail=sql[chunks[1][0].start :].strip()[:200],
        )
    first = chunks[0][0].text.upper()
    if first in _NOT_SELECT_WORDS:
        raise QueryError(
            f"Only SELECT queries are allowed; {first} is not one.", code="not_select", param=first
        )
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except ParseError as exc:
        err = (exc.errors or [{}])[0]
        token = (err.get("highlight") or "").strip() or first
        where = f" at line {err.get('line')}, column {err.get('col')}" if err.get("line") else ""
        raise QueryError(
            f"The SQL could not be parsed{where}: {err.get('description') or exc}",
            code="syntax_error",
            param=token,
        )

    root = tree.this if isinstance(tree, exp.Subquery) else tree
    if not isinstance(root, exp.Select | exp.SetOperation):
        raise QueryError(
            f"Only SELECT queries are allowed; {first} is not one.", code="not_select", param=first
        )

    forbidden_nodes = (
        exp.DDL, exp.DML, exp.Command, exp.Pragma, exp.Set, exp.Attach, exp.Detach, exp.Copy, exp.Use,
        exp.Transaction, exp.Commit, exp.Rollback, exp.Install, exp.Into, exp.Describe, exp.Summarize,
        exp.Export, exp.Grant, exp.Revoke, exp.Analyze, exp.Comment, exp.Declare, exp.Lock, exp.Cache,
        exp.Uncache, exp.Refresh, exp.LoadData, exp.Show, exp.Kill,
    )  # fmt: skip
    for node in tree.walk():
        if isinstance(node, forbidden_nodes):
            token = node.key.upper()
            raise QueryError(
                f"Only SELECT queries are allowed; the statement contains {token}.",
                code="not_select",
                param=token,
            )

    allowed = {name.casefold() for name in table_names}
    ctes = {cte.alias_or_name.casefold() for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        source = table.this
        if isinstance(source, exp.Func):
            name = _function_name(source)
            raise QueryError(
                f"Table functions are not allowed ({name}); query the dataset tables by name.",
                code="forbidden_function",
                param=name,
            )
        if not isinstance(source, exp.Identifier):
            name = source.sql(dialect="duckdb") if source is not None else table.sql(dialect="duckdb")
            raise QueryError(f"{name} is not a table here.", code="unknown_table", param=name)
        name = source.name
        qualified = table.args.get("db") or table.args.get("catalog")
        if qualified:
            full = ".".join(p.name for p in table.parts)
            raise QueryError(
                f"Unknown table {full!r}; the tables are: {', '.join(sorted(table_names))}.",
                code="unknown_table",
                param=full,
            )
        if name.casefold() in allowed or name.casefold() in ctes:
            continue
        if source.quoted and re.search(r"[./\\:*?]", name):
            raise QueryError(
                f"Reading files or URLs is not allowed ({name!r}); query the dataset tables by name.",
                code="forbidden_function",
                param=name,
            )
        raise QueryError(
            f"Unknown table {name!r}; the tables are: {', '.join(sorted(table_names))}.",
            code="unknown_table",
            param=name,
        )

    for node in tree.find_all(exp.Func):
        name = _function_name(node)
        if _is_forbidden_function(name):
            raise QueryError(
                f"The function {name} is not allowed in a query.", code="forbidden_function", param=name
            )
    return tree


# Applied, in order, to each run_sql connection before the user's statement; the last two lock it.
_SQL_LOCKDOWN = (
    "SET python_enable_replacements = false",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET allow_community_extensions = false",
    "SET enable_external_access = false",
    "SET lock_configuration = true",
)


def sql_connection(tables: Mapping[str, Sequence[str]], *, memory_limit: str | None = None, threads=None):
    """A fresh in-memory DuckDB connection with ``tables`` registered as Arrow datasets, then locked down:
    external access (files, network, extensions) off and the configuration locked, so nothing the statement
    says can read a file even if the parser were bypassed."""
    import duckdb
    import pyarrow.dataset as ds

    con = duckdb.connect(":memory:")
    try:
        for name, paths in tables.items():
            con.register(name, ds.dataset(_parquet_paths(paths), format="parquet"))
        if memory_limit:
            con.execute(f"SET memory_limit = '{_sql_literal(memory_limit)}'")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        for statement in _SQL_LOCKDOWN:
            con.execute(statement)
    except BaseException:
        con.close()
        raise
    return con


def _sql_literal(text):
    return str(text).replace("'", "''")


def run_sql(
    tables: Mapping[str, Sequence[str]],
    sql: str,
    *,
    max_rows: int = 1000,
    timeout_s: float = 10,
    memory_limit: str | None = None,
) -> Result:
    """Run one read-only SELECT over ``tables`` (name → Parquet files). At most ``max_rows`` rows come back
    (``truncated`` says whether more existed; ``total`` is the number returned); a statement running longer
    than ``timeout_s`` is interrupted (QueryError code ``timeout``)."""
    import duckdb

    started = time.perf_counter()
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 0:
        raise QueryError("max_rows must be 0 or more.", code="invalid_limit", param="max_rows")
    check_sql(sql, tables.keys())
    con = sql_connection(tables, memory_limit=memory_limit)
    fired = threading.Event()

    def interrupt():
        fired.set()
        con.interrupt()

    timer = threading.Timer(timeout_s, interrupt)
    timer.daemon = True
    timer.start()
    try:
        batches, count = [], 0
        reader = con.sql(sql).to_arrow_reader(min(max(max_rows + 1, 1), 10_000))
        try:
            for batch in reader:
                batches.append(batch)
                count += batch.num_rows
                if count > max_rows:
                    break
        finally:
            reader.close()
        import pyarrow as pa

        table = pa.Table.from_batches(batches, schema=reader.schema)
    except Exception as exc:
        if fired.is_set():
            raise QueryError(
                f"The query ran longer than {timeout_s:g} s and was stopped.",
                code="timeout",
                param="timeout_s",
            )
        if isinstance(exc, duckdb.Error):
            raise QueryError(_duckdb_message(exc), code="sql_error", param="sql")
        raise
    finally:
        timer.cancel()
        con.close()

    truncated = table.num_rows > max_rows
    table = table.slice(0, max_rows)
    columns = [{"name": f.name, "type": _arrow_type_name(f.type)} for f in table.schema]
    # Duplicate output names (SELECT a, a) would collapse in dicts; make them unique.
    names = _unique_names([f.name for f in table.schema])
    rows = table.rename_columns(names).to_pylist()
    for col, name in zip(columns, names, strict=True):
        col["name"] = name
    return Result(
        columns=columns,
        rows=rows,
        total=len(rows),
        limit=max_rows,
        truncated=truncated,
        engine="duckdb",
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )


def _duckdb_message(exc) -> str:
    text = str(exc).strip()
    return text.split("\n\nLINE")[0]


def _unique_names(names):
    taken, out = set(), []
    for name in names:
        candidate, n = name, 1
        while candidate in taken:
            n += 1
            candidate = f"{name}_{n}"
        taken.add(candidate)
        out.append(candidate)
    return out


def _arrow_type_name(arrow_type) -> str:
    try:
        return dtype_name(dt.DataType.from_pyarrow(arrow_type))
    except Exception:  # an Arrow type Ibis does not map
        return str(arrow_type)
