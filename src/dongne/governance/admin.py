"""Admin for governance. The ledger, ballots and the hash-chained log are read-only here: they are append-only
and change only through the services (where the Act's rules are checked). Settings, meetings, officers and
reports can be corrected by the secretariat; AuditedAdmin records every such write."""

from django.contrib import admin

from dongne.core.admin import AuditedAdmin

from .models import (
    AgendaItem,
    AnnualReport,
    Attendance,
    Ballot,
    CapitalAccount,
    CapitalEntry,
    Cooperative,
    ImpactReport,
    LogEntry,
    Meeting,
    Minutes,
    MinutesSigner,
    Officer,
    Participation,
    Poll,
    PollOption,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Cooperative)
class CooperativeAdmin(AuditedAdmin):
    list_display = ["name", "share_price", "fiscal_year_start_month", "converted_on"]
    readonly_fields = ["share_price"]  # uniform price (제16조②): change it through the service, which checks


@admin.register(CapitalEntry)
class CapitalEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "on", "organisation", "kind", "shares", "amount", "counterparty", "reverses"]
    list_filter = ["kind"]
    search_fields = ["organisation__name", "note"]


@admin.register(CapitalAccount)
class CapitalAccountAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "shares", "paid"]
    search_fields = ["organisation__name"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    readonly_fields = ["votes_for", "votes_against", "votes_abstain", "outcome", "explanation", "decided_at"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    readonly_fields = ["organisation", "user", "proxy_kind", "proxy_member", "proxy_name", "authority"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    list_display = ["title", "kind", "scheduled_at", "status", "roster"]
    list_filter = ["kind", "status"]
    readonly_fields = ["notice_on", "status", "roster"]
    inlines = [AgendaItemInline, AttendanceInline]


class SignerInline(admin.TabularInline):
    model = MinutesSigner
    extra = 0
    readonly_fields = ["user", "role", "confirmed_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "finalised_at"]
    inlines = [SignerInline]


@admin.register(Officer)
class OfficerAdmin(AuditedAdmin):
    list_display = ["user", "role", "term_start", "term_end", "reelection", "ended_on"]
    list_filter = ["role"]


class PollOptionInline(admin.TabularInline):
    model = PollOption
    extra = 0


@admin.register(Poll)
class PollAdmin(AuditedAdmin):
    list_display = ["title", "kind", "ballot_type", "secret", "opens_at", "closes_at"]
    readonly_fields = ["secret", "ballot_type"]
    inlines = [PollOptionInline]


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ["poll", "organisation", "voted_at"]


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ["poll", "option", "organisation"]


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "kind", "created_at", "hash"]
    list_filter = ["kind"]


@admin.register(ImpactReport)
class ImpactReportAdmin(AuditedAdmin):
    list_display = ["organisation", "year", "employees", "new_hires", "revenue", "projects_won"]
    list_filter = ["year"]


@admin.register(AnnualReport)
class AnnualReportAdmin(AuditedAdmin):
    list_display = ["year", "total_business", "main_business", "surplus", "reserve_transfer", "published_on"]
