"""Column profiles and the preview, computed once at ingest over the written Parquet and stored in
``_version.json``, so a dataset page never rescans the data.

One scan for counts, approximate distinct counts (HyperLogLog) and min/max; then, per column whose values
repeat and number at most TOP_GROUPS distinct, an exact GROUP BY for its top values (Parquet is columnar, so
each reads one column). A column of mostly unique values has no meaningful top values and is not grouped —
that keeps memory bounded at 10 million distinct values.
"""

import base64
import datetime as dt
import decimal
import math

from .sqlutil import ident, path_list

TOP = 5
TOP_GROUPS = 200_000
TEXT_LIMIT = 200  # profile values are for display; a 5 kB description is cut


def profile(con, files, columns: list[dict]) -> list[dict]:
    """Per column (``columns`` as in _version.json): name, type, nulls, distinct (estimate), min, max and
    top values [{"value", "count"}] (values seen more than once; None when not computed)."""
    rel = f"read_parquet({path_list(files)})"
    aggs = ["count(*)"]
    for c in columns:
        q = ident(c["name"])
        aggs.append(f"count({q})")
        if c["type"] != "other":
            aggs += [f"approx_count_distinct({q})", f"min({q})", f"max({q})"]
    row = iter(con.execute(f"SELECT {', '.join(aggs)} FROM {rel}").fetchone())
    total = next(row)
    out = []
    for c in columns:
        p = {"name": c["name"], "type": c["type"], "nulls": total - next(row)}
        if c["type"] != "other":
            p["distinct"], p["min"], p["max"] = (
                next(row),
                _short(json_safe(next(row))),
                _short(json_safe(next(row))),
            )
            p["top"] = None
            present = total - p["nulls"]
            if p["distinct"] <= TOP_GROUPS and p["distinct"] < 0.95 * present:
                q = ident(c["name"])
                top = con.execute(
                    f"SELECT {q}, count(*) FROM {rel} WHERE {q} IS NOT NULL GROUP BY 1 HAVING count(*) > 1 "
                    f"ORDER BY 2 DESC, 1 LIMIT {TOP}"
                ).fetchall()
                p["top"] = [{"value": _short(json_safe(v)), "count": n} for v, n in top]
            elif present and p["distinct"] >= 0.95 * present:
                p["top"] = []  # (nearly) every value is unique
        out.append(p)
    return out


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
