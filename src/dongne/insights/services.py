"""State changes of the insights app: refreshing the regional tables from real sources."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from dongne.core import permissions
from dongne.datahub import services as datahub_services
from dongne.datahub.models import Dataset
from dongne.lake.errors import LakeError
from dongne.lake.io.connectors import TourApiConnector

from . import sources
from .generate import SLUGS


def refresh_from_tourapi(*, actor, event_start=None):
    """Fill the attractions and festivals tables from TourAPI (Gangwon, areaCode 32) as new versions.

    Returns {slug: IngestJob}. A refused key or a broken answer fails that table's job and leaves its
    previous version current."""
    jobs = {}
    datasets = {key: Dataset.objects.get(slug=SLUGS[key]) for key in ("attractions", "festivals")}
    for dataset in datasets.values():
        permissions.require(actor, "datahub.add_version", dataset)
    connector = TourApiConnector.create(settings.TOURAPI_KEY, base_url=settings.TOURAPI_BASE_URL)
    start = event_start or dt.date(timezone.localdate().year, 1, 1)
    plans = {
        "attractions": ("areaBasedList2", {"areaCode": "32"}, sources.attractions_from_tourapi),
        "festivals": (
            "searchFestival2",
            {"areaCode": "32", "eventStartDate": start.strftime("%Y%m%d")},
            sources.festivals_from_tourapi,
        ),
    }
    for key, (operation, params, mapper) in plans.items():
        dataset = datasets[key]
        try:
            table = mapper(connector.records(operation, **params))
        except LakeError as exc:
            # Recorded as a failed job like any other ingest, so the secretariat sees why.
            jobs[dataset.slug] = datahub_services.publish_records(
                actor=actor,
                dataset_id=dataset.pk,
                records=_raise(exc),
                source={"name": f"TourAPI {operation}"},
            )
            continue
        jobs[dataset.slug] = datahub_services.publish_records(
            actor=actor,
            dataset_id=dataset.pk,
            records=[table],
            source={"name": f"TourAPI {operation}", "api": "tourapi", "operation": operation, **params},
            note="TourAPI",
        )
    return jobs


def _raise(exc):
    """An iterable that fails with ``exc`` when the lake starts reading it (so the job records the error)."""
    raise exc
    yield  # pragma: no cover  (makes this a generator)
