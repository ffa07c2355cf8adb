"""Insights benchmark: the overview dashboard's queries over N daily visitor rows, through the analyses (Ibis on
the DuckDB engine, with suppression and Python rows) vs the same SQL written by hand on DuckDB.

    .venv/bin/python bench/bench_insights.py                   # 100,000,000 rows (default)
    .venv/bin/python bench/bench_insights.py --rows 10000000   # quicker
    .venv/bin/python bench/bench_insights.py --data /tmp/b     # keep (or reuse) the generated files there

Generates the ``insights-visitors`` table at benchmark size with ``generate.write_bench_visitors`` (about 3,200
areas — the 43 real ones plus synthetic 시군구/읍면동 for the other 시도 — × 3 visitor types × as many days as the
row count needs, zstd Parquet written in streaming row groups), then times, in one process on the same files,
best of --repeat runs with ours and raw interleaved, the queries the overview page runs
(``insights/views.py``):

  trend         trend(area 춘천시, by visitor_type, daily, 7-day moving average)
  map (읍면동)  area_totals(level emd)
  map (시군구)  area_totals(level sigungu)
  mix           visitor_mix(area 춘천시)

in two scenarios: the page's default period (the last 364 days with data) and the whole period (every row read;
the trend then monthly over Gangwon). It checks that both sides give the same numbers, prints each ratio
ours / raw (target ≤ 1.2×) and the page's server time — all its queries, sequentially — as the median over the
runs (target < 1 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dongne.insights import analyses  # noqa: E402
from dongne.insights.analyses import Filters  # noqa: E402
from dongne.insights.generate import write_bench_visitors  # noqa: E402

K = 10
CITY = "32010"


def overview_queries(paths, start, end, *, whole):
    """(name, ours, raw, compare) for each query of the overview page."""
    sources = {"insights-visitors": paths}
    files = "[" + ", ".join(f"'{p}'" for p in paths) + "]"
    src = f"read_parquet({files})"
    period = "" if whole else f"date >= DATE '{start}' AND date <= DATE '{end}'"

    def where(*more):
        conditions = [c for c in (period, *more) if c]
        return " WHERE " + " AND ".join(conditions) if conditions else ""

    if whole:
        trend_filters = Filters()
        grain, window, area_cond = "month", 3, "length(area_code) = 5"
        period_expr = "date_trunc('month', date)::DATE"
    else:
        trend_filters = Filters(start=start, end=end, areas=[CITY])
        grain, window, area_cond = "day", 7, f"area_code IN ('{CITY}')"
        period_expr = "date"
    trend_sql = f"""
        WITH g AS (SELECT {period_expr} AS period, visitor_type, sum(visitors) AS visitors,
                          min(date) AS first, max(date) AS last
                   FROM {src}{where(area_cond)} GROUP BY ALL)
        SELECT period, visitor_type, visitors, last - first + 1,
               avg(visitors) OVER w, min(visitors) OVER w, count(visitors) OVER w
        FROM g WINDOW w AS (PARTITION BY visitor_type ORDER BY period ROWS BETWEEN {window - 1} PRECEDING
                            AND CURRENT ROW)
        ORDER BY visitor_type, period"""

    def totals_sql(level_len):
        return f"""
        SELECT area_code, area_name, sum(visitors), min(date), max(date),
               sum(visitors) FILTER (WHERE visitor_type = 'local'),
               sum(visitors) FILTER (WHERE visitor_type = 'other'),
               sum(visitors) FILTER (WHERE visitor_type = 'foreign')
        FROM {src}{where(f"length(area_code) = {level_len}")} GROUP BY ALL"""

    mix_filters = Filters() if whole else Filters(start=start, end=end, areas=[CITY])
    mix_sql = f"""SELECT visitor_type, sum(visitors) FROM {src}
                  {where("length(area_code) = 5" if whole else f"area_code IN ('{CITY}')")} GROUP BY 1"""
    level_filters = {
        level: Filters(level=level) if whole else Filters(start=start, end=end, level=level)
        for level in ("emd", "sigungu")
    }

    def check_trend(ours, raw):
        got = {
            (r["period"], r["visitor_type"]): r["visitors"] for r in ours.rows if r["visitors"] is not None
        }
        want = {(p, t): v for p, t, v, *_ in raw}
        return all(want[key] == value for key, value in got.items()) and len(ours.rows) == len(raw)

    def check_totals(ours, raw):
        want = {row[0]: row[2] for row in raw}
        return len(ours.rows) == len(raw) and all(
            r["visitors"] is None or r["visitors"] == want[r["area_code"]] for r in ours.rows
        )

    def check_mix(ours, raw):
        want = dict(raw)
        return all(r["visitors"] is None or r["visitors"] == want[r["visitor_type"]] for r in ours.rows)

    return [
        (
            "trend",
            lambda: analyses.trend(
                trend_filters, grain, "visitor_type", window, sources=sources, k=K, engine="duckdb"
            ),
            trend_sql,
            check_trend,
        ),
        (
            "map (읍면동)",
            lambda: analyses.area_totals(level_filters["emd"], sources=sources, k=K, engine="duckdb"),
            totals_sql(7),
            check_totals,
        ),
        (
            "map (시군구)",
            lambda: analyses.area_totals(level_filters["sigungu"], sources=sources, k=K, engine="duckdb"),
            totals_sql(5),
            check_totals,
        ),
        (
            "mix",
            lambda: analyses.visitor_mix(mix_filters, sources=sources, k=K, engine="duckdb"),
            mix_sql,
            check_mix,
        ),
    ]


def run_scenario(title, queries, con, repeat):
    print(f"\n{title}")
    print(f"  {'query':<14} {'raw DuckDB':>11} {'analyses':>11} {'ratio':>7}")
    for _name, ours, raw, check in queries:  # warm-up: file cache, imports, cached schema
        assert check(ours(), con.execute(raw).fetchall()), f"{_name}: results differ"
    ours_runs = {name: [] for name, *_ in queries}
    raw_runs = {name: [] for name, *_ in queries}
    for _ in range(repeat):
        # Interleaved query by query, so that drift (other load, CPU clocks) hits both sides alike.
        for name, ours, raw, _check in queries:
            t0 = time.perf_counter()
            con.execute(raw).fetchall()
            raw_runs[name].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            ours()
            ours_runs[name].append(time.perf_counter() - t0)
    best_ours = best_raw = 0.0
    for name, *_ in queries:
        o, r = min(ours_runs[name]), min(raw_runs[name])
        best_ours += o
        best_raw += r
        print(f"  {name:<14} {r * 1000:9.1f} ms {o * 1000:9.1f} ms {o / r:6.2f}×")
    page = [sum(ours_runs[name][i] for name, *_ in queries) for i in range(repeat)]
    raw_page = [sum(raw_runs[name][i] for name, *_ in queries) for i in range(repeat)]
    print(
        f"  {'all (best)':<14} {best_raw * 1000:9.1f} ms {best_ours * 1000:9.1f} ms {best_ours / best_raw:6.2f}×"
    )
    print(
        f"  page server time, all {len(queries)} queries: median {statistics.median(page) * 1000:.0f} ms "
        f"(raw SQL {statistics.median(raw_page) * 1000:.0f} ms) over {repeat} runs — target < 1000 ms"
    )
    return best_ours / best_raw, statistics.median(page)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--data", type=Path, help="folder for the generated files (kept; reused if present)")
    args = parser.parse_args(argv)

    tmp = None
    folder = args.data
    if folder is None:
        tmp = tempfile.TemporaryDirectory(prefix="dongne-bench-insights-")
        folder = Path(tmp.name)
    try:
        paths = sorted(str(p) for p in folder.glob("part-*.parquet"))
        con = duckdb.connect()
        if paths:
            rows = con.execute(f"SELECT count(*) FROM read_parquet({paths})").fetchone()[0]
            print(f"Reusing {rows:,} rows in {len(paths)} files under {folder}")
        else:
            print(f"Generating {args.rows:,} visitor rows into {folder} …", flush=True)
            t0 = time.perf_counter()
            last = [0.0]

            def progress(done, total):
                if time.perf_counter() - last[0] > 10:
                    last[0] = time.perf_counter()
                    print(f"  {done / total:5.1%}  {done:,} rows", flush=True)

            info = write_bench_visitors(folder, rows=args.rows, files=args.files, progress=progress)
            paths = [str(p) for p in info["paths"]]
            rows = info["rows"]
            size = sum(Path(p).stat().st_size for p in paths)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"  {rows:,} rows, {info['areas']:,} areas, {info['start']} … {info['end']}, "
                f"{size / 1e9:.2f} GB in {len(paths)} files, {time.perf_counter() - t0:.0f} s, "
                f"peak RSS {peak:.0f} MB"
            )
        first, last_day = con.execute(f"SELECT min(date), max(date) FROM read_parquet({paths})").fetchone()
        start = max(first, last_day - dt.timedelta(days=363))
        print(
            f"DuckDB {duckdb.__version__}, both sides with DuckDB's default threads; k = {K}; "
            f"best of {args.repeat}, interleaved"
        )
        default = run_scenario(
            f"Overview, default period {start} … {last_day} (춘천시; maps of 읍면동 and 시군구):",
            overview_queries(paths, start, last_day, whole=False),
            con,
            args.repeat,
        )
        whole = run_scenario(
            f"Overview, whole period {first} … {last_day} (every row read; trend monthly over Gangwon):",
            overview_queries(paths, first, last_day, whole=True),
            con,
            args.repeat,
        )
        print(
            f"\nSummary at {rows:,} rows: default period {default[0]:.2f}× raw, page {default[1] * 1000:.0f} ms; "
            f"whole period {whole[0]:.2f}× raw, page {whole[1] * 1000:.0f} ms."
        )
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
