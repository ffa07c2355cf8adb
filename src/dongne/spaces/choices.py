from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitType(models.TextChoices):
    """Unit types; each has its own waiting list."""

    SMALL_OFFICE = "small_office", _("Small office (1–4 desks)")
    OFFICE = "office", _("Office (5–10 desks)")
    LARGE_OFFICE = "large_office", _("Large office (11+ desks)")
    LAB = "lab", _("Lab / workshop")


class UnitStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Reserved (lease signed)")
    OCCUPIED = "occupied", _("Occupied")
    UNAVAILABLE = "unavailable", _("Unavailable (maintenance)")


class FacilityKind(models.TextChoices):
    MEETING_ROOM = "meeting_room", _("Meeting room")
    STUDIO = "studio", _("Studio")
    EQUIPMENT = "equipment", _("Equipment")
    EVENT_HALL = "event_hall", _("Event hall")


class Audience(models.TextChoices):
    """Who may book a shared facility."""

    MEMBERS = "members", _("Member companies")
    STAFF = "staff", _("Secretariat staff")
    BOTH = "both", _("Members and staff")


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved (waiting for a unit)")
    REJECTED = "rejected", _("Rejected")
    LEASED = "leased", _("Leased")
    WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")


class LeaseStatus(models.TextChoices):
    SIGNED = "signed", _("Signed (not moved in)")
    ACTIVE = "active", _("Active (moved in)")
    ENDED = "ended", _("Ended (moved out)")
    CANCELLED = "cancelled", _("Cancelled")
