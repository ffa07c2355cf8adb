"""Append-only audit log. Every service records what it changed with a namespaced action code."""

import json

from django.core.serializers.json import DjangoJSONEncoder

from .models import AuditEntry


class _Encoder(DjangoJSONEncoder):
    # Django's encoder for dates, decimals and lazy strings; anything else (a model instance) as str().
    # (Passing default=str to json.dumps instead would replace Django's encoder, not back it up.)
    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def _jsonable(data):
    # Round-trip through the encoder so dates, decimals and lazy strings are stored as text.
    return json.loads(json.dumps(data or {}, cls=_Encoder))


def record(actor, action, target=None, data=None):
    """Record ``action`` (e.g. "network.membership.approved") by ``actor`` on ``target``."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        actor=actor if authenticated else None,
        actor_label=(str(actor) if authenticated else "system" if actor is None else "anonymous")[:200],
        action=action,
        data=_jsonable(data),
    )
    if target is not None:
        entry.target_type = target._meta.label_lower
        entry.target_id = str(target.pk)
        entry.target_label = str(target)[:300]
    entry.save()
    return entry
