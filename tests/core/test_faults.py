"""Faults with real processes: the server (gunicorn, two workers) and the job queue's consumer run as
subprocesses against a fresh database and data folder; clients book a room, register for a program, vote in a
poll and post capital payments while an ingest runs. At seeded random moments a gunicorn worker, the consumer
(in the middle of an ingest) and the whole server are killed with SIGKILL and started again. Afterwards:

- every request that was answered with success is stored, exactly once; a request that got no answer is
  stored at most once; the unique rules hold (one booking per slot, one registration per person, one vote per
  member) and the capital ledger reconciles;
- every ingest ends succeeded, the catalog's versions and the lake's versions are the same set (none
  half-visible), the newest is current, and no staging folder or upload is left behind.

The seed is printed; DONGNE_FAULT_SEED=<n> replays a run. With DATABASE_URL set (the PostgreSQL pass) the
processes use a database of their own next to it, created and dropped here."""

import datetime as dt
import http.cookiejar
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
INGEST_ROWS = 120_000
WINDOW = 22  # seconds over which the requests are spread; the faults happen inside it


# --- processes ----------------------------------------------------------------------------------------------
def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Platform:
    """The server and the consumer as the operator runs them (``dongne serve`` starts the same two)."""

    def __init__(self, workdir, env):
        self.workdir, self.env = workdir, env
        self.port = _free_port()
        self.server = self.consumer = None
        self.logs = []

    def _log(self, name):
        f = open(self.workdir / f"{name}-{len(self.logs)}.log", "w")
        self.logs.append(f)
        return f

    def run(self, *args, timeout=120):
        done = subprocess.run(
            [PY, *args], cwd=self.workdir, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def start_server(self):
        argv = ["-m", "gunicorn", "dongne.config.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
        argv += ["--workers", "2", "--timeout", "60", "--graceful-timeout", "1"]
        # Its own session: "kill the server" kills the master and its workers together, like a power cut.
        log = self._log("server")
        self.server = subprocess.Popen(
            [PY, *argv], cwd=self.workdir, env=self.env, stdout=log, stderr=log, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/api/v1/spaces/facilities", timeout=5
                ):
                    return
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        raise AssertionError("the server did not start")

    def server_workers(self):
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def kill_server(self):
        os.killpg(self.server.pid, signal.SIGKILL)
        self.server.wait()

    def start_consumer(self):
        log = self._log("consumer")
        self.consumer = subprocess.Popen(
            [PY, "-m", "django", "run_huey", "--workers", "1"],
            cwd=self.workdir,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )

    def kill_consumer(self):
        os.killpg(self.consumer.pid, signal.SIGKILL)
        self.consumer.wait()  # reaped: its pid is gone, so recovery sees the run as dead

    def stop(self):
        for proc in (self.server, self.consumer):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for f in self.logs:
            f.close()


@pytest.fixture
def platform(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DONGNE_", "PYTEST"))}
    env.update(
        PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{ROOT}",
        DJANGO_SETTINGS_MODULE="dongne.config.settings",
        DONGNE_DATA_DIR=str(tmp_path / "var"),
        DONGNE_JOBS_IMMEDIATE="false",
        DONGNE_LOGIN_ATTEMPTS="1000",
        DONGNE_API_RATE_LIMIT="100000",
    )
    dropdb = None
    if os.environ.get("DATABASE_URL"):
        import psycopg

        url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
        name = f"{url.path.lstrip('/') or 'dongne'}_faults_{os.getpid()}"
        admin = url._replace(path="/postgres").geturl()

        def sql(statement):
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(statement)

        sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        sql(f'CREATE DATABASE "{name}"')
        dropdb = lambda: sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # noqa: E731
        env["DATABASE_URL"] = url._replace(path=f"/{name}").geturl()
        env["DONGNE_DB_CONN_MAX_AGE"] = "0"
    p = Platform(tmp_path, env)
    p.run("-m", "django", "migrate", "-v0", timeout=300)
    yield p
    p.stop()
    if dropdb:
        dropdb()


# --- clients ------------------------------------------------------------------------------------------------
class Outcome:
    """What the client saw: a status code, or None when no answer came (connection refused or cut)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows = []

    def add(self, kind, key, status, body=None):
        with self.lock:
            self.rows.append({"kind": kind, "key": key, "status": status, "body": body})

    def of(self, kind):
        return [r for r in self.rows if r["kind"] == kind]


def api(port, token, method, path, payload=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/{path}",
        data=json.dumps(payload).encode() if payload is not None else None,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None
    except (OSError, urllib.error.URLError):
        return None, None


class Browser:
    """The secretariat in a browser: a session cookie and the form's CSRF token."""

    def __init__(self, port, email, password):
        self.port = port
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.email, self.password = email, password

    def _csrf(self):
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def open(self, path, data=None):
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self._csrf()}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=body,
            headers={"Referer": f"http://127.0.0.1:{self.port}{path}", "Accept-Language": "ko"},
        )
        with self.opener.open(request, timeout=30) as r:
            return r.status, r.read().decode("utf-8", "replace")

    def login(self):
        self.open("/accounts/login/")
        self.open("/accounts/login/", {"username": self.email, "password": self.password})

    def pay(self, organisation_id, amount, note):
        """True: the ledger page confirmed the entry; False: it refused; None: no answer came."""
        try:
            if not any(c.name == "sessionid" for c in self.jar):
                self.login()
            status, page = self.open(
                "/governance/capital/pay/",
                {
                    "pay-organisation": organisation_id,
                    "pay-amount": amount,
                    "pay-on": dt.date.today().isoformat(),
                    "pay-note": note,
                },
            )
        except urllib.error.HTTPError as e:
            return e.code
        except (OSError, urllib.error.URLError) as e:
            print(f"payment {note}: no answer ({e!r})")
            self.jar.clear()
            return None
        return 201 if "원장에 기록했습니다" in page else 400


# --- the run ------------------------------------------------------------------------------------------------
def test_killed_processes_lose_and_duplicate_nothing(platform):
    seed = int(os.environ.get("DONGNE_FAULT_SEED") or random.SystemRandom().randrange(1_000_000))
    print(f"fault test seed: {seed} (DONGNE_FAULT_SEED={seed} replays it)")
    rng = random.Random(seed)
    state_file = platform.workdir / "state.json"
    platform.run("-m", "tests.core.fault_scenario", "setup", str(state_file))
    state = json.loads(state_file.read_text())
    members = state["members"]
    platform.start_server()
    platform.start_consumer()
    port = platform.port
    outcome = Outcome()
    day = dt.date.fromisoformat(state["booking_day"])

    def slot(k):
        start = dt.datetime.combine(day, dt.time(8, 0)) + dt.timedelta(minutes=30 * k)
        tz = "+09:00"
        return f"{start.isoformat()}{tz}", f"{(start + dt.timedelta(minutes=30)).isoformat()}{tz}"

    def rng_local(key):
        return random.Random(f"{seed}-{key}")

    # Every request once, in a seeded order; the contested ones (same slot, second registration, second vote)
    # must be refused whatever the faults.
    requests = []
    for i, m in enumerate(members):
        for j in range(2):
            requests.append(("booking", f"b-{i}-{j}", m, slot(2 * i + j)))
        requests.append(("registration", f"r-{i}", m, None))
        requests.append(("vote", f"v-{i}", m, 1 + i % 2))
    for k in (20, 21, 22):  # two members want the same half hour
        for i in (k - 20, k - 17):
            requests.append(("booking", f"c-{k}-{i}", members[i], slot(k)))
    requests.append(("registration", "r-0-again", members[0], None))
    requests.append(("vote", "v-0-again", members[0], 2))
    # Spread over the window in which the faults happen, each at its seeded moment.
    requests.sort(key=lambda item: rng_local(item[1]).uniform(0, WINDOW))
    t0 = time.monotonic()

    def send(item):
        kind, key, m, arg = item
        time.sleep(max(0.0, t0 + rng_local(key).uniform(0, WINDOW) - time.monotonic()))
        if kind == "booking":
            start, end = arg
            payload = {"facility_id": state["facility"], "start": start, "end": end, "title": key}
            status, body = api(port, m["token"], "POST", "spaces/bookings", payload)
            outcome.add(kind, key, status, body[0]["id"] if status == 201 else None)
        elif kind == "registration":
            status, body = api(port, m["token"], "POST", f"programs/programs/{state['program']}/register", {})
            outcome.add(kind, key, status, (m["user"], body["id"]) if status == 201 else None)
        else:
            status, _body = api(
                port, m["token"], "POST", f"governance/polls/{state['poll']}/vote", {"option": arg}
            )
            outcome.add(kind, key, status, m["org"])

    def ledger():
        browser = Browser(port, state["secretariat"]["email"], state["secretariat"]["password"])
        for n in range(16):
            time.sleep(max(0.0, t0 + n * WINDOW / 16 + rng_local(f"p-{n}").uniform(0, 1) - time.monotonic()))
            org = members[n % len(members)]["org"]
            outcome.add("payment", f"p-{n}", browser.pay(org, 1000, f"p-{n}"), org)

    def ingest(n):
        out = platform.run(
            "-m", "tests.core.fault_scenario", "ingest", str(state_file), str(n), str(INGEST_ROWS)
        )
        return json.loads(out)["job"]

    def job_status(job_id):
        facts = json.loads(platform.run("-m", "tests.core.fault_scenario", "facts", str(state_file)))
        return next(j["status"] for j in facts["jobs"] if j["id"] == job_id)

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(send, item) for item in requests]
        secretariat = threading.Thread(target=ledger)  # one browser session, its own pace
        secretariat.start()
        # Fault 1: a gunicorn worker dies (the master starts another).
        time.sleep(rng.uniform(1, 3))
        workers = platform.server_workers()
        assert workers, "gunicorn has workers"
        victim = rng.choice(workers)
        print(f"t+{time.monotonic() - t0:.1f}s: SIGKILL gunicorn worker {victim}")
        os.kill(victim, signal.SIGKILL)
        # Fault 2: the consumer dies in the middle of an ingest (or just after the lake published it).
        first = ingest(1)
        deadline = time.monotonic() + 60
        while job_status(first) == "queued" and time.monotonic() < deadline:
            time.sleep(0.3)
        time.sleep(rng.uniform(0, 4))
        print(f"t+{time.monotonic() - t0:.1f}s: SIGKILL consumer, ingest job {first} was {job_status(first)}")
        platform.kill_consumer()
        # Fault 3: the whole server dies while requests are in flight, and comes back.
        time.sleep(rng.uniform(0, 2))
        print(f"t+{time.monotonic() - t0:.1f}s: SIGKILL server (master and workers)")
        platform.kill_server()
        time.sleep(rng.uniform(0.2, 1))
        platform.start_server()
        platform.start_consumer()
        print(f"t+{time.monotonic() - t0:.1f}s: server and consumer running again")
        second = ingest(2)
        for f in futures:
            f.result()
        secretariat.join()

    # The consumer finishes or re-runs what was interrupted; wait for every ingest to reach a final state.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        facts = json.loads(platform.run("-m", "tests.core.fault_scenario", "facts", str(state_file)))
        if all(j["status"] in ("succeeded", "failed") for j in facts["jobs"]):
            break
        time.sleep(1)
    platform.stop()
    facts = json.loads(platform.run("-m", "tests.core.fault_scenario", "facts", str(state_file)))
    summary = {
        kind: {
            str(s): sum(1 for r in outcome.of(kind) if r["status"] == s)
            for s in {r["status"] for r in outcome.of(kind)}
        }
        for kind in ("booking", "registration", "vote", "payment")
    }
    print("responses:", json.dumps(summary))

    # No 5xx: a fault is a missing answer, never a server error.
    assert [r for r in outcome.rows if r["status"] and r["status"] >= 500] == []

    # Bookings: each answered one is stored once; no two bookings share a half hour; unanswered at most once.
    bookings = {b["title"]: b for b in facts["bookings"] if b["status"] != "cancelled"}
    assert len(bookings) == len([b for b in facts["bookings"] if b["status"] != "cancelled"])
    starts = [b["start"] for b in bookings.values()]
    assert len(starts) == len(set(starts)), "two bookings hold the same slot"
    for r in outcome.of("booking"):
        if r["status"] == 201:
            assert r["key"] in bookings and bookings[r["key"]]["id"] == r["body"], r
        elif r["status"] is not None:
            assert r["key"] not in bookings, r  # refused means not stored
    for k in (20, 21, 22):
        contested = [r for r in outcome.of("booking") if r["key"].startswith(f"c-{k}-")]
        assert sum(r["status"] == 201 for r in contested) <= 1
    # Registrations: one per person, every confirmed one present.
    regs = [r for r in facts["registrations"] if r["status"] != "cancelled"]
    users = [r["user"] for r in regs]
    assert len(users) == len(set(users)), "a person is registered twice"
    stored = {(r["user"], r["id"]) for r in regs}
    for r in outcome.of("registration"):
        if r["status"] == 201:
            assert tuple(r["body"]) in stored, r
    assert len(regs) <= len(members)
    # Votes: one per member; every accepted vote counted; no ballot without its participation.
    assert len(facts["participations"]) == len(set(facts["participations"]))
    assert facts["ballots"] == len(facts["participations"])
    accepted = {r["body"] for r in outcome.of("vote") if r["status"] == 201}
    assert accepted <= set(facts["participations"])
    assert len(facts["participations"]) <= len(members)
    # Capital: every confirmed payment is in the ledger once, none twice, and the books reconcile.
    notes = [e["note"] for e in facts["entries"] if e["note"].startswith("p-")]
    assert len(notes) == len(set(notes)), "a payment was recorded twice"
    for r in outcome.of("payment"):
        if r["status"] == 201:
            assert r["key"] in notes, r
        elif r["status"] is not None:
            assert r["key"] not in notes, r
    assert facts["reconcile"] == []
    # Data: every ingest succeeded once; catalog and lake hold the same versions; nothing half-visible.
    jobs = facts["jobs"]
    assert {j["id"] for j in jobs} == {first, second}
    assert [j["status"] for j in jobs] == ["succeeded", "succeeded"], jobs
    assert {str(k): v for k, v in facts["versions"].items()} == {str(k): v for k, v in facts["lake"].items()}
    assert sorted(facts["versions"].values()) == [INGEST_ROWS, INGEST_ROWS]
    assert sorted(facts["lake_notes"].values()) == ["ingest 1", "ingest 2"]
    assert facts["current"] == max(int(k) for k in facts["versions"])
    assert facts["staging"] == []
    assert facts["uploads"] == []
    print(
        f"fault test seed {seed}: {len(bookings)} bookings, {len(regs)} registrations, "
        f"{len(facts['participations'])} votes, {len(notes)} payments, versions {sorted(facts['versions'])}"
    )
