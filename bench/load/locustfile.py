"""The load mix as a locust user (run headless by bench.load.run; by hand:
``LOAD_STATE=state.json LOAD_OUT=out.json locust -f bench/load/locustfile.py --headless -u 8 -r 8 -t 30s
--host http://127.0.0.1:8000``).

Each simulated client picks the next request from the weighted mix in bench.load.mix with no think time
(a closed loop: throughput is what the server gives). Every request's status and latency is recorded by
name and written to ``LOAD_OUT`` as JSON when the run stops; the run stops early after ``LOAD_LIMIT``
requests. 4xx are not failures here (a second registration is refused with 409 by design); 5xx and
connection errors are."""

import json
import os
import random
import threading
import time

from bench.load.mix import endpoints
from locust import FastHttpUser, events, task

STATE = json.load(open(os.environ["LOAD_STATE"]))
ONLY = [n for n in os.environ.get("LOAD_ONLY", "").split("|") if n]
ENDPOINTS = [e for e in endpoints(STATE) if not ONLY or e[0] in ONLY]
NAMES = [e[0] for e in ENDPOINTS]
WEIGHTS = [e[1] for e in ENDPOINTS]
MAKERS = {e[0]: e[2] for e in ENDPOINTS}
LIMIT = int(os.environ.get("LOAD_LIMIT", "1000000000"))
random.seed(os.environ.get("LOAD_SEED", "1"))

_lock = threading.Lock()
_results = {name: [] for name in NAMES}  # name → [(status or None, seconds, end as epoch seconds)]
_serial = {name: 0 for name in NAMES}
_done = {"n": 0}


class Visitor(FastHttpUser):
    # connection errors are recorded as status None rather than retried
    network_timeout = 60.0
    connection_timeout = 10.0

    @task
    def one_request(self):
        name = random.choices(NAMES, WEIGHTS)[0]
        with _lock:
            if _done["n"] >= LIMIT:
                self.environment.runner.quit()
                return
            _done["n"] += 1
            n = _serial[name]
            _serial[name] += 1
        method, path, body, token = MAKERS[name](n)
        headers = {"Accept-Language": "ko"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        with self.client.request(
            method, path, json=body, headers=headers, name=name, catch_response=True
        ) as response:
            if response.status_code and response.status_code < 500:
                response.success()
            else:
                response.failure(f"status {response.status_code}")


@events.request.add_listener
def _record(name, response_time, response=None, exception=None, **_kw):
    status = getattr(response, "status_code", None) or None
    with _lock:
        _results.setdefault(name, []).append((status, response_time / 1000, time.time()))


@events.quitting.add_listener
def _write(environment, **_kw):
    out = os.environ.get("LOAD_OUT")
    if out:
        with _lock:
            json.dump(_results, open(out, "w"))
