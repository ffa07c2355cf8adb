"""Journeys: a member representative opens "나에게 맞는 공고" and sees explained matches; the secretariat
builds a consortium for a call that requires several capabilities."""

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from dongne.network.demo import DEMO_PASSWORD, SECRETARIAT_EMAIL, load_demo
from dongne.opportunities.demo import CALLS, load_opportunities_demo
from dongne.opportunities.models import Consortium, Opportunity


def _demo():
    load_demo(seed=2018)
    secretariat = get_user_model().objects.get(email=SECRETARIAT_EMAIL)
    load_opportunities_demo(secretariat, seed=2018)
    return secretariat


def test_member_rep_sees_explained_matches(page, login):
    _demo()
    rep = get_user_model().objects.get(email="rep@demo.dongne.kr")
    login(page, rep, DEMO_PASSWORD)
    page.goto("/opportunities/")
    page.locator("#for-me-link").click()
    page.wait_for_url("**/opportunities/for-me/")
    matches = page.locator("#my-matches > li.match")
    expect(matches.first).to_be_visible()
    first = matches.first
    # Every match says why: matched terms or covered capabilities, and eligibility lines — never a bare score.
    expect(first.locator(".terms-matched")).to_be_visible()
    expect(first.locator("ul.elig li").first).to_be_visible()
    expect(first.locator("ul.elig li.fail")).to_have_count(0)
    # The closed call and the Seoul-only call are not among the matches.
    closed = Opportunity.objects.get(title="스마트팜 데이터 수집 실증")
    seoul = Opportunity.objects.get(title="서울 관광 스타트업 액셀러레이팅")
    expect(page.locator(f'#my-matches a[href="/opportunities/{closed.pk}/"]')).to_have_count(0)
    expect(page.locator(f'#my-matches a[href="/opportunities/{seoul.pk}/"]')).to_have_count(0)
    # Following a match shows the organisation's own eligibility for it.
    first.locator("h2 a").click()
    expect(page.locator(".own-eligibility ul.elig li").first).to_be_visible()


def test_secretariat_builds_a_consortium_for_a_multi_capability_call(page, login):
    secretariat = _demo()
    call = Opportunity.objects.get(title=CALLS[0][0])
    assert call.capabilities.count() == 4
    before = set(Consortium.objects.values_list("pk", flat=True))
    login(page, secretariat, DEMO_PASSWORD)
    page.goto(f"/opportunities/{call.pk}/")
    expect(page.locator("#recommended ol.matches > li").first).to_be_visible()
    page.locator("#builder-link").click()
    team = page.locator("#team-1")
    expect(team.locator("table.coverage tbody tr")).to_have_count(4)
    expect(team.locator("td.missing")).to_have_count(0)
    with page.expect_navigation():
        team.locator("form.build-form button[type=submit]").click()
    created = Consortium.objects.exclude(pk__in=before).get()
    expect(page).to_have_url(f"{page.url.split('/opportunities/')[0]}/opportunities/consortia/{created.pk}/")
    expect(page.locator("#team li")).to_have_count(created.members.count())
    assert created.members.count() >= 2 and created.lead is not None
    # Submit it: the status badge changes.
    page.locator("#submit-form button").click()
    expect(page.locator("#consortium-status")).to_have_text(
        str(Consortium.objects.get(pk=created.pk).get_status_display())
    )
    assert Consortium.objects.get(pk=created.pk).status == "submitted"
