from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dongne.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from . import checks, jobs  # noqa: F401  (register system checks and the job-failure signal)
