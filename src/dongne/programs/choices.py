from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgramKind(models.TextChoices):
    COURSE = "course", _("Course")
    SEMINAR = "seminar", _("Seminar")
    FORUM = "forum", _("Policy forum")
    EXHIBITION = "exhibition", _("Exhibition")


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    OFFERED = "offered", _("Place offered")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Not approved")
    EXPIRED = "expired", _("Offer expired")


# Statuses that hold one of the program's places (counted in Program.seats_taken).
SEAT_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)
# Statuses of a live registration: one person has at most one of these per program.
ACTIVE_STATUSES = (*SEAT_STATUSES, RegistrationStatus.WAITLISTED)


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Logged-in users")
    DRAFT = "draft", _("Private draft")


class CheckInMethod(models.TextChoices):
    QR = "qr", _("QR code")
    CODE = "code", _("Typed code")
    LIST = "list", _("By hand from the list")
