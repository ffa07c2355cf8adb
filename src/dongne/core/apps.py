from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dongne.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        # register system checks, the job-failure signal and the text-length check before every save
        from . import checks, jobs, lengths  # noqa: F401
