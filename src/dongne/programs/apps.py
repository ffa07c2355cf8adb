from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "dongne.programs"
    label = "programs"
    verbose_name = _("Programs and technology sharing")

    def ready(self):
        from dongne.opportunities.selectors import register_profile_source

        from . import rules  # noqa: F401  (register permission rules)
        from .selectors import knowledge_profile_texts

        # What a member shares in the knowledge base counts as profile text in opportunity matching.
        register_profile_source(knowledge_profile_texts)
