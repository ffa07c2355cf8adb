"""Programs (courses, seminars, policy forums, exhibitions), registrations with a database-enforced
capacity, attendance, certificates, feedback, the knowledge base and the online exhibition."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dongne.core.models import Document, TimeStampedModel

from .choices import (
    ACTIVE_STATUSES,
    CheckInMethod,
    ProgramKind,
    ProgramStatus,
    RegistrationStatus,
    Visibility,
)

# Crockford-style alphabet without look-alikes (0/O, 1/I/L): codes are read aloud and typed at the door.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_code(length):
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def checkin_code():
    return random_code(8)


def certificate_code():
    # 16 symbols from 30 ≈ 78 bits: unguessable; grouped for reading.
    raw = random_code(16)
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def calendar_token():
    return secrets.token_urlsafe(24)


class Program(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=ProgramKind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(
        _("target audience"), max_length=300, blank=True, help_text=_("e.g. 조합원 기업 개발자, 춘천 시민")
    )
    organiser = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organiser"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organised_programs",
    )
    co_hosts = models.ManyToManyField(
        "network.Organisation", verbose_name=_("co-hosts"), blank=True, related_name="cohosted_programs"
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("program staff"),
        blank=True,
        related_name="staffed_programs",
        help_text=_("People who may edit the program, manage registrations and check people in."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    capacity = models.PositiveIntegerField(_("capacity"))
    seats_taken = models.PositiveIntegerField(
        _("places taken"),
        default=0,
        editable=False,
        help_text=_("Registrations that hold a place (confirmed, awaiting approval, or offered)."),
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    requires_approval = models.BooleanField(_("organiser approves registrations"), default=False)
    completion_threshold = models.PositiveSmallIntegerField(
        _("attendance needed for a certificate (%)"), default=80
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT, db_index=True
    )

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["-id"]
        constraints = [
            # The capacity rule itself lives in the database: no write can take more places than exist.
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")), name="programs_seats_within_capacity"
            ),
            models.CheckConstraint(
                condition=Q(completion_threshold__gte=1) & Q(completion_threshold__lte=100),
                name="programs_threshold_percent",
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="programs_window_order",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def places_left(self):
        return max(self.capacity - self.seats_taken, 0)


class Session(models.Model):
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    speakers = models.CharField(_("speakers"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="programs_session_ends_after_start"
            )
        ]

    def __str__(self):
        return self.title or f"{self.program} {self.starts_at:%Y-%m-%d %H:%M}"


class RegistrationQuestion(models.Model):
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="questions"
    )
    text = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")
        ordering = ["position", "id"]

    def __str__(self):
        return self.text


class Registration(models.Model):
    """One person's registration. The waiting list is ordered by id (the order of arrival)."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="program_registrations",
    )
    status = models.CharField(_("status"), max_length=20, choices=RegistrationStatus.choices, db_index=True)
    code = models.CharField(_("check-in code"), max_length=12, unique=True, default=checkin_code)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("cancelled or ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["id"]
        constraints = [
            # Registering twice: one live registration per person and program, enforced by the database.
            models.UniqueConstraint(
                fields=["program", "user"],
                condition=Q(status__in=[str(s) for s in ACTIVE_STATUSES]),
                name="programs_one_live_registration",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.program}"


class RegistrationAnswer(models.Model):
    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        RegistrationQuestion, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers"
    )
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "question"], name="programs_one_answer_per_question"
            )
        ]

    def __str__(self):
        return self.answer[:50]


class Attendance(models.Model):
    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="attendances"
    )
    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendances"
    )
    checked_in_at = models.DateTimeField(_("checked in at"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    method = models.CharField(_("method"), max_length=10, choices=CheckInMethod.choices)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["session", "checked_in_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"], name="programs_one_checkin_per_session"
            )
        ]

    def __str__(self):
        return f"{self.registration} @ {self.session}"


class Certificate(models.Model):
    """수료증. The code is random (≈78 bits) and unique; the public verification page looks it up."""

    registration = models.OneToOneField(
        Registration, verbose_name=_("registration"), on_delete=models.PROTECT, related_name="certificate"
    )
    code = models.CharField(_("verification code"), max_length=24, unique=True, default=certificate_code)
    holder_name = models.CharField(_("holder"), max_length=100)
    program_title = models.CharField(_("program"), max_length=200)
    attended_sessions = models.PositiveSmallIntegerField(_("sessions attended"))
    total_sessions = models.PositiveSmallIntegerField(_("sessions"))
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("certificate of completion")
        verbose_name_plural = _("certificates of completion")
        ordering = ["-issued_at"]

    def __str__(self):
        return self.code


class Feedback(models.Model):
    registration = models.OneToOneField(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(_("overall rating (1–5)"))
    usefulness = models.PositiveSmallIntegerField(_("usefulness for your work (1–5)"))
    comment = models.TextField(_("comments"), blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5, usefulness__gte=1, usefulness__lte=5),
                name="programs_feedback_scale",
            )
        ]

    def __str__(self):
        return f"{self.registration}: {self.rating}"


class CalendarFeed(models.Model):
    """A person's private calendar address: the random token in the URL is the credential."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="program_calendar",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=calendar_token)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("personal calendar feed")
        verbose_name_plural = _("personal calendar feeds")

    def __str__(self):
        return str(self.user)


# --- knowledge base (기술공유) -----------------------------------------------------------------
class ArticleTag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("article tag")
        verbose_name_plural = _("article tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Article(TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("body"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="articles"
    )
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    tags = models.ManyToManyField(ArticleTag, verbose_name=_("tags"), blank=True, related_name="articles")
    visibility = models.CharField(
        _("visible to"), max_length=10, choices=Visibility.choices, default=Visibility.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        ordering = ["-updated_at", "-id"]

    def __str__(self):
        return self.title


class ArticleVersion(models.Model):
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("body"))
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="programs_article_version_unique")
        ]

    def __str__(self):
        return f"{self.article} v{self.number}"


class ArticleAttachment(Document):
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="programs/articles/%Y/")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]


# --- online exhibition (온라인 전시관) -------------------------------------------------------------
class Exhibit(TimeStampedModel):
    organisation = models.ForeignKey(
        "network.Organisation", verbose_name=_("company"), on_delete=models.CASCADE, related_name="exhibits"
    )
    product = models.ForeignKey(
        "network.Product",
        verbose_name=_("product or service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exhibits",
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=100, db_index=True)
    description = models.TextField(_("description"))
    homepage = models.URLField(_("homepage"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("exhibit")
        verbose_name_plural = _("exhibits")
        ordering = ["category", "title", "id"]

    def __str__(self):
        return self.title


class ExhibitImage(models.Model):
    exhibit = models.ForeignKey(
        Exhibit, verbose_name=_("exhibit"), on_delete=models.CASCADE, related_name="images"
    )
    image = models.ImageField(_("image"), upload_to="programs/exhibits/%Y/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("exhibit image")
        verbose_name_plural = _("exhibit images")
        ordering = ["id"]

    def __str__(self):
        return self.caption or self.image.name


class Inquiry(models.Model):
    exhibit = models.ForeignKey(
        Exhibit, verbose_name=_("exhibit"), on_delete=models.CASCADE, related_name="inquiries"
    )
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("e-mail"))
    message = models.TextField(_("message"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} → {self.exhibit}"
