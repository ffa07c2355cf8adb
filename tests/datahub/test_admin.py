from dongne.core.models import AuditEntry
from tests.factories import PASSWORD

from . import fixtures

datahub_dirs = fixtures.datahub_dirs


def test_secretariat_sees_datasets_in_admin_and_versions_are_read_only(client, secretariat):
    dataset = fixtures.make_dataset(secretariat, slug="admin-ds")
    client.login(username=secretariat.email, password=PASSWORD)
    assert client.get("/admin/datahub/dataset/").status_code == 200
    assert client.get(f"/admin/datahub/dataset/{dataset.pk}/change/").status_code == 200
    assert client.get("/admin/datahub/datasetversion/add/").status_code == 403


def test_admin_delete_is_audited(client, secretariat):
    dataset = fixtures.make_dataset(secretariat, slug="gone-ds")
    client.login(username=secretariat.email, password=PASSWORD)
    response = client.post(f"/admin/datahub/dataset/{dataset.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(
        action="admin.datahub.dataset.deleted", target_id=str(dataset.pk)
    ).exists()
