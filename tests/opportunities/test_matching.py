"""Matching both ways: eligibility lines, BM25 relevance with matched terms, the pages and the API,
and the evaluation metrics checked on hand-computed examples."""

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dongne.core import services as core_services
from dongne.core.errors import PermissionDenied
from dongne.opportunities import matching, selectors
from tests.factories import make_representative

from .factories import make_member, make_opportunity

TODAY = dt.date(2025, 3, 10)


# --- BM25 (no database) ---------------------------------------------------------------------------
DOCS = [
    ["관광", "데이터", "분석", "관광객"],
    ["모바일", "앱", "예약", "결제"],
    ["관광", "예약", "숙박", "숙박", "앱"],
    [],
]


def test_index_scores_equal_the_brute_force_scores():
    index = matching.BM25Index(DOCS)
    for query in (["관광"], ["예약", "앱"], ["숙박", "관광", "없는말"], []):
        assert index.scores(query).tolist() == pytest.approx(matching.brute_force_scores(DOCS, query))


def test_bm25_by_hand():
    # N=4, avgdl=13/4; "숙박" occurs in doc 2 only, twice, in a document of 5 tokens.
    idf = math.log(1 + (4 - 1 + 0.5) / (1 + 0.5))
    expected = idf * 2 * 2.2 / (2 + 1.2 * (1 - 0.75 + 0.75 * 5 / (13 / 4)))
    assert matching.BM25Index(DOCS).scores(["숙박"])[2] == pytest.approx(expected)


def test_top_and_explain():
    index = matching.BM25Index(DOCS)
    top = index.top(["예약", "숙박"], k=2)
    assert [i for i, _s in top] == [2, 1]
    terms = index.explain(["예약", "숙박"], 2)
    assert [t for t, _w in terms] == ["숙박", "예약"]
    assert sum(w for _t, w in terms) == pytest.approx(top[0][1])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from("가나다라마바사아자차"), max_size=12), min_size=1, max_size=12),
    st.lists(st.sampled_from("가나다라마바사아자차"), max_size=5),
)
def test_index_agrees_with_brute_force_on_any_corpus(docs, query):
    assert matching.BM25Index(docs).scores(query).tolist() == pytest.approx(
        matching.brute_force_scores(docs, query)
    )


# --- metrics: hand-computed --------------------------------------------------------------------------
def test_ndcg_and_recall_by_hand():
    ranked = ["a", "b", "c", "d"]
    relevant = {"a", "c", "z"}
    dcg = 1 / math.log2(2) + 1 / math.log2(4)
    ideal = 1 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    assert matching.ndcg_at_k(ranked, relevant, 10) == pytest.approx(dcg / ideal)
    assert matching.recall_at_k(ranked, relevant, 10) == pytest.approx(2 / 3)
    # Only the first k count.
    assert matching.recall_at_k(ranked, relevant, 1) == pytest.approx(1 / 3)
    assert matching.ndcg_at_k(ranked, relevant, 1) == pytest.approx(1.0)
    assert matching.ndcg_at_k(["a", "c"], {"a", "c"}, 10) == pytest.approx(1.0)
    assert matching.ndcg_at_k(["x"], set(), 10) == 0.0 and matching.recall_at_k(["x"], set(), 10) == 0.0
    # The relevant item at rank 2 only: 1/log2(3) over the ideal 1.
    assert matching.ndcg_at_k(["x", "a"], {"a"}, 10) == pytest.approx(1 / math.log2(3))


# --- eligibility (no database) --------------------------------------------------------------------
def _org(**kw):
    base = dict(id=1, name="봄내", regions={"강원", "춘천시"}, founded_on=dt.date(2020, 1, 1), employees=10)
    return matching.OrganisationFacts(**{**base, **kw})


