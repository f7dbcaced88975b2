"""Reads of the audit log."""

from django.db.models import QuerySet

from .models import AuditEvent


def audit_events_for_subject(*, subject_type: str, subject_id: str) -> QuerySet[AuditEvent]:
    """The history of one object, newest first (served by the subject index)."""
    return (
        AuditEvent.objects.filter(subject_type=subject_type, subject_id=str(subject_id))
        .select_related("actor")
        .order_by("-id")
    )


def audit_events_by_actor(*, actor) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(actor=actor).order_by("-id")
