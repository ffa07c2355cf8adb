"""The base UI: page shell, language switch, paginated lists, empty states, and domain errors
turned into messages."""

import re

import pytest
from django.contrib.messages import get_messages

from dongne.core import services
from dongne.core.models import ApiToken
from tests.factories import make_organisation

pytestmark = pytest.mark.django_db


def _html_lang(response):
    return re.search(r'<html lang="([\w-]+)"', response.content.decode()).group(1)


def test_home_page_is_korean_utf8_html(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.content.decode()
    assert '<meta charset="utf-8">' in body
    assert _html_lang(response) == "ko"


def test_choosing_english_switches_the_page_language(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert _html_lang(client.get("/")) == "en"
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    assert _html_lang(client.get("/")) == "ko"


def test_browser_language_is_honoured_until_the_user_chooses(client):
    assert _html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")) == "en"
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    assert _html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")) == "ko"


def test_an_unsupported_language_falls_back_to_korean(client):
    assert _html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")) == "ko"


def test_menu_follows_the_role(client, secretariat, rep):
    anonymous_page = client.get("/").content.decode()
    assert 'href="/accounts/login/"' in anonymous_page
    assert 'href="/audit/"' not in anonymous_page
    client.force_login(rep)
    rep_page = client.get("/").content.decode()
    assert 'href="/accounts/tokens/"' in rep_page
    assert 'href="/audit/"' not in rep_page and 'href="/admin/"' not in rep_page
    client.force_login(secretariat)
    secretariat_page = client.get("/").content.decode()
    for link in ("/audit/", "/admin/", "/accounts/invitations/"):
        assert f'href="{link}"' in secretariat_page


# --- directory: pagination and empty states -------------------------------------------------------


def _cards(response):
    return re.findall(r'<li class="card">', response.content.decode())


def test_directory_paginates(client, settings, secretariat):
    settings.PAGE_SIZE = 3
    for n in range(7):
        make_organisation(secretariat, name=f"춘천기업{n}")
    first = client.get("/network/")
    assert len(_cards(first)) == 3
    assert first.context["page"].paginator.num_pages == 3
    assert 'rel="next"' in first.content.decode() and 'rel="prev"' not in first.content.decode()
    last = client.get("/network/", {"page": 3})
    assert len(_cards(last)) == 1
    assert 'rel="prev"' in last.content.decode() and 'rel="next"' not in last.content.decode()
    # a page past the end shows the last page instead of an error
    assert len(_cards(client.get("/network/", {"page": 99}))) == 1
    assert len(_cards(client.get("/network/", {"page": "abc"}))) == 3


def test_pagination_keeps_the_filters(client, settings, secretariat):
    settings.PAGE_SIZE = 1
    make_organisation(secretariat, name="가나", kind="member_company")
    make_organisation(secretariat, name="다라", kind="member_company")
    body = client.get("/network/", {"kind": "member_company"}).content.decode()
    assert "kind=member_company&amp;page=2" in body


def test_directory_shows_an_empty_state_when_nothing_matches(client, org):
    response = client.get("/network/", {"q": "우주정거장"})
    assert response.status_code == 200
    body = response.content.decode()
    assert _cards(response) == []
    assert 'class="empty"' in body
    assert "우주정거장" in body  # the message repeats what was searched


def test_directory_shows_an_empty_state_when_nothing_is_registered(client):
    response = client.get("/network/")
    assert _cards(response) == []
    assert 'class="empty"' in response.content.decode()


def test_directory_finds_by_morphology(client, org, other_org):
    response = client.get("/network/", {"q": "관광"})
    body = response.content.decode()
    assert "봄내데이터랩" in body  # "관광객 빅데이터 분석"
    assert "소양소프트" not in body


# --- domain errors in the UI --------------------------------------------------------------------------


def test_a_refused_page_shows_the_error_page_with_403(client, rep):
    client.force_login(rep)
    response = client.get("/accounts/invitations/")
    assert response.status_code == 403
    assert "error.html" in [t.name for t in response.templates]
    assert '<meta charset="utf-8">' in response.content.decode()


def test_a_refused_form_goes_back_with_the_reason(client, rep, partner_user):
    token = services.create_api_token(actor=rep, name="mine")
    client.force_login(partner_user)
    response = client.post(
        f"/accounts/tokens/{token.pk}/revoke/", HTTP_REFERER="http://testserver/accounts/tokens/"
    )
    assert response.status_code == 302
    assert response.url == "http://testserver/accounts/tokens/"
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_a_refused_form_never_redirects_to_another_site(client, rep, partner_user):
    token = services.create_api_token(actor=rep, name="mine")
    client.force_login(partner_user)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", HTTP_REFERER="https://evil.example/")
    assert response.status_code == 302
    assert response.url == f"/accounts/tokens/{token.pk}/revoke/"


def test_logged_out_visitors_are_sent_to_log_in(client, db):
    for path in ("/accounts/tokens/", "/accounts/invitations/", "/audit/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")


# --- API tokens page ----------------------------------------------------------------------------------


def test_token_page_shows_a_new_token_once(client, rep):
    client.force_login(rep)
    response = client.post("/accounts/tokens/", {"name": "동기화 스크립트"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=rep)
    raw = response.context["created"].raw_token
    assert raw in response.content.decode()
    again = client.get("/accounts/tokens/").content.decode()
    assert "동기화 스크립트" in again and token.prefix in again
    assert raw not in again


def test_token_page_revokes(client, rep):
    token = services.create_api_token(actor=rep, name="old")
    client.force_login(rep)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
