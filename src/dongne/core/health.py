"""Health checks for monitoring (issue 9): the database, the data folder and the job queue.

``GET /health`` (and ``GET /api/v1/core/health``) answers JSON
``{"status": "ok"|"fail", "checks": {"database": {"status": …, …}, "data_dir": …, "queue": …}}``
with 200 when every check is ok and 503 otherwise, so a load balancer or an uptime monitor can use it as is.
The answer names no paths, hosts or passwords (it is public); details go to the server log.
"""

import logging
import shutil
import time
import uuid

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)
OK, FAIL = "ok", "fail"


def _timed(check):
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # a health check reports every failure instead of raising it
        log.warning("health check %s failed", check.__name__, exc_info=True)
        result = {"status": FAIL, "error": type(exc).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def check_database():
    """A round trip to the database (SELECT 1)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": OK, "engine": connection.vendor}


def check_data_dir(path=None, min_free_mb=None):
    """The data folder exists, a file can be written and removed in it, and enough space is free."""
    path = path or settings.DATA_DIR
    min_free_mb = settings.HEALTH_MIN_FREE_MB if min_free_mb is None else min_free_mb
    if not path.is_dir():
        return {"status": FAIL, "error": "missing"}
    probe = path / f".health-{uuid.uuid4().hex}"
    try:
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        log.warning("health: data folder %s is not writable: %s", path, exc)
        return {"status": FAIL, "error": "not_writable"}
    free_mb = shutil.disk_usage(path).free // (1024 * 1024)
    result = {"status": OK, "free_mb": free_mb, "min_free_mb": min_free_mb}
    if free_mb < min_free_mb:
        result.update(status=FAIL, error="low_disk_space")
    return result


def check_queue(huey=None):
    """The job queue's storage answers (the number of waiting jobs is read from it)."""
    if huey is None:
        from huey.contrib.djhuey import HUEY as huey
    pending = huey.pending_count()
    backend = "immediate" if huey.immediate else type(huey).__name__
    return {"status": OK, "backend": backend, "pending": pending}


def run_checks():
    """All checks; returns (healthy, report)."""
    checks = {
        "database": _timed(check_database),
        "data_dir": _timed(check_data_dir),
        "queue": _timed(check_queue),
    }
    healthy = all(c["status"] == OK for c in checks.values())
    return healthy, {"status": OK if healthy else FAIL, "checks": checks}
