"""Written notices (受理通知书, 不予受理决定书, 补正材料通知书, 准予/不予行政许可决定书,
特别程序告知书, 延长审批期限告知书) as PDF.

A notice is rendered from the immutable snapshot its action stored (``data["notice"]``),
never from the case's current state, so printing it again next year gives the same
text. The QR code leads to the public progress page with the number and query code.
"""

import datetime as dt
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from onewindow.common.request_context import public_base_url
from onewindow.documents.qr import qr_data_uri
from onewindow.documents.rendering import RenderedPdf, render_pdf

from . import selectors
from .models import Case

PUBLIC_PROGRESS_URL_NAME = "web:public-progress"
PUBLIC_PROGRESS_FALLBACK_PATH = "/progress/"

TEMPLATES = {
    "acceptance": "cases/notices/acceptance.html",
    "rejection": "cases/notices/rejection.html",
    "correction": "cases/notices/correction.html",
    "decision": "cases/notices/decision.html",
    "suspension": "cases/notices/suspension.html",
    "extension": "cases/notices/extension.html",
}


def public_progress_url(*, number: str, query_code: str) -> str:
    """Absolute URL of the public progress page for a case (printed as a QR code)."""
    base = public_base_url()
    try:
        path = reverse(PUBLIC_PROGRESS_URL_NAME)
    except NoReverseMatch:
        path = PUBLIC_PROGRESS_FALLBACK_PATH
    # The code goes in the fragment: a browser never sends it, so it stays out of server
    # logs and referrers; the progress page's script posts it (web/static/web/progress.js).
    return (f"{base.rstrip('/')}{path}?{urlencode({'number': number})}"
            f"#{urlencode({'code': query_code})}")


def _cn_date(value: str | None) -> str:
    if not value:
        return ""
    day = dt.date.fromisoformat(value)
    return f"{day.year}年{day.month}月{day.day}日"


def notice_context(*, case: Case, seq: int) -> tuple[str, dict, str]:
    """(template, context, title) of the notice issued by action ``seq``."""
    action = selectors.notice_action(case=case, seq=seq)
    notice = dict(action.data["notice"])
    ref = next(r for r in selectors.notices_of(case=case) if r.seq == seq)
    url = public_progress_url(number=case.number, query_code=case.query_code)
    context = {
        "n": notice,
        "number": case.number,
        "query_code": case.query_code,
        "progress_url": url,
        "qr": qr_data_uri(url),
        "date": _cn_date(notice.get("date")),
        "accepted_date": _cn_date(notice.get("accepted_date")),
        "promised_due_date": _cn_date(notice.get("promised_due_date")),
        "legal_due_date": _cn_date(notice.get("legal_due_date")),
        "tolerance_due_date": _cn_date(notice.get("tolerance_due_date")),
        "supply_due_date": _cn_date(notice.get("supply_due_date")),
        "expected_end_date": _cn_date(notice.get("expected_end_date")),
        "deemed": notice.get("basis") == "DEEMED",
        "title": ref.title,
        "reason": action.reason,
    }
    return TEMPLATES[notice["kind"]], context, ref.title


def render_notice(*, case: Case, seq: int) -> RenderedPdf:
    """The PDF of the notice issued by action ``seq`` (call access_case first)."""
    template, context, title = notice_context(case=case, seq=seq)
    ref = next(r for r in selectors.notices_of(case=case) if r.seq == seq)
    return render_pdf(template=template, context=context, filename=ref.filename, title=title)


def decision_action(case: Case):
    """The action that decided ``case`` (准予 / 不予), or None while undecided."""
    return (case.actions.filter(kind__in=["APPROVE", "DENY"]).order_by("-seq").first())


def decision_pdf(case: Case) -> bytes:
    """准予 / 不予行政许可决定书 of a decided case, rendered from the snapshot its decision
    action froze (call access_case first). Undecided → cases.not-found."""
    from .errors import CaseNotFound

    action = decision_action(case)
    if action is None or not (action.data or {}).get("notice"):
        raise CaseNotFound("该办件尚未作出决定。")
    return render_notice(case=case, seq=action.seq).content


