"""Read-only admin views of cases: every change goes through the services (rule 1)."""

from django.contrib import admin

from .models import Case, CaseAction, CaseFile, CaseMaterial, CaseNumberCounter


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ActionInline(admin.TabularInline):
    model = CaseAction
    fields: list[str] = ["seq", "kind", "from_status", "to_status", "actor_label",
                         "occurred_at", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class MaterialInline(admin.TabularInline):
    model = CaseMaterial
    fields: list[str] = ["position", "name", "requirement", "state", "paper_received",
                         "trust_grade", "problem"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "status", "implementation", "centre", "channel", "received_at",
                    "acceptance_due_date", "promised_due_date"]
    list_filter = ["status", "channel", "acceptance_basis"]
    search_fields = ["number"]
    raw_id_fields = ["applicant_person", "applicant_legal", "applicant_account"]
    # The applicant's ID number is not shown here: the case page masks it by role.
    exclude = ["idempotency_key"]
    inlines = [MaterialInline, ActionInline]
    show_full_result_count = False


@admin.register(CaseAction)
class CaseActionAdmin(ReadOnlyAdmin):
    list_display = ["case", "seq", "kind", "to_status", "actor_label", "occurred_at"]
    list_filter = ["kind"]
    search_fields = ["case__number"]
    show_full_result_count = False


@admin.register(CaseFile)
class CaseFileAdmin(ReadOnlyAdmin):
    list_display = ["case", "original_name", "content_type", "size", "uploaded_at"]
    # The stored file would be a link to the storage (a signed bucket URL) past the case
    # pages' access check; files are opened from the case pages (ADR 0029).
    exclude = ["file"]
    show_full_result_count = False


@admin.register(CaseNumberCounter)
class CaseNumberCounterAdmin(ReadOnlyAdmin):
    list_display = ["implementation", "day", "last_serial"]
