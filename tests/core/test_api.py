"""The API's one error mapping and its authentication: session (with CSRF on writes) and
personal Bearer tokens.

Message texts are being translated while these tests are written, so they check codes, statuses
and that both languages are present — not the wording.
"""

import hashlib

import pytest
from django.test import Client

from dongne.core import errors, services
from dongne.core.api import error_body
from dongne.core.models import ApiToken, AuditEntry

pytestmark = pytest.mark.django_db

ME = "/api/v1/core/me"
TOKENS = "/api/v1/core/tokens"


def assert_error(response, status, code):
    """The documented error shape: {code, message, messages: {ko, en}, errors?}."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"].strip()
    assert set(body["messages"]) == {"ko", "en"}
    for language in ("ko", "en"):
        assert isinstance(body["messages"][language], str) and body["messages"][language].strip()
    assert set(body) <= {"code", "message", "messages", "errors"}
    return body


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- error mapping ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (errors.ValidationError, 400, "invalid"),
        (errors.NotAuthenticated, 401, "not_authenticated"),
        (errors.PermissionDenied, 403, "permission_denied"),
        (errors.NotFound, 404, "not_found"),
        (errors.Conflict, 409, "conflict"),
    ],
)
def test_each_domain_error_has_its_status_code_and_both_languages(error, status, code):
    exc = error()
    assert exc.status == status
    body = error_body(exc)
    assert body["code"] == code
    assert body["messages"]["ko"].strip() and body["messages"]["en"].strip()
    assert "errors" not in body


def test_error_body_carries_field_errors_and_custom_codes():
    exc = errors.Conflict(
        "%(name)s is taken.", code="duplicate", params={"name": "봄내"}, errors={"name": ["x"]}
    )
    body = error_body(exc)
    assert body["code"] == "duplicate"
    assert body["messages"]["en"] == "봄내 is taken."
    assert body["errors"] == {"name": ["x"]}


def test_schema_validation_error_is_a_400_invalid_naming_the_field(client, rep):
    client.force_login(rep)
    body = assert_error(client.post(TOKENS, {}, content_type="application/json"), 400, "invalid")
    assert list(body["errors"]) == ["name"]  # the field the caller sent, not ninja's "payload.name"
    body = assert_error(client.post(TOKENS, {"name": 5}, content_type="application/json"), 400, "invalid")
    assert list(body["errors"]) == ["name"]
    body = assert_error(client.get("/api/v1/core/audit", {"limit": "many"}), 400, "invalid")
    assert list(body["errors"]) == ["limit"]
    assert not ApiToken.objects.exists()


def test_a_body_that_is_not_json_gets_the_same_error_shape(client, rep):
    client.force_login(rep)
    assert_error(client.post(TOKENS, "{name: x", content_type="application/json"), 400, "invalid")


def test_service_validation_error_is_a_400_with_field_errors(client, rep):
    client.force_login(rep)
    body = assert_error(client.post(TOKENS, {"name": "   "}, content_type="application/json"), 400, "invalid")
    assert body["errors"]["name"]
    assert not ApiToken.objects.exists()


def test_anonymous_write_is_a_401(client):
    assert_error(
        client.post(TOKENS, {"name": "x"}, content_type="application/json"), 401, "not_authenticated"
    )
    assert_error(client.get(TOKENS), 401, "not_authenticated")


def test_unknown_item_is_a_404(client, rep):
    client.force_login(rep)
    assert_error(client.delete(f"{TOKENS}/999999"), 404, "not_found")


def test_acting_twice_is_a_409(client, rep):
    token = services.create_api_token(actor=rep, name="sync")
    client.force_login(rep)
    assert client.delete(f"{TOKENS}/{token.pk}").status_code == 200
    assert_error(client.delete(f"{TOKENS}/{token.pk}"), 409, "token_revoked")


def test_error_message_follows_the_request_language(client, rep):
    client.force_login(rep)
    body = client.delete(f"{TOKENS}/999999", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["message"] == body["messages"]["en"]
    body = client.delete(f"{TOKENS}/999999", HTTP_ACCEPT_LANGUAGE="ko").json()
    assert body["message"] == body["messages"]["ko"]


def test_openapi_documents_the_error_shape(client):
    schema = client.get("/api/v1/openapi.json").json()
    responses = schema["paths"][TOKENS]["post"]["responses"]
    assert {"201", "400", "401", "403", "409"} <= set(responses)


# --- session authentication and CSRF ------------------------------------------------------------


def _csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/")  # every page carries the CSRF token, as a browser would have it
    return client, client.cookies["csrftoken"].value


def test_session_write_without_csrf_token_is_refused(rep):
    client, _token = _csrf_client(rep)
    response = client.post(TOKENS, {"name": "browser"}, content_type="application/json")
    assert_error(response, 403, "csrf_failed")
    assert not ApiToken.objects.exists()


def test_session_write_with_csrf_token_creates_the_token(rep):
    client, csrf = _csrf_client(rep)
    response = client.post(
        TOKENS, {"name": "browser"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "browser"
    assert body["token"].startswith("dn_")
    assert body["prefix"] == body["token"][:10]
    assert ApiToken.objects.get(pk=body["id"]).user == rep


def test_session_revoke_without_csrf_token_is_refused(rep):
    token = services.create_api_token(actor=rep, name="script")
    client, csrf = _csrf_client(rep)
    assert_error(client.delete(f"{TOKENS}/{token.pk}"), 403, "csrf_failed")
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.delete(f"{TOKENS}/{token.pk}", HTTP_X_CSRFTOKEN=csrf).status_code == 200


def test_session_reads_need_no_csrf_token(rep):
    client, _token = _csrf_client(rep)
    assert client.get(ME).json()["email"] == rep.email


def test_bearer_writes_need_no_csrf_token(rep):
    raw = services.create_api_token(actor=rep, name="script").raw_token
    client = Client(enforce_csrf_checks=True)
    response = client.post(TOKENS, {"name": "second"}, content_type="application/json", **bearer(raw))
    assert response.status_code == 201


# --- API tokens -----------------------------------------------------------------------------------


def test_only_the_hash_of_a_token_is_stored(rep):
    token = services.create_api_token(actor=rep, name="데이터 동기화")
    raw = token.raw_token
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(raw in str(value) for value in row.values())
    for entry in AuditEntry.objects.values("data", "target_label"):
        assert raw not in str(entry)
    assert not hasattr(stored, "raw_token")


def test_token_creation_is_audited(rep):
    token = services.create_api_token(actor=rep, name="sync")
    entry = AuditEntry.objects.get(action="core.api_token.created")
    assert entry.actor == rep
    assert entry.target_id == str(token.pk)


def test_token_needs_a_logged_in_user_and_a_name(anonymous, rep):
    with pytest.raises(errors.NotAuthenticated):
        services.create_api_token(actor=anonymous, name="x")
    with pytest.raises(errors.ValidationError) as info:
        services.create_api_token(actor=rep, name="  ")
    assert "name" in info.value.errors


def test_bearer_token_authenticates_and_marks_the_token_used(client, rep):
    token = services.create_api_token(actor=rep, name="script")
    assert token.last_used_at is None
    response = client.get(ME, **bearer(token.raw_token))
    assert response.status_code == 200
    assert response.json() == {
        "authenticated": True,
        "email": rep.email,
        "name": rep.name,
        "role": "member_rep",
    }
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_without_credentials_me_says_anonymous(client):
    assert client.get(ME).json()["authenticated"] is False


@pytest.mark.parametrize(
    "header", ["Bearer dn_not-a-real-token", "Bearer ", "Bearer abc", "Basic dXNlcjpwdw=="]
)
def test_unknown_token_is_a_401_invalid_token(client, db, header):
    assert_error(client.get(ME, HTTP_AUTHORIZATION=header), 401, "invalid_token")


def test_revoked_token_is_refused(client, rep):
    token = services.create_api_token(actor=rep, name="script")
    assert client.get(ME, **bearer(token.raw_token)).status_code == 200
    revoked = services.revoke_api_token(actor=rep, token_id=token.pk)
    assert revoked.revoked_at is not None
    assert_error(client.get(ME, **bearer(token.raw_token)), 401, "invalid_token")
    assert AuditEntry.objects.filter(action="core.api_token.revoked", actor=rep).exists()


def test_token_of_a_deactivated_user_is_refused(client, rep):
    raw = services.create_api_token(actor=rep, name="script").raw_token
    rep.is_active = False
    rep.save()
    assert_error(client.get(ME, **bearer(raw)), 401, "invalid_token")


def test_a_user_cannot_revoke_another_users_token(client, rep, partner_user):
    token = services.create_api_token(actor=rep, name="script")
    with pytest.raises(errors.PermissionDenied):
        services.revoke_api_token(actor=partner_user, token_id=token.pk)
    client.force_login(partner_user)
    assert_error(client.delete(f"{TOKENS}/{token.pk}"), 403, "permission_denied")
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.get(ME, **bearer(token.raw_token)).status_code == 200


def test_the_secretariat_can_revoke_anyones_token(rep, secretariat):
    token = services.create_api_token(actor=rep, name="leaked")
    assert services.revoke_api_token(actor=secretariat, token_id=token.pk).revoked_at is not None


def test_token_list_shows_my_tokens_without_secrets(client, rep, partner_user):
    mine = services.create_api_token(actor=rep, name="mine")
    services.create_api_token(actor=partner_user, name="theirs")
    client.force_login(rep)
    body = client.get(TOKENS).json()
    assert [t["name"] for t in body] == ["mine"]
    assert body[0]["prefix"] == mine.prefix
    assert "token" not in body[0] and mine.raw_token not in str(body)


def test_api_token_revoke_through_the_api(client, rep):
    raw_token = services.create_api_token(actor=rep, name="script")
    client.force_login(rep)
    response = client.delete(f"{TOKENS}/{raw_token.pk}")
    assert response.status_code == 200
    assert response.json()["revoked_at"]
    assert_error(client.get(ME, **bearer(raw_token.raw_token)), 401, "invalid_token")
