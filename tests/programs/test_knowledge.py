"""Knowledge base: versions on every edit, Korean search, tags and attachments, and visibility
(public / members / private draft) applied to lists, search, pages and files alike."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dongne.core.errors import PermissionDenied
from dongne.programs import selectors, services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _article(author, **data):
    data.setdefault("title", "관광 빅데이터 분석 노트")
    data.setdefault("body", "춘천 관광객 데이터를 분석할 때 유의할 점")
    return services.create_article(actor=author, data=data)


def test_each_edit_stores_a_version(rep):
    article = _article(rep, visibility="public", tags="관광, 데이터")
    services.update_article(actor=rep, article_id=article.pk, data={"body": "개정한 본문"})
    article = services.update_article(actor=rep, article_id=article.pk, data={"title": "관광 데이터 노트 v3"})
    assert article.version == 3
    versions = list(article.versions.order_by("number").values_list("number", "title", "body"))
    assert versions[0] == (1, "관광 빅데이터 분석 노트", "춘천 관광객 데이터를 분석할 때 유의할 점")
    assert versions[1][2] == "개정한 본문" and versions[2][1] == "관광 데이터 노트 v3"
    assert {t.name for t in article.tags.all()} == {"관광", "데이터"}


def test_others_cannot_edit(rep):
    article = _article(rep, visibility="public")
    with pytest.raises(PermissionDenied):
        services.update_article(actor=UserFactory(), article_id=article.pk, data={"body": "x"})


def test_korean_search_finds_inflected_forms_and_respects_visibility(rep, anonymous):
    public = _article(rep, title="관광객 동선 분석", body="관광지를 잇는 동선", visibility="public")
    members = _article(rep, title="관광 데이터 내부 자료", body="회원 전용", visibility="members")
    draft = _article(rep, title="관광 초안", body="아직 비공개", visibility="draft")
    other = UserFactory()

    assert [a.pk for a in selectors.article_list(anonymous, q="관광")] == [public.pk]
    assert {a.pk for a in selectors.article_list(other, q="관광")} == {public.pk, members.pk}
    assert {a.pk for a in selectors.article_list(rep, q="관광")} == {public.pk, members.pk, draft.pk}
    assert [a.pk for a in selectors.article_list(other, q="동선")] == [public.pk]


def test_pages_and_files_follow_visibility(client, rep):
    draft = _article(rep, title="비공개 초안", visibility="draft")
    services.add_attachment(
        actor=rep,
        article_id=draft.pk,
        title="slides.pdf",
        file=SimpleUploadedFile("slides.pdf", b"%PDF-1.4 x"),
    )
    members = _article(rep, title="회원 노트", visibility="members")
    attachment = draft.attachments.get()

    assert client.get(f"/programs/knowledge/{draft.pk}/").status_code == 404
    assert client.get(f"/programs/knowledge/{members.pk}/").status_code == 404
    assert client.get(f"/programs/knowledge/files/{attachment.pk}/").status_code == 404
    assert "비공개 초안" not in client.get("/programs/knowledge/").content.decode()

    client.force_login(UserFactory())
    assert client.get(f"/programs/knowledge/{members.pk}/").status_code == 200
    assert client.get(f"/programs/knowledge/{draft.pk}/").status_code == 404

    client.force_login(rep)
    assert client.get(f"/programs/knowledge/files/{attachment.pk}/").status_code == 200
    assert "비공개 초안" in client.get("/programs/knowledge/").content.decode()


def test_writing_through_the_page_and_reading_an_old_version(client, rep):
    client.force_login(rep)
    client.post(
        "/programs/knowledge/new/",
        {"title": "GIS 팁", "body": "첫 판", "visibility": "public", "tags": "GIS"},
    )
    article = selectors.article_list(rep).get(title="GIS 팁")
    client.post(
        f"/programs/knowledge/{article.pk}/edit/",
        {"title": "GIS 팁", "body": "둘째 판", "visibility": "public"},
    )
    page = client.get(f"/programs/knowledge/{article.pk}/?version=1").content.decode()
    assert "첫 판" in page and "둘째 판" not in page


def test_a_representative_writes_on_behalf_of_their_organisation(client, rep, org, other_org):
    client.force_login(rep)
    page = client.get("/programs/knowledge/new/").content.decode()
    assert org.name in page and other_org.name not in page
    client.post(
        "/programs/knowledge/new/",
        {"title": "기관 기술노트", "body": "본문", "visibility": "public", "organisation": org.pk},
    )
    article = selectors.article_list(rep).get(title="기관 기술노트")
    assert article.organisation == org
    with pytest.raises(PermissionDenied):
        services.create_article(actor=rep, data={"title": "x", "body": "y", "organisation": other_org.pk})
    # Another representative of the same organisation may edit the organisation's note.
    from tests.factories import make_representative

    colleague = make_representative(org)
    services.update_article(actor=colleague, article_id=article.pk, data={"body": "동료가 보완"})


def test_shared_articles_count_as_profile_text_in_opportunity_matching(rep, org):
    """What a member shares in the knowledge base reaches opportunity matching (a registered profile source);
    private drafts do not."""
    from dongne.opportunities.selectors import past_projects

    _article(rep, title="드론 항공촬영 정밀지도", body="드론 측량", organisation=org.pk, visibility="members")
    _article(
        rep, title="비공개 초안 메모", body="아직 공개하지 않음", organisation=org.pk, visibility="draft"
    )
    texts = " ".join(past_projects([org.pk]).get(org.pk, []))
    assert "드론 항공촬영 정밀지도" in texts and "비공개 초안" not in texts
