from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "dongne.network"
    label = "network"
    verbose_name = _("Cooperative network")

    def ready(self):
        from . import rules, signals  # noqa: F401  (register permission rules and receivers)
