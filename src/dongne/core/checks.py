"""System checks of our own, run by `manage.py check` (and `check --deploy`)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def production_secret_key(app_configs, **kwargs):
    """The development key is public (it is in the source): a deployment must set its own."""
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        return [
            checks.Error(
                "DONGNE_SECRET_KEY is not set: the built-in development key is public.",
                hint="Set DONGNE_SECRET_KEY to a long random value, e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(50))'.",
                id="dongne.E001",
            )
        ]
    return []
