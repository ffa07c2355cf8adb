"""Background jobs (huey). Tasks take ids, never model instances (ARCHITECTURE.md rule 8)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup


@db_task(retries=2, retry_delay=30, retry_backoff=2)
def ingest_job(job_id):
    from .models import IngestJob
    from .services import run_ingest_job

    job = IngestJob.objects.select_related("created_by").get(pk=job_id)
    run_ingest_job(actor=job.created_by, job_id=job_id)


@db_periodic_task(crontab(minute="15", hour="4"))
def refresh_api_datasets():
    """Nightly: pull API-sourced datasets whose update frequency is due."""
    from .selectors import datasets_due_for_refresh
    from .services import pull_dataset

    for dataset in datasets_due_for_refresh():
        pull_dataset(actor=None, dataset_id=dataset.pk)


@db_periodic_task(crontab(minute="45"))
def sweep_lake():
    """Hourly: remove staging folders left by ingests that died (a crash, a killed worker), record versions
    they published, requeue the rest."""
    from .services import recover_ingests

    recover_ingests(actor=None)


@on_startup()
def recover_on_start():
    """When the consumer (re)starts: ingests its killed predecessor left running are finished or requeued."""
    from django.db import close_old_connections

    from .services import recover_ingests

    try:
        recover_ingests(actor=None)
    finally:
        close_old_connections()
