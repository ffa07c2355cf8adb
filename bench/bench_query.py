"""Query benchmark: a group-by aggregate over N rows through our query layer vs the same SQL in raw DuckDB.

    .venv/bin/python bench/bench_query.py                 # 10,000,000 rows
    .venv/bin/python bench/bench_query.py --rows 2000000  # quicker

Generates a Parquet version (시군구, 월, 날짜, 업종, 방문객수, 매출액; a few nulls) split over several files, then
times, best of --repeat runs each, in the same process on the same files:

  ours   run_query(paths, QuerySpec(filters, group_by=[시군구, 월], aggregates=[count, sum, avg]))  (DuckDB engine)
  raw    the same aggregate written by hand in DuckDB SQL over read_parquet([...]) on one open connection

and prints the ratio ours / raw (target ≤ 1.2×). As a peer it loads the same rows into PostgreSQL (an UNLOGGED table
in a scratch database ``dongne_bench``, created and dropped here; COPY through psycopg) and times the same
aggregate there — how CKAN's DataStore would serve it. Skipped with a message when PostgreSQL cannot be reached.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dongne.lake.query import Aggregate, Filter, QuerySpec, run_query  # noqa: E402

REGIONS = [
    "춘천시", "원주시", "강릉시", "동해시", "태백시", "속초시", "삼척시", "홍천군", "횡성군",
    "영월군", "평창군", "정선군", "철원군", "화천군", "양구군", "인제군", "고성군", "양양군",
]  # fmt: skip
KINDS = ["숙박", "음식", "관광지", "쇼핑", "레저", "문화"]
SCHEMA = pa.schema(
    [
        ("시군구", pa.string()),
        ("월", pa.int32()),
        ("날짜", pa.date32()),
        ("업종", pa.string()),
        ("방문객수", pa.int64()),
        ("매출액", pa.float64()),
    ]
)
SINCE = "2024-04-01"

SPEC = QuerySpec(
    filters=[Filter("날짜", ">=", SINCE)],
    group_by=["시군구", "월"],
    aggregates=[Aggregate("count", alias="건수"), Aggregate("sum", "방문객수"), Aggregate("avg", "매출액")],
    limit=10_000,
)


def raw_sql(source: str, quote='"') -> str:
    q = lambda name: f"{quote}{name}{quote}"  # noqa: E731
    return (
        f"SELECT {q('시군구')}, {q('월')}, count(*) AS {q('건수')}, sum({q('방문객수')}) AS {q('sum_방문객수')}, "
        f"avg({q('매출액')}) AS {q('avg_매출액')} FROM {source} WHERE {q('날짜')} >= DATE '{SINCE}' "
        f"GROUP BY {q('시군구')}, {q('월')} ORDER BY {q('시군구')} ASC NULLS LAST, {q('월')} ASC NULLS LAST"
    )


def batches(rows: int, chunk: int = 1_000_000, seed: int = 2018):
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01")
    regions = np.array(REGIONS, dtype=object)
    kinds = np.array(KINDS, dtype=object)
    for lo in range(0, rows, chunk):
        n = min(chunk, rows - lo)
        days = rng.integers(0, 366, n)
        dates = start + days.astype("timedelta64[D]")
        months = dates.astype("datetime64[M]").astype(int) % 12 + 1
        region = regions[rng.integers(0, len(REGIONS), n)]
        region[rng.random(n) < 0.001] = None
        visitors = rng.integers(0, 5_000, n)
        visitors_mask = rng.random(n) < 0.01
        sales = np.round(rng.gamma(2.0, 150_000.0, n), 2)
        sales_mask = rng.random(n) < 0.01
        yield pa.record_batch(
            [
                pa.array(region, pa.string()),
                pa.array(months, pa.int32()),
                pa.array(dates, pa.date32()),
                pa.array(kinds[rng.integers(0, len(KINDS), n)], pa.string()),
                pa.array(visitors, pa.int64(), mask=visitors_mask),
                pa.array(sales, pa.float64(), mask=sales_mask),
            ],
            schema=SCHEMA,
        )


def generate(folder: Path, rows: int, files: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    per_file = math.ceil(rows / files)
    paths, writer, written, index = [], None, 0, 0
    for batch in batches(rows):
        offset = 0
        while offset < batch.num_rows:
            if writer is None:
                path = folder / f"part-{index:05d}.parquet"
                writer = pq.ParquetWriter(path, SCHEMA, compression="zstd")
                paths.append(str(path))
                index += 1
            take = min(batch.num_rows - offset, per_file - written)
            writer.write_batch(batch.slice(offset, take), row_group_size=1_000_000)
            offset += take
            written += take
            if written >= per_file:
                writer.close()
                writer, written = None, 0
    if writer is not None:
        writer.close()
    return paths


def best_of(fn, repeat: int):
    fn()  # warm-up: file cache, imports
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def best_of_pair(first, second, repeat: int):
    """Best of ``repeat`` for each, the runs interleaved so that drift (other load, CPU clocks) hits both."""
    first(), second()  # warm-up: file cache, imports, cached schema
    times = ([], [])
    results = [None, None]
    for _ in range(repeat):
        for i, fn in enumerate((first, second)):
            t0 = time.perf_counter()
            results[i] = fn()
            times[i].append(time.perf_counter() - t0)
    return (min(times[0]), results[0]), (min(times[1]), results[1])


def canonical(rows):
    """Rows in key order (PostgreSQL's collation may order Hangul differently), floats to 6 significant
    digits (engines sum in different orders)."""
    norm = [tuple(float(f"{v:.6g}") if isinstance(v, float) else v for v in row) for row in rows]
    return sorted(norm, key=lambda r: tuple((v is None, v if v is not None else 0) for v in r[:2]))


def bench_postgres(url: str, paths: list[str], repeat: int, expected):
    try:
        import psycopg
        from psycopg import sql as pgsql
    except ImportError:
        print("PostgreSQL: psycopg is not installed — skipped")
        return None
    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=5)
    except Exception as exc:  # unreachable, auth, …
        print(f"PostgreSQL: cannot connect to {url} ({str(exc).strip().splitlines()[0]}) — skipped")
        return None
    db = "dongne_bench"
    bench_url = psycopg.conninfo.make_conninfo(url, dbname=db)
    try:
        admin.execute(pgsql.SQL("DROP DATABASE IF EXISTS {}").format(pgsql.Identifier(db)))
        admin.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(db)))
        with psycopg.connect(bench_url, autocommit=True) as con:
            version = con.execute("SHOW server_version").fetchone()[0]
            con.execute(
                'CREATE UNLOGGED TABLE visits ("시군구" text, "월" integer, "날짜" date, "업종" text, '
                '"방문객수" bigint, "매출액" double precision)'
            )
            t0 = time.perf_counter()
            with con.cursor() as cur:
                with cur.copy(
                    'COPY visits ("시군구", "월", "날짜", "업종", "방문객수", "매출액") FROM STDIN '
                    "WITH (FORMAT csv)"
                ) as copy:
                    options = pacsv.WriteOptions(include_header=False)
                    for path in paths:
                        for batch in pq.ParquetFile(path).iter_batches(batch_size=200_000):
                            sink = pa.BufferOutputStream()
                            pacsv.write_csv(pa.Table.from_batches([batch]), sink, options)
                            copy.write(sink.getvalue().to_pybytes())
            con.execute("VACUUM ANALYZE visits")
            load = time.perf_counter() - t0
            query = raw_sql("visits")
            elapsed, rows = best_of(lambda: con.execute(query).fetchall(), repeat)
            if canonical(rows) != expected:
                print("PostgreSQL: WARNING — result differs from DuckDB's")
            return {"version": version, "load": load, "query": elapsed}
    finally:
        try:
            admin.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(db)))
        finally:
            admin.close()


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=8, help="Parquet files in the version (default 8)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs per contender, interleaved; the best counts"
    )
    parser.add_argument("--dir", type=Path, help="where to write the data (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the generated Parquet files")
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL peer")
    args = parser.parse_args(argv)

    root = args.dir or Path(tempfile.mkdtemp(prefix="dongne-bench-query-"))
    folder = root / "v000001"
    try:
        print(f"== query benchmark: {args.rows:,} rows, {args.files} Parquet files, best of {args.repeat}")
        print(f"   DuckDB {duckdb.__version__}, {os.cpu_count()} CPUs, {dt.datetime.now():%Y-%m-%d %H:%M}")
        t0 = time.perf_counter()
        paths = generate(folder, args.rows, args.files)
        size = sum(Path(p).stat().st_size for p in paths)
        print(f"generated in {time.perf_counter() - t0:.1f} s ({size / 2**20:.0f} MiB of Parquet)")

        raw_con = duckdb.connect()
        source = "read_parquet([" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "])"
        raw_query = raw_sql(source)
        (raw_time, raw_rows), (ours_time, ours) = best_of_pair(
            lambda: raw_con.sql(raw_query).fetchall(), lambda: run_query(paths, SPEC), args.repeat
        )
        raw_con.close()

        ours_rows = canonical([tuple(r.values()) for r in ours.rows])
        expected = canonical(raw_rows)
        if ours_rows != expected:
            print("WARNING: run_query and raw DuckDB disagree")
        print(f"groups: {ours.total} (filter 날짜 >= {SINCE}; group by 시군구, 월; count, sum, avg)")
        print(f"raw DuckDB SQL          {raw_time * 1000:8.1f} ms")
        print(f"run_query (DuckDB)      {ours_time * 1000:8.1f} ms")
        ratio = ours_time / raw_time
        print(
            f"ratio run_query / raw   {ratio:8.2f}×   (target ≤ 1.2×: {'met' if ratio <= 1.2 else 'NOT met'})"
        )

        if not args.no_pg:
            pg = bench_postgres(args.pg_url, paths, args.repeat, expected)
            if pg:
                print(f"PostgreSQL {pg['version']}: COPY + VACUUM ANALYZE {pg['load']:.1f} s")
                print(
                    f"PostgreSQL same SQL     {pg['query'] * 1000:8.1f} ms   "
                    f"({pg['query'] / ours_time:.1f}× run_query, {pg['query'] / raw_time:.1f}× raw DuckDB)"
                )
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
            if args.dir is None:
                shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
