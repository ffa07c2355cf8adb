from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpportunitiesConfig(AppConfig):
    name = "dongne.opportunities"
    label = "opportunities"
    verbose_name = _("Opportunities")

    def ready(self):
        from . import rules  # noqa: F401  (register permission rules)
