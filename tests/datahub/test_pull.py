"""API-sourced datasets: `dongne pull tourapi` and pull_dataset against recorded TourAPI answers served by a
real local HTTP server (the gateway of tests/lake/test_connectors.py)."""

import pytest

from dongne.core.cli import main
from dongne.datahub import selectors, services
from dongne.datahub.choices import JobStatus
from dongne.datahub.models import Dataset, IngestJob
from tests.lake.test_connectors import KEY, api  # noqa: F401  (the recorded gateway fixture)

from . import fixtures

datahub_dirs = fixtures.datahub_dirs


@pytest.fixture
def tourapi(api, settings):  # noqa: F811
    settings.TOURAPI_BASE_URL = api.url("ok")
    settings.TOURAPI_KEY = KEY
    return api


def test_pull_command_creates_the_dataset_and_a_version(tourapi, secretariat, capsys):
    code = main(
        [
            "pull",
            "tourapi",
            "--dataset",
            "chuncheon-tour",
            "--title",
            "춘천 관광지 (TourAPI)",
            "--param",
            "areaCode=32",
            "--param",
            "sigunguCode=13",
            "--param",
            "numOfRows=3",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    dataset = Dataset.objects.get(slug="chuncheon-tour")
    version = dataset.current_version
    assert version.rows == 8  # three pages of the recorded answer
    names = {c["name"]: c["type"] for c in version.columns}
    assert names["longitude"] == "double" and names["latitude"] == "double"
    assert names["sigungucode"] == "text"
    assert "8" in out and "longitude" in out
    titles = {row["title"] for row in version.preview}
    assert {"남이섬", "소양강댐"} <= titles


def test_a_refused_key_fails_the_job_and_keeps_the_previous_version(tourapi, secretariat, settings):
    dataset = services.create_dataset(
        actor=secretariat,
        data={
            "slug": "tour",
            "title": "관광",
            "source_kind": "tourapi",
            "source_config": {"operation": "areaBasedList2", "areaCode": "32", "sigunguCode": "13"},
        },
    )
    first = services.pull_dataset(actor=secretariat, dataset_id=dataset.pk)
    assert first.status == JobStatus.SUCCEEDED
    settings.TOURAPI_KEY = "wrong-key"
    failed = services.pull_dataset(actor=secretariat, dataset_id=dataset.pk)
    assert failed.status == JobStatus.FAILED
    assert failed.error["code"] == "key_not_registered" and failed.error["param"] == "serviceKey"
    assert "wrong-key" not in str(failed.error)
    dataset.refresh_from_db()
    assert dataset.current_version.number == 1 and dataset.versions.count() == 1


def test_only_api_sourced_datasets_can_be_pulled(secretariat):
    dataset = services.create_dataset(actor=secretariat, data={"slug": "plain", "title": "파일"})
    with pytest.raises(services.ValidationError) as exc:
        services.pull_dataset(actor=secretariat, dataset_id=dataset.pk)
    assert exc.value.code == "not_api_source"
    assert not IngestJob.objects.exists()


def test_daily_api_datasets_are_due_for_refresh(tourapi, secretariat):
    dataset = services.create_dataset(
        actor=secretariat,
        data={
            "slug": "tour-daily",
            "title": "관광",
            "source_kind": "tourapi",
            "frequency": "daily",
            "source_config": {"operation": "areaBasedList2", "areaCode": "32", "sigunguCode": "13"},
        },
    )
    assert dataset in selectors.datasets_due_for_refresh()
    services.pull_dataset(actor=None, dataset_id=dataset.pk)  # the scheduled task acts as the platform
    assert dataset not in selectors.datasets_due_for_refresh()
