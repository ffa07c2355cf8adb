"""Cooperative governance under the Framework Act on Cooperatives (협동조합 기본법).

Capital entries, ballots and the hash-chained log are append-only: the models and their querysets refuse
updates and deletes, so a correction is always a new entry (a reversal) and history stays as it happened.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dongne.core.models import TimeStampedModel

from .choices import (
    BallotType,
    EntryKind,
    ItemKind,
    LogKind,
    MeetingKind,
    MeetingStatus,
    OfficerRole,
    Outcome,
    PollKind,
    ProxyKind,
    SignerRole,
    SpecialMatter,
)

ORG = "network.Organisation"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise RuntimeError("This record is append-only; add a correcting entry instead.")

    def delete(self):
        raise RuntimeError("This record is append-only; add a correcting entry instead.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("This record is append-only; add a correcting entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("This record is append-only; add a correcting entry instead.")


# --- the cooperative -------------------------------------------------------------------------------
class Cooperative(models.Model):
    """Settings of the cooperative itself (one row). Its row is also the ledger lock: every capital write
    takes it FOR UPDATE first, so two subscriptions never check the 30% cap against the same totals."""

    name = models.CharField(_("name"), max_length=200, default="")
    share_price = models.PositiveIntegerField(
        _("price of one share (KRW)"),
        default=10000,
        help_text=_("One uniform price for every share (협동조합 기본법 제16조②)."),
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(_("fiscal year starts in month"), default=1)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    converted_on = models.DateField(_("converted to a social cooperative on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cooperative settings")
        verbose_name_plural = _("cooperative settings")

    def __str__(self):
        return self.name or str(_("cooperative settings"))


# --- capital (출자) ----------------------------------------------------------------------------------
class CapitalAccount(models.Model):
    """A member's running totals, kept in step with its entries inside the same transaction."""

    organisation = models.OneToOneField(
        ORG, verbose_name=_("member"), on_delete=models.PROTECT, related_name="capital_account"
    )
    shares = models.IntegerField(_("shares subscribed"), default=0)
    paid = models.BigIntegerField(_("paid in (KRW)"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("capital account")
        verbose_name_plural = _("capital accounts")
        ordering = ["organisation__name"]
        constraints = [
            models.CheckConstraint(condition=Q(shares__gte=0), name="governance_account_shares_nonneg"),
            models.CheckConstraint(condition=Q(paid__gte=0), name="governance_account_paid_nonneg"),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.shares}"


class CapitalEntry(AppendOnlyModel):
    organisation = models.ForeignKey(
        ORG, verbose_name=_("member"), on_delete=models.PROTECT, related_name="capital_entries"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    shares = models.IntegerField(_("shares (change)"), default=0)
    amount = models.BigIntegerField(_("paid amount (change, KRW)"), default=0)
    on = models.DateField(_("date"))
    counterparty = models.ForeignKey(
        ORG, verbose_name=_("counterparty"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pair = models.OneToOneField(
        "self",
        verbose_name=_("other leg of the transfer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="paired_with",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("capital entry")
        verbose_name_plural = _("capital entries")
        ordering = ["on", "id"]

    def __str__(self):
        return f"{self.organisation} {self.get_kind_display()} {self.shares:+d} / {self.amount:+,d}"


# --- meetings ---------------------------------------------------------------------------------------
class Meeting(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=30, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"))
    scheduled_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    notice_on = models.DateField(_("notice sent on"))
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.NOTICED
    )
    roster = models.PositiveIntegerField(
        _("members on the roll (재적)"),
        null=True,
        blank=True,
        help_text=_("Fixed when attendance is closed."),
    )
    presiding = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair of the meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-scheduled_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def is_general(self):
        return self.kind != MeetingKind.BOARD


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="items"
    )
    number = models.PositiveSmallIntegerField(_("item number"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices, default=ItemKind.ORDINARY)
    special_matter = models.CharField(
        _("special matter"), max_length=20, choices=SpecialMatter.choices, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    subject = models.ForeignKey(
        ORG,
        verbose_name=_("member concerned (expulsion)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expulsion_notice_on = models.DateField(_("reason notified on"), null=True, blank=True)
    hearing_record = models.TextField(_("record of the hearing"), blank=True)
    votes_for = models.PositiveIntegerField(_("in favour"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("against"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("abstaining"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="governance_item_number_unique")
        ]

    def __str__(self):
        return f"제{self.number}호 {self.title}"


class Attendance(models.Model):
    """One member (general assembly) or one director (board) present, in person or by proxy (제23조②–④)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    organisation = models.ForeignKey(
        ORG, verbose_name=_("member"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("director"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proxy_kind = models.CharField(_("proxy"), max_length=10, choices=ProxyKind.choices, blank=True)
    proxy_member = models.ForeignKey(
        ORG,
        verbose_name=_("proxy (member)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proxy_name = models.CharField(_("proxy's name"), max_length=100, blank=True)
    authority = models.CharField(
        _("written authority on file"),
        max_length=200,
        blank=True,
        help_text=_("Reference of the signed proxy form kept on file (제23조④)."),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(organisation__isnull=False, user__isnull=True)
                    | Q(organisation__isnull=True, user__isnull=False)
                ),
                name="governance_attendance_member_or_director",
            ),
            models.UniqueConstraint(
                fields=["meeting", "organisation"], name="governance_attendance_member_once"
            ),
            models.UniqueConstraint(fields=["meeting", "user"], name="governance_attendance_director_once"),
            # 제23조③: one proxy represents at most one member.
            models.UniqueConstraint(
                fields=["meeting", "proxy_member"], name="governance_proxy_member_represents_one"
            ),
            models.UniqueConstraint(
                fields=["meeting", "proxy_name"],
                condition=Q(proxy_kind=ProxyKind.FAMILY),
                name="governance_proxy_family_represents_one",
            ),
            models.CheckConstraint(
                condition=Q(proxy_kind="") | ~Q(authority=""), name="governance_proxy_has_written_authority"
            ),
        ]

    def __str__(self):
        return str(self.organisation or self.user)

    @property
    def by_proxy(self):
        return bool(self.proxy_kind)


# --- officers ------------------------------------------------------------------------------------------
class Officer(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="officer_terms",
    )
    role = models.CharField(_("office"), max_length=20, choices=OfficerRole.choices)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    is_staff_member = models.BooleanField(
        _("employee of the cooperative"), default=False, help_text=_("Staff cannot be the auditor (제44조②).")
    )
    elected_at = models.ForeignKey(
        Meeting,
        verbose_name=_("elected at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reelection = models.PositiveSmallIntegerField(
        _("re-election number"), default=0, help_text=_("0 for a first term, 1 for the first re-election, …")
    )
    ended_on = models.DateField(_("left office on"), null=True, blank=True)

    class Meta:
        verbose_name = _("officer term")
        verbose_name_plural = _("officer terms")
        ordering = ["role", "-term_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gt=models.F("term_start")), name="governance_officer_term_positive"
            )
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.user}"


# --- minutes ---------------------------------------------------------------------------------------
class Minutes(TimeStampedModel):
    meeting = models.OneToOneField(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="minutes"
    )
    body = models.TextField(_("text"))
    finalised_at = models.DateTimeField(_("signed by all on"), null=True, blank=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self):
        return str(self.meeting)


class MinutesSigner(models.Model):
    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="signers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signer"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("signs as"), max_length=10, choices=SignerRole.choices)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("minutes signer")
        verbose_name_plural = _("minutes signers")
        ordering = ["minutes", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["minutes", "user"], name="governance_signer_once")]

    def __str__(self):
        return str(self.user)


# --- polls -------------------------------------------------------------------------------------------
class Poll(TimeStampedModel):
    """An online poll. Advisory or preparatory only: the Act has no electronic voting at a formal assembly."""

    title = models.CharField(_("question"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PollKind.choices, default=PollKind.ADVISORY)
    ballot_type = models.CharField(
        _("ballot"), max_length=10, choices=BallotType.choices, default=BallotType.YES_NO
    )
    secret = models.BooleanField(
        _("secret ballot"),
        default=False,
        help_text=_("Ballots are stored without the voter; only participation is."),
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("prepares meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="polls",
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["-closes_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="governance_poll_closes_after_open"
            )
        ]

    def __str__(self):
        return self.title

    def is_open(self, now=None):
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def is_closed(self, now=None):
        return (now or timezone.now()) >= self.closes_at


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="options")
    number = models.PositiveSmallIntegerField(_("number"))
    label = models.CharField(_("label"), max_length=200)

    class Meta:
        verbose_name = _("poll option")
        verbose_name_plural = _("poll options")
        ordering = ["poll", "number"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "number"], name="governance_option_number_unique")
        ]

    def __str__(self):
        return self.label


class Participation(AppendOnlyModel):
    """That a member voted (one member, one vote — 제23조①). The unique constraint is what makes a second,
    concurrent vote fail; for a secret poll this row is the only place the member appears."""

    poll = models.ForeignKey(
        Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="participations"
    )
    organisation = models.ForeignKey(
        ORG, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cast by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    voted_at = models.DateTimeField(_("voted at"), default=timezone.now)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participation")
        ordering = ["poll", "voted_at"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "organisation"], name="governance_one_vote_per_member")
        ]

    def __str__(self):
        return f"{self.poll} · {self.organisation}"


class Ballot(AppendOnlyModel):
    """A ballot. Random primary key and no timestamp, so that in a secret poll neither insertion order nor
    time links it back to a participation row; ``organisation`` is empty then."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="ballots")
    organisation = models.ForeignKey(
        ORG,
        verbose_name=_("member (open ballots only)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    option = models.ForeignKey(
        PollOption,
        verbose_name=_("choice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ranking = models.JSONField(_("ranking (option numbers, best first)"), default=list, blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["poll", "organisation"], name="governance_open_ballot_once")
        ]

    def __str__(self):
        return str(self.poll)


# --- tamper-evident log ---------------------------------------------------------------------------------
class LogHead(models.Model):
    """One row: the last sequence number and hash. Appends lock it FOR UPDATE so the chain never forks."""

    seq = models.PositiveBigIntegerField(_("last sequence number"), default=0)
    hash = models.CharField(_("last hash"), max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("log head")
        verbose_name_plural = _("log head")

    def __str__(self):
        return f"#{self.seq} {self.hash[:12]}"


class LogEntry(AppendOnlyModel):
    """hash = sha256(prev_hash + canonical JSON payload). The payload is kept as the exact text hashed."""

    seq = models.PositiveBigIntegerField(_("sequence number"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=LogKind.choices)
    payload = models.TextField(_("payload (canonical JSON)"))
    prev_hash = models.CharField(_("previous hash"), max_length=64, unique=True)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("governance log")
        ordering = ["seq"]

    def __str__(self):
        return f"#{self.seq} {self.kind}"


# --- disclosure ------------------------------------------------------------------------------------------
class ImpactReport(TimeStampedModel):
    """Figures a member reports for one year: the cooperative's purpose (jobs, regional development) in numbers."""

    organisation = models.ForeignKey(
        ORG, verbose_name=_("member"), on_delete=models.PROTECT, related_name="impact_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    employees = models.PositiveIntegerField(_("employees"))
    new_hires = models.PositiveIntegerField(_("new hires"))
    new_hires_local_youth = models.PositiveIntegerField(_("of which local youth"))
    new_hires_women = models.PositiveIntegerField(_("of which women"))
    revenue = models.BigIntegerField(_("revenue (KRW)"))
    projects_won = models.PositiveIntegerField(_("projects won"))

    class Meta:
        verbose_name = _("impact report")
        verbose_name_plural = _("impact reports")
        ordering = ["-year", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="governance_impact_once_a_year"),
            models.CheckConstraint(
                condition=Q(new_hires_local_youth__lte=models.F("new_hires"))
                & Q(new_hires_women__lte=models.F("new_hires")),
                name="governance_impact_parts_within_hires",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} {self.year}"


class AnnualReport(TimeStampedModel):
    """경영공시 of one fiscal year (제96조의2): settlement figures and their legal checks."""

    year = models.PositiveSmallIntegerField(_("fiscal year"), unique=True)
    total_business = models.BigIntegerField(_("total business (KRW)"))
    main_business = models.BigIntegerField(_("main business (KRW)"))
    surplus = models.BigIntegerField(_("surplus (KRW)"))
    reserve_transfer = models.BigIntegerField(_("transfer to legal reserve (KRW)"), default=0)
    reserve_balance = models.BigIntegerField(_("legal reserve after transfer (KRW)"), default=0)
    dividends = models.BigIntegerField(_("dividends (KRW)"), default=0)
    narrative = models.TextField(_("business results"), blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(dividends=0), name="governance_report_no_dividends"),
        ]

    def __str__(self):
        return str(self.year)
