from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import ApiToken, AuditEntry, ErasureRequest, Invitation, User


class AuditedAdmin(admin.ModelAdmin):
    """Admin writes are power use outside the services, so each one is still recorded in the audit
    log ("admin.<app>.<model>.changed|added|deleted") with the changed fields."""

    def _code(self, obj, what):
        return f"admin.{obj._meta.label_lower}.{what}"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        fields = list(form.changed_data) if form is not None else []
        data = {
            "fields": fields,
            "values": {f: str(getattr(obj, f, ""))[:200] for f in fields if f != "password"},
        }
        audit.record(request.user, self._code(obj, "changed" if change else "added"), obj, data)

    def delete_model(self, request, obj):
        audit.record(request.user, self._code(obj, "deleted"), obj, {"repr": str(obj)})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit.record(request.user, self._code(obj, "deleted"), obj, {"repr": str(obj)})
        super().delete_queryset(request, queryset)


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["name", "role"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "role", "password1", "password2"]})
    ]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ["created_at", "actor_label", "action", "target_label"]
    list_filter = ["action", "target_type"]
    search_fields = ["action", "target_label", "actor_label"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "token_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # tokens are created through the service, which shows the secret once


@admin.register(Invitation)
class InvitationAdmin(AuditedAdmin):
    """Read-only: changing an invitation's address or role would change what its mailed link creates;
    invite again (or revoke) from the invitations page instead."""

    list_display = ["email", "role", "organisation", "created_at", "accepted_at", "revoked_at"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    """Read-only: requests are decided on /accounts/privacy/requests/, through the service that pseudonymises."""

    list_display = ["pk", "user", "status", "requested_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ErasureRequest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
