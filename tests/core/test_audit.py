"""The audit log: append-only, readable by the secretariat and the auditor (UI and API)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils.translation import gettext_lazy

from dongne.core import audit
from dongne.core.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(secretariat, org):
    return audit.record(secretariat, "core.test.done", org, {"on": dt.date(2024, 5, 1)})


# --- append-only ----------------------------------------------------------------------------------


def test_an_entry_cannot_be_changed(entry):
    entry.action = "core.test.forged"
    with pytest.raises(RuntimeError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "core.test.done"


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(RuntimeError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_log_cannot_be_rewritten_or_emptied_in_bulk(entry):
    with pytest.raises(RuntimeError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="core.test.forged")
    with pytest.raises(RuntimeError):
        AuditEntry.objects.all().delete()
    with pytest.raises(RuntimeError):
        AuditEntry.objects.all().update(data={})
    entry.action = "core.test.forged"
    with pytest.raises(RuntimeError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])
    assert AuditEntry.objects.get(pk=entry.pk).action == "core.test.done"


def test_deleting_a_user_keeps_their_entries_with_their_name():
    user = UserFactory(name="퇴사자", email="gone@test.dongne.kr")
    entry = audit.record(user, "core.test.done")
    user.delete()
    kept = AuditEntry.objects.get(pk=entry.pk)
    assert kept.actor is None
    assert kept.actor_label == "퇴사자 <gone@test.dongne.kr>"


# --- record -----------------------------------------------------------------------------------------


def test_record_stores_who_did_what_to_what(secretariat, org):
    entry = audit.record(
        secretariat,
        "network.organisation.checked",
        org,
        {
            "on": dt.date(2024, 5, 1),
            "at": dt.datetime(2024, 5, 1, 9, 30, tzinfo=dt.UTC),
            "amount": Decimal("1234000"),
            "label": gettext_lazy("Secretariat"),
            "tags": ("관광", "IT"),
            "partner": org,
        },
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor == secretariat
    assert stored.actor_label == str(secretariat)
    assert stored.action == "network.organisation.checked"
    assert stored.target_type == "network.organisation"
    assert stored.target_id == str(org.pk)
    assert stored.target_label == "봄내데이터랩"
    assert stored.data["on"] == "2024-05-01"
    assert stored.data["at"] == "2024-05-01T09:30:00Z"  # ISO 8601, as the API shows it
    assert stored.data["amount"] == "1234000"
    assert isinstance(stored.data["label"], str) and stored.data["label"]
    assert stored.data["tags"] == ["관광", "IT"]
    assert stored.data["partner"] == "봄내데이터랩"


def test_record_without_a_person_says_system_or_anonymous(anonymous):
    assert audit.record(None, "core.test.done").actor_label == "system"
    entry = audit.record(anonymous, "core.test.done")
    assert entry.actor is None
    assert entry.actor_label == "anonymous"
    assert entry.target_type == "" and entry.data == {}


def test_services_leave_an_entry(secretariat, org):
    # The organisation fixture was made through the network service.
    assert AuditEntry.objects.filter(
        action="network.organisation.created", target_id=str(org.pk), actor=secretariat
    ).exists()


# --- the /audit/ page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["secretariat", "auditor"])
def test_secretariat_and_auditor_read_the_audit_page(client, request, entry, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/audit/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "core.test.done" in body
    assert "봄내데이터랩" in body
    assert "2024-05-01" in body


def test_audit_page_filters_by_action(client, secretariat, entry):
    audit.record(secretariat, "core.other.thing")
    client.force_login(secretariat)
    body = client.get("/audit/", {"action": "core.test"}).content.decode()
    assert "core.test.done" in body
    assert "core.other.thing" not in body


def test_audit_page_is_refused_to_a_member_rep(client, rep, entry):
    client.force_login(rep)
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "error.html" in [t.name for t in response.templates]
    assert "core.test.done" not in response.content.decode()


def test_audit_page_sends_anonymous_visitors_to_log_in(client, entry):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert "next=/audit/" in response.url


# --- the audit API --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["secretariat", "auditor"])
def test_secretariat_and_auditor_read_the_audit_api(client, request, entry, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/api/v1/core/audit", {"action": "core.test"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["action"] == "core.test.done"
    assert item["target_type"] == "network.organisation"
    assert item["target_label"] == "봄내데이터랩"
    assert item["data"] == {"on": "2024-05-01"}


def test_audit_api_filters_by_target(client, secretariat, org, other_org):
    client.force_login(secretariat)
    items = client.get(
        "/api/v1/core/audit", {"target_type": "network.organisation", "target_id": other_org.pk}
    ).json()["items"]
    assert items and {i["target_label"] for i in items} == {"소양소프트"}


def test_audit_api_is_refused_to_a_member_rep(client, rep, entry):
    client.force_login(rep)
    response = client.get("/api/v1/core/audit")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert "items" not in body


def test_audit_api_asks_anonymous_callers_to_authenticate(client, entry):
    response = client.get("/api/v1/core/audit")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
