"""MOUs (업무협약): terms, the expiring list, follow-up activities and documents."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dongne.core.errors import NotAuthenticated, PermissionDenied, ValidationError
from dongne.core.models import AuditEntry
from dongne.network import selectors, services
from dongne.network.models import Mou, MouActivity, MouDocument
from tests.factories import make_organisation

TODAY = dt.date.today()


@pytest.fixture
def partner(secretariat):
    return make_organisation(secretariat, kind="partner", name="강원디자인진흥원")


def make_mou(actor, partner, **data):
    data.setdefault("title", "ICT기업사회적협동조합–강원디자인진흥원 업무협약")
    data.setdefault("signed_on", "2020.11.23")
    return services.create_mou(actor=actor, partner_id=partner.pk, data=data)


@pytest.fixture
def mou(secretariat, partner):
    return make_mou(secretariat, partner, expires_on="2023.11.22", scope="디자인 협업")


def test_create_mou_with_korean_dates(secretariat, partner):
    mou = make_mou(
        secretariat, partner, starts_on="2020.12.01", expires_on="20231122", scope="공동 사업 발굴"
    )
    mou.refresh_from_db()
    assert mou.signed_on == dt.date(2020, 11, 23)
    assert mou.starts_on == dt.date(2020, 12, 1)
    assert mou.expires_on == dt.date(2023, 11, 22)
    assert mou.partner == partner
    assert AuditEntry.objects.filter(action="network.mou.created", target_id=str(mou.pk)).count() == 1


def test_an_mou_cannot_expire_before_it_is_signed(secretariat, partner):
    with pytest.raises(ValidationError) as excinfo:
        make_mou(secretariat, partner, signed_on="2020.11.23", expires_on="2020.11.22")
    assert "expires_on" in excinfo.value.errors
    assert not Mou.objects.exists()
    assert not AuditEntry.objects.filter(action="network.mou.created").exists()


def test_editing_an_mou_checks_expiry_against_the_stored_signing_date(secretariat, mou):
    with pytest.raises(ValidationError) as excinfo:
        services.update_mou(actor=secretariat, mou_id=mou.pk, data={"expires_on": "2019.01.01"})
    assert "expires_on" in excinfo.value.errors
    mou.refresh_from_db()
    assert mou.expires_on == dt.date(2023, 11, 22)
    services.update_mou(actor=secretariat, mou_id=mou.pk, data={"expires_on": "2026.11.22"})
    mou.refresh_from_db()
    assert mou.expires_on == dt.date(2026, 11, 22)
    assert AuditEntry.objects.filter(action="network.mou.updated", target_id=str(mou.pk)).count() == 1


@pytest.mark.parametrize(
    "data, field",
    [({"signed_on": ""}, "signed_on"), ({"title": " "}, "title"), ({"signed_on": "2020.02.30"}, "signed_on")],
)
def test_an_mou_needs_a_title_and_a_real_signing_date(secretariat, partner, data, field):
    with pytest.raises(ValidationError) as excinfo:
        make_mou(secretariat, partner, **data)
    assert field in excinfo.value.errors
    assert not Mou.objects.exists()


def test_expiring_mous_lists_those_ending_within_90_days(secretariat, partner):
    soon = make_mou(
        secretariat,
        partner,
        title="곧 만료",
        signed_on="2020.01.01",
        expires_on=TODAY + dt.timedelta(days=30),
    )
    edge = make_mou(
        secretariat,
        partner,
        title="90일 후 만료",
        signed_on="2020.01.01",
        expires_on=TODAY + dt.timedelta(days=90),
    )
    just_expired = make_mou(
        secretariat,
        partner,
        title="방금 만료",
        signed_on="2020.01.01",
        expires_on=TODAY - dt.timedelta(days=5),
    )
    make_mou(
        secretariat,
        partner,
        title="먼 미래",
        signed_on="2020.01.01",
        expires_on=TODAY + dt.timedelta(days=400),
    )
    make_mou(
        secretariat,
        partner,
        title="91일 후",
        signed_on="2020.01.01",
        expires_on=TODAY + dt.timedelta(days=91),
    )
    make_mou(secretariat, partner, title="오래전 만료", signed_on="2018.01.01", expires_on="2019.01.01")
    make_mou(secretariat, partner, title="기한 없음", signed_on="2020.01.01")
    listed = [m.title for m in selectors.expiring_mous(secretariat, days=90)]
    assert listed == [just_expired.title, soon.title, edge.title]  # soonest first


def test_the_secretariat_sees_expiring_mous_on_the_mou_page(client, secretariat, partner):
    make_mou(
        secretariat,
        partner,
        title="갱신 필요 협약",
        signed_on="2020.01.01",
        expires_on=TODAY + dt.timedelta(days=20),
    )
    client.force_login(secretariat)
    response = client.get("/network/mous/")
    assert [m.title for m in response.context["expiring"]] == ["갱신 필요 협약"]


def test_activities_are_recorded_by_the_secretariat(secretariat, mou):
    activity = services.add_mou_activity(
        actor=secretariat,
        mou_id=mou.pk,
        on="2021.01.22",
        title="협약 후속 실무협의회",
        description="공동 과제 협의",
    )
    assert activity.on == dt.date(2021, 1, 22)
    assert list(mou.activities.values_list("title", flat=True)) == ["협약 후속 실무협의회"]
    assert AuditEntry.objects.filter(action="network.mou.activity_added", target_id=str(mou.pk)).count() == 1
    with pytest.raises(ValidationError) as excinfo:
        services.add_mou_activity(actor=secretariat, mou_id=mou.pk, on="", title="")
    assert set(excinfo.value.errors) == {"on", "title"}


@pytest.mark.parametrize("role_fixture", ["chair", "auditor", "rep", "partner_user"])
def test_only_the_secretariat_manages_mous(request, role_fixture, partner, mou):
    actor = request.getfixturevalue(role_fixture)
    with pytest.raises(PermissionDenied):
        make_mou(actor, partner)
    with pytest.raises(PermissionDenied):
        services.add_mou_activity(actor=actor, mou_id=mou.pk, on="2021.01.22", title="회의")
    with pytest.raises(PermissionDenied):
        services.add_mou_document(
            actor=actor, mou_id=mou.pk, title="협약서", uploaded_file=SimpleUploadedFile("a.pdf", b"%PDF-1.4")
        )
    assert Mou.objects.count() == 1
    assert not MouActivity.objects.exists() and not MouDocument.objects.exists()


def test_the_public_cannot_manage_mous(anonymous, mou):
    with pytest.raises(NotAuthenticated):
        services.add_mou_activity(actor=anonymous, mou_id=mou.pk, on="2021.01.22", title="회의")
    assert not MouActivity.objects.exists()


def test_documents_are_attached_and_downloaded_by_logged_in_users(client, secretariat, rep, mou):
    content = "협약서 본문".encode()
    document = services.add_mou_document(
        actor=secretariat,
        mou_id=mou.pk,
        title="업무협약서(서명본)",
        uploaded_file=SimpleUploadedFile("협약서.pdf", content, content_type="application/pdf"),
    )
    assert AuditEntry.objects.filter(action="network.mou.document_added", target_id=str(mou.pk)).count() == 1
    url = f"/network/mous/documents/{document.pk}/"

    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]

    client.force_login(rep)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert "attachment" in response["Content-Disposition"]

    # The MOU page lists documents to logged-in users only.
    assert list(client.get(f"/network/mous/{mou.pk}/").context["documents"]) == [document]
    client.logout()
    assert list(client.get(f"/network/mous/{mou.pk}/").context["documents"]) == []
    assert client.get("/network/mous/documents/999999/").status_code == 302


def test_mou_documents_are_for_the_cooperative_and_the_signing_partner_only(
    client, secretariat, partner, mou
):
    from tests.factories import make_representative

    document = services.add_mou_document(
        actor=secretariat,
        mou_id=mou.pk,
        title="업무협약서(서명본)",
        uploaded_file=SimpleUploadedFile("협약서.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
    )
    url = f"/network/mous/documents/{document.pk}/"
    signer = make_representative(partner, role="partner")
    other = make_representative(
        make_organisation(secretariat, kind="partner", name="다른기관"), role="partner"
    )

    client.force_login(other)  # a contact of another institution sees the MOU, not its signed papers
    assert client.get(url).status_code == 404
    assert list(client.get(f"/network/mous/{mou.pk}/").context["documents"]) == []

    client.force_login(signer)
    assert client.get(url).status_code == 200
    assert list(client.get(f"/network/mous/{mou.pk}/").context["documents"]) == [document]


def test_a_document_needs_a_file(secretariat, mou):
    with pytest.raises(ValidationError) as excinfo:
        services.add_mou_document(actor=secretariat, mou_id=mou.pk, title="빈 첨부", uploaded_file=None)
    assert "file" in excinfo.value.errors
    assert not MouDocument.objects.exists()


def test_the_mou_pages_through_the_client(client, secretariat, partner, mou):
    client.force_login(secretariat)
    response = client.post(
        "/network/mous/new/",
        {
            "partner": partner.pk,
            "title": "신규 협약",
            "signed_on": "2024.05.01",
            "expires_on": "2024.04.30",
            "is_public": "on",
        },
    )
    assert response.status_code == 200  # the form again, with the error on the expiry field
    assert "expires_on" in response.context["form"].errors
    assert not Mou.objects.filter(title="신규 협약").exists()

    response = client.post(
        "/network/mous/new/",
        {
            "partner": partner.pk,
            "title": "신규 협약",
            "signed_on": "2024.05.01",
            "expires_on": "2027.04.30",
            "is_public": "on",
        },
    )
    created = Mou.objects.get(title="신규 협약")
    assert response.status_code == 302 and response["Location"] == f"/network/mous/{created.pk}/"

    client.post(f"/network/mous/{created.pk}/activities/", {"on": "2024.06.10", "title": "공동 세미나"})
    client.post(
        f"/network/mous/{created.pk}/documents/",
        {"title": "협약서", "file": SimpleUploadedFile("mou.pdf", b"%PDF-1.4 test")},
    )
    assert list(created.activities.values_list("title", flat=True)) == ["공동 세미나"]
    assert list(created.documents.values_list("title", flat=True)) == ["협약서"]


def test_a_representative_posting_to_mou_pages_changes_nothing(client, rep, mou):
    client.force_login(rep)
    assert client.get("/network/mous/new/").status_code == 403
    response = client.post(f"/network/mous/{mou.pk}/activities/", {"on": "2024.06.10", "title": "몰래 추가"})
    assert response.status_code == 302
    response = client.post(
        f"/network/mous/{mou.pk}/documents/", {"title": "x", "file": SimpleUploadedFile("x.pdf", b"x")}
    )
    assert response.status_code == 302
    assert not MouActivity.objects.exists() and not MouDocument.objects.exists()


def test_api_mous(client, secretariat, partner, mou):
    response = client.get("/api/v1/network/mous")
    assert response.status_code == 200
    assert [item["partner_name"] for item in response.json()["items"]] == ["강원디자인진흥원"]
    response = client.post(
        "/api/v1/network/mous",
        {"partner_id": partner.pk, "title": "익명 협약", "signed_on": "2024.01.01"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    client.force_login(secretariat)
    response = client.post(
        "/api/v1/network/mous",
        {
            "partner_id": partner.pk,
            "title": "API 협약",
            "signed_on": "2024.01.01",
            "expires_on": "2023.12.31",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "expires_on" in response.json()["errors"]
    response = client.post(
        "/api/v1/network/mous",
        {
            "partner_id": partner.pk,
            "title": "API 협약",
            "signed_on": "2024.01.01",
            "expires_on": TODAY.isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["signed_on"] == "2024-01-01"