# --- 现场核查记录 -------------------------------------------------------------------------------

INSPECTION_TEMPLATE = "cases/notices/inspection.html"
RESULT_LABELS = {"pass": "符合", "fail": "不符合", "na": "不适用"}


def _photo_uri(photo) -> str:
    import base64

    with photo.file.open("rb") as handle:
        data = handle.read()
    return f"data:{photo.content_type};base64,{base64.b64encode(data).decode('ascii')}"


def inspection_pdf(record) -> RenderedPdf:
    """现场核查记录 of one inspection step (call access_case / access the record first):
    every point with its result, note and photos, the conclusion and who inspected."""
    from .models import InspectionPhoto

    case = record.case
    photos = {p.pk: p for p in InspectionPhoto.objects.filter(case=case,
                                                               work_item_id=record.work_item_id)}
    rows = []
    for point in record.checklist:
        result = record.results.get(point["key"]) or {}
        rows.append({
            "text": point["text"], "result": RESULT_LABELS.get(str(result.get("result") or ""), ""),
            "failed": result.get("result") == "fail", "note": result.get("note", ""),
            "photos": [_photo_uri(photos[p]) for p in result.get("photos", []) if p in photos],
        })
    recorder = str(record.recorded_by)
    legal = case.applicant_legal
    day = record.inspected_on
    context = {
        "number": case.number, "item": case.version.name, "organisation": case.organisation.name,
        "applicant": legal.name if legal is not None else case.applicant_person.name,
        "address": (case.form_data or {}).get("contact_address", ""),
        "rows": rows, "conclusion": record.conclusion, "inspectors": record.inspectors,
        "recorder": recorder, "step": record.task_label,
        "date": f"{day.year}年{day.month}月{day.day}日",
    }
    title = "现场核查记录"
    return render_pdf(template=INSPECTION_TEMPLATE, context=context, title=title,
                      filename=f"{case.version.name}-{case.number}-现场核查记录.pdf")


# --- 出件: the hand-over receipt (交接回执) -------------------------------------------------------

RECEIPT_TEMPLATE = "cases/notices/handover_receipt.html"


def handover_receipt_pdf(case: Case, *, now: dt.datetime) -> RenderedPdf:
    """交接回执 of a decided case at the output window, from the same data as the paper
    licence (the licence record the approval issued) and the decision: what is handed
    over, to whom (once recorded: name and masked ID number), by whom and when. Call
    ``access_case`` (and the output window's permission) first."""
    from onewindow.licences import selectors as licence_selectors

    decision = decision_action(case)
    if decision is None:
        from .errors import CaseNotFound

        raise CaseNotFound("该办件尚未作出决定。")
    identifier = str((decision.data or {}).get("licence") or "")
    licence = licence_selectors.licence_by_identifier(identifier=identifier) if identifier else None
    rows = []
    if licence is not None:
        schema = {s["name"]: s for s in licence.licence_type.field_schema or []}
        rows = [(schema.get(k, {}).get("label") or k, v) for k, v in (licence.fields or {}).items()]
    handed = case.actions.filter(kind="HAND_OVER").order_by("-seq").first()
    hand = dict(handed.data or {}) if handed is not None else {}
    legal = case.applicant_legal
    local = timezone.localtime(handed.occurred_at if handed is not None else now)
    context = {
        "number": case.number, "item": case.version.name, "organisation": case.organisation.name,
        "centre": case.centre.name,
        "applicant": legal.name if legal is not None else case.applicant_person.name,
        "approved": decision.kind == "APPROVE", "result_name": case.version.result_name,
        "licence": licence, "rows": rows,
        "recipient": hand.get("recipient_name", ""),
        "recipient_id": hand.get("recipient_id_number", ""),
        "clerk": handed.actor_label if handed is not None else "",
        "date": f"{local.year}年{local.month}月{local.day}日",
        "notice_title": ("准予行政许可决定书" if decision.kind == "APPROVE"
                         else "不予行政许可决定书"),
    }
    return render_pdf(template=RECEIPT_TEMPLATE, context=context, title="办理结果交接回执",
                      filename=f"{case.version.name}-{case.number}-交接回执.pdf")
