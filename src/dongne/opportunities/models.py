from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dongne.core.models import Document, TimeStampedModel
from dongne.network.choices import TagKind

from .choices import ConsortiumRole, ConsortiumStatus, FeedOutcome, OpportunityKind, Source


class Opportunity(TimeStampedModel):
    """A funding call (지원사업 공고), a regional need, or a member's partner request."""

    kind = models.CharField(_("kind"), max_length=20, choices=OpportunityKind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True, help_text=_("Sanitised HTML or plain text."))
    organiser = models.CharField(_("organiser"), max_length=200, blank=True, help_text=_("e.g. 창업진흥원"))
    ministry = models.CharField(
        _("supervising ministry"), max_length=200, blank=True, help_text=_("e.g. 중소벤처기업부")
    )
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("posted for organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    is_rolling = models.BooleanField(_("open all year (상시)"), default=False)
    period_note = models.CharField(
        _("period as announced"), max_length=200, blank=True, help_text=_("e.g. 사업별 상이")
    )
    budget = models.BigIntegerField(_("budget (KRW)"), null=True, blank=True)
    budget_note = models.CharField(_("budget as announced"), max_length=200, blank=True)
    support_field = models.CharField(_("support field"), max_length=100, blank=True, db_index=True)
    regions = models.JSONField(
        _("eligible regions"),
        default=list,
        blank=True,
        help_text=_("Region names such as 강원 or 춘천시; empty means nationwide."),
    )
    min_company_age = models.PositiveSmallIntegerField(
        _("minimum company age (years)"), null=True, blank=True
    )
    max_company_age = models.PositiveSmallIntegerField(
        _("maximum company age (years)"), null=True, blank=True
    )
    min_employees = models.PositiveIntegerField(_("minimum employees"), null=True, blank=True)
    max_employees = models.PositiveIntegerField(_("maximum employees"), null=True, blank=True)
    industries = models.ManyToManyField(
        "network.Tag",
        verbose_name=_("industries"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": TagKind.INDUSTRY},
    )
    capabilities = models.ManyToManyField(
        "network.Tag",
        verbose_name=_("required capabilities"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": TagKind.CAPABILITY},
    )
    eligibility_note = models.TextField(_("eligibility as announced"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    source_id = models.CharField(_("source identifier"), max_length=100, blank=True)
    source_url = models.URLField(_("source link"), max_length=500, blank=True)
    dedupe_key = models.CharField(_("de-duplication key"), max_length=400, blank=True, db_index=True)
    also_listed = models.JSONField(_("also listed in"), default=list, blank=True)
    tokens = models.TextField(_("morpheme tokens"), blank=True, editable=False)
    is_public = models.BooleanField(_("public"), default=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["deadline", "-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~Q(source_id=""),
                name="opportunities_unique_source_record",
            ),
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=~Q(dedupe_key=""), name="opportunities_unique_dedupe_key"
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(deadline__gte=models.F("starts_on")),
                name="opportunities_deadline_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def is_open(self, today=None):
        today = today or timezone.localdate()
        if self.is_rolling or self.deadline is None:
            return True
        return self.deadline >= today

    def days_left(self, today=None):
        if self.deadline is None:
            return None
        return (self.deadline - (today or timezone.localdate())).days

    @property
    def period_display(self):
        if self.is_rolling:
            return "상시"
        if self.deadline is None:
            return self.period_note or "—"
        start = self.starts_on.isoformat() if self.starts_on else ""
        return f"{start} ~ {self.deadline.isoformat()}"


class Attachment(models.Model):
    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to="opportunities/%Y/", blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self):
        return self.title


class FeedRun(models.Model):
    """One import of a feed with its per-record report."""

    feed = models.CharField(_("feed"), max_length=20, choices=Source.choices)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    report = models.JSONField(_("per-record report"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("feed import")
        verbose_name_plural = _("feed imports")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.feed} {self.started_at:%Y-%m-%d %H:%M}"

    def outcome_count(self, outcome):
        return self.counts.get(outcome, 0)


class Consortium(TimeStampedModel):
    """A team formed for one opportunity, with its status and outcomes (feeding the annual report)."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.PROTECT, related_name="consortia"
    )
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ConsortiumStatus.choices,
        default=ConsortiumStatus.DRAFT,
        db_index=True,
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    funding_won = models.BigIntegerField(_("funding won (KRW)"), null=True, blank=True)
    jobs_created = models.PositiveIntegerField(_("jobs created"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consortium")
        verbose_name_plural = _("consortia")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    @property
    def lead(self):
        for m in self.members.all():
            if m.role == ConsortiumRole.LEAD:
                return m.organisation
        return None


class ConsortiumMember(models.Model):
    consortium = models.ForeignKey(
        Consortium, verbose_name=_("consortium"), on_delete=models.CASCADE, related_name="members"
    )
    organisation = models.ForeignKey(
        "network.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, choices=ConsortiumRole.choices)
    covers = models.JSONField(_("capabilities covered"), default=list, blank=True)

    class Meta:
        verbose_name = _("consortium member")
        verbose_name_plural = _("consortium members")
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consortium", "organisation"], name="opportunities_member_once"),
            models.UniqueConstraint(
                fields=["consortium"], condition=Q(role="lead"), name="opportunities_one_lead"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class ConsortiumDocument(Document):
    consortium = models.ForeignKey(
        Consortium, verbose_name=_("consortium"), on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(_("file"), upload_to="consortia/%Y/")

    class Meta:
        verbose_name = _("consortium document")
        verbose_name_plural = _("consortium documents")
        ordering = ["-uploaded_at", "-id"]


class Milestone(models.Model):
    consortium = models.ForeignKey(
        Consortium, verbose_name=_("consortium"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.title


class NotificationSetting(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="opportunity_notifications",
    )
    digest = models.BooleanField(_("weekly digest of new matches"), default=True)
    reminders = models.BooleanField(_("deadline reminders (D-7, D-1)"), default=True)

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return str(self.user)


class Notice(models.Model):
    """One notification sent to one user about one opportunity; the unique constraint makes sending idempotent."""

    DIGEST = "digest"
    D7 = "d7"
    D1 = "d1"
    KINDS = [(DIGEST, _("New match")), (D7, _("Deadline in 7 days")), (D1, _("Deadline tomorrow"))]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("notice sent")
        verbose_name_plural = _("notices sent")
        constraints = [
            models.UniqueConstraint(fields=["user", "opportunity", "kind"], name="opportunities_notice_once")
        ]

    def __str__(self):
        return f"{self.user} · {self.opportunity} · {self.kind}"


class Canvas(TimeStampedModel):
    """A business model canvas for a regional linkage project, backed by datasets and insights pages."""

    title = models.CharField(_("title"), max_length=200)
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="canvases",
    )
    consortium = models.ForeignKey(
        Consortium,
        verbose_name=_("consortium"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="canvases",
    )
    key_partners = models.TextField(_("key partners"), blank=True)
    key_activities = models.TextField(_("key activities"), blank=True)
    key_resources = models.TextField(_("key resources"), blank=True)
    value_propositions = models.TextField(_("value propositions"), blank=True)
    customer_relationships = models.TextField(_("customer relationships"), blank=True)
    channels = models.TextField(_("channels"), blank=True)
    customer_segments = models.TextField(_("customer segments"), blank=True)
    cost_structure = models.TextField(_("cost structure"), blank=True)
    revenue_streams = models.TextField(_("revenue streams"), blank=True)
    datasets = models.ManyToManyField(
        "datahub.Dataset", verbose_name=_("datasets"), blank=True, related_name="+"
    )
    insights_pages = models.JSONField(_("insights pages"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    BLOCKS = (
        "key_partners",
        "key_activities",
        "key_resources",
        "value_propositions",
        "customer_relationships",
        "channels",
        "customer_segments",
        "cost_structure",
        "revenue_streams",
    )

    class Meta:
        verbose_name = _("business model canvas")
        verbose_name_plural = _("business model canvases")
        ordering = ["-updated_at", "-id"]

    def __str__(self):
        return self.title


__all__ = [
    "Opportunity",
    "Attachment",
    "FeedRun",
    "FeedOutcome",
    "Consortium",
    "ConsortiumMember",
    "ConsortiumDocument",
    "Milestone",
    "NotificationSetting",
    "Notice",
    "Canvas",
]
