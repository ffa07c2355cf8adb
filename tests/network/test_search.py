"""Korean search over the directory (core.search through selectors.directory and the API), on
the database's own full-text index: morphology, spacing variants, name-first ranking, visibility."""

import pytest

from dongne.network import selectors, services
from tests.factories import make_organisation


def names(actor, q, **filters):
    return [o.name for o in selectors.directory(actor, q=q, **filters)]


@pytest.fixture
def tourism(secretariat):
    return make_organisation(
        secretariat,
        name="호반여행기술",
        description="춘천을 찾는 관광객을 위한 모바일 안내 서비스를 만듭니다.",
    )


def test_a_stem_finds_inflected_words(secretariat, anonymous, tourism, other_org):
    for actor in (secretariat, anonymous):
        assert names(actor, "관광") == ["호반여행기술"]
        assert names(actor, "관광객") == ["호반여행기술"]
        assert names(actor, "관광객이") == ["호반여행기술"]


def test_spacing_variants_match_both_ways(secretariat):
    joined = make_organisation(secretariat, name="데이터공방", description="지역 빅데이터플랫폼 구축")
    spaced = make_organisation(secretariat, name="정보마당", description="공공 빅데이터 플랫폼 운영")
    for query in ("빅데이터플랫폼", "빅데이터 플랫폼"):
        assert set(names(secretariat, query)) == {joined.name, spaced.name}, query


def test_name_matches_rank_above_description_matches(secretariat):
    # Created in this order so that neither id order nor name order explains the ranking.
    make_organisation(
        secretariat, name="가나소프트", description="드론 드론 드론 촬영과 드론 교육, 드론 정비까지 드론 전문"
    )
    make_organisation(secretariat, name="강원드론랩", description="항공 촬영 서비스")
    make_organisation(secretariat, name="다라미디어", description="영상 편집")
    assert names(secretariat, "드론") == ["강원드론랩", "가나소프트"]


def test_the_public_never_finds_private_organisations(secretariat, anonymous, org):
    make_organisation(secretariat, name="숨은관광데이터", description="관광 빅데이터", is_public=False)
    assert "숨은관광데이터" not in names(anonymous, "관광")
    assert "숨은관광데이터" not in names(anonymous, "숨은관광데이터")
    assert set(names(anonymous, "빅데이터")) == {"봄내데이터랩"}
    # Logged-in users find it.
    assert "숨은관광데이터" in names(secretariat, "관광")


def test_making_an_organisation_private_hides_it_from_public_search(secretariat, anonymous, org):
    assert names(anonymous, "빅데이터") == ["봄내데이터랩"]
    services.update_organisation(actor=secretariat, organisation_id=org.pk, data={"is_public": False})
    assert names(anonymous, "빅데이터") == []
    assert names(secretariat, "빅데이터") == ["봄내데이터랩"]


def test_editing_the_description_updates_the_results(secretariat, rep, org):
    assert names(secretariat, "스마트팜") == []
    services.update_organisation(
        actor=rep, organisation_id=org.pk, data={"description": "토마토 농가를 위한 스마트팜 모니터링"}
    )
    assert names(secretariat, "스마트팜") == ["봄내데이터랩"]
    assert names(secretariat, "관광객") == []  # the old description no longer matches


def test_tags_and_products_are_searchable(secretariat, org):
    services.update_organisation(
        actor=secretariat, organisation_id=org.pk, data={"capability_tags": ["키오스크"]}
    )
    services.add_product(
        actor=secretariat, organisation_id=org.pk, name="축제 방문객 집계", description="IoT 센서"
    )
    assert names(secretariat, "키오스크") == ["봄내데이터랩"]
    assert names(secretariat, "센서") == ["봄내데이터랩"]
    assert names(secretariat, "iot") == ["봄내데이터랩"]  # foreign words are case-insensitive


def test_every_word_of_the_query_must_match(secretariat, org, other_org):
    assert names(secretariat, "관광 분석") == ["봄내데이터랩"]
    assert names(secretariat, "관광 모바일") == []


@pytest.mark.parametrize(
    "query", ["!!!", "...", "?", "-", '"', "'", "*", "(", ")", "%", ":", "AND", "OR NOT", "NEAR("]
)
def test_punctuation_and_query_syntax_are_harmless(secretariat, anonymous, org, query):
    """Search syntax of FTS5 / tsquery typed by a user neither errors nor matches everything."""
    assert names(secretariat, query) == []
    assert names(anonymous, query) == []


def test_quotes_and_operators_around_real_words_still_search(secretariat, org):
    assert names(secretariat, '"관광객"') == ["봄내데이터랩"]
    assert names(secretariat, "관광* & 분석 | -빅데이터") == ["봄내데이터랩"]
    assert names(secretariat, "관광':*") == ["봄내데이터랩"]


def test_search_combines_with_filters(secretariat, org):
    make_organisation(
        secretariat, kind="advisory", name="강원관광재단", description="관광 정책 자문", sigungu_code="32010"
    )
    assert names(secretariat, "관광", kind="advisory") == ["강원관광재단"]
    assert names(secretariat, "관광", sigungu="32010") == ["강원관광재단"]
    assert set(names(secretariat, "관광")) == {"강원관광재단", "봄내데이터랩"}


def test_api_search(client, secretariat, tourism, other_org):
    make_organisation(secretariat, name="관광비공개", description="관광", is_public=False)
    response = client.get("/api/v1/network/organisations", {"q": "관광"})
    assert response.status_code == 200
    body = response.json()
    assert [item["name"] for item in body["items"]] == ["호반여행기술"]
    assert body["count"] == 1
    client.force_login(secretariat)
    items = client.get("/api/v1/network/organisations", {"q": "관광"}).json()["items"]
    # The name match comes first.
    assert [item["name"] for item in items] == ["관광비공개", "호반여행기술"]
    assert client.get("/api/v1/network/organisations", {"q": "!!!"}).json()["items"] == []