def test_eligibility_lines_say_why():
    opp = matching.OpportunityFacts(
        id=1, title="x", regions=["서울"], max_company_age=3, max_employees=5, industries={"드론"}
    )
    lines = matching.eligibility(opp, _org(industries={"빅데이터"}), TODAY)
    assert [line.ok for line in lines] == [False, False, False, False]
    text = " ".join(line.text for line in lines)
    assert "서울" in text and "5.2" in text and "10" in text and "드론" in text
    ok = matching.eligibility(
        matching.OpportunityFacts(id=2, title="y", regions=["춘천시"], max_company_age=7), _org(), TODAY
    )
    assert all(line.ok for line in ok)


def test_missing_profile_data_is_not_a_reason_to_exclude():
    opp = matching.OpportunityFacts(id=1, title="x", regions=["강원"], max_company_age=7, max_employees=50)
    lines = matching.eligibility(opp, _org(regions=set(), founded_on=None, employees=None), TODAY)
    assert [line.ok for line in lines] == [None, None, None]
    assert matching.is_eligible(lines)


def test_closed_calls_are_excluded_for_a_member():
    opp = matching.OpportunityFacts(id=1, title="x", deadline=dt.date(2025, 3, 1))
    lines = matching.eligibility(opp, _org(), TODAY, check_deadline=True)
    assert lines[0].ok is False and "2025-03-01" in lines[0].text


# --- with the database ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_recommended_members_are_explained(secretariat, tourism_member, app_member):
    opp = make_opportunity(
        secretariat,
        title="축제 방문객 빅데이터 분석 실증",
        body="관광객 데이터 분석",
        deadline="상시",
        regions="강원",
        capabilities="데이터 분석",
    )
    _opp, matches, excluded = selectors.member_matches(secretariat, opp.pk, today=TODAY)
    assert [m.obj for m in matches][0] == tourism_member
    top = matches[0]
    assert {"빅데이터", "분석"} <= set(top.term_names)
    assert top.covered == ["데이터 분석"] and top.missing == []
    assert any("강원" in line.text for line in top.lines)
    assert excluded == []


@pytest.mark.django_db
def test_an_opportunity_with_no_eligible_member(client, secretariat, tourism_member, app_member):
    opp = make_opportunity(secretariat, title="서울 소재 기업 빅데이터 지원", deadline="상시", regions="서울")
    _opp, matches, excluded = selectors.member_matches(secretariat, opp.pk, today=TODAY)
    assert matches == [] and len(excluded) == 2
    assert all("서울" in m.lines[0].text for m in excluded)
    client.force_login(secretariat)
    page = client.get(f"/opportunities/{opp.pk}/").content.decode()
    assert 'id="excluded"' in page and "봄내데이터랩" in page


@pytest.mark.django_db
def test_member_matches_are_for_officers_only(secretariat, tourism_member):
    opp = make_opportunity(secretariat, title="빅데이터", deadline="상시")
    rep = make_representative(tourism_member)
    with pytest.raises(PermissionDenied):
        selectors.member_matches(rep, opp.pk)


@pytest.mark.django_db
def test_opportunities_for_me_ranked_and_explained(client, secretariat, tourism_member, app_member):
    tour = make_opportunity(
        secretariat, title="관광객 빅데이터 분석 플랫폼 지원", deadline="상시", regions="강원"
    )
    make_opportunity(secretariat, title="숙박 예약 앱 개발 지원", deadline="상시", capabilities="예약 시스템")
    old = make_opportunity(secretariat, title="관광 빅데이터 지난 공고", deadline="2020.01.31")
    seoul = make_opportunity(secretariat, title="서울 관광 빅데이터 분석", deadline="상시", regions="서울")
    rep = make_representative(tourism_member)
    org, matches, excluded = selectors.opportunity_matches(rep, tourism_member.pk)
    assert matches[0].obj == tour
    assert old not in [m.obj for m in matches] and seoul in [m.obj for m in excluded]
    client.force_login(rep)
    page = client.get("/opportunities/for-me/").content.decode()
    assert 'id="my-matches"' in page and tour.title in page
    assert (
        "빅데이터" in page and 'class="elig"' in page
    )  # matched terms and eligibility lines, not a bare score


