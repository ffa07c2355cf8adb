"""Pages work under the Content-Security-Policy (script-src 'self'): behaviour moved out of inline handlers into
static/dongne/dongne.js still works, and the API's Swagger UI renders without a relaxed policy. The shared
``new_page`` fixture fails any journey whose console reports a CSP violation."""

from playwright.sync_api import expect


def test_the_language_switch_submits_itself(page):
    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    with page.expect_navigation():
        page.locator("#lang-select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_swagger_ui_renders_under_the_same_policy(page):
    response = page.goto("/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
