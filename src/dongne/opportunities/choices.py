from django.db import models
from django.utils.translation import gettext_lazy as _


class OpportunityKind(models.TextChoices):
    FUNDING_CALL = "funding_call", _("Funding call")
    REGIONAL_NEED = "regional_need", _("Regional need")
    PARTNER_REQUEST = "partner_request", _("Partner request")


class Source(models.TextChoices):
    MANUAL = "manual", _("Entered here")
    BIZINFO = "bizinfo", _("Bizinfo (기업마당)")
    KSTARTUP = "kstartup", _("K-Startup")


class ConsortiumStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")


class ConsortiumRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTICIPANT = "participant", _("Participant")


class FeedOutcome(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    DUPLICATE = "duplicate", _("Duplicate")
    SKIPPED = "skipped", _("Skipped")


class InsightsPage(models.TextChoices):
    OVERVIEW = "overview", _("Regional overview")
    FESTIVALS = "festivals", _("Festivals")
    KEYWORDS = "keywords", _("Keywords")
    OPPORTUNITIES = "opportunities", _("Opportunities by area")
