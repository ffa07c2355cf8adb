"""Admin for spaces. Writes are audited (AuditedAdmin). Bookings, lease terms, charges and payments are
read-only here: they change through the services, which keep the no-overlap and no-overpayment rules."""

from django.contrib import admin

from dongne.core import uploads
from dongne.core.admin import AuditedAdmin

from .models import (
    ActivityReport,
    ApplicationDocument,
    Booking,
    BookingSeries,
    Building,
    Charge,
    Criterion,
    Facility,
    Floor,
    Lease,
    LeaseRenewal,
    Payment,
    ReviewScore,
    Rubric,
    TenancyApplication,
    Unit,
)


class FloorInline(admin.TabularInline):
    model = Floor
    extra = 0


@admin.register(Building)
class BuildingAdmin(AuditedAdmin):
    list_display = ["name", "address"]
    search_fields = ["name", "address"]
    inlines = [FloorInline]


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["__str__", "unit_type", "area_m2", "desks", "monthly_rent", "maintenance_fee", "status"]
    list_filter = ["status", "unit_type", "floor__building"]
    search_fields = ["code"]
    readonly_fields = ["status"]


@admin.register(Facility)
class FacilityAdmin(AuditedAdmin):
    list_display = [
        "name",
        "kind",
        "building",
        "opens_at",
        "closes_at",
        "max_minutes",
        "audience",
        "is_active",
    ]
    list_filter = ["kind", "audience", "is_active"]


class ReadOnlyAdmin(AuditedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["facility", "start", "end", "organisation", "title", "status"]
    list_filter = ["status", "facility"]
    date_hierarchy = "start"


@admin.register(BookingSeries)
class BookingSeriesAdmin(ReadOnlyAdmin):
    list_display = ["facility", "title", "occurrences", "created_at"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Rubric)
class RubricAdmin(ReadOnlyAdmin):
    list_display = ["title", "is_current", "created_at"]
    inlines = [CriterionInline]


class DocumentInline(uploads.CheckedUploadsAdmin, admin.TabularInline):
    model = ApplicationDocument
    extra = 0


@admin.register(TenancyApplication)
class TenancyApplicationAdmin(AuditedAdmin):
    list_display = ["organisation", "unit_type", "desks_needed", "status", "score", "created_at"]
    list_filter = ["status", "unit_type"]
    readonly_fields = ["status", "score", "rubric", "decided_on"]
    inlines = [DocumentInline]


@admin.register(ReviewScore)
class ReviewScoreAdmin(ReadOnlyAdmin):
    list_display = ["application", "reviewer", "criterion", "score"]


class ChargeInline(admin.TabularInline):
    model = Charge
    extra = 0
    readonly_fields = ["month", "rent", "maintenance_fee", "amount", "paid", "due_on"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Lease)
class LeaseAdmin(AuditedAdmin):
    list_display = ["unit", "organisation", "starts_on", "ends_on", "status"]
    list_filter = ["status"]
    readonly_fields = [
        "unit",
        "organisation",
        "starts_on",
        "ends_on",
        "status",
        "monthly_rent",
        "maintenance_fee",
    ]
    inlines = [ChargeInline]

    def has_add_permission(self, request):
        return False


@admin.register(LeaseRenewal)
class LeaseRenewalAdmin(ReadOnlyAdmin):
    list_display = ["lease", "previous_end", "new_end", "renewed_on"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["charge", "amount", "paid_on", "reference"]


@admin.register(ActivityReport)
class ActivityReportAdmin(AuditedAdmin):
    list_display = ["organisation", "year", "employees", "submitted_on"]
