from dongne.core.models import AuditEntry
from tests.factories import PASSWORD


def test_unknown_api_path_answers_json_404(client, db):
    response = client.get("/api/v1/core/does-not-exist")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_unknown_page_renders_error_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b'<meta charset="utf-8">' in response.content


def test_admin_change_is_audited_and_reindexed(client, secretariat, org):
    client.login(username=secretariat.email, password=PASSWORD)
    url = f"/admin/network/organisation/{org.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "name": "어드민수정기업",
            "kind": org.kind,
            "is_public": "on",
            "industry_tags": [],
            "capability_tags": [],
            "affiliations-TOTAL_FORMS": "0",
            "affiliations-INITIAL_FORMS": "0",
            "products-TOTAL_FORMS": "0",
            "products-INITIAL_FORMS": "0",
        }
    )
    data = {k: v for k, v in data.items() if v not in ([], None)}
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    entry = AuditEntry.objects.filter(action="admin.network.organisation.changed").get()
    assert entry.actor == secretariat and "name" in entry.data["fields"]
    from dongne.core.search import search_ids

    assert search_ids("network.organisation", "어드민수정") == [org.pk]


def test_invitations_cannot_be_edited_in_admin(client, secretariat):
    client.login(username=secretariat.email, password=PASSWORD)
    from dongne.core import services

    invitation = services.invite_user(actor=secretariat, email="new@x.kr", role="director")
    response = client.post(
        f"/admin/core/invitation/{invitation.pk}/change/", {"email": "evil@x.kr", "role": "secretariat"}
    )
    invitation.refresh_from_db()
    assert invitation.email == "new@x.kr" and invitation.role == "director"
    assert response.status_code in (302, 403)
