"""Load benchmark: the real server (gunicorn, several workers) on the scaled demo, driven by a bounded mix of
public and member traffic, against a minimal Django view on the same server in the same run (the ceiling).

    python -m bench.load.run --data-dir /tmp/load --organisations 10000 --rows 1000000      # full size
    python -m bench.load.run --data-dir /tmp/load --organisations 2000 --rows 200000 \\
        --duration 20 --requests 3000                                                    # a smoke run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dongne_load python -m bench.load.run ...   # PostgreSQL

The data folder (and database) is prepared once (migrate, `dongne demo`, bench.load.scale) and reused while
its marker file is there. The load generator is locust (``pip install -e '.[bench]'``), run headless in its own
process: ``--clients`` simulated clients each pick the next request from the weighted mix (bench.load.mix)
with no think time until ``--requests`` are done or ``--duration`` seconds pass. Prints per endpoint:
requests, throughput, p50/p95/p99 latency, p50 against the minimal view's and the 2xx/4xx/5xx counts; the
run fails (exit 1) on any 5xx or unanswered request."""

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.load.mix import CEILING, endpoints

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def _env(data_dir):
    env = dict(os.environ)
    env.update(
        PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{ROOT}",
        DJANGO_SETTINGS_MODULE="bench.load.settings",
        DONGNE_DATA_DIR=str(data_dir),
        DONGNE_API_RATE_LIMIT="1000000",
        DONGNE_JOBS_IMMEDIATE="true",
    )
    return env


