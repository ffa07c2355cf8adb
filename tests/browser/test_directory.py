"""Journey: an anonymous visitor searches the directory in Korean."""

import re

from playwright.sync_api import expect

from tests.factories import make_organisation


def test_anonymous_visitor_searches_the_directory_in_korean(page, secretariat):
    tourism = make_organisation(secretariat, name="봄내데이터랩", description="관광객을 위한 빅데이터 플랫폼")
    other = make_organisation(secretariat, name="소양소프트", description="모바일 앱 개발")

    page.goto("/network/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    # Before searching, both organisations are listed.
    cards = page.locator("#results .card")
    expect(cards).to_have_count(2)

    search = page.locator("#id_q")
    expect(page.locator('label[for="id_q"]')).to_be_visible()
    search.fill("관광")
    page.locator("form[role=search] button[type=submit]").click()

    # "관광" is a prefix of the indexed token 관광객: only the tourism platform matches.
    expect(cards).to_have_count(1)
    expect(cards.locator(f'a[href="/network/organisations/{tourism.pk}/"]')).to_have_text(tourism.name)
    expect(page.locator(f'#results a[href="/network/organisations/{other.pk}/"]')).to_have_count(0)
    # The query goes into the address bar (htmx pushes it), so the result can be bookmarked.
    expect(page).to_have_url(re.compile(r"[?&]q=%EA%B4%80%EA%B4%91"))
    expect(search).to_have_value("관광")

    # A reload (or a shared link) shows the same result, rendered as a whole page.
    page.reload()
    expect(cards).to_have_count(1)
    expect(cards.locator("h2 a")).to_have_text(tourism.name)
    expect(search).to_have_value("관광")
    # What the browser showed is what the search index answers for the public.
    from dongne.core.search import search_ids

    assert search_ids("network.organisation", "관광", public_only=True) == [tourism.pk]
