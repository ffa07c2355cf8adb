"""The network pages through the test client: directory filters and htmx, organisation pages,
membership decisions in the UI, profile editing."""

import pytest
from django.contrib.messages import get_messages

from dongne.network import services
from dongne.network.models import Membership, MembershipEvent, Organisation
from tests.factories import business_number, make_organisation, make_representative

from .conftest import drive, snapshot


def listed(response):
    return [o.name for o in response.context["page"].object_list]


def levels(response):
    return [m.level_tag for m in get_messages(response.wsgi_request)]


@pytest.fixture
def directory_data(secretariat, org, other_org):
    """org: member company in 춘천 with tag 빅데이터, active; other_org: applied;
    an advisory institution in 강릉; a private company."""
    services.update_organisation(
        actor=secretariat,
        organisation_id=org.pk,
        data={"sigungu_code": "32010", "industry_tags": ["빅데이터"], "capability_tags": ["GIS 지도"]},
    )
    drive(secretariat, org, "active")
    drive(secretariat, other_org, "applied")
    make_organisation(secretariat, kind="advisory", name="강릉과학산업진흥원", sigungu_code="32030")
    make_organisation(secretariat, name="비공개소프트", is_public=False, industry_tags=["빅데이터"])


# --- directory -------------------------------------------------------------------------------------------
def test_directory_for_the_public(client, directory_data):
    response = client.get("/network/")
    assert response.status_code == 200
    assert listed(response) == ["강릉과학산업진흥원", "봄내데이터랩", "소양소프트"]
    assert b'<meta charset="utf-8">' in response.content


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"kind": "advisory"}, ["강릉과학산업진흥원"]),
        ({"kind": "member_company"}, ["봄내데이터랩", "비공개소프트", "소양소프트"]),
        ({"sigungu": "32030"}, ["강릉과학산업진흥원"]),
        ({"sigungu": "32010"}, ["봄내데이터랩"]),
        ({"tag": "빅데이터"}, ["봄내데이터랩", "비공개소프트"]),
        ({"tag": "GIS 지도"}, ["봄내데이터랩"]),
        ({"status": "active"}, ["봄내데이터랩"]),
        ({"status": "applied"}, ["소양소프트"]),
        ({"status": "none"}, ["강릉과학산업진흥원", "비공개소프트"]),
        ({"kind": "member_company", "status": "active", "q": "관광"}, ["봄내데이터랩"]),
        ({"q": "모바일"}, ["소양소프트"]),
    ],
)
def test_directory_filters_for_the_secretariat(client, secretariat, directory_data, params, expected):
    client.force_login(secretariat)
    response = client.get("/network/", params)
    assert response.status_code == 200
    assert listed(response) == expected


def test_the_public_cannot_filter_by_membership_status_or_see_private_ones(client, directory_data):
    # Membership status is not public: the filter is ignored rather than leaking who is a member.
    assert listed(client.get("/network/", {"status": "applied"})) == [
        "강릉과학산업진흥원",
        "봄내데이터랩",
        "소양소프트",
    ]
    assert listed(client.get("/network/", {"tag": "빅데이터"})) == ["봄내데이터랩"]


