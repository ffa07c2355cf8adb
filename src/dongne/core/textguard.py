"""NUL characters in request text.

PostgreSQL's text type cannot hold U+0000 (psycopg raises DataError), while SQLite stores it, so a NUL that
reaches the database is a 500 on one engine and hidden junk on the other. Requests carrying one are refused
at the edge, once, on both engines: the query string, form fields and path in ``NulCharacterMiddleware``,
JSON bodies where they are parsed (core.api's parser, the CKAN action API).
"""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from .errors import ValidationError

NUL = "\x00"


def contains_nul(value) -> bool:
    """True if a string anywhere in ``value`` (nested dicts, lists, keys included) holds a NUL."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, Mapping):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(contains_nul(v) for v in value)
    return False


def querydict_contains_nul(data) -> bool:
    return any(contains_nul(key) or contains_nul(values) for key, values in data.lists())


def nul_character_error():
    return ValidationError(_("Text cannot contain the NUL character (\\x00)."), code="nul_character")
