"""Journey: a visitor on a phone opens the menu and reaches the directory; a keyboard user
skips the navigation with the first Tab."""

import re

from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}


def test_phone_menu_opens_the_navigation_and_reaches_the_directory(new_page):
    page = new_page(viewport=PHONE)
    page.goto("/")
    toggle = page.locator("button.menu-toggle")
    directory_link = page.locator('#site-nav a[href="/network/"]')

    # On a phone the navigation starts folded behind the menu button.
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_attribute("aria-controls", "site-nav")
    expect(directory_link).to_be_hidden()

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#site-nav")).to_be_visible()
    expect(directory_link).to_be_visible()
    # The page does not scroll sideways at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    directory_link.click()
    expect(page).to_have_url(re.compile(r"/network/$"))
    expect(page.locator("#id_q")).to_be_visible()

    # The menu closes again from the same button.
    toggle.click()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#site-nav")).to_be_hidden()


def test_first_tab_focuses_the_skip_link_which_jumps_to_the_content(page):
    page.goto("/network/")
    skip = page.locator("a.skip-link")

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_have_attribute("href", "#main")
    # Hidden off-screen until focused, then shown in the viewport.
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab lands inside the content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
