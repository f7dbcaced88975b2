"""The 现场核查 records of a case (issue 13): back-office documents, read by the staff who
may see the case; the applicant side does not reach them through these reads."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from onewindow.common.actors import Actor

from .. import permissions
from ..errors import InspectionNotFound
from ..models import Case, InspectionRecord
from .case import access_case


@dataclass(frozen=True)
class InspectionView:
    record: InspectionRecord
    points: list[dict]  # [{"key", "text", "result", "note", "photos": [ids]}]
    tally: dict[str, int]


def _staff_view(actor: Actor, case: Case) -> bool:
    return not permissions.is_applicant(actor=actor, case=case)


def inspections_of(*, actor: Actor, case: Case) -> list[InspectionView]:
    """The case's records, oldest first (call ``access_case`` first); none for the
    applicant side."""
    if not _staff_view(actor, case):
        return []
    views = []
    for record in (InspectionRecord.objects.filter(case=case)
                   .select_related("recorded_by").order_by("id")):
        views.append(view_of(record))
    return views


def view_of(record: InspectionRecord) -> InspectionView:
    points, tally = [], {"pass": 0, "fail": 0, "na": 0}
    for point in record.checklist:
        result = record.results.get(point["key"]) or {}
        if result.get("result") in tally:
            tally[result["result"]] += 1
        points.append({"key": point["key"], "text": point["text"],
                       "result": result.get("result", ""), "note": result.get("note", ""),
                       "photos": list(result.get("photos", []))})
    return InspectionView(record=record, points=points, tally=tally)


def access_inspection(*, actor: Actor, ref: str | int, record_id: int) -> InspectionRecord:
    """The record ``record_id`` of case ``ref`` if ``actor`` may read it (staff who may see
    the case); otherwise not found (404), missing and forbidden alike."""
    case = access_case(actor=actor, ref=ref)
    record = (InspectionRecord.objects.select_related("case", "recorded_by")
              .filter(case=case, pk=record_id).first()) if _staff_view(actor, case) else None
    if record is None:
        raise InspectionNotFound(_("没有找到该现场核查记录。"),
                                 details={"record_id": record_id})
    return record