@pytest.mark.django_db
def test_for_me_with_an_empty_profile(client, secretariat):
    empty = make_member(secretariat, name="빈프로필", description="")
    make_opportunity(secretariat, title="관광 빅데이터", deadline="상시")
    rep = make_representative(empty)
    client.force_login(rep)
    response = client.get("/opportunities/for-me/")
    assert response.status_code == 200
    assert response.context["matches"] == [] and response.context["profile_empty"]


@pytest.mark.django_db
def test_another_organisations_matches_are_refused(secretariat, tourism_member, app_member):
    rep = make_representative(tourism_member)
    with pytest.raises(PermissionDenied):
        selectors.opportunity_matches(rep, app_member.pk)


@pytest.mark.django_db
def test_api_matches_both_ways(client, secretariat, tourism_member, app_member):
    opp = make_opportunity(
        secretariat, title="관광객 빅데이터 분석", deadline="상시", capabilities="데이터 분석"
    )
    headers = {
        "HTTP_AUTHORIZATION": "Bearer "
        + core_services.create_api_token(actor=secretariat, name="t").raw_token
    }
    body = client.get(f"/api/v1/opportunities/opportunities/{opp.pk}/matches", **headers).json()
    first = body["matches"][0]
    assert first["organisation_id"] == tourism_member.pk and first["matched_terms"] and first["eligibility"]
    assert first["capabilities_covered"] == ["데이터 분석"]
    rep = make_representative(tourism_member)
    rep_headers = {
        "HTTP_AUTHORIZATION": "Bearer " + core_services.create_api_token(actor=rep, name="t").raw_token
    }
    assert (
        client.get(f"/api/v1/opportunities/opportunities/{opp.pk}/matches", **rep_headers).status_code == 403
    )
    mine = client.get(f"/api/v1/opportunities/matches/{tourism_member.pk}", **rep_headers).json()
    assert mine["matches"][0]["opportunity_id"] == opp.pk
    assert client.get(f"/api/v1/opportunities/matches/{app_member.pk}", **rep_headers).status_code == 403


@pytest.mark.django_db
def test_past_projects_count_in_the_profile(secretariat, tourism_member, app_member):
    from dongne.opportunities import services

    won = make_opportunity(secretariat, title="드론 항공 촬영 실증", deadline="상시")
    c = services.create_consortium(
        actor=secretariat, opportunity_id=won.pk, lead_id=app_member.pk, participant_ids=[tourism_member.pk]
    )
    services.submit_consortium(actor=secretariat, consortium_id=c.pk)
    services.decide_consortium(actor=secretariat, consortium_id=c.pk, selected=True, funding_won="5천만원")
    opp = make_opportunity(secretariat, title="드론 영상 콘텐츠 제작 지원", deadline="상시")
    _opp, matches, _excluded = selectors.member_matches(secretariat, opp.pk)
    assert {m.obj for m in matches} == {tourism_member, app_member}
    assert "드론" in matches[0].term_names


@pytest.mark.django_db
def test_other_apps_add_profile_text_through_a_registered_source(secretariat, tourism_member, app_member):
    """How programs can feed knowledge-base articles into matching without this app importing it."""

    def articles(org_ids):
        return {app_member.pk: ["스마트팜 센서 데이터 수집 사례 글"]} if app_member.pk in org_ids else {}

    opp = make_opportunity(secretariat, title="스마트팜 센서 보급", deadline="상시")
    _opp, before, _ex = selectors.member_matches(secretariat, opp.pk)
    assert app_member not in [m.obj for m in before]
    selectors.register_profile_source(articles)
    try:
        _opp, after, _ex = selectors.member_matches(secretariat, opp.pk)
    finally:
        selectors.PROFILE_SOURCES.remove(articles)
    assert after[0].obj == app_member and "센서" in after[0].term_names
