from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    MEMBER_COMPANY = "member_company", _("Member company")
    ADVISORY = "advisory", _("Advisory institution")
    PARTNER = "partner", _("Partner institution (MOU)")
    UNIVERSITY = "university", _("University")
    PUBLIC_BODY = "public_body", _("Public body")
    LOCAL_BUSINESS = "local_business", _("Local tourism/culture/leisure business")


class TagKind(models.TextChoices):
    INDUSTRY = "industry", _("Industry")
    CAPABILITY = "capability", _("Capability")


class MemberType(models.TextChoices):
    """Stakeholder types of a social cooperative (협동조합 기본법 시행령 제19조의3)."""

    PRODUCER = "producer", _("Producer member")
    CONSUMER = "consumer", _("Consumer member")
    EMPLOYEE = "employee", _("Employee member")
    VOLUNTEER = "volunteer", _("Volunteer member")
    SUPPORTER = "supporter", _("Supporter member")


class MembershipStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ACTIVE = "active", _("Active")
    WITHDRAWING = "withdrawing", _("Withdrawing")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPELLED = "expelled", _("Expelled")


class ContactVisibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Logged-in users")
    OFFICERS = "officers", _("Secretariat and officers")
