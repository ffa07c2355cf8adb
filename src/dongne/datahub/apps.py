from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatahubConfig(AppConfig):
    name = "dongne.datahub"
    label = "datahub"
    verbose_name = _("Data catalog")

    def ready(self):
        from . import rules, tasks  # noqa: F401  (register permission rules and background tasks)
