"""Load benchmark: the real server (gunicorn, several workers) on the scaled demo, driven by a bounded mix of
public and member traffic, against a minimal Django view on the same server in the same run (the ceiling).

    python -m bench.load.run --data-dir /tmp/load --organisations 10000 --rows 1000000      # full size
    python -m bench.load.run --data-dir /tmp/load --organisations 2000 --rows 200000 \\
        --duration 20 --requests 3000                                                    # a smoke run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dongne_load python -m bench.load.run ...   # PostgreSQL

The data folder (and database) is prepared once (migrate, `dongne demo`, bench.load.scale) and reused while
its marker file is there. The generator is stdlib threads with keep-alive connections (neither locust nor
wrk is installed here): ``--threads`` clients each pick the next request from a seeded weighted mix until
``--requests`` are done or ``--duration`` seconds pass. Prints per endpoint: requests, throughput, p50/p95/p99
latency and the 2xx/4xx/5xx counts; the run fails (exit 1) on any 5xx."""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

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


def mix(state, rng_seed):
    """[(name, weight, make_request)], make_request(n) → (method, path, body, token)."""
    slug = state["slug"]
    tokens = state["tokens"]
    day0 = state["first_day"]

    def booking(n):
        import datetime as dt

        start = dt.datetime.fromisoformat(day0) + dt.timedelta(minutes=30 * n)
        body = {
            "facility_id": state["facility"],
            "start": start.isoformat() + "+09:00",
            "end": (start + dt.timedelta(minutes=30)).isoformat() + "+09:00",
            "title": f"load {n}",
        }
        return "POST", "/api/v1/spaces/bookings", body, tokens[n % len(tokens)]

    query = {
        "group_by": ["읍면동"],
        "aggregates": [{"func": "sum", "column": "방문객수", "alias": "visitors"}],
        "limit": 50,
    }
    return [
        ("ceiling (minimal view)", 10, lambda n: ("GET", "/bench/ceiling/", None, None)),
        ("directory page ?q=", 8, lambda n: ("GET", "/network/?q=" + quote("관광"), None, None)),
        (
            "directory API ?q=",
            8,
            lambda n: ("GET", "/api/v1/network/organisations?q=" + quote("데이터"), None, None),
        ),
        (
            "organisation page",
            6,
            lambda n: ("GET", f"/network/organisations/{state['organisation']}/", None, None),
        ),
        ("dataset page (preview)", 6, lambda n: ("GET", f"/data/{slug}/", None, None)),
        (
            "rows API",
            6,
            lambda n: (
                "GET",
                f"/api/v1/datahub/datasets/{slug}/rows?limit=50&offset={n % 1000 * 50}",
                None,
                None,
            ),
        ),
        (
            "query API (group by)",
            4,
            lambda n: ("POST", f"/api/v1/datahub/datasets/{slug}/query", query, None),
        ),
        ("insights dashboard", 4, lambda n: ("GET", "/insights/", None, None)),
        (
            "program registration",
            2,
            lambda n: (
                "POST",
                f"/api/v1/programs/programs/{state['program']}/register",
                {},
                tokens[n % len(tokens)],
            ),
        ),
        ("booking", 2, booking),
    ]


def drive(port, endpoints, *, threads, duration, limit, seed):
    results = {name: [] for name, _w, _f in endpoints}
    lock = threading.Lock()
    counter = {"n": 0}
    per_endpoint = {name: 0 for name, _w, _f in endpoints}
    names = [e[0] for e in endpoints]
    weights = [e[1] for e in endpoints]
    makers = {e[0]: e[2] for e in endpoints}
    deadline = time.monotonic() + duration

    def client(i):
        rng = random.Random(f"{seed}-{i}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < deadline:
            name = rng.choices(names, weights)[0]
            with lock:
                if counter["n"] >= limit:
                    return
                counter["n"] += 1
                n = per_endpoint[name]
                per_endpoint[name] += 1
            method, path, body, token = makers[name](n)
            headers = {"Accept-Language": "ko"}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            if token:
                headers["Authorization"] = f"Bearer {token}"
            t = time.perf_counter()
            try:
                conn.request(method, path, body=data, headers=headers)
                r = conn.getresponse()
                r.read()
                status = r.status
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                status = None
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            with lock:
                results[name].append((status, time.perf_counter() - t))

    t0 = time.monotonic()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results, time.monotonic() - t0


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def report(results, elapsed, label):
    print(f"\n{label}: {sum(len(v) for v in results.values())} requests in {elapsed:.1f} s")
    print(
        f"{'endpoint':26} {'n':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'2xx':>5} {'4xx':>5} {'5xx':>5} {'none':>5}"
    )
    fives = 0
    for name, rows in results.items():
        lat = [d * 1000 for _s, d in rows]
        codes = [s for s, _d in rows]
        c2 = sum(1 for s in codes if s and 200 <= s < 400)
        c4 = sum(1 for s in codes if s and 400 <= s < 500)
        c5 = sum(1 for s in codes if s and s >= 500)
        none = sum(1 for s in codes if s is None)
        fives += c5 + none
        print(
            f"{name:26} {len(rows):6d} {len(rows) / elapsed:7.1f} {pct(lat, 50):8.1f} {pct(lat, 95):8.1f} "
            f"{pct(lat, 99):8.1f} {c2:5d} {c4:5d} {c5:5d} {none:5d}"
        )
    total = [d for rows in results.values() for _s, d in rows]
    print(f"{'all':26} {len(total):6d} {len(total) / elapsed:7.1f} {statistics.median(total) * 1000:8.1f}")
    return fives


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default="/tmp/dongne-load")
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="concurrent clients")
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
        endpoints = mix(state, args.seed)
        # Warm every worker's imports and caches (kiwi, DuckDB) before measuring.
        drive(
            port,
            [e for e in endpoints if e[0] not in ("program registration", "booking")],
            threads=args.workers * 2,
            duration=30,
            limit=60,
            seed=args.seed + 1,
        )
        db = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
        # The ceiling alone first: what this server does with a view that does nothing.
        alone, alone_s = drive(
            port,
            endpoints[:1],
            threads=args.threads,
            duration=min(5, args.duration),
            limit=args.requests,
            seed=0,
        )
        bad = report(
            alone, alone_s, f"{db}, ceiling alone, gunicorn {args.workers} workers, {args.threads} clients"
        )
        results, elapsed = drive(
            port, endpoints, threads=args.threads, duration=args.duration, limit=args.requests, seed=args.seed
        )
        bad += report(
            results, elapsed, f"{db}, the mix, gunicorn {args.workers} workers, {args.threads} clients"
        )
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
