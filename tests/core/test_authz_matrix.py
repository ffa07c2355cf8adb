"""The authorisation matrix: every URL pattern (Django's resolver walked recursively, the admin included) and
every operation of the ``/api/v1/`` OpenAPI document × every role, against the expectation table in
``authz_table.py``.

A URL pattern or API operation without an entry in that table fails ``test_every_url_has_a_rule`` with its
name — a new endpoint cannot ship without saying who may use it. Stale entries (for URLs that no longer exist)
fail too.

For each entry the test requests the URL as every role:
- allowed roles must get 2xx, or a 3xx that does not lead to a login page;
- denied roles must get 302 to a login page (anonymous), 401, 403 or 404; a denied POST may also come back as
  the UI's "redirect back with the reason" (core.middleware), recognised by its permission-denied message;
- for POST entries, the number of rows in every table is compared before and after each denied request:
  nothing may change. Allowed POSTs are sent with the entry's body (often empty) and must not be refused for
  permission (their own validation errors are fine: the permission check came first and passed).

The world is the whole Chuncheon demo, loaded once for the module inside a transaction that is rolled back at
the end (so other test modules see an empty database), plus a few objects the demo does not make.
"""

import json
import os
import re
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from . import authz_table
from .authz_world import ROLES, build_world, load_demo

DENIED_MESSAGE = re.compile(r"이 작업을 할 권한이 없습니다|You do not have permission")
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
# A refused write: a redirect (login, or back to the form with the reason), the API's 400 for a body that does
# not match its schema, 401/403/404. Whatever it is, the row counts must not move.
DENIED_WRITE_STATUSES = (302, 400, 401, 403, 404, 422)


# --- the URL list -----------------------------------------------------------------------------------
def _walk(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace + (entry.name or ""), entry


def url_patterns():
    """``{key: route}`` for every Django URL pattern except the ninja API's own (listed by operation)."""
    found = {}
    for route, name, _entry in _walk(get_resolver()):
        if route.startswith("api/v1/"):
            continue
        key = name if name and not name.endswith(":") else route
        found.setdefault(key, route)
    return found


def api_operations():
    """``{"METHOD /api/v1/path": None}`` from the OpenAPI document."""
    from dongne.core.api import api

    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}": schema["paths"][path][method]
        for path in schema["paths"]
        for method in schema["paths"][path]
    }


def all_keys():
    return set(url_patterns()) | set(api_operations())


