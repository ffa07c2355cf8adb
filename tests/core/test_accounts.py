"""Accounts: invitations by the secretariat, accepting them, password reset, e-mail login and
the Django admin that only the secretariat may open."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from dongne.core import permissions, services
from dongne.core.choices import Role
from dongne.core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationError
from dongne.core.models import AuditEntry, Invitation, User
from dongne.network.models import Affiliation
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "춘천-호수-2024-bright"
INVITE_LINK = re.compile(r"(\S*)/accounts/invite/([\w-]+)/")


@pytest.fixture
def invite(secretariat, org, django_capture_on_commit_callbacks):
    """Invite a member representative of ``org``; the mail goes out when the transaction commits."""

    def _invite(email="new.rep@test.dongne.kr", role=Role.MEMBER_REP, organisation=org, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.invite_user(
                actor=secretariat, email=email, role=role, organisation=organisation, **kwargs
            )

    return _invite


def _link_in_mail(message):
    match = INVITE_LINK.search(message.body)
    assert match, message.body
    return match.group(1), match.group(2)


# --- inviting ---------------------------------------------------------------------------------------


def test_secretariat_invites_by_mail_with_a_link(invite, org):
    invitation = invite(email="New.Rep@Test.Dongne.KR", name="이대표")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.rep@test.dongne.kr"]
    site, token = _link_in_mail(message)
    assert site == settings.SITE_URL
    assert token == invitation.raw_token
    stored = Invitation.objects.get(pk=invitation.pk)
    assert stored.is_open and stored.organisation == org and stored.role == Role.MEMBER_REP
    assert token not in stored.token_hash  # only the hash of the link's secret is kept
    assert AuditEntry.objects.filter(action="core.invitation.sent", target_id=str(invitation.pk)).exists()


def test_no_mail_leaves_when_the_invitation_is_not_saved(
    secretariat, org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.invite_user(
            actor=secretariat, email="not-an-address", role=Role.MEMBER_REP, organisation=org
        )
    assert mail.outbox == []
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("who", ["chair", "auditor", "rep", "partner_user"])
def test_only_the_secretariat_invites(request, org, who):
    with pytest.raises(PermissionDenied):
        services.invite_user(
            actor=request.getfixturevalue(who), email="x@test.dongne.kr", role=Role.SECRETARIAT
        )
    assert not Invitation.objects.exists()


def test_anonymous_cannot_invite(anonymous):
    with pytest.raises(NotAuthenticated):
        services.invite_user(actor=anonymous, email="x@test.dongne.kr", role=Role.CHAIR)


def test_inviting_someone_who_has_an_account_is_a_conflict(invite, rep):
    with pytest.raises(Conflict) as info:
        invite(email=rep.email.upper())
    assert info.value.code == "duplicate_user"
    assert mail.outbox == []


@pytest.mark.parametrize("role", [Role.MEMBER_REP, Role.PARTNER])
def test_a_representative_needs_an_organisation(invite, role):
    with pytest.raises(ValidationError) as info:
        invite(role=role, organisation=None)
    assert "organisation" in info.value.errors
    assert not Invitation.objects.exists()


def test_an_unknown_role_is_refused(invite):
    with pytest.raises(ValidationError) as info:
        invite(role="king")
    assert "role" in info.value.errors


def test_a_new_invitation_replaces_the_open_one(invite):
    first = invite()
    second = invite()
    with pytest.raises(Conflict):
        services.open_invitation(first.raw_token)
    assert services.open_invitation(second.raw_token).pk == second.pk


def test_secretariat_invites_through_the_page(client, secretariat, org, django_capture_on_commit_callbacks):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/invitations/",
            {
                "email": "page@test.dongne.kr",
                "name": "최대표",
                "role": Role.MEMBER_REP,
                "organisation": org.pk,
            },
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    page = client.get("/accounts/invitations/").content.decode()
    assert "page@test.dongne.kr" in page


def test_invitation_page_shows_field_errors(client, secretariat):
    client.force_login(secretariat)
    response = client.post("/accounts/invitations/", {"email": "x@test.dongne.kr", "role": Role.MEMBER_REP})
    assert response.status_code == 200
    assert response.context["form"].errors["organisation"]
    assert not Invitation.objects.exists()


def test_invitation_page_is_refused_to_others(client, rep):
    client.force_login(rep)
    response = client.get("/accounts/invitations/")
    assert response.status_code == 403


# --- accepting --------------------------------------------------------------------------------------


def test_accepting_creates_the_user_logs_them_in_and_makes_them_representative(client, invite, org):
    invite(name="이대표")
    _site, token = _link_in_mail(mail.outbox[0])
    page = client.get(f"/accounts/invite/{token}/")
    assert page.status_code == 200
    assert "new.rep@test.dongne.kr" in page.content.decode()

    response = client.post(
        f"/accounts/invite/{token}/", {"name": "이대표", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/"
    user = User.objects.get(email="new.rep@test.dongne.kr")
    assert user.role == Role.MEMBER_REP and user.name == "이대표"
    assert user.check_password(NEW_PASSWORD)
    me = client.get("/api/v1/core/me").json()
    assert me["authenticated"] and me["email"] == user.email
    # network links the new user to the organisation they were invited for
    assert Affiliation.objects.filter(person__user=user, organisation=org, is_representative=True).exists()
    assert permissions.can(user, "network.change_organisation", org)
    assert Invitation.objects.get().accepted_at is not None
    assert AuditEntry.objects.filter(action="core.invitation.accepted", actor=user).exists()


def test_accepted_user_can_log_in_later(client, invite):
    invitation = invite()
    services.accept_invitation(actor=None, raw_token=invitation.raw_token, name="김", password=NEW_PASSWORD)
    assert client.login(username="new.rep@test.dongne.kr", password=NEW_PASSWORD)


def test_a_link_works_once(client, invite):
    invitation = invite()
    services.accept_invitation(actor=None, raw_token=invitation.raw_token, name="김", password=NEW_PASSWORD)
    with pytest.raises(Conflict) as info:
        services.accept_invitation(
            actor=None, raw_token=invitation.raw_token, name="박", password=NEW_PASSWORD + "x"
        )
    assert info.value.code == "invitation_closed"
    assert User.objects.filter(email="new.rep@test.dongne.kr").count() == 1
    assert client.get(f"/accounts/invite/{invitation.raw_token}/").status_code == 409


def test_an_expired_link_is_refused(client, invite):
    invitation = invite()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(Conflict) as info:
        services.accept_invitation(
            actor=None, raw_token=invitation.raw_token, name="김", password=NEW_PASSWORD
        )
    assert info.value.code == "invitation_closed"
    assert not User.objects.filter(email="new.rep@test.dongne.kr").exists()
    response = client.get(f"/accounts/invite/{invitation.raw_token}/")
    assert response.status_code == 409
    assert "error.html" in [t.name for t in response.templates]


def test_a_made_up_link_is_not_found(client, db):
    with pytest.raises(NotFound):
        services.open_invitation("made-up")
    assert client.get("/accounts/invite/made-up/").status_code == 404


@pytest.mark.parametrize("password", ["1234", "short", "12345678901234", "password123", "new.rep@test"])
def test_a_weak_password_is_refused_and_no_user_is_created(invite, password):
    invitation = invite()
    with pytest.raises(ValidationError) as info:
        services.accept_invitation(actor=None, raw_token=invitation.raw_token, name="김", password=password)
    assert info.value.errors["password"]
    assert not User.objects.filter(email="new.rep@test.dongne.kr").exists()
    assert Invitation.objects.get(pk=invitation.pk).is_open  # the link still works for a better password


def test_weak_password_on_the_page_shows_the_error(client, invite):
    invitation = invite()
    response = client.post(
        f"/accounts/invite/{invitation.raw_token}/", {"name": "김", "password": "1234", "password2": "1234"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(email="new.rep@test.dongne.kr").exists()
    assert client.get("/api/v1/core/me").json()["authenticated"] is False


def test_different_passwords_on_the_page_are_refused(client, invite):
    invitation = invite()
    response = client.post(
        f"/accounts/invite/{invitation.raw_token}/",
        {"name": "김", "password": NEW_PASSWORD, "password2": NEW_PASSWORD + "!"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert not User.objects.filter(email="new.rep@test.dongne.kr").exists()


def test_inviting_an_officer_links_no_organisation(secretariat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_user(actor=secretariat, email="chair@test.dongne.kr", role=Role.CHAIR)
    user = services.accept_invitation(
        actor=None, raw_token=invitation.raw_token, name="이사장", password=NEW_PASSWORD
    )
    assert user.role == Role.CHAIR
    assert not Affiliation.objects.filter(person__user=user).exists()


# --- revoking ---------------------------------------------------------------------------------------


def test_revoked_link_stops_working(client, invite, secretariat):
    invitation = invite()
    services.revoke_invitation(actor=secretariat, invitation_id=invitation.pk)
    with pytest.raises(Conflict):
        services.accept_invitation(
            actor=None, raw_token=invitation.raw_token, name="김", password=NEW_PASSWORD
        )
    assert client.get(f"/accounts/invite/{invitation.raw_token}/").status_code == 409
    assert AuditEntry.objects.filter(action="core.invitation.revoked", target_id=str(invitation.pk)).exists()
    with pytest.raises(Conflict):
        services.revoke_invitation(actor=secretariat, invitation_id=invitation.pk)


def test_only_the_secretariat_revokes(invite, chair):
    invitation = invite()
    with pytest.raises(PermissionDenied):
        services.revoke_invitation(actor=chair, invitation_id=invitation.pk)
    assert Invitation.objects.get(pk=invitation.pk).is_open


def test_revoking_an_unknown_invitation_is_not_found(secretariat):
    with pytest.raises(NotFound):
        services.revoke_invitation(actor=secretariat, invitation_id=999999)


def test_secretariat_revokes_on_the_page(client, invite, secretariat):
    invitation = invite()
    client.force_login(secretariat)
    response = client.post(f"/accounts/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    assert not Invitation.objects.get(pk=invitation.pk).is_open


# --- password reset and login ---------------------------------------------------------------------


def test_password_reset_by_mail(client, rep):
    response = client.post("/accounts/password-reset/", {"email": rep.email.upper()})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [rep.email]
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)

    form = client.get(path, follow=True)
    assert form.status_code == 200
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302

    client.logout()
    assert not client.login(username=rep.email, password=PASSWORD)
    response = client.post("/accounts/login/", {"username": rep.email, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/api/v1/core/me").json()["email"] == rep.email
    # the link is single-use
    assert client.get(path, follow=True).context["validlink"] is False


def test_password_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(client, db):
    response = client.post("/accounts/password-reset/", {"email": "nobody@test.dongne.kr"})
    assert response.status_code == 302  # same answer as for a known address
    assert mail.outbox == []


def test_login_with_email_is_case_insensitive(client, rep):
    response = client.post("/accounts/login/", {"username": rep.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/api/v1/core/me").json()["email"] == rep.email


def test_wrong_password_does_not_log_in(client, rep):
    response = client.post("/accounts/login/", {"username": rep.email, "password": "wrong-password-1"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get("/api/v1/core/me").json()["authenticated"] is False


def test_repeated_failed_logins_lock_the_address_then_a_success_clears_it(client, rep, settings):
    settings.LOGIN_ATTEMPTS = 3
    for _ in range(3):
        assert (
            client.post("/accounts/login/", {"username": rep.email, "password": "wrong-1234"}).status_code
            == 200
        )
    locked = client.post("/accounts/login/", {"username": rep.email, "password": PASSWORD})
    assert locked.status_code == 429  # refused without checking the (right) password
    assert "로그인 실패가 너무 많습니다. 15분 뒤에" in locked.content.decode()
    assert client.get("/api/v1/core/me").json()["authenticated"] is False
    # Another address from the same IP still gets its own tries (the IP allows four times as many).
    other = UserFactory()
    assert client.post("/accounts/login/", {"username": other.email, "password": PASSWORD}).status_code == 302
    # Once the window has passed, the right password works and clears the count.
    from dongne.core.models import RateCounter

    RateCounter.objects.filter(key=f"login:email:{rep.email}").update(
        window=timezone.now() - dt.timedelta(hours=1)
    )
    client.logout()
    assert client.post("/accounts/login/", {"username": rep.email, "password": PASSWORD}).status_code == 302
    assert not RateCounter.objects.filter(key=f"login:email:{rep.email}").exists()


def test_email_is_stored_lower_case(db):
    assert UserFactory(email="Kim.Rep@Test.Dongne.KR").email == "kim.rep@test.dongne.kr"


# --- Django admin --------------------------------------------------------------------------------


def test_secretariat_opens_the_admin_and_sees_the_network(client, secretariat, org):
    client.force_login(secretariat)
    index = client.get("/admin/")
    assert index.status_code == 200
    body = index.content.decode()
    for model in ("organisation", "membership", "mou", "person"):
        assert f"/admin/network/{model}/" in body
    listing = client.get("/admin/network/organisation/")
    assert listing.status_code == 200
    assert "봄내데이터랩" in listing.content.decode()


@pytest.mark.parametrize("who", ["rep", "chair", "auditor"])
def test_others_are_sent_to_the_admin_login(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_audit_entries_cannot_be_deleted_in_the_admin(client, secretariat, org):
    entry = AuditEntry.objects.filter(action="network.organisation.created").first()
    client.force_login(secretariat)
    assert client.get(f"/admin/core/auditentry/{entry.pk}/delete/").status_code == 403
    assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
