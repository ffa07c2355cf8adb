"""Opportunities: posting by the secretariat and by representatives, validation, list, search, detail, API."""

import datetime as dt

import pytest

from dongne.core import services as core_services
from dongne.core.errors import NotAuthenticated, PermissionDenied, ValidationError
from dongne.core.models import AuditEntry
from dongne.opportunities import selectors, services
from dongne.opportunities.models import Opportunity
from tests.factories import make_organisation, make_representative

from .factories import make_opportunity

pytestmark = pytest.mark.django_db


def test_secretariat_posts_a_funding_call_with_every_field(secretariat):
    opp = make_opportunity(
        secretariat,
        title="2025년 지역 SW 서비스 사업화 지원",
        body="<p>지역 <strong>SW</strong> 기업</p><script>alert(1)</script>",
        organiser="정보통신산업진흥원",
        ministry="과학기술정보통신부",
        starts_on="2025.04.01",
        deadline="2025-05-15",
        budget="1억 2천만원",
        support_field="기술",
        regions="강원, 춘천",
        max_company_age=7,
        min_employees=1,
        max_employees=50,
        industries="빅데이터, 관광 플랫폼",
        capabilities="데이터 분석, 모바일 앱",
        source_url="https://www.nipa.kr/notice/1",
    )
    opp.refresh_from_db()
    assert opp.starts_on == dt.date(2025, 4, 1) and opp.deadline == dt.date(2025, 5, 15)
    assert opp.budget == 120_000_000
    assert opp.regions == ["강원", "춘천시"]
    assert "<script>" not in opp.body and "<strong>SW</strong>" in opp.body
    assert sorted(t.name for t in opp.capabilities.all()) == ["데이터 분석", "모바일 앱"]
    assert {t.kind for t in opp.capabilities.all()} == {"capability"}
    assert {t.kind for t in opp.industries.all()} == {"industry"}
    assert "데이터" in opp.tokens.split()
    assert AuditEntry.objects.filter(
        action="opportunities.opportunity.created", target_id=str(opp.pk)
    ).exists()


def test_rolling_deadline_is_written_as_sangsi(secretariat):
    opp = make_opportunity(secretariat, deadline="상시")
    assert opp.is_rolling and opp.deadline is None and opp.is_open(dt.date(2099, 1, 1))
    assert opp.period_display == "상시"


def test_validation_names_every_field_to_fix(secretariat):
    with pytest.raises(ValidationError) as exc:
        make_opportunity(
            secretariat,
            title="",
            starts_on="2025.05.01",
            deadline="2025.04.01",
            regions="강원, 아틀란티스시",
            min_employees=10,
            max_employees=5,
            budget="많이",
        )
    errors = exc.value.errors
    assert set(errors) >= {"title", "deadline", "regions", "max_employees", "budget"}
    assert "아틀란티스시" in errors["regions"][0]
    assert not Opportunity.objects.exists()


def test_member_rep_posts_a_partner_request_for_their_organisation_but_not_a_funding_call(secretariat):
    org = make_organisation(secretariat, name="봄내데이터랩")
    rep = make_representative(org)
    opp = services.create_opportunity(
        actor=rep,
        data={
            "kind": "partner_request",
            "title": "AR 해설 앱 공동 개발 파트너 찾습니다",
            "capabilities": "AR/VR",
        },
    )
    assert opp.organisation == org and opp.organiser == org.name and opp.posted_by == rep
    with pytest.raises(PermissionDenied):
        services.create_opportunity(actor=rep, data={"kind": "funding_call", "title": "임의 공고"})
    # Another organisation's representative cannot edit it; the poster can.
    other = make_representative(make_organisation(secretariat, name="소양소프트"))
    with pytest.raises(PermissionDenied):
        services.update_opportunity(actor=other, opportunity_id=opp.pk, data={"title": "바꿈"})
    services.update_opportunity(
        actor=rep, opportunity_id=opp.pk, data={"title": "AR 문화유산 해설 앱 파트너"}
    )
    assert Opportunity.objects.get(pk=opp.pk).title == "AR 문화유산 해설 앱 파트너"
    # Nor can a representative post for an organisation they do not represent.
    with pytest.raises(PermissionDenied):
        services.create_opportunity(
            actor=rep,
            data={
                "kind": "regional_need",
                "title": "숙박 예약 통합",
                "organisation": other.person.affiliations.first().organisation_id,
            },
        )


def test_partner_contact_posts_a_regional_need(secretariat):
    business = make_organisation(secretariat, kind="local_business", name="춘천 호반 게스트하우스")
    contact = make_representative(business, role="partner")
    opp = services.create_opportunity(
        actor=contact, data={"kind": "regional_need", "title": "숙박 예약 통합 관리가 필요합니다"}
    )
    assert opp.kind == "regional_need" and opp.organisation == business


def test_anonymous_cannot_post_and_sees_only_public(secretariat, anonymous):
    with pytest.raises(NotAuthenticated):
        services.create_opportunity(actor=anonymous, data={"kind": "regional_need", "title": "x"})
    public = make_opportunity(secretariat, title="공개 공고")
    hidden = make_opportunity(secretariat, title="회원 공고", is_public=False)
    ids = {o.pk for o in selectors.opportunity_list(anonymous, status="all")}
    assert public.pk in ids and hidden.pk not in ids


