import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dongne.core.models import TimeStampedModel

from .choices import Frequency, JobStatus, Licence, SourceKind, Visibility


class Theme(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name (Korean)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["id"]

    def __str__(self):
        return self.name_en if (get_language() or "ko").startswith("en") else self.name

    @classmethod
    def ensure_seeded(cls):
        """The fixed theme list (seeded by migration 0002) is restored if the table was emptied."""
        if not cls.objects.exists():
            from .choices import THEMES

            cls.objects.bulk_create(
                [cls(code=c, name=n, name_en=e) for c, n, e in THEMES], ignore_conflicts=True
            )


class Dataset(TimeStampedModel):
    """A catalog entry (DCAT dataset). Its data lives in the lake as versions of Parquet files."""

    slug = models.SlugField(
        _("identifier"),
        max_length=80,
        unique=True,
        help_text=_("Lower-case letters, digits and hyphens, e.g. chuncheon-visitors"),
    )
    title = models.CharField(_("title (Korean)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (Korean)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    publisher = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("publisher"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="datasets",
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True, related_name="datasets")
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices, default=Licence.KOGL1)
    spatial = models.JSONField(_("spatial coverage (시군구/읍면동 codes)"), default=list, blank=True)
    temporal_start = models.DateField(_("covers from"), null=True, blank=True)
    temporal_end = models.DateField(_("covers until"), null=True, blank=True)
    frequency = models.CharField(
        _("update frequency"), max_length=20, choices=Frequency.choices, default=Frequency.IRREGULAR
    )
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC, db_index=True
    )
    source_kind = models.CharField(
        _("source"), max_length=20, choices=SourceKind.choices, default=SourceKind.FILE
    )
    source_config = models.JSONField(
        _("source settings"),
        default=dict,
        blank=True,
        help_text=_("For API sources: operation and parameters"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    current_version = models.ForeignKey(
        "DatasetVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The CKAN "resource" that carries the data of the current version (datastore_search targets it).
    resource_id = models.UUIDField(_("resource id"), default=uuid.uuid4, unique=True, editable=False)
    package_id = models.UUIDField(_("package id"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["title", "id"]

    def __str__(self):
        return self.title


class DatasetVersion(models.Model):
    """One published version: what the lake wrote, mirrored so pages never rescan the data."""

    dataset = models.ForeignKey(
        Dataset, verbose_name=_("dataset"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("change note"), blank=True)
    rows = models.BigIntegerField(_("rows"))
    columns = models.JSONField(_("columns"), default=list)
    profile = models.JSONField(_("profile"), default=dict)
    preview = models.JSONField(_("preview"), default=list)
    bytes = models.BigIntegerField(_("size in bytes"), default=0)
    source_name = models.CharField(_("source"), max_length=300, blank=True)
    source_format = models.CharField(_("source format"), max_length=20, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("dataset version")
        verbose_name_plural = _("dataset versions")
        ordering = ["dataset", "-number"]
        constraints = [models.UniqueConstraint(fields=["dataset", "number"], name="datahub_version_unique")]

    def __str__(self):
        return f"{self.dataset} v{self.number}"


class IngestJob(models.Model):
    """A file or API pull being turned into a version; the UI polls it for the progress bar."""

    dataset = models.ForeignKey(
        Dataset, verbose_name=_("dataset"), on_delete=models.CASCADE, related_name="jobs"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    source_name = models.CharField(_("source"), max_length=300)
    upload_path = models.CharField(_("uploaded file"), max_length=500, blank=True)
    note = models.TextField(_("change note"), blank=True)
    bytes_total = models.BigIntegerField(_("bytes in total"), default=0)
    bytes_done = models.BigIntegerField(_("bytes read"), default=0)
    rows_done = models.BigIntegerField(_("rows read"), default=0)
    error = models.JSONField(_("error"), null=True, blank=True)
    version = models.ForeignKey(
        DatasetVersion,
        verbose_name=_("version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # "host:pid" of the queue worker running it, so that recovery can tell a live run from one whose process died.
    claimed_by = models.CharField(_("claimed by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ingest job")
        verbose_name_plural = _("ingest jobs")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.dataset} · {self.source_name} ({self.status})"

    @property
    def percent(self):
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.bytes_total:
            return 0
        return min(99, int(self.bytes_done * 100 / self.bytes_total))


class DatasetUsage(models.Model):
    """Usage counted per dataset and day (API calls, downloads, rows served)."""

    dataset = models.ForeignKey(
        Dataset, verbose_name=_("dataset"), on_delete=models.CASCADE, related_name="usage"
    )
    day = models.DateField(_("day"))
    api_calls = models.PositiveIntegerField(_("API calls"), default=0)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    rows_served = models.BigIntegerField(_("rows served"), default=0)

    class Meta:
        verbose_name = _("dataset usage")
        verbose_name_plural = _("dataset usage")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["dataset", "day"], name="datahub_usage_unique")]

    def __str__(self):
        return f"{self.dataset} {self.day}"
