from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    """Kinds of capital (출자) ledger entries. Entries are never edited; a mistake is undone by a reversal."""

    SUBSCRIPTION = "subscription", _("Subscription")
    PAYMENT = "payment", _("Payment")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    REFUND = "refund", _("Refund")
    REVERSAL = "reversal", _("Reversal (correction)")


class MeetingKind(models.TextChoices):
    ORDINARY_ASSEMBLY = "ordinary_assembly", _("Ordinary general assembly")
    EXTRAORDINARY_ASSEMBLY = "extraordinary_assembly", _("Extraordinary general assembly")
    BOARD = "board", _("Board meeting")


GENERAL_KINDS = {MeetingKind.ORDINARY_ASSEMBLY, MeetingKind.EXTRAORDINARY_ASSEMBLY}


class MeetingStatus(models.TextChoices):
    NOTICED = "noticed", _("Notice sent")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class ItemKind(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary resolution")
    SPECIAL = "special", _("Special resolution")
    REPORT = "report", _("Report")
    ELECTION = "election", _("Election")


class SpecialMatter(models.TextChoices):
    """Matters that need a special resolution (협동조합 기본법 제29조①)."""

    ARTICLES = "articles", _("Amending the articles")
    MERGER = "merger", _("Merger or split")
    DISSOLUTION = "dissolution", _("Dissolution")
    EXPULSION = "expulsion", _("Expulsion of a member")
    REFUND = "refund", _("Refund of capital")
    OTHER = "other", _("Other matter the articles name")


class Outcome(models.TextChoices):
    PASSED = "passed", _("Passed")
    REJECTED = "rejected", _("Rejected")
    NO_QUORUM = "no_quorum", _("No quorum")
    NOTED = "noted", _("Reported")


class ProxyKind(models.TextChoices):
    MEMBER = "member", _("Another member")
    FAMILY = "family", _("Cohabiting family member")


class PollKind(models.TextChoices):
    ADVISORY = "advisory", _("Advisory poll")
    PRE_ASSEMBLY = "pre_assembly", _("Pre-assembly poll")


class BallotType(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no / abstain")
    CHOICE = "choice", _("One choice")
    RANKED = "ranked", _("Ranked choices")


class OfficerRole(models.TextChoices):
    CHAIR = "chair", _("Chair (이사장)")
    DIRECTOR = "director", _("Director (이사)")
    AUDITOR = "auditor", _("Auditor (감사)")


class SignerRole(models.TextChoices):
    CHAIR = "chair", _("Chair of the meeting")
    MEMBER = "member", _("Member elected to sign")
    DIRECTOR = "director", _("Director present")


class LogKind(models.TextChoices):
    VOTE = "vote", _("Vote")
    POLL_CLOSED = "poll_closed", _("Poll closed")
    RESOLUTION = "resolution", _("Resolution")
    MINUTES = "minutes", _("Minutes signed")
