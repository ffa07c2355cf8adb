"""The house rule that every state change is a service with a permission check and a docstring
(ARCHITECTURE.md rule 1), and the behaviour of ``permissions.require`` itself."""

import importlib
import importlib.util
import inspect

import pytest
from django.apps import apps

from dongne.core import permissions
from dongne.core.errors import NotAuthenticated, PermissionDenied
from tests.factories import UserFactory

# Public functions in a services module that are *not* services: they change no domain state,
# so they need neither a permission check nor an audit entry. Keep this list short; a new helper
# belongs here only with a reason, otherwise it should be private (leading underscore).
NOT_SERVICES = {
    # Reads an invitation by the secret token in the link (the token is the credential); the accept
    # view calls it to show the form. Writes nothing.
    "dongne.core.services.open_invitation": "read-only lookup by secret token",
    # Resolves a Bearer token to its user for the API's authentication. Its only write is the
    # last_used_at bookkeeping timestamp; the caller is not yet known, so there is nobody to check.
    "dongne.core.services.user_for_token": "authentication lookup; touches last_used_at only",
    # Pure text helper: "관광, IT·#교육" → ["관광", "IT", "교육"]. Writes nothing.
    "dongne.network.services.split_tags": "pure parsing helper",
    # Validation shared by create/update/import; reads the database for duplicate numbers, writes nothing.
    "dongne.network.services.clean_organisation_data": "validation only",
    # Rebuilds the derived search document of an organisation from its stored data; called by the
    # services that changed it, after their own permission check and audit entry.
    "dongne.network.services.reindex_organisation": "derived search index refresh",
    "dongne.datahub.services.reindex_dataset": "derived search index refresh",
    # The lake store the services write through; constructing it changes nothing.
    "dongne.datahub.services.lake_store": "accessor",
    # Usage counters of reads that were already allowed (API calls, downloads); no domain state.
    "dongne.datahub.services.count_usage": "usage counter of an allowed read",
    # Derives platform roles from officer terms; called by appoint/end (after their own check) and the daily
    # job (no actor). Audits every role it changes.
    "dongne.governance.services.sync_officer_roles": "role derived from officer terms",
}


def _services_modules():
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("dongne."):
            continue
        name = f"{config.name}.services"
        if importlib.util.find_spec(name) is not None:
            modules.append(importlib.import_module(name))
    return modules


def _public_functions(module):
    return [
        (f"{module.__name__}.{name}", fn)
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if fn.__module__ == module.__name__ and not name.startswith("_")
    ]


def test_every_installed_dongne_app_with_services_is_checked():
    names = {m.__name__ for m in _services_modules()}
    assert {"dongne.core.services", "dongne.network.services"} <= names


def test_every_service_has_a_docstring_and_checks_permission():
    missing_doc, missing_check = [], []
    for qualname, fn in (f for m in _services_modules() for f in _public_functions(m)):
        if qualname in NOT_SERVICES:
            continue
        if not (fn.__doc__ or "").strip():
            missing_doc.append(qualname)
        if "permissions.require(" not in inspect.getsource(fn):
            missing_check.append(qualname)
    assert not missing_doc, f"services without a docstring: {missing_doc}"
    assert not missing_check, (
        f"services that never call permissions.require(...): {missing_check}; "
        "check permission, or make the helper private (leading underscore)"
    )


def test_allow_list_names_only_functions_that_exist():
    # A renamed or removed helper must leave the allow-list, or it would hide a real service later.
    public = {qualname for m in _services_modules() for qualname, _fn in _public_functions(m)}
    assert set(NOT_SERVICES) <= public, sorted(set(NOT_SERVICES) - public)


def test_every_core_and_network_action_has_a_rule():
    actions = permissions.registered_actions()
    for action in (
        "core.view_audit",
        "core.invite_user",
        "core.accept_invitation",
        "core.create_token",
        "core.revoke_token",
        "network.create_organisation",
    ):
        assert action in actions


def test_require_asks_anonymous_callers_to_log_in(anonymous):
    with pytest.raises(NotAuthenticated) as info:
        permissions.require(anonymous, "core.invite_user")
    assert info.value.status == 401


def test_require_refuses_a_user_with_the_wrong_role(rep, chair, partner_user):
    for user in (rep, chair, partner_user):
        with pytest.raises(PermissionDenied) as info:
            permissions.require(user, "core.invite_user")
        assert info.value.status == 403
        assert "core.invite_user" in info.value.render()  # names what was refused


def test_require_lets_the_right_role_through(secretariat, auditor):
    assert permissions.require(secretariat, "core.invite_user") is None
    assert permissions.require(secretariat, "core.view_audit") is None
    assert permissions.require(auditor, "core.view_audit") is None


def test_a_deactivated_user_has_no_rights(secretariat):
    secretariat.is_active = False
    secretariat.save()
    with pytest.raises(NotAuthenticated):
        permissions.require(secretariat, "core.invite_user")


def test_superuser_counts_as_secretariat(db):
    admin = UserFactory(role="", is_superuser=True)
    assert permissions.require(admin, "core.invite_user") is None


def test_an_unregistered_action_fails_loudly_instead_of_allowing(secretariat):
    with pytest.raises(KeyError, match="core.no_such_action"):
        permissions.require(secretariat, "core.no_such_action")
    with pytest.raises(KeyError):
        permissions.can(secretariat, "core.no_such_action")


def test_a_rule_cannot_be_registered_twice():
    with pytest.raises(RuntimeError, match="core.invite_user"):
        permissions.rule("core.invite_user")(lambda actor, obj: True)
