"""/health and /api/v1/core/health: database, data folder and job queue (issue 9)."""

import pytest
from huey import SqliteHuey

from dongne.core import health


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/health", "/api/v1/core/health"])
def test_all_checks_ok_is_200(client, settings, tmp_path, url):
    settings.DATA_DIR = tmp_path
    settings.HEALTH_MIN_FREE_MB = 1
    response = client.get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "data_dir": "ok",
        "queue": "ok",
    }
    assert body["checks"]["data_dir"]["free_mb"] >= 1
    assert "no-cache" in response.get("Cache-Control", "") or url.startswith("/api/")
    assert list(tmp_path.iterdir()) == []  # the write probe cleans up after itself


@pytest.mark.django_db
def test_a_missing_data_folder_is_503_and_names_the_failing_check(client, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "gone"
    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["data_dir"] == {
        "status": "fail",
        "error": "missing",
        "ms": body["checks"]["data_dir"]["ms"],
    }
    assert body["checks"]["database"]["status"] == "ok"
    assert str(tmp_path) not in response.content.decode()  # no paths for the public


@pytest.mark.django_db
def test_a_data_folder_that_is_a_file_is_not_writable(client, settings, tmp_path):
    blocker = tmp_path / "var"
    blocker.write_text("not a folder")
    settings.DATA_DIR = blocker
    assert client.get("/api/v1/core/health").status_code == 503


@pytest.mark.django_db
def test_low_disk_space_fails(client, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.HEALTH_MIN_FREE_MB = 10**12  # a petabyte free is more than this machine has
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["checks"]["data_dir"]["error"] == "low_disk_space"


def test_an_unreachable_queue_storage_fails(tmp_path):
    working = SqliteHuey("dongne-test", filename=str(tmp_path / "jobs.sqlite3"))
    assert health.check_queue(working) == {"status": "ok", "backend": "SqliteHuey", "pending": 0}
    broken = SqliteHuey("dongne-test", filename=str(tmp_path / "broken.sqlite3"))
    (tmp_path / "broken.sqlite3").write_bytes(b"this is not a database file" * 100)  # the storage is corrupt
    result = health._timed(lambda: health.check_queue(broken))
    assert result["status"] == "fail" and result["error"] == "DatabaseError"


@pytest.mark.django_db
def test_a_database_that_does_not_answer_fails(monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    # The database driver itself (not our code) stops answering.
    monkeypatch.setattr(connection, "cursor", refuse)
    healthy, report = health.run_checks()
    assert not healthy and report["checks"]["database"] == {
        "status": "fail",
        "error": "OSError",
        "ms": report["checks"]["database"]["ms"],
    }
