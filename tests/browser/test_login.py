"""Journey: a secretariat member logs in; a wrong password keeps them on the login page."""

import re

from playwright.sync_api import expect

from tests.factories import PASSWORD


def test_secretariat_logs_in_and_sees_their_name(page, live_server, secretariat, login):
    login(page, secretariat, PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".site-header .who")).to_contain_text(secretariat.name)
    # The secretariat's tools appear in the navigation once logged in.
    expect(page.locator('#site-nav a[href="/network/import/"]')).to_be_visible()
    expect(page.locator('.site-header form[action="/accounts/logout/"] button[type=submit]')).to_be_visible()
    assert any(c["name"] == "sessionid" for c in page.context.cookies())


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(page, secretariat, login):
    login(page, secretariat, "not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("main .message.error[role=alert]")).to_be_visible()
    # The e-mail address is kept so only the password needs retyping; nobody is logged in.
    expect(page.locator("#id_username")).to_have_value(secretariat.email)
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.locator(".site-header .who")).to_have_count(0)
    expect(page.locator('#site-nav a[href="/network/import/"]')).to_have_count(0)
    assert not any(c["name"] == "sessionid" for c in page.context.cookies())
