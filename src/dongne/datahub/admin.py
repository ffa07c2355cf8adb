from django.contrib import admin

from dongne.core.admin import AuditedAdmin

from .models import Dataset, DatasetUsage, DatasetVersion, IngestJob, Theme


class ReadOnlyAdmin(admin.ModelAdmin):
    """Versions, jobs and usage are written by the ingest pipeline only; the admin shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VersionInline(admin.TabularInline):
    model = DatasetVersion
    extra = 0
    fields = ["number", "created_at", "rows", "source_name", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dataset)
class DatasetAdmin(AuditedAdmin):
    list_display = ["title", "slug", "publisher", "visibility", "licence", "current_version", "updated_at"]
    list_filter = ["visibility", "licence", "themes", "source_kind"]
    search_fields = ["title", "title_en", "slug"]
    # The slug names the dataset's folder in the lake and its SQL table; change it through the UI, which checks.
    readonly_fields = ["slug", "current_version", "resource_id", "package_id", "created_by"]
    filter_horizontal = ["themes"]
    inlines = [VersionInline]

    # Deleting goes through the service, which also removes the dataset's files from the lake.
    def delete_model(self, request, obj):
        from .services import delete_dataset

        delete_dataset(actor=request.user, dataset_id=obj.pk)

    def delete_queryset(self, request, queryset):
        from .services import delete_dataset

        for pk in list(queryset.values_list("pk", flat=True)):
            delete_dataset(actor=request.user, dataset_id=pk)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        from .services import reindex_dataset

        reindex_dataset(form.instance)


@admin.register(DatasetVersion)
class DatasetVersionAdmin(ReadOnlyAdmin):
    list_display = ["dataset", "number", "rows", "created_at", "source_name"]
    list_filter = ["dataset"]


@admin.register(IngestJob)
class IngestJobAdmin(ReadOnlyAdmin):
    list_display = ["dataset", "source_name", "status", "created_at", "finished_at"]
    list_filter = ["status"]


@admin.register(DatasetUsage)
class DatasetUsageAdmin(ReadOnlyAdmin):
    list_display = ["dataset", "day", "api_calls", "downloads", "rows_served"]
    list_filter = ["day"]


admin.site.register(Theme, AuditedAdmin)
