from django.contrib import admin

from dongne.core import uploads
from dongne.core.admin import AuditedAdmin

from .models import (
    Attachment,
    Canvas,
    Consortium,
    ConsortiumDocument,
    ConsortiumMember,
    FeedRun,
    Milestone,
    Notice,
    NotificationSetting,
    Opportunity,
)


class AttachmentInline(uploads.CheckedUploadsAdmin, admin.TabularInline):
    model = Attachment
    extra = 0


@admin.register(Opportunity)
class OpportunityAdmin(AuditedAdmin):
    list_display = ["title", "kind", "organiser", "deadline", "is_rolling", "source", "is_public"]
    list_filter = ["kind", "source", "is_public", "support_field"]
    search_fields = ["title", "organiser", "ministry", "source_id"]
    filter_horizontal = ["industries", "capabilities"]
    readonly_fields = ["tokens", "dedupe_key", "also_listed"]
    inlines = [AttachmentInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Keep the search index and the matcher's tokens in step with edits made here.
        from .services import _reindex

        _reindex(form.instance)


class ConsortiumMemberInline(admin.TabularInline):
    model = ConsortiumMember
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class ConsortiumDocumentInline(uploads.CheckedUploadsAdmin, admin.TabularInline):
    model = ConsortiumDocument
    extra = 0


@admin.register(Consortium)
class ConsortiumAdmin(AuditedAdmin):
    list_display = ["name", "opportunity", "status", "funding_won", "jobs_created"]
    list_filter = ["status"]
    search_fields = ["name", "opportunity__title"]
    inlines = [ConsortiumMemberInline, MilestoneInline, ConsortiumDocumentInline]


@admin.register(FeedRun)
class FeedRunAdmin(admin.ModelAdmin):
    list_display = ["feed", "started_at", "finished_at", "counts", "error"]
    list_filter = ["feed"]
    readonly_fields = ["feed", "started_at", "finished_at", "counts", "report", "error"]

    def has_add_permission(self, request):
        return False


@admin.register(NotificationSetting)
class NotificationSettingAdmin(AuditedAdmin):
    list_display = ["user", "digest", "reminders"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["user", "opportunity", "kind", "sent_at"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False


@admin.register(Canvas)
class CanvasAdmin(AuditedAdmin):
    list_display = ["title", "opportunity", "consortium", "updated_at"]
    filter_horizontal = ["datasets"]
