"""现场核查 (issue 13): the handler of an inspection step uploads photos and saves the
record of the item's checklist; staff who may see the case read it and its PDF."""

from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Form, Status
from ninja.files import UploadedFile

from onewindow.common.schemas import errors
from onewindow.workflow import selectors as workflow_selectors

from .. import notices, selectors, services
from .base import router
from .schemas import InspectionPhotoOut, InspectionRecordIn, InspectionRecordOut


def record_out(record) -> dict:
    view = selectors.view_of(record)
    return {"id": record.pk, "case_number": record.case.number or "",
            "work_item_id": record.work_item_id, "task_label": record.task_label,
            "inspected_on": record.inspected_on, "inspectors": record.inspectors,
            "conclusion": record.conclusion, "recorded_by": str(record.recorded_by),
            "recorded_at": record.recorded_at, "points": view.points, "tally": view.tally,
            "case_version": record.case.lock_version}


@router.post("/tasks/{task_id}/inspection/photos", operation_id="inspection_photo_upload",
             response={201: InspectionPhotoOut, **errors(401, 403, 404, 409, 422)})
def inspection_photo_upload(request, task_id: int, file: File[UploadedFile],
                            point: Form[str] = ""):
    """Upload one photo (JPEG or PNG, type sniffed from the content) for a checklist point
    of an open 现场核查 step; the record names it by id in the point's ``photos``."""
    item = workflow_selectors.access_work_item(actor=request.auth, work_item_id=task_id)
    photo = services.inspection_photo_upload(
        actor=request.auth, work_item=item, point=point, stream=file,
        filename=file.name or "", now=timezone.now())
    return Status(201, {"id": photo.pk, "point": photo.point,
                        "content_type": photo.content_type, "size": photo.size,
                        "sha256": photo.sha256, "uploaded_at": photo.uploaded_at})


@router.post("/tasks/{task_id}/inspection", operation_id="inspection_record_save",
             response={200: InspectionRecordOut, **errors(401, 403, 404, 409, 422)})
def inspection_record_save(request, task_id: int, body: InspectionRecordIn):
    """Save the 现场核查记录 of an open inspection step: every point of the item's checklist
    ``pass`` / ``fail`` (note required) / ``na`` with a note and photo ids. 422 names each
    point (``details[key]``, codes in ``details["codes"]``), nothing written; a stale
    ``version`` (the case's lock_version): 409. The step cannot be completed before."""
    item = workflow_selectors.access_work_item(actor=request.auth, work_item_id=task_id)
    record = services.inspection_record_save(
        actor=request.auth, work_item=item, results=body.results, conclusion=body.conclusion,
        inspectors=body.inspectors, inspected_on=body.inspected_on,
        expected_version=body.version, now=timezone.now())
    record.case.refresh_from_db(fields=["lock_version"])
    return record_out(record)


@router.get("/{ref}/inspections/{record_id}", operation_id="inspection_record_get",
            response={200: InspectionRecordOut, **errors(401, 404, 422)})
def inspection_record_get(request, ref: str, record_id: int):
    """One 现场核查记录 of a case (staff who may see the case)."""
    record = selectors.access_inspection(actor=request.auth, ref=ref, record_id=record_id)
    return record_out(record)


@router.get("/{ref}/inspections/{record_id}/pdf", operation_id="inspection_record_pdf",
            response={200: None, **errors(401, 404, 422)})
def inspection_record_pdf(request, ref: str, record_id: int):
    """现场核查记录 (PDF) with the points, notes, photos and conclusion."""
    record = selectors.access_inspection(actor=request.auth, ref=ref, record_id=record_id)
    pdf = notices.inspection_pdf(record)
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(pdf.filename)}"
    return response
