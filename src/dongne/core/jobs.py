"""Failed background jobs become visible: huey's error signal records a JobFailure once a job has used up its
retries (tasks declare ``retries``, ``retry_delay`` and ``retry_backoff``, so each retry waits longer). The
secretariat sees them at /jobs/ and retries or dismisses them (core.services)."""

import json
import logging
import traceback

from django.db import IntegrityError, close_old_connections
from huey import signals
from huey.contrib.djhuey import HUEY

logger = logging.getLogger(__name__)


def _json_safe(value, default):
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return default


@HUEY.signal(signals.SIGNAL_ERROR)
def record_failure(signal, task, exc=None):
    """Record a job that failed for the last time (``task.retries`` is what is left when the error fires)."""
    if task.retries:
        return  # huey requeues it with its (growing) delay
    from .models import JobFailure

    try:
        args, kwargs = task.data if isinstance(task.data, tuple) and len(task.data) == 2 else ((), {})
        attempts = 1 + (type(task).default_retries or 0)
        JobFailure.objects.create(
            task_name=HUEY._registry.task_to_string(type(task)),
            task_id=str(task.id),
            args=_json_safe(list(args), []),
            kwargs=_json_safe(dict(kwargs), {}),
            error=f"{type(exc).__name__}: {exc}"[:2000] if exc else "",
            traceback="".join(traceback.format_exception(exc))[-20000:] if exc else "",
            attempts=attempts,
        )
    except IntegrityError:
        pass  # already recorded
    except Exception:  # the consumer must go on whatever happens here
        logger.exception("Could not record the failure of job %s", task.id)
    finally:
        if not HUEY.immediate:
            close_old_connections()


def enqueue_again(failure):
    """Queue a new run of the failed job with the same arguments; returns the new job's id."""
    task_class = HUEY._registry.string_to_task(failure.task_name)
    task = task_class(args=tuple(failure.args), kwargs=dict(failure.kwargs))
    HUEY.enqueue(task)
    return task.id
