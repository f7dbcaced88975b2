"""Material files: upload one for a draft or a case, download one back."""

from urllib.parse import quote

from django.http import FileResponse
from django.utils import timezone
from ninja import File, Status
from ninja.files import UploadedFile

from onewindow.common.schemas import errors

from .. import selectors, services
from .base import router
from .schemas import FileOut


@router.post("/{ref}/materials/{material_id}/files", operation_id="case_material_upload",
             response={201: FileOut, **errors(401, 403, 404, 409, 422)})
def case_material_upload(request, ref: str, material_id: int, file: File[UploadedFile]):
    """Upload one file (PDF, JPEG, PNG, OFD, DOCX; type sniffed from the content; size
    limit ONEWINDOW_UPLOAD_MAX_BYTES) for a material of a draft or a case."""
    case = selectors.access_case(actor=request.auth, ref=ref)
    record = services.case_material_upload(
        actor=request.auth, case=case, material_id=material_id, stream=file,
        filename=file.name or "", now=timezone.now(),
    )
    return Status(201, {"id": record.pk, "name": record.original_name,
                        "content_type": record.content_type, "size": record.size,
                        "sha256": record.sha256, "uploaded_at": record.uploaded_at,
                        "correction_round": record.correction_round})



@router.get("/{ref}/files/{file_id}", operation_id="case_file_download",
            response={200: None, **errors(401, 404, 422)})
def case_file_download(request, ref: str, file_id: int):
    record = selectors.access_case_file(actor=request.auth, file_id=file_id, ref=ref)
    response = FileResponse(record.file.open("rb"), content_type=record.content_type)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(selectors.file_download_name(record))}"
    )
    # The type the upload check detected, never re-sniffed by the browser, no scripts.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
