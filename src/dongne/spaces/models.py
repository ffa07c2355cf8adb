"""Spaces: the tenant complex (입주단지) — buildings, floors, units, shared facilities and their bookings,
tenancy applications with a scoring rubric, leases with a monthly charges ledger.

Double bookings and overlapping leases are refused by the database itself (see migrations 0002 and
docs/spaces.md): an exclusion constraint on PostgreSQL, BEFORE INSERT/UPDATE triggers on SQLite."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dongne.core.models import Document, TimeStampedModel

from .choices import (
    ApplicationStatus,
    Audience,
    BookingStatus,
    FacilityKind,
    LeaseStatus,
    UnitStatus,
    UnitType,
)


class Building(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self):
        return self.name


class Floor(models.Model):
    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="floors", verbose_name=_("building")
    )
    number = models.SmallIntegerField(_("floor number"), help_text=_("Negative for basement floors."))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["building", "number"]
        verbose_name = _("floor")
        verbose_name_plural = _("floors")
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="spaces_floor_unique_number")
        ]

    def __str__(self):
        label = f"B{-self.number}" if self.number < 0 else f"{self.number}F"
        return f"{self.building} {label}"


class Unit(TimeStampedModel):
    floor = models.ForeignKey(Floor, on_delete=models.PROTECT, related_name="units", verbose_name=_("floor"))
    code = models.CharField(_("unit number"), max_length=20)
    unit_type = models.CharField(_("unit type"), max_length=20, choices=UnitType.choices, db_index=True)
    area_m2 = models.DecimalField(_("area (㎡)"), max_digits=8, decimal_places=2)
    desks = models.PositiveSmallIntegerField(_("desks"))
    monthly_rent = models.PositiveIntegerField(_("monthly rent (KRW)"))
    maintenance_fee = models.PositiveIntegerField(_("monthly maintenance fee (KRW)"), default=0)
    amenities = models.JSONField(_("amenities"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=UnitStatus.choices, default=UnitStatus.AVAILABLE, db_index=True
    )
    plan_row = models.PositiveSmallIntegerField(_("row on the floor plan"), default=1)
    plan_col = models.PositiveSmallIntegerField(_("column on the floor plan"), default=1)

    class Meta:
        ordering = ["floor__building", "floor__number", "code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [models.UniqueConstraint(fields=["floor", "code"], name="spaces_unit_unique_code")]

    def __str__(self):
        return f"{self.floor.building} {self.code}"

    @property
    def monthly_total(self):
        return self.monthly_rent + self.maintenance_fee


class Facility(TimeStampedModel):
    """A shared facility (meeting room, studio, equipment) and its booking rules."""

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="facilities", verbose_name=_("building")
    )
    floor = models.ForeignKey(
        Floor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilities",
        verbose_name=_("floor"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=FacilityKind.choices)
    capacity = models.PositiveSmallIntegerField(_("capacity (people)"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.TimeField(_("bookable from"))
    closes_at = models.TimeField(_("bookable until"))
    weekdays = models.CharField(
        _("bookable weekdays"),
        max_length=7,
        default="01234",
        help_text=_("Digits of the bookable weekdays: 0 = Monday … 6 = Sunday."),
    )
    max_minutes = models.PositiveIntegerField(_("longest booking (minutes)"), default=240)
    audience = models.CharField(
        _("who may book"), max_length=10, choices=Audience.choices, default=Audience.BOTH
    )
    is_active = models.BooleanField(_("bookable"), default=True)

    class Meta:
        ordering = ["building", "name"]
        verbose_name = _("shared facility")
        verbose_name_plural = _("shared facilities")
        constraints = [
            models.UniqueConstraint(fields=["building", "name"], name="spaces_facility_unique_name"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="spaces_facility_hours"
            ),
        ]

    def __str__(self):
        return self.name


class BookingSeries(models.Model):
    """A weekly recurring booking: its occurrences are Booking rows pointing here."""

    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="series", verbose_name=_("facility")
    )
    organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("booked by")
    )
    title = models.CharField(_("title"), max_length=200)
    occurrences = models.PositiveSmallIntegerField(_("occurrences"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recurring booking")
        verbose_name_plural = _("recurring bookings")

    def __str__(self):
        return f"{self.facility}: {self.title} ×{self.occurrences}"


class Booking(models.Model):
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("facility")
    )
    organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="space_bookings",
        verbose_name=_("organisation"),
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="space_bookings",
        verbose_name=_("booked by"),
    )
    series = models.ForeignKey(
        BookingSeries,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("recurring booking"),
    )
    title = models.CharField(_("title"), max_length=200)
    start = models.DateTimeField(_("starts at"))
    end = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )

    class Meta:
        ordering = ["start"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [models.Index(fields=["facility", "start"], name="spaces_booking_fac_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="spaces_booking_order")
        ]

    def __str__(self):
        return f"{self.facility} {self.start:%Y-%m-%d %H:%M} {self.title}"


# --- tenancy applications --------------------------------------------------------------------------
class Rubric(models.Model):
    """A scoring rubric set by the secretariat. A new rubric replaces the current one; applications keep
    the rubric they were submitted under, so old scores never change meaning."""

    title = models.CharField(_("title"), max_length=200)
    is_current = models.BooleanField(_("current"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("scoring rubric")
        verbose_name_plural = _("scoring rubrics")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="spaces_one_current_rubric"
            )
        ]

    def __str__(self):
        return self.title


class Criterion(models.Model):
    rubric = models.ForeignKey(
        Rubric, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("rubric")
    )
    name = models.CharField(_("criterion"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("weight"))
    max_score = models.PositiveSmallIntegerField(_("highest score"), default=10)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["rubric", "order", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self):
        return f"{self.name} ({self.weight})"


class TenancyApplication(TimeStampedModel):
    organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.PROTECT,
        related_name="tenancy_applications",
        verbose_name=_("organisation"),
    )
    unit_type = models.CharField(_("unit type"), max_length=20, choices=UnitType.choices, db_index=True)
    desks_needed = models.PositiveSmallIntegerField(_("desks needed"))
    desired_start = models.DateField(_("desired move-in"))
    term_years = models.PositiveSmallIntegerField(_("term (years)"), default=3)
    business_plan = models.TextField(_("business plan"))
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    rubric = models.ForeignKey(
        Rubric, on_delete=models.PROTECT, related_name="applications", verbose_name=_("rubric")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    score = models.DecimalField(_("score (0–100)"), max_digits=6, decimal_places=2, null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tenancy application")
        verbose_name_plural = _("tenancy applications")

    def __str__(self):
        return f"{self.organisation} — {self.get_unit_type_display()}"


class ApplicationDocument(Document):
    application = models.ForeignKey(
        TenancyApplication, on_delete=models.CASCADE, related_name="documents", verbose_name=_("application")
    )
    file = models.FileField(_("file"), upload_to="spaces/applications/%Y/")

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")


class ReviewScore(models.Model):
    application = models.ForeignKey(
        TenancyApplication, on_delete=models.CASCADE, related_name="scores", verbose_name=_("application")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("review score")
        verbose_name_plural = _("review scores")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer", "criterion"], name="spaces_one_score_per_criterion"
            )
        ]

    def __str__(self):
        return f"{self.application}: {self.criterion.name} = {self.score}"


# --- leases ----------------------------------------------------------------------------------------
class Lease(TimeStampedModel):
    """A multi-year lease of one unit. ``ends_on`` is inclusive; leases of one unit never overlap."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="leases", verbose_name=_("unit"))
    organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="leases", verbose_name=_("tenant")
    )
    application = models.ForeignKey(
        TenancyApplication,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leases",
        verbose_name=_("application"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    monthly_rent = models.PositiveIntegerField(_("monthly rent (KRW)"))
    maintenance_fee = models.PositiveIntegerField(_("monthly maintenance fee (KRW)"))
    status = models.CharField(
        _("status"), max_length=20, choices=LeaseStatus.choices, default=LeaseStatus.SIGNED
    )
    moved_in_on = models.DateField(_("moved in on"), null=True, blank=True)
    move_in_notes = models.TextField(_("condition at move-in"), blank=True)
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)
    move_out_notes = models.TextField(_("condition at move-out"), blank=True)
    end_notice_sent_on = models.DateField(_("end notice sent on"), null=True, blank=True)

    class Meta:
        ordering = ["unit", "starts_on"]
        verbose_name = _("lease")
        verbose_name_plural = _("leases")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="spaces_lease_order")
        ]

    def __str__(self):
        return f"{self.unit} — {self.organisation} ({self.starts_on}–{self.ends_on})"


