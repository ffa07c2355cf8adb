from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "dongne.governance"
    label = "governance"
    verbose_name = _("Cooperative governance")

    def ready(self):
        from . import rules  # noqa: F401  (register permission rules)
