from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Platform roles. Anonymous visitors (the public) have no user and so no role."""

    SECRETARIAT = "secretariat", _("Secretariat")
    CHAIR = "chair", _("Chair")
    DIRECTOR = "director", _("Director")
    AUDITOR = "auditor", _("Auditor")
    MEMBER_REP = "member_rep", _("Member representative")
    PARTNER = "partner", _("Partner / advisory contact")


BOARD_ROLES = {Role.CHAIR, Role.DIRECTOR}
OFFICER_ROLES = {Role.SECRETARIAT, Role.CHAIR, Role.DIRECTOR, Role.AUDITOR}
