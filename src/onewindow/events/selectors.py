"""Reads of the outbox (admin pages, monitoring)."""

from django.db.models import QuerySet

from .models import EventDelivery, OutboxEvent


def failed_deliveries() -> QuerySet[EventDelivery]:
    """Deliveries that gave up and wait for an administrator, oldest first."""
    return (
        EventDelivery.objects.filter(status=EventDelivery.Status.FAILED)
        .select_related("event")
        .order_by("updated_at", "id")
    )


def events_for_aggregate(*, aggregate_type: str, aggregate_id: str) -> QuerySet[OutboxEvent]:
    return OutboxEvent.objects.filter(
        aggregate_type=aggregate_type, aggregate_id=str(aggregate_id)
    ).order_by("id")
