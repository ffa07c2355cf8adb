from django.contrib import admin
from django.db import models

from dongne.core import uploads
from dongne.core.admin import AuditedAdmin

from .models import (
    Article,
    ArticleAttachment,
    ArticleVersion,
    Attendance,
    Certificate,
    Exhibit,
    ExhibitImage,
    Feedback,
    Inquiry,
    Program,
    Registration,
    RegistrationAnswer,
    RegistrationQuestion,
    Session,
)

HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    formfield_overrides = HTTPS_URLS


class QuestionInline(admin.TabularInline):
    model = RegistrationQuestion
    extra = 0


@admin.register(Program)
class ProgramAdmin(AuditedAdmin):
    list_display = ["title", "kind", "status", "organiser", "capacity", "seats_taken"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "summary"]
    # The place counter is kept by the registration services; editing it by hand would break the capacity rule.
    readonly_fields = ["seats_taken"]
    filter_horizontal = ["co_hosts", "staff"]
    inlines = [SessionInline, QuestionInline]


class AnswerInline(admin.TabularInline):
    model = RegistrationAnswer
    extra = 0
    readonly_fields = ["question", "answer"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    readonly_fields = ["session", "checked_in_at", "checked_in_by", "method"]


@admin.register(Registration)
class RegistrationAdmin(AuditedAdmin):
    """Read-mostly: status changes go through the site (cancel, approve, offers) so places stay counted."""

    list_display = ["program", "user", "status", "created_at", "offer_expires_at"]
    list_filter = ["status", "program"]
    search_fields = ["user__email", "user__name", "code", "program__title"]
    readonly_fields = [
        "program",
        "user",
        "status",
        "code",
        "created_at",
        "confirmed_at",
        "offer_expires_at",
        "ended_at",
    ]
    inlines = [AnswerInline, AttendanceInline]

    def has_add_permission(self, request):
        return False


@admin.register(Certificate)
class CertificateAdmin(AuditedAdmin):
    list_display = ["code", "holder_name", "program_title", "issued_at"]
    search_fields = ["code", "holder_name", "program_title"]
    readonly_fields = [
        "registration",
        "code",
        "holder_name",
        "program_title",
        "attended_sessions",
        "total_sessions",
        "issued_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Feedback)
class FeedbackAdmin(AuditedAdmin):
    list_display = ["registration", "rating", "usefulness", "created_at"]
    list_filter = ["rating"]


class VersionInline(admin.TabularInline):
    model = ArticleVersion
    extra = 0
    readonly_fields = ["number", "title", "editor", "created_at"]
    fields = readonly_fields


class AttachmentInline(uploads.CheckedUploadsAdmin, admin.TabularInline):
    model = ArticleAttachment
    extra = 0


@admin.register(Article)
class ArticleAdmin(AuditedAdmin):
    list_display = ["title", "author", "organisation", "visibility", "version", "updated_at"]
    list_filter = ["visibility"]
    search_fields = ["title", "body"]
    filter_horizontal = ["tags"]
    inlines = [AttachmentInline, VersionInline]


class ImageInline(uploads.CheckedUploadsAdmin, admin.TabularInline):
    model = ExhibitImage
    extra = 0


@admin.register(Exhibit)
class ExhibitAdmin(AuditedAdmin):
    list_display = ["title", "organisation", "category", "is_published"]
    list_filter = ["category", "is_published"]
    search_fields = ["title", "description", "organisation__name"]
    inlines = [ImageInline]
    formfield_overrides = HTTPS_URLS


@admin.register(Inquiry)
class InquiryAdmin(AuditedAdmin):
    list_display = ["exhibit", "name", "email", "created_at", "answered_at"]
    search_fields = ["name", "email", "message"]