def test_korean_search_finds_inflected_words_and_spacing_variants(secretariat, anonymous):
    tourism = make_opportunity(secretariat, title="관광객 빅데이터플랫폼 구축 지원", deadline="상시")
    other = make_opportunity(secretariat, title="스마트팜 센서 보급", deadline="상시")
    assert [o.pk for o in selectors.opportunity_list(anonymous, q="관광")] == [tourism.pk]
    assert [o.pk for o in selectors.opportunity_list(anonymous, q="빅데이터 플랫폼")] == [tourism.pk]
    assert [o.pk for o in selectors.opportunity_list(anonymous, q="스마트팜")] == [other.pk]


def test_filters_by_kind_status_field_and_region(secretariat, anonymous):
    today = dt.date.today()
    open_call = make_opportunity(
        secretariat,
        title="열린 공고",
        deadline=today + dt.timedelta(days=3),
        support_field="기술",
        regions="강원",
    )
    closed = make_opportunity(secretariat, title="닫힌 공고", deadline=today - dt.timedelta(days=3))
    nationwide = make_opportunity(secretariat, title="전국 공고", deadline="상시", support_field="수출")
    seoul = make_opportunity(secretariat, title="서울 공고", deadline="상시", regions="서울")
    ids = lambda **kw: {o.pk for o in selectors.opportunity_list(anonymous, **kw)}  # noqa: E731
    assert ids() == {open_call.pk, nationwide.pk, seoul.pk}
    assert ids(status="closed") == {closed.pk}
    assert ids(field="기술") == {open_call.pk}
    assert ids(region="강원") == {open_call.pk, nationwide.pk}
    assert ids(kind="regional_need") == set()


def test_list_and_detail_pages(client, secretariat):
    opp = make_opportunity(
        secretariat,
        title="관광 데이터 활용 지원",
        deadline="상시",
        body="<p>본문</p><img src=x onerror=alert(1)>",
        capabilities="데이터 분석",
    )
    page = client.get("/opportunities/?q=관광")
    assert page.status_code == 200 and "관광 데이터 활용 지원" in page.content.decode()
    detail = client.get(f"/opportunities/{opp.pk}/").content.decode()
    assert "<p>본문</p>" in detail and "onerror" not in detail
    # The public sees no member recommendations.
    assert 'id="recommended"' not in detail


def test_secretariat_creates_and_edits_through_the_form(client, secretariat):
    client.force_login(secretariat)
    response = client.post(
        "/opportunities/new/",
        {
            "kind": "funding_call",
            "title": "축제 방문객 실시간 집계 실증",
            "deadline": "2099.12.31",
            "capabilities": "데이터 분석",
            "is_public": "on",
        },
    )
    opp = Opportunity.objects.get(title="축제 방문객 실시간 집계 실증")
    assert response.status_code == 302 and response["Location"] == f"/opportunities/{opp.pk}/"
    response = client.post(
        f"/opportunities/{opp.pk}/edit/",
        {
            "kind": "funding_call",
            "title": opp.title,
            "deadline": "2099.12.01",
            "starts_on": "2099.12.31",
            "is_public": "on",
        },
    )
    assert response.status_code == 200
    assert "deadline" in response.context["form"].errors


def test_api_lists_and_shows_opportunities(client, secretariat):
    opp = make_opportunity(
        secretariat, title="관광 플랫폼 고도화", deadline="상시", capabilities="데이터 분석", regions="강원"
    )
    listing = client.get("/api/v1/opportunities/opportunities?q=관광").json()
    assert [item["id"] for item in listing["items"]] == [opp.pk]
    detail = client.get(f"/api/v1/opportunities/opportunities/{opp.pk}").json()
    assert (
        detail["capabilities"] == ["데이터 분석"]
        and detail["regions"] == ["강원"]
        and detail["is_rolling"] is True
    )
    assert client.get("/api/v1/opportunities/opportunities/999999").status_code == 404


def test_api_post_requires_login_and_the_right_role(client, secretariat):
    payload = {"kind": "funding_call", "title": "API 공고", "deadline": "상시"}
    response = client.post("/api/v1/opportunities/opportunities", payload, content_type="application/json")
    assert response.status_code == 401
    rep = make_representative(make_organisation(secretariat, name="봄내데이터랩"))
    response = client.post(
        "/api/v1/opportunities/opportunities", payload, content_type="application/json", **auth(rep)
    )
    assert response.status_code == 403
    response = client.post(
        "/api/v1/opportunities/opportunities", payload, content_type="application/json", **auth(secretariat)
    )
    assert response.status_code == 201 and response.json()["is_rolling"] is True


def auth(user):
    token = core_services.create_api_token(actor=user, name="테스트").raw_token
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_attachments_by_link_or_file(client, secretariat):
    from django.core.files.uploadedfile import SimpleUploadedFile

    opp = make_opportunity(secretariat, title="첨부 있는 공고", deadline="상시")
    with pytest.raises(ValidationError):
        services.add_attachment(actor=secretariat, opportunity_id=opp.pk, title="빈 첨부")
    client.force_login(secretariat)
    client.post(
        f"/opportunities/{opp.pk}/attachments/", {"title": "공고문", "url": "https://www.bizinfo.go.kr/a.hwp"}
    )
    client.post(
        f"/opportunities/{opp.pk}/attachments/",
        {
            "title": "신청서 양식",
            "file": SimpleUploadedFile("form.hwp", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 hwp"),
        },
    )
    assert sorted(a.title for a in opp.attachments.all()) == ["공고문", "신청서 양식"]
    page = client.get(f"/opportunities/{opp.pk}/").content.decode()
    assert "https://www.bizinfo.go.kr/a.hwp" in page and "신청서 양식" in page
