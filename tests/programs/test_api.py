"""The programs API: list, detail, register (with the duplicate refused as 409), my registrations."""

import pytest

from dongne.core import services as core_services
from dongne.programs import services
from tests.factories import UserFactory

from .factories import make_program

pytestmark = pytest.mark.django_db


def _auth(user):
    token = core_services.create_api_token(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token.raw_token}"}


def test_list_and_detail_are_public_but_not_drafts(client, secretariat):
    program = make_program(secretariat, sessions=2, title="API 과정")
    make_program(secretariat, publish=False, title="비공개 초안")
    body = client.get("/api/v1/programs/programs").json()
    assert [p["title"] for p in body["items"]] == ["API 과정"]
    detail = client.get(f"/api/v1/programs/programs/{program.pk}").json()
    assert len(detail["sessions"]) == 2 and detail["places_left"] == program.capacity


def test_register_waitlist_duplicate_and_my_registrations(client, secretariat):
    program = make_program(secretariat, capacity=1)
    question = services.add_question(actor=secretariat, program_id=program.pk, text="소속")
    a, b = UserFactory(), UserFactory()

    first = client.post(
        f"/api/v1/programs/programs/{program.pk}/register",
        {"answers": {str(question.pk): "강원대"}},
        content_type="application/json",
        **_auth(a),
    )
    assert first.status_code == 201 and first.json()["status"] == "confirmed"
    dup = client.post(
        f"/api/v1/programs/programs/{program.pk}/register", {}, content_type="application/json", **_auth(a)
    )
    assert dup.status_code == 409 and dup.json()["code"] == "already_registered"
    assert dup.json()["messages"]["ko"]

    second = client.post(
        f"/api/v1/programs/programs/{program.pk}/register", {}, content_type="application/json", **_auth(b)
    )
    assert second.json()["status"] == "waitlisted" and second.json()["waitlist_position"] == 1

    mine = client.get("/api/v1/programs/registrations", **_auth(a)).json()
    assert [r["program_id"] for r in mine] == [program.pk]
    assert client.get("/api/v1/programs/registrations").status_code == 401

    cancel = client.post(f"/api/v1/programs/registrations/{first.json()['id']}/cancel", **_auth(a))
    assert cancel.json()["status"] == "cancelled"
    offered = client.get("/api/v1/programs/registrations", **_auth(b)).json()[0]
    assert offered["status"] == "offered"
    confirmed = client.post(f"/api/v1/programs/registrations/{offered['id']}/confirm", **_auth(b))
    assert confirmed.json()["status"] == "confirmed"


def test_anonymous_register_is_401(client, secretariat):
    program = make_program(secretariat)
    response = client.post(
        f"/api/v1/programs/programs/{program.pk}/register", {}, content_type="application/json"
    )
    assert response.status_code == 401
