"""The job queue and the cache on a real Redis server (DONGNE_REDIS_URL), with real processes: the web side
enqueues an upload's ingest, a separate `run_huey` consumer runs it, and the new version is published; the
insights charts are cached on the same Redis under the platform's own prefix.

Skipped when no Redis answers at DONGNE_TEST_REDIS_URL (default redis://127.0.0.1:6379/0), unless
DONGNE_REQUIRE_REDIS=1 (CI, which starts one). Each run uses its own queue name (DONGNE_QUEUE_NAME), so runs
sharing the server do not take each other's jobs."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("DONGNE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)


def _redis_up():
    try:
        return bool(_redis().ping())
    except Exception:
        return False


pytestmark = pytest.mark.skipif(
    os.environ.get("DONGNE_REQUIRE_REDIS") != "1" and not _redis_up(),
    reason=f"no Redis at {REDIS_URL} (set DONGNE_TEST_REDIS_URL, or DONGNE_REQUIRE_REDIS=1 to fail instead)",
)

ENQUEUE = """
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from dongne.core import services as core
from dongne.datahub import services
from dongne.datahub.models import IngestJob

user = core.create_user(
    actor=None, email="queue@test.kr", name="큐 사무국", role="secretariat", password="queue-test-password-1"
)
dataset = services.create_dataset(actor=user, data={"slug": "queue-test", "title": "큐 시험", "themes": ["tourism"]})
csv = "읍면동,방문객수\\n신북읍,120\\n효자동,95\\n".encode("cp949")
services.start_ingest(actor=user, dataset_id=dataset.pk, uploaded_file=SimpleUploadedFile("q.csv", csv))
print(IngestJob.objects.get().status)
"""

STATUS = """
import django
django.setup()
from dongne.datahub.models import Dataset
d = Dataset.objects.select_related("current_version").get(slug="queue-test")
print(d.current_version.rows if d.current_version else "none")
"""

CACHE = """
import django
django.setup()
from django.core.cache import cache
cache.set("probe", {"값": 1}, 60)
print(type(cache._cache).__name__ if hasattr(cache, "_cache") else "", cache.get("probe"))
"""


@pytest.fixture
def platform(tmp_path):
    name = f"dongnetest{uuid.uuid4().hex[:8]}"  # letters and digits: huey keeps only those in its key
    skip = ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DONGNE_") and k not in skip}
    env.update(
        DONGNE_DATA_DIR=str(tmp_path),
        DONGNE_REDIS_URL=REDIS_URL,
        DONGNE_QUEUE_NAME=name,
        DJANGO_SETTINGS_MODULE="dongne.config.settings",
        PYTHONPATH=str(ROOT / "src"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    yield env
    client = _redis()
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)


def _python(env, code):
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_an_ingest_enqueued_on_redis_is_run_by_a_separate_consumer(platform, tmp_path):
    # The web side only enqueues: nothing consumes yet, so the job waits in Redis.
    assert _python(platform, ENQUEUE) == "queued"
    assert _python(platform, STATUS) == "none"
    name = platform["DONGNE_QUEUE_NAME"]
    queued = [key for key in _redis().scan_iter(f"*{name}*") if _redis().type(key) == b"list"]
    assert [_redis().llen(key) for key in queued] == [1], queued  # one message on this run's queue

    log = open(tmp_path / "consumer.log", "w")
    consumer = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", "1"],
        cwd=ROOT,
        env=platform,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        for _ in range(120):
            if _python(platform, STATUS) != "none":
                break
            time.sleep(0.5)
    finally:
        os.killpg(consumer.pid, signal.SIGTERM)
        consumer.wait(timeout=30)
        log.close()
    assert _python(platform, STATUS) == "2", (tmp_path / "consumer.log").read_text()[-2000:]


def test_the_cache_is_on_redis_under_the_queue_name(platform):
    name = platform["DONGNE_QUEUE_NAME"]
    assert _python(platform, CACHE).endswith("{'값': 1}")
    assert any(key.decode().startswith(f"{name}:") for key in _redis().scan_iter(f"{name}:*"))