# --- the world ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.test.utils import override_settings

    data = tmp_path_factory.mktemp("authz")
    with (
        override_settings(
            LAKE_ROOT=data / "lake",
            UPLOAD_DIR=data / "uploads",
            DATA_DIR=data,
            MEDIA_ROOT=data / "media",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        django_db_blocker.unblock(),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                load_demo()
                w = build_world()
            w["media_root"] = data / "media"
            yield w
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _counted_tables():
    return sorted({m._meta.db_table for m in apps.get_models() if not m._meta.proxy and m._meta.managed})


def row_counts():
    """Rows in every table of the project, in one query."""
    tables = _counted_tables()
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


# --- one request ------------------------------------------------------------------------------------
def _client_for(role, world):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def _is_login_redirect(response):
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    return urlsplit(response["Location"]).path in LOGIN_PATHS


def _denied_message(response):
    from django.contrib.messages import get_messages

    request = getattr(response, "wsgi_request", None)
    if request is None or not hasattr(request, "_messages"):
        return False
    return any(DENIED_MESSAGE.search(str(m)) for m in get_messages(request))


def _request(client, rule, url):
    if rule.method == "GET":
        return client.get(url, rule.query or {})
    if rule.api:
        return client.generic(rule.method, url, json.dumps(rule.data or {}), content_type="application/json")
    return client.post(url, rule.data or {})


def outcome(response):
    """'allow', 'deny' or 'other:<status>' for one response."""
    status = response.status_code
    if status in (401, 403, 404) or _is_login_redirect(response) or _denied_message(response):
        return "deny"
    if status < 400:
        return "allow"
    return f"other:{status}"


def _url(key, rule, world):
    kwargs = rule.kwargs(world) if rule.kwargs else {}
    if rule.api:
        path = key.split(" ", 1)[1]
        return path.format(**kwargs)
    if rule.path is not None:
        return rule.path(world) if callable(rule.path) else rule.path
    return reverse(key, kwargs=kwargs)


# --- tests -------------------------------------------------------------------------------------------
def unruled(keys, rules):
    """(URLs without a rule, rules without a URL)."""
    missing = sorted(k for k in keys if k not in rules and not authz_table.covered_by_prefix(k))
    stale = sorted(k for k in rules if k not in keys)
    return missing, stale


def test_every_url_has_a_rule():
    missing, stale = unruled(all_keys(), authz_table.rules())
    assert not missing, (
        "URL patterns / API operations without an authorisation rule in authz_table.py: " + ", ".join(missing)
    )
    assert not stale, "authz_table.py names URLs that no longer exist: " + ", ".join(stale)


def test_a_new_endpoint_without_a_rule_is_named():
    keys = all_keys() | {"reports:secret_export", "POST /api/v1/reports/export"}
    missing, _stale = unruled(keys, authz_table.rules())
    assert missing == ["POST /api/v1/reports/export", "reports:secret_export"]


def _cases():
    rules = authz_table.rules()
    routes = url_patterns()
    cases = []
    for key in sorted(all_keys()):
        rule = rules.get(key) or authz_table.covered_by_prefix(key, routes.get(key, ""))
        if rule is None or rule.skip:
            continue
        cases.append(pytest.param(key, id=key))
    return cases


@pytest.mark.django_db
@pytest.mark.parametrize("key", _cases())
def test_matrix(key, world, settings):
    settings.MEDIA_ROOT = world["media_root"]  # where the world's documents were stored
    settings.PAGE_SIZE = 500  # whole lists on one page, so the "hidden" checks see every row
    rule = authz_table.rules().get(key) or authz_table.covered_by_prefix(key, url_patterns().get(key, ""))
    url = _url(key, rule, world)
    problems = []
    observed = {}
    for role in ROLES:
        allowed = role in rule.allow
        client = _client_for(role, world)
        before = row_counts() if rule.method != "GET" and not allowed else None
        with transaction.atomic():
            response = _request(client, rule, url)
            result = outcome(response)
            after = row_counts() if before is not None else None
            transaction.set_rollback(True)
        observed[role] = (response.status_code, result)
        if rule.hidden and result == "allow":
            text_key, may_see = rule.hidden
            secret = world[text_key]
            if isinstance(secret, int):  # an id in a JSON list (paginated: {"items": [...]})
                data = response.json()
                items = data.get("items", []) if isinstance(data, dict) else data
                shown = secret in {item.get("id") for item in items}
            else:
                shown = secret in response.content.decode("utf-8", "replace")
            if shown and role not in may_see:
                problems.append(f"{role}: the list shows {world[text_key]!r}, which it should not see")
            if not shown and role in may_see and rule.method == "GET":
                problems.append(
                    f"{role}: the list leaves out {world[text_key]!r} (the check would prove nothing)"
                )
        if allowed and result != "allow":
            if not (rule.method != "GET" and result.startswith("other:4")):
                problems.append(f"{role}: expected allowed, got {response.status_code} ({result})")
        refused_write = rule.method != "GET" and response.status_code in DENIED_WRITE_STATUSES
        if not allowed and result != "deny" and not refused_write:
            problems.append(f"{role}: expected denied, got {response.status_code} ({result})")
        if before is not None and before != after:
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            problems.append(f"{role}: denied {rule.method} changed rows {changed}")
    if rule.perm:
        from django.contrib.auth.models import AnonymousUser

        from dongne.core.permissions import can

        action, build = rule.perm
        target = build(world) if build else None
        for role in ROLES:
            actor = AnonymousUser() if role == "anonymous" else world["users"][role]
            if can(actor, action, target) != (role in rule.allow):
                problems.append(f"{role}: permissions.can({action!r}) disagrees with the table")
    if os.environ.get("AUTHZ_DUMP"):
        with open(os.environ["AUTHZ_DUMP"], "a") as out:
            out.write(json.dumps({"key": key, "url": url, "observed": observed}) + "\n")
    assert not problems, f"{rule.method} {url} ({key}):\n  " + "\n  ".join(problems)
