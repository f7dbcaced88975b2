"""统一出件: the centre's output window and the applicant's choice of how to receive the
result.

- The queue: decided cases waiting for output, with the Art. 44 clock (decision date + 10
  working days) in colour and words.
- One case at the window: hand over (recipient, ID number, identity checked, signature
  pad), mail (address, carrier, tracking number; then "delivered"),
  or publish online. Each form carries the case version the page showed.
- The applicant chooses pickup, mail (with an address) or electronic delivery.
"""

from collections.abc import Callable
from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from onewindow.cases import notices, selectors, services
from onewindow.cases import permissions as case_permissions
from onewindow.cases.codes import ActionKind, CaseStatus, DeliveryChannel
from onewindow.cases.errors import CaseNotFound
from onewindow.common.pagination import InvalidCursor
from onewindow.common.redaction import mask_id_number, mask_phone
from onewindow.identity import permissions as identity_permissions
from onewindow.licences import exports as licence_exports
from onewindow.licences import selectors as licence_selectors

from ..forms_approval import (
    DeliveryChoiceForm,
    ElectronicForm,
    HandOverForm,
    MailDeliveredForm,
    MailDispatchForm,
)
from ..ui import first_page, run_action, staff_required
from .approval_common import CONFLICT_TEXT, case_output_clock, output_clock
from .cases_common import (
    ErrorEntry,
    citizen_required,
    distinct_ids,
    page_query,
)
from .cases_portal import portal_case_context

S = CaseStatus
K = ActionKind
QUEUE_PAGE = 50


# --- the queue -----------------------------------------------------------------------------


@staff_required
def output_queue(request):
    if not identity_permissions.can_anywhere(request.user, case_permissions.DELIVER_RESULT):
        raise Http404
    today = timezone.localdate()
    try:
        page = selectors.output_queue_page(actor=request.user, today=today,
                                           cursor=request.GET.get("cursor") or None,
                                           limit=QUEUE_PAGE)
    except InvalidCursor:
        return first_page(request)
    rows = [{"row": row, "clock": output_clock(row, today=today)} for row in page.rows]
    centre = selectors.centre_for_clerk(actor=request.user)
    return render(request, "web/approval/output_queue.html", {
        "rows": rows, "total": page.total, "centre": centre, "nav_active": "output",
        "next_url": page_query(request, cursor=page.next_cursor) if page.next_cursor else "",
        "first_url": page_query(request, cursor=None) if request.GET.get("cursor") else "",
    })


# --- one case at the window ------------------------------------------------------------------


def _load(request, number: str):
    try:
        case = selectors.access_case(actor=request.user, ref=number)
    except CaseNotFound as exc:
        raise Http404 from exc
    if not case_permissions.can_deliver_result(actor=request.user, case=case):
        raise Http404
    return case


def _mail_state(case) -> dict:
    """Dispatched (with carrier, tracking number and address) and delivered, read from the
    action log, so the clerk can check the waybill before recording the delivery."""
    dispatched = delivered = None
    lines: list[str] = []
    for action in case.actions.filter(kind__in=[K.MAIL_DISPATCH, K.MAIL_DELIVER]
                                      ).order_by("seq"):
        if action.kind == K.MAIL_DISPATCH:
            dispatched = action
            data = action.data or {}
            lines = [part for part in (data.get("carrier", ""),
                                       gettext("运单号 %(tracking)s")
                                       % {"tracking": data["tracking_number"]}
                                       if data.get("tracking_number") else "",
                                       data.get("address", "")) if part]
        else:
            delivered = action
    return {"dispatched": dispatched, "delivered": delivered, "lines": lines}


def _forms(case) -> dict:
    version = {"expected_version": case.lock_version}
    return {
        "hand_over": HandOverForm(initial=version),
        "mail": MailDispatchForm(initial={**version, "address": case.delivery_address}),
        "delivered": MailDeliveredForm(initial=version),
        "electronic": ElectronicForm(initial=version),
    }


def output_context(request, case, *, bound=None, open_action="", errors=None) -> dict:
    today = timezone.localdate()
    forms = _forms(case)
    forms.update(bound or {})
    distinct_ids(forms)
    applicant = selectors.applicant_view(viewer=request.user, case=case)
    waiting = case.status in (S.APPROVED, S.DENIED)
    return {
        "case": case, "forms": forms, "open_action": open_action, "errors": errors or [],
        "applicant": applicant,
        "applicant_masked": {"id_number": mask_id_number(applicant.id_number),
                             "phone": mask_phone(applicant.phone)},
        "status_label": CaseStatus(case.status).label,
        "waiting": waiting, "delivered": case.status == S.DELIVERED,
        "clock": case_output_clock(case, today=today),
        "mail": _mail_state(case),
        "notices": selectors.notices_of(case=case),
        "channel_label": DeliveryChannel(case.delivery_channel).label,
        # 打印: the paper licence and the hand-over receipt, from the issued licence.
        "decided": notices.decision_action(case) is not None,
        "result_licence": _result_licence(case),
        "nav_active": "output",
    }


