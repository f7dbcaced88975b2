"""Django admin for system administrators: look up items, versions and their history.

Implementations and versions are read-only here: their writes go through the services
(validation, versioning, audit), which the workbench pages call. Themes can be edited
here; each save is audited.
"""

from django.contrib import admin
from django.utils import timezone

from onewindow.audit.services import audit_record

from .models import (
    CatalogEntry,
    Implementation,
    ImplementationAction,
    ImplementationVersion,
    Material,
    ServiceObject,
    Theme,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceObject)
class ServiceObjectAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "audience", "sort_order", "is_active"]
    list_filter = ["audience", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False  # versions refer to themes; deactivate instead

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user, action="catalog.theme.changed" if change else
            "catalog.theme.created", subject_type="catalog.theme", subject_id=str(obj.pk),
            after={"name": obj.name, "audience": obj.audience, "sort_order": obj.sort_order,
                   "is_active": obj.is_active},
            now=timezone.now(),
        )


@admin.register(CatalogEntry)
class CatalogEntryAdmin(ReadOnlyAdmin):
    list_display = ["basic_code", "name", "item_type", "exercise_level", "updated_at"]
    list_filter = ["item_type", "exercise_level"]
    search_fields = ["=basic_code", "name"]


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    can_delete = False
    fields: list[str] = ["position", "name", "requirement", "original_count", "copy_count",
                         "medium", "source", "tolerance_allowed", "commitment_allowed",
                         "licence_type_code"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ImplementationVersion)
class ImplementationVersionAdmin(ReadOnlyAdmin):
    list_display = ["implementation", "number", "name", "status", "valid_from", "valid_to"]
    list_filter = ["status"]
    search_fields = ["=implementation__code", "name"]
    list_select_related = ["implementation"]
    inlines = [MaterialInline]
    exclude = ["search_text"]


class ActionInline(admin.TabularInline):
    model = ImplementationAction
    extra = 0
    can_delete = False
    fields: list[str] = ["occurred_at", "operation", "from_status", "to_status", "reason",
                         "actor"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Implementation)
class ImplementationAdmin(ReadOnlyAdmin):
    list_display = ["code", "current_name", "organisation", "level", "status", "in_hall"]
    list_filter = ["status", "level", "in_hall"]
    search_fields = ["=code", "current_version__name", "organisation__name"]
    list_select_related = ["organisation", "current_version"]
    inlines = [ActionInline]

    @admin.display(description="事项名称")
    def current_name(self, obj):
        return obj.current_version.name if obj.current_version_id else "（未发布）"
