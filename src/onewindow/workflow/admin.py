"""Routes and work items in the Django admin: look and search, never edit.

Routes are uploaded through the API (route_upload) or the catalog workbench, which run
the checks; work items only change through the workflow services.
"""

from django.contrib import admin

from .models import RouteDefinition, WorkItem


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RouteDefinition)
class RouteDefinitionAdmin(ReadOnlyAdmin):
    list_display = ("id", "version", "source", "process_name", "uploaded_by", "uploaded_at")
    list_filter = ("source",)
    search_fields = ("=version__implementation__code", "process_id", "process_name", "=sha256")
    list_select_related = ("version", "uploaded_by")
    readonly_fields = [f.name for f in RouteDefinition._meta.fields]


@admin.register(WorkItem)
class WorkItemAdmin(ReadOnlyAdmin):
    list_display = ("id", "subject_id", "task_label", "role", "organisation", "status",
                    "due_date", "created_at", "completed_by")
    list_filter = ("status", "role")
    search_fields = ("=subject_id", "=task_id")
    list_select_related = ("organisation", "completed_by")
    ordering = ("-id",)
    show_full_result_count = False
    readonly_fields = [f.name for f in WorkItem._meta.fields]
