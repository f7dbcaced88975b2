"""The audit log in the Django admin: look, filter, search — never add, change or delete."""

from django.contrib import admin

from .models import AuditCheckpoint, AuditEvent


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnly):
    list_display = ("id", "occurred_at", "actor_label", "action", "subject_type", "subject_id")
    list_filter = ("action", ("occurred_at", admin.DateFieldListFilter))
    search_fields = ("=subject_id", "subject_type", "=request_id")
    date_hierarchy = "occurred_at"
    ordering = ("-id",)
    # The table only grows; counting it on every page load would get slow.
    show_full_result_count = False
    list_select_related = ("actor",)
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnly):
    list_display = ("seq", "first_id", "last_id", "tree_size", "sealed_at", "key_id")
    ordering = ("-seq",)
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditCheckpoint._meta.fields]
