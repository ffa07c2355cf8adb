"""Domain errors raised by services and mapped once: to HTTP status codes for the API
(core.api) and to UI messages (core.middleware).

Messages are lazily translated so that one error renders in Korean for the UI and in both
languages for the API body.
"""

from django.utils.translation import gettext_lazy as _


class DongneError(Exception):
    status = 400
    code = "error"
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, *, code=None, params=None, errors=None):
        self.message = message if message is not None else self.default_message
        self.params = params or {}
        if code:
            self.code = code
        # Field-level problems: {"field": ["message", ...]} or a list of per-row dicts for imports.
        self.errors = errors
        super().__init__(self.render())

    def render(self):
        # ``%`` on the lazy message (not on str() of it) lets ngettext_lazy pick its plural form from params.
        return str(self.message % self.params) if self.params else str(self.message)


class RateLimited(DongneError):
    status = 429
    code = "rate_limited"
    default_message = _(
        "Too many requests with this API token (limit %(limit)s a minute); wait a minute and try again."
    )


class ServerError(DongneError):
    status = 500
    code = "server_error"
    default_message = _("Something went wrong on our side; the change was not saved. Please try again.")


class ValidationError(DongneError):
    status = 400
    code = "invalid"
    default_message = _("The input is not valid.")

    @classmethod
    def on(cls, field, message, **kwargs):
        """The error for one field: ``raise ValidationError.on("email", _("Enter a valid e-mail address."))``."""
        params = kwargs.get("params")
        return cls(message, errors={field: [str(message % params if params else message)]}, **kwargs)


class NotAuthenticated(DongneError):
    status = 401
    code = "not_authenticated"
    default_message = _("Please log in first.")


class PermissionDenied(DongneError):
    status = 403
    code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class NotFound(DongneError):
    status = 404
    code = "not_found"
    default_message = _("The requested item does not exist.")


class Conflict(DongneError):
    status = 409
    code = "conflict"
    default_message = _("The item was changed by someone else; reload and try again.")


def from_django_validation(exc):
    """Turn a django.core.exceptions.ValidationError (from model.full_clean) into ours."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    errors = {field: [str(m) for m in messages] for field, messages in errors.items()}
    first = next(iter(errors.values()))[0] if errors else None
    return ValidationError(first, errors=errors)
