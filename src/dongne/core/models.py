import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import BOARD_ROLES, Role


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Document(models.Model):
    """A file uploaded to something (an MOU, a consortium, an article, a tenancy application): its title,
    the file under MEDIA_ROOT and when it came. Each subclass adds the link to its owner and sets ``file``'s
    upload_to. Served only through core.uploads.file_response after a permission check, never by URL."""

    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="documents/%Y/")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.title


class DongneUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Log in with the e-mail address, case-insensitively.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    """A person who logs in. The e-mail address is the login; the role decides what they may do."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["name"]
    objects = DongneUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["name", "email"]

    def __str__(self):
        return f"{self.name} <{self.email}>" if self.name else self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        # Admin access follows the role: the secretariat (and superusers) only.
        self.is_staff = self.is_superuser or self.role == Role.SECRETARIAT
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name

    @property
    def is_secretariat(self):
        return self.is_active and (self.role == Role.SECRETARIAT or self.is_superuser)

    @property
    def is_board(self):
        return self.is_active and self.role in BOARD_ROLES


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise RuntimeError("The audit log is append-only.")

    def delete(self):
        raise RuntimeError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One change, recorded by core.audit.record. Rows are never updated or deleted."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor label"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True, db_index=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("The audit log is append-only.")


def hash_token(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once, at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None


class ApiRateWindow(models.Model):
    """Requests per API token per minute, counted in the database so every worker shares one limit."""

    token = models.ForeignKey(
        ApiToken, verbose_name=_("API token"), on_delete=models.CASCADE, related_name="+"
    )
    window = models.DateTimeField(_("minute"))
    count = models.PositiveIntegerField(_("requests"), default=0)

    class Meta:
        verbose_name = _("API rate window")
        verbose_name_plural = _("API rate windows")
        constraints = [models.UniqueConstraint(fields=["token", "window"], name="core_rate_unique")]

    def __str__(self):
        return f"{self.token_id} {self.window:%H:%M} {self.count}"


class Invitation(models.Model):
    """An invitation sent by the secretariat; accepting it creates the user with the given role."""

    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return self.email

    @property
    def is_open(self):
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class SearchDocument(models.Model):
    """Kiwi-normalised text of one searchable object.

    The database's own full-text index sits on top of this table: FTS5 on SQLite, a weighted
    tsvector with a GIN index on PostgreSQL (both created in migration 0002). Name tokens weigh
    more than body tokens, so a name match ranks above a description match.
    """

    kind = models.CharField(_("kind"), max_length=50)
    object_id = models.BigIntegerField(_("object id"))
    name_tokens = models.TextField(_("name tokens"), blank=True)
    body_tokens = models.TextField(_("body tokens"), blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="core_searchdoc_unique")]

    def __str__(self):
        return f"{self.kind}:{self.object_id}"


class RateCounter(models.Model):
    """Events per key per time window (failed logins per address, inquiries per sender, …), counted in the
    database so that every worker process shares one limit. See core.ratelimit."""

    key = models.CharField(_("key"), max_length=200)
    window = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("events"), default=0)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="core_ratecounter_unique")]
        indexes = [models.Index(fields=["window"], name="core_ratecounter_window")]

    def __str__(self):
        return f"{self.key} @ {self.window:%Y-%m-%d %H:%M} = {self.count}"


class JobFailure(models.Model):
    """A background job that failed after its last retry (recorded by core.jobs from huey's signals), kept
    until the secretariat retries or dismisses it."""

    class Status(models.TextChoices):
        FAILED = "failed", _("Failed")
        RETRIED = "retried", _("Retried")
        DISMISSED = "dismissed", _("Dismissed")

    task_name = models.CharField(_("job"), max_length=200)
    task_id = models.CharField(_("job id"), max_length=64)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    error = models.TextField(_("error"))
    traceback = models.TextField(_("traceback"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    failed_at = models.DateTimeField(_("failed at"), default=timezone.now, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.FAILED)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("failed job")
        verbose_name_plural = _("failed jobs")
        ordering = ["-failed_at"]
        constraints = [models.UniqueConstraint(fields=["task_id"], name="core_jobfailure_task_unique")]

    def __str__(self):
        return f"{self.task_name} ({self.failed_at:%Y-%m-%d %H:%M})"


class ErasureRequest(models.Model):
    """A member's request to delete their personal data (개인정보 보호법 제36조). The secretariat decides it;
    approving it pseudonymises the person (core.privacy.erase_personal_data)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the secretariat")
        DONE = "done", _("Done: personal data deleted")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("personal data deletion request")
        verbose_name_plural = _("personal data deletion requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending"), name="core_one_pending_erasure"
            )
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_status_display()}"
