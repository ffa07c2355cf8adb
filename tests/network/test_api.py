"""The network API under /api/v1/network/: the same services and rules as the pages, errors as
JSON with a machine-readable code."""

import pytest

from dongne.core import services as core_services
from dongne.network.models import Organisation
from tests.factories import business_number, make_organisation

from .conftest import drive, snapshot

API = "/api/v1/network"


def auth(user):
    token = core_services.create_api_token(actor=user, name="테스트 프로그램").raw_token
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(client, path, data, **headers):
    return client.post(API + path, data, content_type="application/json", **headers)


WRITES = [
    ("post", "/organisations", {"name": "익명기업", "kind": "member_company"}),
    ("patch", "/organisations/{org}", {"description": "익명 수정"}),
    ("post", "/organisations/{org}/membership", {"member_type": "producer"}),
    ("post", "/memberships/{m}/approve", {"decision_ref": "제1차 이사회"}),
    ("post", "/memberships/{m}/reject", {"decision_ref": "제1차 이사회"}),
    ("post", "/memberships/{m}/activate", {}),
    ("post", "/memberships/{m}/withdrawal", {}),
    ("post", "/memberships/{m}/withdrawal/complete", {}),
    ("post", "/memberships/{m}/expel", {"decision_ref": "총회", "reason": "사유"}),
    ("post", "/mous", {"partner_id": "{org}", "title": "익명 협약", "signed_on": "2024.01.01"}),
]


@pytest.mark.parametrize("method, path, payload", WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_writes_refuse_the_public_with_401(client, secretariat, org, other_org, method, path, payload):
    membership = drive(secretariat, other_org, "applied")
    ids = {"org": org.pk, "m": membership.pk}
    path = path.format(**ids)
    payload = {k: (v.format(**ids) if isinstance(v, str) and "{" in v else v) for k, v in payload.items()}
    before = snapshot()
    response = getattr(client, method)(API + path, payload, content_type="application/json")
    assert response.status_code == 401, response.content
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert set(body["messages"]) == {"ko", "en"}
    assert snapshot() == before


def test_an_unknown_token_is_refused(client, org):
    response = post(client, "/organisations", {"name": "x"}, HTTP_AUTHORIZATION="Bearer dn_not-a-real-token")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_a_revoked_token_stops_working(client, secretariat):
    token = core_services.create_api_token(actor=secretariat, name="폐기 예정")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token.raw_token}"}
    assert post(client, "/organisations", {"name": "첫째"}, **headers).status_code == 201
    core_services.revoke_api_token(actor=secretariat, token_id=token.pk)
    assert post(client, "/organisations", {"name": "둘째"}, **headers).status_code == 401
    assert list(Organisation.objects.values_list("name", flat=True)) == ["첫째"]