def prepare(args, env):
    """Demo, then scale; each step once per data folder and database (a marker file records it)."""
    kind = "pg" if os.environ.get("DATABASE_URL") else "sqlite"
    base = Path(args.data_dir)
    base.mkdir(parents=True, exist_ok=True)
    state = base / f"state-{kind}.json"
    steps = [
        ("demo", ["-c", "from dongne.core.cli import main; main(['demo'])"]),
        (
            "scale",
            [
                "-m",
                "bench.load.scale",
                "--organisations",
                str(args.organisations),
                "--rows",
                str(args.rows),
                "--users",
                str(args.users),
                "--out",
                str(state),
            ],
        ),
    ]
    for name, step in steps:
        marker = base / f"done-{name}-{kind}"
        if marker.exists():
            continue
        t = time.perf_counter()
        subprocess.run(
            [PY, *step], cwd=base, env={**env, "DJANGO_SETTINGS_MODULE": "dongne.config.settings"}, check=True
        )
        print(f"prepared ({kind}): {name} in {time.perf_counter() - t:.0f} s", flush=True)
        marker.write_text("ok")
    # Every run registers people who have not registered yet and books slots nobody has booked.
    subprocess.run(
        [PY, "-m", "bench.load.scale", "--fresh", "--out", str(state)],
        cwd=base,
        env={**env, "DJANGO_SETTINGS_MODULE": "dongne.config.settings"},
        check=True,
    )
    return json.loads(state.read_text())


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def drive(port, data_dir, state_path, *, clients, duration, limit, seed, only=()):
    """One headless locust run against the server: {name: [(status, seconds, end)]} and the seconds
    from the first request to the last."""
    out = Path(data_dir) / f"locust-{seed}.json"
    out.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
        "LOAD_STATE": str(state_path),
        "LOAD_OUT": str(out),
        "LOAD_LIMIT": str(limit),
        "LOAD_ONLY": "|".join(only),
        "LOAD_SEED": str(seed),
    }
    t0 = time.monotonic()
    # locust's own summary (its percentiles are bucketed) goes to locust-<seed>.log beside the JSON
    with open(Path(data_dir) / f"locust-{seed}.log", "w") as log:
        done = subprocess.run(
            [
                PY,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "load" / "locustfile.py"),
                "--headless",
                "--only-summary",
                "--loglevel",
                "WARNING",
                "-u",
                str(clients),
                "-r",
                str(clients),
                "-t",
                f"{max(1, int(duration))}s",
                "--stop-timeout",
                "60",
                "--exit-code-on-error",
                "0",
                "--host",
                f"http://127.0.0.1:{port}",
            ],
            env=env,
            cwd=data_dir,
            stdout=log,
            stderr=log,
        )
    if done.returncode:
        raise SystemExit(f"locust failed ({done.returncode}); its output: {log.name}")
    elapsed = time.monotonic() - t0
    results = {name: [tuple(r) for r in rows] for name, rows in json.loads(out.read_text()).items()}
    # From the first request's start to the last one's end: locust's own start-up is not the server's time.
    spans = [(t - d, t) for rows in results.values() for _s, d, t in rows]
    if spans:
        elapsed = max(t for _a, t in spans) - min(a for a, _t in spans)
    return results, elapsed


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def report(results, elapsed, label, ceiling=None):
    """Prints the table; returns (5xx and unanswered count, {"rps", "p50"} of all requests)."""
    total = [d for rows in results.values() for _s, d, _t in rows]
    print(f"\n{label}: {len(total)} requests in {elapsed:.1f} s")
    print(
        f"{'endpoint':26} {'n':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'×ceil':>6} "
        f"{'2xx':>5} {'4xx':>5} {'5xx':>5} {'none':>5}"
    )
    fives = 0
    for name, rows in results.items():
        lat = [d * 1000 for _s, d, _t in rows]
        codes = [s for s, _d, _t in rows]
        c2 = sum(1 for s in codes if s and 200 <= s < 400)
        c4 = sum(1 for s in codes if s and 400 <= s < 500)
        c5 = sum(1 for s in codes if s and s >= 500)
        none = sum(1 for s in codes if s is None)
        fives += c5 + none
        # p50 against the minimal view's p50 when it ran alone: what the page costs beyond Django itself
        times = f"{pct(lat, 50) / ceiling['p50']:6.1f}" if ceiling and lat else f"{'':6}"
        print(
            f"{name:26} {len(rows):6d} {len(rows) / elapsed:7.1f} {pct(lat, 50):8.1f} {pct(lat, 95):8.1f} "
            f"{pct(lat, 99):8.1f} {times} {c2:5d} {c4:5d} {c5:5d} {none:5d}"
        )
    summary = {"rps": len(total) / elapsed, "p50": statistics.median(total) * 1000 if total else float("nan")}
    line = f"{'all':26} {len(total):6d} {summary['rps']:7.1f} {summary['p50']:8.1f}"
    if ceiling:
        line += (
            f"   throughput {summary['rps'] / ceiling['rps']:.2f}× the ceiling's ({ceiling['rps']:.0f} req/s)"
        )
    print(line)
    return fives, summary


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default="/tmp/dongne-load")
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=8, help="concurrent locust clients")
    parser.add_argument("--duration", type=float, default=30, help="seconds at most")
    parser.add_argument("--requests", type=int, default=5000, help="requests at most")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.data_dir = str(Path(args.data_dir).resolve())
    env = _env(Path(args.data_dir) / "var")
    state = prepare(args, env)
    kind = "pg" if os.environ.get("DATABASE_URL") else "sqlite"
    subprocess.run(
        [PY, "-m", "bench.load.queries", str(Path(args.data_dir) / f"state-{kind}.json")],
        cwd=args.data_dir,
        env=env,
        check=True,
    )
    port = _free_port()
    log = open(Path(args.data_dir) / "gunicorn.log", "w")
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "dongne.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "120",
            "--keep-alive",
            "30",
        ],
        cwd=args.data_dir,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/bench/ceiling/")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        state_path = Path(args.data_dir) / f"state-{kind}.json"
        run = dict(port=port, data_dir=args.data_dir, state_path=state_path, clients=args.clients)
        writes = ("program registration", "booking")
        # Warm every worker's imports and caches (kiwi, DuckDB) before measuring.
        reads = [name for name, _w, _f in endpoints(state) if name not in writes]
        drive(**run, duration=30, limit=60, seed=args.seed + 1, only=reads)
        db = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
        title = f"gunicorn {args.workers} workers, locust {args.clients} clients"
        # The ceiling alone first: what this server does with a view that does nothing.
        alone, alone_s = drive(
            **run, duration=min(5, args.duration), limit=args.requests, seed=0, only=[CEILING]
        )
        bad, ceiling = report(alone, alone_s, f"{db}, ceiling alone, {title}")
        results, elapsed = drive(**run, duration=args.duration, limit=args.requests, seed=args.seed)
        fives, _summary = report(results, elapsed, f"{db}, the mix, {title}", ceiling=ceiling)
        bad += fives
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    if bad:
        print(f"{bad} requests answered 5xx or not at all")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