@staff_required
def output_case(request, number: str):
    case = _load(request, number)
    return render(request, "web/approval/output_case.html", output_context(request, case))


def _pdf(pdf) -> HttpResponse:
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(pdf.filename)}"
    return response


def _result_licence(case):
    """The licence the approval produced (None for a refusal or an item without one)."""
    decision = notices.decision_action(case)
    identifier = str(((decision.data or {}) if decision else {}).get("licence") or "")
    return licence_selectors.licence_by_identifier(identifier=identifier) if identifier else None


@staff_required
def output_licence_pdf(request, number: str):
    """The paper licence (纸质证照) printed at the window: the issued e-licence's PDF, so
    paper and electronic carry the same data, seal and verification QR."""
    case = _load(request, number)
    licence = _result_licence(case)
    if licence is None:
        raise Http404
    return _pdf(licence_exports.licence_pdf(licence=licence, now=timezone.now()))


@staff_required
def output_receipt_pdf(request, number: str):
    """交接回执: what is handed over (decision, licence with its fields), to whom, by whom."""
    case = _load(request, number)
    if notices.decision_action(case) is None:
        raise Http404
    return _pdf(notices.handover_receipt_pdf(case, now=timezone.now()))


def _act(request, number: str, *, name: str, make_form: Callable, perform: Callable,
         done: str):
    """One form of the output window (ui.run_action)."""
    case = _load(request, number)
    if request.method != "POST":
        return redirect("web:output-case", number=number)
    form = make_form(request.POST)

    def page(outcome):
        # The signature is a hidden field: the summary points at the pad instead.
        errors = [ErrorEntry(e.text, "#signature-canvas") if e.href.endswith("_signature")
                  else e for e in outcome.errors]
        case.refresh_from_db()
        return render(request, "web/approval/output_case.html", output_context(
            request, case, bound={name: form}, open_action=name, errors=errors))

    return run_action(request, form, lambda data: perform(request, case, data), name=name,
                      done=done, success=reverse("web:output-case", args=[number]), page=page,
                      conflict_hint=CONFLICT_TEXT, conflict_href="#case-status")


def _version(data) -> int | None:
    return data.get("expected_version")


@staff_required
def hand_over(request, number: str):
    def perform(r, case, d):
        return services.case_hand_over(
            actor=r.user, case=case, recipient_name=d["recipient_name"],
            recipient_id_number=d["recipient_id_number"], id_checked=d["id_checked"],
            signature=d["signature"], paper_receipt=d["paper_receipt"],
            expected_version=_version(d), now=timezone.now())

    return _act(request, number, name="hand_over", make_form=HandOverForm, perform=perform,
                done=gettext("已当面交付办理结果，领取记录已保存。"))


@staff_required
def mail_dispatch(request, number: str):
    return _act(
        request, number, name="mail", make_form=MailDispatchForm,
        perform=lambda r, c, d: services.case_mail_dispatch(
            actor=r.user, case=c, carrier=d["carrier"], tracking_number=d["tracking_number"],
            address=d["address"], expected_version=_version(d), now=timezone.now()),
        done=gettext("已记录邮寄发出，运单号已告知申请人。"),
    )


@staff_required
def mail_delivered(request, number: str):
    return _act(
        request, number, name="delivered", make_form=MailDeliveredForm,
        perform=lambda r, c, d: services.case_mail_deliver(
            actor=r.user, case=c, expected_version=_version(d), now=timezone.now()),
        done=gettext("已记录邮件签收，办理结果已送达。"),
    )


@staff_required
def publish_online(request, number: str):
    return _act(
        request, number, name="electronic", make_form=ElectronicForm,
        perform=lambda r, c, d: services.case_publish_online(
            actor=r.user, case=c, expected_version=_version(d), now=timezone.now()),
        done=gettext("已在网上送达，申请人可在“我的办件”下载办理结果。"),
    )


# --- the applicant's choice --------------------------------------------------------------------


@citizen_required
def delivery_choose(request, number: str):
    try:
        case = selectors.access_case(actor=request.user, ref=number)
    except CaseNotFound as exc:
        raise Http404 from exc
    if request.method != "POST":
        return redirect("web:my-case", number=number)
    form = DeliveryChoiceForm(request.POST)

    def page(outcome):
        case.refresh_from_db()
        return render(request, "web/cases/my_case.html", portal_case_context(
            request, case, errors=outcome.errors, delivery_form=form))

    return run_action(
        request, form,
        lambda data: services.case_delivery_choose(
            actor=request.user, case=case, channel=data["channel"],
            address=data.get("address", ""), now=timezone.now()),
        done=gettext("已保存您选择的领取方式。"),
        success=reverse("web:my-case", args=[number]), page=page)
