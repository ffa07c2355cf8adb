from pathlib import Path

import pytest

from dongne.core.errors import PermissionDenied
from dongne.core.models import AuditEntry
from dongne.datahub import services
from dongne.datahub.models import Dataset
from dongne.lake.store import Store
from tests.factories import PASSWORD

from . import fixtures

datahub_dirs = fixtures.datahub_dirs
ingest = fixtures.ingest


def test_secretariat_sees_datasets_in_admin_and_versions_are_read_only(client, secretariat):
    dataset = fixtures.make_dataset(secretariat, slug="admin-ds")
    client.login(username=secretariat.email, password=PASSWORD)
    assert client.get("/admin/datahub/dataset/").status_code == 200
    assert client.get(f"/admin/datahub/dataset/{dataset.pk}/change/").status_code == 200
    assert client.get("/admin/datahub/datasetversion/add/").status_code == 403


def test_admin_delete_goes_through_the_service_and_removes_the_files(
    client, secretariat, datahub_dirs, settings, ingest, django_capture_on_commit_callbacks
):
    dataset = fixtures.make_dataset(secretariat, slug="gone-ds")
    ingest(secretariat, dataset, fixtures.csv_bytes(fixtures.visitor_rows(20)))
    client.get(f"/data/{dataset.slug}/download.csv")  # a cached export beside the lake
    folder = Path(settings.LAKE_ROOT) / "datasets" / "gone-ds"
    assert folder.is_dir()
    client.login(username=secretariat.email, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/datahub/dataset/{dataset.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="datahub.dataset.deleted", target_id=str(dataset.pk)).exists()
    assert not Dataset.objects.filter(pk=dataset.pk).exists()
    assert not folder.exists() and not (Path(settings.DATA_DIR) / "exports" / "gone-ds").exists()
    assert "gone-ds" not in Store(settings.LAKE_ROOT).datasets()


def test_only_the_secretariat_deletes_a_dataset_and_a_refusal_keeps_everything(
    datahub_dirs, settings, ingest
):
    from tests.factories import UserFactory

    secretariat = UserFactory(role="secretariat")
    dataset = fixtures.make_dataset(secretariat, slug="kept-ds")
    ingest(secretariat, dataset, fixtures.csv_bytes(fixtures.visitor_rows(5)))
    with pytest.raises(PermissionDenied):
        services.delete_dataset(actor=UserFactory(role="director"), dataset_id=dataset.pk)
    assert Dataset.objects.filter(pk=dataset.pk).exists()
    assert Store(settings.LAKE_ROOT).current("kept-ds").rows == 5
