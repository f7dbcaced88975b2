"""The PDFs of a case: each notice issued, and the decision (决定书)."""

from urllib.parse import quote

from django.http import HttpResponse

from onewindow.common.schemas import errors

from .. import notices, selectors
from .base import router


@router.get("/{ref}/notices/{seq}", operation_id="case_notice_pdf",
            response={200: None, **errors(401, 404, 422)})
def case_notice_pdf(request, ref: str, seq: int):
    """The PDF of a notice (受理通知书, 不予受理决定书, 补正材料通知书, 决定书)."""
    case = selectors.access_case(actor=request.auth, ref=ref)
    pdf = notices.render_notice(case=case, seq=seq)
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(pdf.filename)}"
    return response



@router.get("/{ref}/decision.pdf", operation_id="case_decision_pdf",
            response={200: None, **errors(401, 404)})
def case_decision_pdf(request, ref: str):
    """准予 / 不予行政许可决定书 (PDF) of a decided case."""
    case = selectors.access_case(actor=request.auth, ref=ref)
    content = notices.decision_pdf(case)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"inline; filename*=UTF-8''{quote(f'{case.number}-行政许可决定书.pdf')}")
    return response
