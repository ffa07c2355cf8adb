"""A background job that keeps failing is retried with a growing wait, then listed for the secretariat, who can
queue it again (once, however often the form is posted) or dismiss it."""

import datetime as dt

import pytest
from huey.contrib.djhuey import HUEY, db_task

from dongne.core import services
from dongne.core.errors import Conflict, PermissionDenied
from dongne.core.models import AuditEntry, JobFailure
from tests.factories import PASSWORD, UserFactory

OUTCOMES = []  # what the job does on each run: "fail" or "ok"
RUNS = []


@db_task(retries=2, retry_delay=10, retry_backoff=2)
def flaky_job(dataset_id, *, note=""):
    RUNS.append((dataset_id, note))
    if not OUTCOMES or OUTCOMES.pop(0) == "fail":
        raise RuntimeError(f"source unavailable for dataset {dataset_id}")


def utcnow():
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)  # huey's clock: naive UTC


def run_schedule():
    """What the consumer does when scheduled retries fall due: returns each task's eta in order."""
    etas = []
    while True:
        due = HUEY.read_schedule(utcnow() + dt.timedelta(days=1))
        if not due:
            return etas
        for task in due:
            etas.append(task.eta)
            HUEY.execute(task, timestamp=task.eta)  # as the consumer does once the eta has come


@pytest.fixture(autouse=True)
def clean():
    OUTCOMES.clear()
    RUNS.clear()
    HUEY.flush()
    yield
    HUEY.flush()


def test_a_failing_job_is_retried_with_backoff_then_listed_once(db):
    OUTCOMES.extend(["fail", "fail", "fail"])
    started = utcnow()
    flaky_job(7, note="nightly")  # immediate mode: the first run happens now
    etas = run_schedule()
    assert len(RUNS) == 3 and len(etas) == 2
    first_wait, second_wait = (etas[0] - started).total_seconds(), (etas[1] - started).total_seconds()
    # The retries ran at once here (no real waiting), so each eta is its wait from now: 10 s, then twice that.
    assert 9 <= first_wait <= 12 and 19 <= second_wait <= 22
    failure = JobFailure.objects.get()
    assert (
        failure.task_name.endswith("flaky_job")
        and failure.args == [7]
        and failure.kwargs == {"note": "nightly"}
    )
    assert failure.attempts == 3 and "source unavailable for dataset 7" in failure.error
    assert failure.status == JobFailure.Status.FAILED


def test_a_job_that_recovers_on_retry_leaves_no_failure(db):
    OUTCOMES.extend(["fail", "ok"])
    flaky_job(3)
    run_schedule()
    assert len(RUNS) == 2 and not JobFailure.objects.exists()


def test_secretariat_queues_a_failed_job_again_once(client, secretariat, django_capture_on_commit_callbacks):
    OUTCOMES.extend(["fail"] * 3)
    flaky_job(5)
    run_schedule()
    failure = JobFailure.objects.get()
    client.login(username=secretariat.email, password=PASSWORD)
    page = client.get("/jobs/")
    assert page.status_code == 200 and "flaky_job" in page.content.decode()

    OUTCOMES.append("ok")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/jobs/{failure.pk}/retry/")
    assert response.status_code == 302
    assert RUNS[-1] == (5, "") and len(RUNS) == 4  # ran again, now successfully
    failure.refresh_from_db()
    assert failure.status == JobFailure.Status.RETRIED and failure.handled_by == secretariat
    assert AuditEntry.objects.filter(action="core.job.retried").count() == 1

    # The same form posted again changes nothing.
    again = client.post(f"/jobs/{failure.pk}/retry/", HTTP_REFERER="/jobs/", follow=True)
    assert len(RUNS) == 4
    assert "이미 다시 실행했거나 처리한 작업입니다" in again.content.decode()
    with pytest.raises(Conflict):
        services.dismiss_failed_job(actor=secretariat, failure_id=failure.pk)


def test_only_the_secretariat_handles_failed_jobs(client, db):
    OUTCOMES.extend(["fail"] * 3)
    flaky_job(1)
    run_schedule()
    failure = JobFailure.objects.get()
    director = UserFactory(role="director")
    with pytest.raises(PermissionDenied):
        services.retry_failed_job(actor=director, failure_id=failure.pk)
    client.login(username=director.email, password=PASSWORD)
    assert client.get("/jobs/").status_code == 403
    failure.refresh_from_db()
    assert failure.status == JobFailure.Status.FAILED
