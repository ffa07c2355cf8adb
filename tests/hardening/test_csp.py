"""Content-Security-Policy without inline scripts (issue 9).

Two depths: every page without URL parameters is fetched (anonymous and as the secretariat) and must carry the
CSP header and contain no executable inline script or on* handler; and every template file of every app is
scanned for the same, so that pages behind parameters (detail pages, forms) are covered too."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import dongne
from dongne.core.middleware import CONTENT_SECURITY_POLICY
from tests.factories import make_organisation

TEMPLATES = Path(dongne.__file__).resolve().parent / "templates"
# Executable script types: absent, or a JavaScript MIME type / module. Data islands (application/json) are inert.
DATA_TYPES = {"application/json", "application/ld+json", "text/template"}
SKIP_PREFIXES = ("/accounts/logout", "/i18n/", "/api/", "/static/", "/media/")


class InlineScriptFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler attribute")
        for name in ("href", "src", "action", "formaction"):
            if (attrs.get(name) or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "script":
            kind = (attrs.get("type") or "").strip().lower()
            executable = kind not in DATA_TYPES
            self._in_script = executable and not attrs.get("src")
            self._script_text = []

    def handle_data(self, data):
        if self._in_script:
            self._script_text.append(data)

    def handle_endtag(self, tag):
        if tag == "script":
            if self._in_script and "".join(self._script_text).strip():
                self.problems.append("inline <script> with code: " + "".join(self._script_text).strip()[:80])
            self._in_script = None


def inline_script_problems(html):
    finder = InlineScriptFinder()
    finder.feed(html)
    return finder.problems


def test_the_finder_catches_what_the_csp_blocks():
    assert inline_script_problems('<script>alert(1)</script><button onclick="x()">') == [
        "inline <script> with code: alert(1)",
        "<button onclick=…> event handler attribute",
    ]
    assert inline_script_problems('<a href="javascript:alert(1)">x</a>') == ["<a href=javascript:…>"]
    assert (
        inline_script_problems(
            '<script src="/static/x.js"></script><script type="application/json" id="d">{"a": 1}</script>'
        )
        == []
    )


def test_the_policy_forbids_inline_scripts_objects_framing_and_foreign_forms():
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in CONTENT_SECURITY_POLICY


TEMPLATE_FILES = sorted(p for p in TEMPLATES.rglob("*.html") if "pdf" not in p.relative_to(TEMPLATES).parts)


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_contains_inline_script_or_handler(path):
    source = path.read_text(encoding="utf-8")
    # Template tags may sit inside attributes; blank them so the HTML parser sees plain markup.
    markup = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "x", source, flags=re.S)
    assert inline_script_problems(markup) == []


def _plain_paths(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.pattern.regex.groups or "<" in pattern:
                continue
            yield from _plain_paths(entry, prefix + pattern)
        elif isinstance(entry, URLPattern):
            if "<" in pattern or entry.pattern.regex.groups or any(c in pattern for c in "^$()[]?*+\\"):
                continue
            yield "/" + prefix + pattern


def page_paths():
    return sorted(p for p in set(_plain_paths()) if not p.startswith(SKIP_PREFIXES))


@pytest.mark.django_db
def test_every_plain_page_sends_the_policy_and_runs_no_inline_script(client, secretariat):
    make_organisation(secretariat, name="춘천소프트")
    paths = page_paths()
    apps = {p.strip("/").split("/")[0] for p in paths}
    assert {
        "network",
        "data",
        "insights",
        "governance",
        "opportunities",
        "programs",
        "spaces",
        "admin",
    } <= apps
    checked = 0
    for who in (None, secretariat):
        if who is not None:
            client.force_login(who)
        for path in paths:
            response = client.get(path)
            if response.get("Content-Type", "").startswith("application/pdf"):
                continue
            assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
            if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                html = b"".join(response.streaming_content if response.streaming else [response.content])
                assert inline_script_problems(html.decode("utf-8")) == [], path
                checked += 1
    assert checked > 40


@pytest.mark.django_db
def test_api_docs_work_under_the_same_policy(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert inline_script_problems(response.content.decode()) == []
