from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "dongne.programs"
    label = "programs"
    verbose_name = _("Programs and technology sharing")

    def ready(self):
        from . import rules  # noqa: F401  (register permission rules)