def test_htmx_requests_get_only_the_results_fragment(client, directory_data):
    full = client.get("/network/", {"q": "관광"})
    fragment = client.get("/network/", {"q": "관광"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert b"<html" in full.content and b"<html" not in fragment.content
    assert b"<form" not in fragment.content
    assert listed(fragment) == ["봄내데이터랩"]
    assert "봄내데이터랩" in fragment.content.decode()
    assert [t.name for t in fragment.templates][0] == "network/_directory_results.html"


def test_an_empty_search_says_so(client, directory_data):
    response = client.get("/network/", {"q": "우주선"}, HTTP_HX_REQUEST="true")
    assert listed(response) == []
    assert b'class="empty"' in response.content


# --- organisation page -------------------------------------------------------------------------------------
@pytest.mark.parametrize("role_fixture", ["secretariat", "chair", "auditor"])
def test_officers_see_the_membership_history(client, request, role_fixture, secretariat, org):
    membership = drive(secretariat, org, "active")
    client.force_login(request.getfixturevalue(role_fixture))
    response = client.get(f"/network/organisations/{org.pk}/")
    assert response.status_code == 200
    assert response.context["membership"] == membership
    assert [(e.to_status, e.on.isoformat()) for e in response.context["events"]] == [
        ("applied", "2024-03-04"),
        ("approved", "2024-03-20"),
        ("active", "2024-04-01"),
    ]
    body = response.content.decode()
    assert "2024.03.20" in body and "2024년 제2차 이사회 제1호 의안" in body


def test_the_public_and_other_members_do_not_see_the_history(client, secretariat, org, other_org):
    drive(secretariat, org, "active")
    other_rep_org = make_organisation(secretariat, name="다른조합원사")
    other_rep = make_representative(other_rep_org)
    for user in (None, other_rep):
        if user:
            client.force_login(user)
        response = client.get(f"/network/organisations/{org.pk}/")
        assert response.status_code == 200
        assert response.context["membership"] is None
        assert list(response.context["events"]) == []
        assert "2024년 제2차 이사회 제1호 의안" not in response.content.decode()


def test_a_representative_sees_their_own_history(client, secretariat, rep, org):
    drive(secretariat, org, "approved")
    client.force_login(rep)
    response = client.get(f"/network/organisations/{org.pk}/")
    assert [e.to_status for e in response.context["events"]] == ["applied", "approved"]
    assert response.context["can_decide"] is False


def test_unknown_organisation_page_is_404(client, db):
    assert client.get("/network/organisations/424242/").status_code == 404


# --- membership decisions in the UI ---------------------------------------------------------------------------
def test_secretariat_approves_then_activates_through_the_pages(client, secretariat, applied, org):
    client.force_login(secretariat)
    page = f"/network/organisations/{org.pk}/"
    assert client.get(page).context["can_decide"] is True

    response = client.post(
        f"/network/memberships/{applied.pk}/approve/",
        {"decision_ref": "2024년 제5차 이사회", "on": "2024.03.20"},
    )
    assert response.status_code == 302 and response["Location"] == page
    assert levels(response) == ["success"]
    applied.refresh_from_db()
    assert (applied.status, applied.decision_ref) == ("approved", "2024년 제5차 이사회")

    response = client.post(f"/network/memberships/{applied.pk}/activate/", {"on": "2024.04.01"})
    assert response.status_code == 302
    applied.refresh_from_db()
    assert applied.status == "active"

    response = client.get(page)
    assert response.context["membership"].status == "active"
    assert [e.to_status for e in response.context["events"]] == ["applied", "approved", "active"]


def test_withdrawal_and_completion_through_the_pages(client, secretariat, rep, org):
    membership = drive(secretariat, org, "active")
    client.force_login(rep)
    client.post(f"/network/memberships/{membership.pk}/withdraw/", {"on": "2024.09.02", "reason": "폐업"})
    membership.refresh_from_db()
    assert membership.status == "withdrawing"
    client.force_login(secretariat)
    client.post(f"/network/memberships/{membership.pk}/complete-withdrawal/", {"on": "2024.12.31"})
    membership.refresh_from_db()
    assert membership.status == "withdrawn"


def test_a_representative_posting_an_approval_gets_an_error_and_nothing_changes(client, rep, applied, org):
    client.force_login(rep)
    before = snapshot()
    page = f"/network/organisations/{org.pk}/"
    response = client.post(
        f"/network/memberships/{applied.pk}/approve/",
        {"decision_ref": "셀프 승인"},
        HTTP_REFERER=f"http://testserver{page}",
    )
    assert response.status_code == 302
    assert levels(response) == ["error"]
    applied.refresh_from_db()
    assert applied.status == "applied"
    assert snapshot() == before
    # Following the redirect shows the page with the error message.
    response = client.get(page)
    assert response.status_code == 200


def test_an_illegal_step_in_the_ui_is_an_error_message(client, secretariat, applied):
    client.force_login(secretariat)
    before = MembershipEvent.objects.count()
    response = client.post(f"/network/memberships/{applied.pk}/activate/", {})
    assert response.status_code == 302
    assert levels(response) == ["error"]
    applied.refresh_from_db()
    assert applied.status == "applied"
    assert MembershipEvent.objects.count() == before


def test_an_approval_without_decision_is_sent_back(client, secretariat, applied):
    client.force_login(secretariat)
    response = client.post(f"/network/memberships/{applied.pk}/approve/", {"decision_ref": ""})
    assert response.status_code == 302
    assert levels(response) == ["error"]
    applied.refresh_from_db()
    assert applied.status == "applied"


def test_unknown_action_is_404(client, secretariat, applied):
    client.force_login(secretariat)
    assert client.post(f"/network/memberships/{applied.pk}/promote/", {}).status_code == 404
    applied.refresh_from_db()
    assert applied.status == "applied"


def test_a_representative_applies_through_the_page(client, rep, org):
    client.force_login(rep)
    response = client.post(f"/network/organisations/{org.pk}/apply/", {"member_type": "producer"})
    assert response.status_code == 302
    assert Membership.objects.get(organisation=org).status == "applied"


def test_the_membership_list_is_for_officers(client, secretariat, rep, applied):
    client.force_login(rep)
    assert client.get("/network/memberships/").status_code == 403
    client.force_login(secretariat)
    response = client.get("/network/memberships/")
    assert [m.pk for m in response.context["page"].object_list] == [applied.pk]


# --- profile editing -------------------------------------------------------------------------------------------
def test_a_representative_edits_their_profile_through_the_form(client, rep, org):
    client.force_login(rep)
    response = client.get(f"/network/organisations/{org.pk}/edit/")
    assert response.status_code == 200
    form = response.context["form"]
    # The fields only the secretariat changes are not offered.
    assert not {"kind", "business_number", "corporate_number", "is_public"} & set(form.fields)
    response = client.post(
        f"/network/organisations/{org.pk}/edit/",
        {
            "name": "봄내데이터랩",
            "description": "관광 데이터 분석과 시각화",
            "founded_on": "2018.01.15",
            "employees": "9",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.description == "관광 데이터 분석과 시각화" and org.employees == 9
    assert org.kind == "member_company" and org.is_public is True


def test_a_representative_cannot_open_another_organisations_form(client, rep, other_org):
    client.force_login(rep)
    assert client.get(f"/network/organisations/{other_org.pk}/edit/").status_code == 403
    response = client.post(
        f"/network/organisations/{other_org.pk}/edit/", {"name": "탈취", "description": "x"}
    )
    assert response.status_code in (302, 403)
    other_org.refresh_from_db()
    assert other_org.name == "소양소프트"


def test_registration_form_shows_field_errors(client, secretariat):
    client.force_login(secretariat)
    bad = business_number()
    bad = bad[:-1] + str((int(bad[-1]) + 1) % 10)
    response = client.post(
        "/network/organisations/new/",
        {
            "kind": "member_company",
            "name": "오봉테크",
            "business_number": bad,
            "founded_on": "2018.01.15",
            "is_public": "on",
        },
    )
    assert response.status_code == 200
    assert "business_number" in response.context["form"].errors
    assert not Organisation.objects.filter(name="오봉테크").exists()
    response = client.post(
        "/network/organisations/new/",
        {
            "kind": "member_company",
            "name": "오봉테크",
            "business_number": business_number(),
            "is_public": "on",
        },
    )
    org = Organisation.objects.get(name="오봉테크")
    assert response.status_code == 302 and response["Location"] == f"/network/organisations/{org.pk}/"


def test_registration_form_is_for_the_secretariat(client, rep):
    client.force_login(rep)
    assert client.get("/network/organisations/new/").status_code == 403


def test_contact_details_are_shown_by_role(client, secretariat, rep, org, other_org):
    for name, phone, visibility in (
        ("공개연락", "010-1111-2222", "public"),
        ("회원연락", "010-3333-4444", "members"),
        ("임원연락", "010-5555-6666", "officers"),
    ):
        services.add_person(
            actor=secretariat,
            organisation_id=other_org.pk,
            name=name,
            phone=phone,
            contact_visibility=visibility,
        )
    page = f"/network/organisations/{other_org.pk}/"

    def shown(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        body = client.get(page).content.decode()
        assert "공개연락" in body and "회원연락" in body and "임원연락" in body  # names are always listed
        return {phone for phone in ("010-1111-2222", "010-3333-4444", "010-5555-6666") if phone in body}

    assert shown(None) == {"010-1111-2222"}
    assert shown(rep) == {"010-1111-2222", "010-3333-4444"}  # a member of another organisation
    assert shown(secretariat) == {"010-1111-2222", "010-3333-4444", "010-5555-6666"}
