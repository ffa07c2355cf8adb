"""The one permission check every service calls: ``require(actor, action, obj)``.

Apps register a rule per action in their own ``rules.py`` (loaded by AppConfig.ready); an action
without a rule is a programming error, so a forgotten rule fails loudly instead of allowing.
"""

from django.utils.translation import gettext_lazy as _

from .choices import BOARD_ROLES, Role
from .errors import NotAuthenticated, PermissionDenied

_RULES = {}


def rule(action):
    """Register ``fn(actor, obj) -> bool`` as the rule for ``action``."""

    def register(fn):
        if action in _RULES:
            raise RuntimeError(f"Duplicate permission rule for {action}")
        _RULES[action] = fn
        return fn

    return register


def registered_actions():
    return sorted(_RULES)


def is_authenticated(actor):
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active)


def has_role(actor, *roles):
    if not is_authenticated(actor):
        return False
    if actor.is_superuser and Role.SECRETARIAT in roles:
        return True
    return actor.role in roles


def is_secretariat(actor):
    return has_role(actor, Role.SECRETARIAT)


def is_officer(actor):
    """Secretariat, board (chair and directors) and the auditor."""
    return has_role(actor, Role.SECRETARIAT, Role.AUDITOR, *BOARD_ROLES)


def can(actor, action, obj=None):
    try:
        check = _RULES[action]
    except KeyError:
        raise KeyError(f"No permission rule registered for {action!r}")
    return bool(check(actor, obj))


def require(actor, action, obj=None):
    """Raise unless ``actor`` may do ``action`` (on ``obj``). Anonymous callers get 401, others 403."""
    if can(actor, action, obj):
        return
    if not is_authenticated(actor):
        raise NotAuthenticated()
    raise PermissionDenied(
        _("You do not have permission to do this (%(action)s)."), params={"action": action}
    )


# --- core's own actions -----------------------------------------------------------------------
rule("core.view_audit")(lambda actor, obj: is_secretariat(actor) or has_role(actor, Role.AUDITOR))
rule("core.invite_user")(lambda actor, obj: is_secretariat(actor))
rule("core.revoke_invitation")(lambda actor, obj: is_secretariat(actor))
rule("core.accept_invitation")(lambda actor, obj: True)  # the secret token in the link is the credential
rule("core.manage_users")(lambda actor, obj: is_secretariat(actor))
# actor None is the operator at the shell (dongne create-secretariat): whoever runs the command owns the server.
rule("core.create_user")(lambda actor, obj: actor is None or is_secretariat(actor))
rule("core.manage_jobs")(lambda actor, obj: is_secretariat(actor))
rule("core.create_token")(lambda actor, obj: is_authenticated(actor))
rule("core.revoke_token")(
    lambda actor, obj: (
        is_authenticated(actor) and (obj is None or obj.user_id == actor.pk or is_secretariat(actor))
    )
)
# Personal data (core.privacy): a member exports their own; the secretariat answers requests and decides
# deletions, but never its own (another secretariat member does, so no one erases themself unseen).
rule("core.export_personal_data")(
    lambda actor, obj: (
        is_authenticated(actor) and (is_secretariat(actor) or (obj is not None and obj.pk == actor.pk))
    )
)
rule("core.request_erasure")(lambda actor, obj: is_authenticated(actor))
rule("core.decide_erasure")(
    lambda actor, obj: is_secretariat(actor) and (obj is None or obj.user_id != actor.pk)
)
