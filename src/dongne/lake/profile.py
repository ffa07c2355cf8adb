"""Column profiles and the preview, computed once at ingest over the written Parquet and stored in
``_version.json``, so a dataset page never rescans the data.

Counts and min/max come from the Parquet metadata (DuckDB answers those aggregates from row-group statistics
when they are asked alone), approximate distinct counts (HyperLogLog) from one scan; then, per column whose
values repeat and number at most TOP_GROUPS distinct, a GROUP BY for its top values (Parquet is columnar, so
each reads one column). A column of mostly unique values has no meaningful top values and is not grouped —
that keeps memory bounded at 10 million distinct values.

Top values are exact, except for a column of more than TOP_EXACT_DISTINCT distinct values in a version of more
than TOP_SAMPLE_ROWS rows: there the GROUP BY (hashing millions of values into a table of many thousand
groups, the dearest part of a profile) runs on evenly spaced row groups holding about TOP_SAMPLE_ROWS rows,
and the counts are scaled to the whole version; the profile says so with ``"top_sampled": true``.

Distinct counts of such a big version are estimated from the same sample rather than by hashing every value
(that scan was the dearest step of an ingest after the copy itself): the sample's distinct values and how many
of them were seen once feed Haas and Stokes' Duj1 estimator — a saturated column (codes, categories) keeps the
sample's count, a unique one (serial numbers) scales to the row count, one in between lands near its true
count when values are spread through the file (row groups are sampled whole, so a column sorted or periodic in
file order can be misjudged). The profile says so with ``"distinct_sampled": true``.
"""

import base64
import datetime as dt
import decimal
import math

from .sqlutil import ident, path_list

TOP = 5
TOP_GROUPS = 200_000
TOP_EXACT_DISTINCT = 10_000
TOP_SAMPLE_ROWS = 500_000
TEXT_LIMIT = 200  # profile values are for display; a 5 kB description is cut


def profile(con, files, columns: list[dict]) -> list[dict]:
    """Per column (``columns`` as in _version.json): name, type, nulls, distinct (estimate), min, max and
    top values [{"value", "count"}] (values seen more than once; None when not computed)."""
    rel = f"read_parquet({path_list(files)})"
    typed = [c for c in columns if c["type"] != "other"]
    # Counts and min/max, each asked alone, are answered from the Parquet metadata (row-group statistics)
    # without reading the data; in one query with a distinct count they would cost a scan of every column.
    counts = _row(con, rel, ["count(*)"] + [f"count({ident(c['name'])})" for c in columns])
    ranges = _row(con, rel, [f"{f}({ident(c['name'])})" for c in typed for f in ("min", "max")])
    total = next(counts)
    present = {c["name"]: next(counts) for c in columns}
    sample = _sample(con, files, total) if total > TOP_SAMPLE_ROWS else None
    if sample:
        distinct = iter(_sampled_distinct(con, files, typed, sample, present))
    else:
        distinct = _row(con, rel, [f"approx_count_distinct({ident(c['name'])})" for c in typed])
    out = []
    for c in columns:
        p = {"name": c["name"], "type": c["type"], "nulls": total - present[c["name"]]}
        if c["type"] != "other":
            p["distinct"] = next(distinct)
            if sample:
                p["distinct_sampled"] = True
            p["min"], p["max"] = _short(json_safe(next(ranges))), _short(json_safe(next(ranges)))
            p["top"] = None
            present_n = present[c["name"]]
            if p["distinct"] <= TOP_GROUPS and p["distinct"] < 0.95 * present_n:
                q, where, scale = ident(c["name"]), "", 1.0
                if sample and p["distinct"] > TOP_EXACT_DISTINCT:
                    where, scale = sample[0], total / sample[1]
                    p["top_sampled"] = True
                top = con.execute(
                    f"SELECT {q}, count(*) FROM {_rel(files, where)} WHERE {q} IS NOT NULL{where} GROUP BY 1 "
                    f"HAVING count(*) > 1 ORDER BY 2 DESC, 1 LIMIT {TOP}"
                ).fetchall()
                p["top"] = [{"value": _short(json_safe(v)), "count": round(n * scale)} for v, n in top]
            elif present_n and p["distinct"] >= 0.95 * present_n:
                p["top"] = []  # (nearly) every value is unique
        out.append(p)
    return out


def _rel(files, where: str) -> str:
    return f"read_parquet({path_list(files)}{', file_row_number=true' if where else ''})"


def _sampled_distinct(con, files, typed, sample, present: dict) -> list[int]:
    """Distinct estimates of ``typed`` columns from the sample (see the module's docstring)."""
    where = sample[0]
    out = []
    for c in typed:
        q, population = ident(c["name"]), present[c["name"]]
        n, d, f1 = con.execute(
            f"SELECT sum(k), count(*), count(*) FILTER (WHERE k = 1) FROM (SELECT count(*) AS k "
            f"FROM {_rel(files, where)} WHERE {q} IS NOT NULL{where} GROUP BY {q})"
        ).fetchone()
        if not n:
            out.append(0)
            continue
        # Haas and Stokes' Duj1: n·d / (n − f1 + f1·n/N); values seen once in the sample stand for the unseen
        estimate = n * d / (n - f1 + f1 * n / population)
        out.append(int(round(min(max(estimate, d), population))))
    return out


def _sample(con, files, total: int) -> tuple[str, int] | None:
    """(a filter on file_row_number keeping every k-th row group, the rows it keeps) for a single file, so
    that about TOP_SAMPLE_ROWS rows are read: DuckDB skips the other row groups without reading them."""
    if len(files) != 1:
        return None
    sizes = [
        n
        for _, n in con.execute(
            f"SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata({path_list(files)}) "
            "ORDER BY 1"
        ).fetchall()
    ]
    step = -(-total // TOP_SAMPLE_ROWS)
    if step < 2 or len(sizes) < 2 * step:
        return None
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    keep = list(range(0, len(sizes), step))

    def where(groups):
        return " OR ".join(
            f"file_row_number BETWEEN {starts[i]} AND {starts[i] + sizes[i] - 1}" for i in groups
        )

    half = keep[::2]
    return f" AND ({where(keep)})", sum(sizes[i] for i in keep), where(half), sum(sizes[i] for i in half)


def _row(con, rel: str, aggregates: list[str]):
    """An iterator over the one row of ``SELECT aggregates FROM rel`` (empty without aggregates)."""
    return iter(con.execute(f"SELECT {', '.join(aggregates)} FROM {rel}").fetchone() if aggregates else ())


def preview(con, files, limit: int = 50) -> list[dict]:
    """The first ``limit`` rows in file order, JSON-safe."""
    cur = con.execute(f"SELECT * FROM read_parquet({path_list(files)}) LIMIT {int(limit)}")
    names = [d[0] for d in cur.description]
    return [{n: json_safe(v) for n, v in zip(names, r, strict=True)} for r in cur.fetchall()]


def json_safe(value):
    """A value that json.dumps accepts and a reader understands: dates as ISO text, NaN as null."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    return str(value)


def _short(value):
    return value[:TEXT_LIMIT] + "…" if isinstance(value, str) and len(value) > TEXT_LIMIT else value
