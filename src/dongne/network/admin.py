from django.contrib import admin

from dongne.core import uploads
from dongne.core.admin import AuditedAdmin

from .models import (
    Affiliation,
    Membership,
    MembershipEvent,
    Mou,
    MouActivity,
    MouDocument,
    Organisation,
    Person,
    Product,
    Tag,
)


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ["person"]


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "business_number", "sigungu_code", "is_public"]
    list_filter = ["kind", "is_public", "sigungu_code"]
    search_fields = ["name", "name_en", "business_number", "corporate_number"]
    filter_horizontal = ["industry_tags", "capability_tags"]
    inlines = [AffiliationInline, ProductInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Keep the directory search in step with edits made here.
        from .services import reindex_organisation

        reindex_organisation(form.instance)


class MembershipEventInline(admin.TabularInline):
    model = MembershipEvent
    extra = 0
    readonly_fields = ["from_status", "to_status", "on", "actor", "note", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    """Status is read-only here: transitions go through the services so each is checked and audited."""

    list_display = ["organisation", "member_type", "status", "applied_on", "activated_on"]
    list_filter = ["status", "member_type"]
    search_fields = ["organisation__name"]
    readonly_fields = ["status", "approved_on", "activated_on", "withdrawal_requested_on", "ended_on"]
    inlines = [MembershipEventInline]


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["name", "email", "phone", "user"]
    search_fields = ["name", "email"]


class MouActivityInline(admin.TabularInline):
    model = MouActivity
    extra = 0


class MouDocumentInline(uploads.CheckedUploadsAdmin, admin.TabularInline):
    model = MouDocument
    extra = 0


@admin.register(Mou)
class MouAdmin(AuditedAdmin):
    list_display = ["title", "partner", "signed_on", "expires_on"]
    search_fields = ["title", "partner__name"]
    inlines = [MouActivityInline, MouDocumentInline]


admin.site.register(Tag, AuditedAdmin)
