"""The outbox in the Django admin: read-only, plus retrying failed deliveries."""

from django.contrib import admin, messages
from django.utils import timezone

from onewindow.common.errors import ApplicationError

from .models import EventDelivery, OutboxEvent
from .services import delivery_retry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryInline(admin.TabularInline):
    model = EventDelivery
    extra = 0
    can_delete = False
    fields = ("handler", "status", "attempts", "next_attempt_at", "succeeded_at", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "aggregate_type", "aggregate_id", "occurred_at", "request_id")
    list_filter = ("name",)
    search_fields = ("=aggregate_id", "=request_id", "name")
    date_hierarchy = "occurred_at"
    ordering = ("-id",)
    show_full_result_count = False
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]
    inlines = [DeliveryInline]


@admin.register(EventDelivery)
class EventDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "event", "handler", "status", "attempts", "next_attempt_at",
                    "updated_at")
    list_filter = ("status", "handler")
    search_fields = ("=event__id", "event__name", "handler")
    ordering = ("-id",)
    show_full_result_count = False
    list_select_related = ("event",)
    readonly_fields = [f.name for f in EventDelivery._meta.fields]
    actions = ["retry_failed"]

    def has_retry_permission(self, request):
        return request.user.has_perm("events.retry_delivery")

    @admin.action(description="重试所选的失败投递", permissions=["retry"])
    def retry_failed(self, request, queryset):
        failed = list(queryset.filter(status=EventDelivery.Status.FAILED))
        retried = 0
        skipped = queryset.count() - len(failed)
        for delivery in failed:
            try:
                delivery_retry(actor=request.user, delivery=delivery, now=timezone.now())
                retried += 1
            except ApplicationError:
                skipped += 1  # someone else retried it in the meantime
        self.message_user(request, f"已重新排队 {retried} 条投递。", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} 条不是失败状态，未处理。", messages.WARNING
            )