def test_the_secretariat_registers_an_organisation(client, secretariat):
    number = business_number()
    response = post(
        client,
        "/organisations",
        {
            "name": "삼악테크",
            "business_number": number.replace("-", ""),
            "founded_on": "2018.01.15",
            "sigungu_code": "32010",
            "industry_tags": ["드론"],
        },
        **auth(secretariat),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["business_number"] == number
    assert body["founded_on"] == "2018-01-15"
    assert body["sigungu_name"] == "춘천시"
    assert body["industry_tags"] == ["드론"]
    assert Organisation.objects.get(pk=body["id"]).name == "삼악테크"


def test_invalid_and_duplicate_numbers_are_400_with_field_errors(client, secretariat):
    headers = auth(secretariat)
    number = business_number()
    make_organisation(secretariat, name="선점기업", business_number=number)
    before = snapshot()
    response = post(client, "/organisations", {"name": "중복기업", "business_number": number}, **headers)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == ["business_number"]
    bad = number[:-1] + str((int(number[-1]) + 1) % 10)
    response = post(client, "/organisations", {"name": "오타기업", "business_number": bad}, **headers)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["business_number"]
    assert snapshot() == before


def test_schema_errors_are_400_with_the_field(client, secretariat):
    response = post(client, "/organisations", {"kind": "spaceship"}, **auth(secretariat))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "name" in errors and "kind" in errors


def test_a_representative_patches_only_their_own_profile(client, rep, org, other_org):
    headers = auth(rep)
    response = client.patch(
        f"{API}/organisations/{org.pk}", {"employees": 14}, content_type="application/json", **headers
    )
    assert response.status_code == 200
    assert response.json()["employees"] == 14
    response = client.patch(
        f"{API}/organisations/{other_org.pk}", {"employees": 99}, content_type="application/json", **headers
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    response = client.patch(
        f"{API}/organisations/{org.pk}", {"is_public": False}, content_type="application/json", **headers
    )
    assert response.status_code == 403
    other_org.refresh_from_db()
    org.refresh_from_db()
    assert other_org.employees is None and org.is_public is True


def test_a_representative_resubmits_the_profile_the_api_returned(client, rep, org):
    """GET then PATCH the same document back, as a program syncing a profile does."""
    headers = auth(rep)
    document = client.get(f"{API}/organisations/{org.pk}", **headers).json()
    editable = {
        k: document[k]
        for k in ("kind", "name", "business_number", "corporate_number", "is_public", "description")
    }
    editable["description"] = "프로그램으로 갱신한 소개"
    response = client.patch(
        f"{API}/organisations/{org.pk}", editable, content_type="application/json", **headers
    )
    assert response.status_code == 200, response.content
    assert response.json()["description"] == "프로그램으로 갱신한 소개"


def test_membership_lifecycle_through_the_api(client, secretariat, chair, rep, org):
    response = post(
        client,
        f"/organisations/{org.pk}/membership",
        {"member_type": "producer", "applied_on": "2024.03.04"},
        **auth(rep),
    )
    assert response.status_code == 201
    membership_id = response.json()["id"]
    assert response.json()["status"] == "applied"

    response = post(client, f"/memberships/{membership_id}/approve", {"decision_ref": "셀프"}, **auth(rep))
    assert response.status_code == 403

    response = post(client, f"/memberships/{membership_id}/approve", {"decision_ref": ""}, **auth(chair))
    assert response.status_code == 400
    assert "decision_ref" in response.json()["errors"]

    chair_headers = auth(chair)
    response = post(
        client,
        f"/memberships/{membership_id}/approve",
        {"decision_ref": "제2차 이사회", "on": "2024.03.20"},
        **chair_headers,
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["approved_on"]) == ("approved", "2024-03-20")

    response = post(
        client, f"/memberships/{membership_id}/approve", {"decision_ref": "다시"}, **chair_headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"

    response = post(
        client, f"/organisations/{org.pk}/membership", {"member_type": "consumer"}, **auth(secretariat)
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_membership"

    sec = auth(secretariat)
    assert (
        post(client, f"/memberships/{membership_id}/activate", {"on": "2024.04.01"}, **sec).json()["status"]
        == "active"
    )
    assert (
        post(
            client, f"/memberships/{membership_id}/withdrawal", {"on": "2024.09.02"}, **auth(rep)
        ).status_code
        == 200
    )
    response = post(client, f"/memberships/{membership_id}/withdrawal/complete", {"on": "2024.12.31"}, **sec)
    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")

    response = client.get(f"{API}/memberships", {"status": "withdrawn"}, **sec)
    assert [m["id"] for m in response.json()["items"]] == [membership_id]


def test_membership_list_is_empty_for_non_officers(client, secretariat, rep, org):
    drive(secretariat, org, "applied")
    assert client.get(f"{API}/memberships").json()["items"] == []
    assert client.get(f"{API}/memberships", **auth(rep)).json()["items"] == []
    assert len(client.get(f"{API}/memberships", **auth(secretariat)).json()["items"]) == 1


def test_directory_api_filters_and_visibility(client, secretariat, org, other_org):
    make_organisation(secretariat, kind="advisory", name="강원테크노파크", is_public=False)
    items = client.get(f"{API}/organisations").json()["items"]
    assert [i["name"] for i in items] == ["봄내데이터랩", "소양소프트"]
    assert all(i["membership_status"] is None for i in items)
    items = client.get(f"{API}/organisations", {"kind": "advisory"}, **auth(secretariat)).json()["items"]
    assert [i["name"] for i in items] == ["강원테크노파크"]
