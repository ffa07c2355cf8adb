from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpacesConfig(AppConfig):
    name = "dongne.spaces"
    label = "spaces"
    verbose_name = _("Spaces")

    def ready(self):
        from . import rules  # noqa: F401  (register permission rules)