class LeaseRenewal(models.Model):
    lease = models.ForeignKey(
        Lease, on_delete=models.CASCADE, related_name="renewals", verbose_name=_("lease")
    )
    previous_end = models.DateField(_("previous end"))
    new_end = models.DateField(_("new end"))
    checks = models.JSONField(_("light check"), default=dict)
    renewed_on = models.DateField(_("renewed on"))
    renewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("renewed by")
    )

    class Meta:
        ordering = ["lease", "renewed_on"]
        verbose_name = _("lease renewal")
        verbose_name_plural = _("lease renewals")

    def __str__(self):
        return f"{self.lease}: {self.previous_end} → {self.new_end}"


class ActivityReport(models.Model):
    """A tenant's yearly activity report — one of the three renewal checks."""

    organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.CASCADE,
        related_name="space_activity_reports",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    summary = models.TextField(_("summary"))
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    revenue = models.BigIntegerField(_("revenue (KRW)"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="spaces_one_report_per_year")
        ]

    def __str__(self):
        return f"{self.organisation} {self.year}"


class Charge(models.Model):
    """One month of rent and maintenance fee on a lease (the rent schedule and charges ledger)."""

    lease = models.ForeignKey(
        Lease, on_delete=models.CASCADE, related_name="charges", verbose_name=_("lease")
    )
    month = models.DateField(_("month"), help_text=_("First day of the month charged."))
    rent = models.PositiveIntegerField(_("rent (KRW)"))
    maintenance_fee = models.PositiveIntegerField(_("maintenance fee (KRW)"))
    amount = models.PositiveIntegerField(_("amount due (KRW)"))
    paid = models.PositiveIntegerField(_("paid (KRW)"), default=0)
    due_on = models.DateField(_("due on"))

    class Meta:
        ordering = ["lease", "month"]
        verbose_name = _("monthly charge")
        verbose_name_plural = _("monthly charges")
        constraints = [
            models.UniqueConstraint(fields=["lease", "month"], name="spaces_one_charge_per_month"),
            models.CheckConstraint(
                condition=Q(paid__lte=models.F("amount")), name="spaces_charge_not_overpaid"
            ),
        ]

    def __str__(self):
        return f"{self.lease.unit} {self.month:%Y-%m}"

    @property
    def outstanding(self):
        return self.amount - self.paid


class Payment(models.Model):
    charge = models.ForeignKey(
        Charge, on_delete=models.PROTECT, related_name="payments", verbose_name=_("charge")
    )
    amount = models.PositiveIntegerField(_("amount (KRW)"))
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self):
        return f"{self.charge}: {self.amount:,}"
