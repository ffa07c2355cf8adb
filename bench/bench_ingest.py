"""Ingest benchmark: our ingest_file on a CP949 CSV against DuckDB's own read_csv → COPY TO parquet on the
same data in UTF-8, both measured in this run, each in a fresh child process (time and peak RSS).

    .venv/bin/python bench/bench_ingest.py                 # 10,000,000 rows (~1.6 GB of CSV)
    .venv/bin/python bench/bench_ingest.py --rows 2000000 --repeat 3   # medians of 3 interleaved runs

Targets (issue 3): ours ≤ 1.5× DuckDB's time, our peak RSS < 1 GB. Generated files live in a temporary
directory that is deleted at the end. Ours does more than the baseline — transcodes CP949, types "12,300원",
three date formats and code columns strictly, writes zstd, profiles and previews — which is the point.
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

# One row per i: Korean text, codes with leading zeros (우편번호, 행정구역코드), a date column per format,
# amounts with separators and 원, coordinates, and a remarks column that is mostly empty or a single space.
GENERATE = """
COPY (
  SELECT i + 1 AS 순번,
    lpad(CAST((i * 7919) % 100000 AS VARCHAR), 5, '0') AS 우편번호,
    ['강원특별자치도','서울특별시','부산광역시','경기도','전라남도'][i % 5 + 1] || ' '
      || ['춘천시','강릉시','원주시','속초시','홍천군','양구군','인제군'][i % 7 + 1] AS 시군구명,
    lpad(CAST((i * 31) % 60000 AS VARCHAR), 10, '0') AS 행정구역코드,
    ['봄내','소양','호반','닭갈비','막국수','의암','공지천','명동'][i % 8 + 1] || ' '
      || ['식당','카페','상회','문구','약국','서점'][(i // 8) % 6 + 1] || ' ' || CAST(i % 997 AS VARCHAR) || '호점' AS 상호명,
    ['음식점','소매업','숙박업','서비스업'][i % 4 + 1] AS 업종,
    strftime(DATE '2000-01-01' + CAST(i % 9000 AS INTEGER), '%Y-%m-%d') AS 개업일자,
    strftime(DATE '2010-01-01' + CAST((i * 13) % 5000 AS INTEGER), '%Y.%m.%d') AS 기준일,
    strftime(DATE '2015-01-01' + CAST((i * 17) % 3000 AS INTEGER), '%Y%m%d') AS 등록일,
    format('{:,}원', ((i * 7) % 100000) * 100) AS 매출액,
    format('{:,}', (i * 3) % 5000) AS 방문자수,
    round(37.5 + ((i * 37) % 10000) / 100000.0, 6) AS 위도,
    round(127.5 + ((i * 53) % 10000) / 100000.0, 6) AS 경도,
    CASE WHEN i % 10 = 0 THEN '주차 가능, 예약 필수' WHEN i % 10 = 1 THEN ' ' END AS 비고
  FROM range(?) t(i)
) TO '{out}' (HEADER, DELIMITER ',')
"""


def generate(rows: int, utf8: Path, cp949: Path):
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(GENERATE.replace("{out}", str(utf8)), [rows])
    with (
        open(utf8, encoding="utf-8", newline="") as src,
        open(cp949, "w", encoding="cp949", newline="") as dst,
    ):
        while chunk := src.read(8 << 20):
            dst.write(chunk)


def child(kind: str, src: str, out: str):
    """Runs in a fresh process; prints wall seconds, CPU seconds and this process's peak RSS."""
    from dongne.lake.ingest import ingest_file  # imported before the clock starts, like duckdb above
    from dongne.lake.store import Store

    start, cpu = time.perf_counter(), time.process_time()
    if kind == "duckdb":
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        rows = con.execute(f"COPY (SELECT * FROM read_csv('{src}')) TO '{out}' (FORMAT parquet)").fetchone()[
            0
        ]
    else:
        rows = ingest_file(Store(out), "bench", src).rows
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - start,
                "cpu": time.process_time() - cpu,
                "rows": rows,
                "peak_rss": usage.ru_maxrss * 1024,
            }
        )
    )


def measure(kind: str, src: Path, out: Path) -> dict:
    res = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(src), str(out)], capture_output=True, text=True
    )
    if res.returncode:
        sys.exit(f"{kind} failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each side, interleaved; the medians count")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(*args.child)
    with tempfile.TemporaryDirectory(prefix="dongne-bench-") as tmp:
        tmp = Path(tmp)
        utf8, cp949 = tmp / "data-utf8.csv", tmp / "data-cp949.csv"
        t = time.perf_counter()
        generate(args.rows, utf8, cp949)
        mb = cp949.stat().st_size / 1e6
        print(
            f"generated {args.rows:,} rows: CP949 {mb:,.0f} MB, UTF-8 {utf8.stat().st_size / 1e6:,.0f} MB in {time.perf_counter() - t:.1f} s"
        )
        base, ours = [], []
        for i in range(args.repeat):  # alternate, so a busy moment on the machine hits both sides alike
            base.append(measure("duckdb", utf8, tmp / f"duckdb-{i}.parquet"))
            ours.append(measure("ours", cp949, tmp / f"store-{i}"))
            print(
                f"run {i + 1}: duckdb {base[-1]['seconds']:.2f} s (CPU {base[-1]['cpu']:.2f} s), "
                f"ours {ours[-1]['seconds']:.2f} s (CPU {ours[-1]['cpu']:.2f} s): "
                f"{ours[-1]['seconds'] / base[-1]['seconds']:.2f}×",
                flush=True,
            )
        assert all(r["rows"] == args.rows for r in base + ours), (base, ours)
    b = {k: statistics.median(r[k] for r in base) for k in ("seconds", "cpu", "peak_rss")}
    o = {k: statistics.median(r[k] for r in ours) for k in ("seconds", "cpu")}
    o["peak_rss"] = max(r["peak_rss"] for r in ours)
    ratio, cpu_ratio, rss = o["seconds"] / b["seconds"], o["cpu"] / b["cpu"], o["peak_rss"] / 2**20
    median = "median of " + str(args.repeat) if args.repeat > 1 else "one run"
    print(
        f"duckdb read_csv → parquet (UTF-8):  {b['seconds']:7.2f} s  (CPU {b['cpu']:6.2f} s)   peak RSS {b['peak_rss'] / 2**20:5.0f} MiB   ({median})"
    )
    print(
        f"dongne ingest_file (CP949):         {o['seconds']:7.2f} s  (CPU {o['cpu']:6.2f} s)   peak RSS {rss:5.0f} MiB (highest)"
    )
    print(
        f"ratio {ratio:.2f}× wall, {cpu_ratio:.2f}× CPU (target ≤ 1.5×): {'OK' if ratio <= 1.5 else 'OVER'};  "
        f"peak RSS {rss:.0f} MiB (target < 1024): {'OK' if rss < 1024 else 'OVER'}"
    )


if __name__ == "__main__":
    main()
