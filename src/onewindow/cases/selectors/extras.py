"""The application form of a case and pending extension requests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import permissions
from ..applications import FormField, application_form
from ..codes import ActionKind, CaseStatus
from ..models import Case, CaseAction


def application_form_for(*, case: Case) -> list[FormField]:
    """The form fields of a case, with initial values from the applicant."""
    return application_form(version=case.version, person=case.applicant_person,
                            legal_person=case.applicant_legal)


@dataclass(frozen=True)
class PendingExtension:
    number: str
    item_name: str
    organisation: str
    days: int
    reason: str
    requested_by: str
    requested_at: dt.datetime


def extension_requests_pending(*, actor, limit: int = 100) -> list[PendingExtension]:
    """Art. 42 extension requests waiting for ``actor`` (a chief representative of the
    implementing department), oldest first: the latest extension action of the case is
    the request itself."""
    from django.db.models import OuterRef, Subquery

    extension_kinds = [ActionKind.EXTEND_REQUEST, ActionKind.EXTEND_APPROVE,
                       ActionKind.EXTEND_REFUSE]
    latest = CaseAction.objects.filter(case=OuterRef("pk"), kind__in=extension_kinds
                                       ).order_by("-seq")
    cases = (
        Case.objects.filter(permissions.approve_extension_q(actor),
                            status__in=[CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED])
        .annotate(_last_kind=Subquery(latest.values("kind")[:1]),
                  _last_id=Subquery(latest.values("id")[:1]))
        .filter(_last_kind=ActionKind.EXTEND_REQUEST)
        .select_related("version", "organisation")
    )
    # The stubs cannot see the attributes annotate() adds.
    rows = [(c, c._last_id) for c in cases[:limit]]  # pyright: ignore[reportAttributeAccessIssue]
    requests = CaseAction.objects.in_bulk([last_id for _, last_id in rows])
    result = []
    for case, last_id in rows:
        request = requests[last_id]
        result.append(PendingExtension(
            number=case.number, item_name=case.version.name,
            organisation=case.organisation.name, days=int(request.data.get("days") or 0),
            reason=request.reason, requested_by=request.actor_label,
            requested_at=request.occurred_at,
        ))
    result.sort(key=lambda row: row.requested_at)
    return result
