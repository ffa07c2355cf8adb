"""Ingests a killed queue worker left behind (see also tests/core/test_faults.py, which kills real processes):
the consumer's start-up recovery records a version the dead run had already published, re-runs one it had not,
leaves a live run alone, and sweeps the dead run's staging folder."""

import json
import os
import socket
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dongne.core.errors import PermissionDenied
from dongne.datahub import services
from dongne.datahub.choices import JobStatus
from dongne.datahub.models import DatasetVersion, IngestJob
from dongne.lake.ingest import ingest_file

from . import fixtures
from .fixtures import csv_bytes, make_dataset, visitor_rows

datahub_dirs = fixtures.datahub_dirs


def _dead_worker():
    proc = subprocess.Popen(["true"])  # a process that has exited and been reaped: its pid is gone
    proc.wait()
    return f"{socket.gethostname()}:{proc.pid}"


def _queued(secretariat, dataset, rows=30):
    # start_ingest queues the task on commit; inside the test transaction it stays queued, like a job whose
    # worker has not run it yet.
    return services.start_ingest(
        actor=secretariat,
        dataset_id=dataset.pk,
        uploaded_file=SimpleUploadedFile(
            "방문객.csv", csv_bytes(visitor_rows(rows)), content_type="text/csv"
        ),
    )


def _claim(job, worker):
    IngestJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, claimed_by=worker)


def test_a_version_the_dead_run_published_is_recorded_not_ingested_again(secretariat):
    dataset = make_dataset(secretariat)
    job = _queued(secretariat, dataset)
    _claim(job, _dead_worker())
    # The dead run got as far as the lake's atomic rename, not as far as the catalog.
    ingest_file(
        services.lake_store(), dataset.slug, job.upload_path, source={"file": "방문객.csv", "job": job.pk}
    )
    done = services.recover_ingests(actor=None)
    assert done["recorded"] == [job.pk]
    job.refresh_from_db()
    dataset.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.version.number == 1
    assert dataset.current_version == job.version
    assert [v.number for v in services.lake_store().versions(dataset.slug)] == [1]
    assert DatasetVersion.objects.filter(dataset=dataset).count() == 1


def test_a_run_that_died_before_publishing_runs_again_and_its_staging_is_swept(
    secretariat, django_capture_on_commit_callbacks
):
    dataset = make_dataset(secretariat)
    job = _queued(secretariat, dataset, rows=40)
    worker = _dead_worker()
    _claim(job, worker)
    staging = services.lake_store().dataset_dir(dataset.slug) / ".staging-dead"
    staging.mkdir(parents=True)
    (staging / "part-00000.parquet").write_bytes(b"half written")
    host, pid = worker.rsplit(":", 1)
    (staging / "_owner.json").write_text(json.dumps({"host": host, "pid": int(pid)}))
    with django_capture_on_commit_callbacks(execute=True):
        done = services.recover_ingests(actor=None)
    assert job.pk in done["requeued"]
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.version.rows == 40
    assert not staging.exists()
    assert [v.number for v in services.lake_store().versions(dataset.slug)] == [1]


def test_a_live_run_is_left_alone_and_a_lost_upload_fails_with_a_reason(secretariat):
    dataset = make_dataset(secretariat)
    live = _queued(secretariat, dataset)
    _claim(live, f"{socket.gethostname()}:{os.getpid()}")
    lost = _queued(secretariat, dataset)
    _claim(lost, _dead_worker())
    os.unlink(lost.upload_path)
    done = services.recover_ingests(actor=None)
    assert done == {"recorded": [], "requeued": [], "failed": [lost.pk]}
    live.refresh_from_db()
    lost.refresh_from_db()
    assert live.status == JobStatus.RUNNING
    assert lost.status == JobStatus.FAILED and lost.error["code"] == "interrupted"


def test_only_the_platform_or_the_secretariat_recovers(rep):
    with pytest.raises(PermissionDenied):
        services.recover_ingests(actor=rep)
