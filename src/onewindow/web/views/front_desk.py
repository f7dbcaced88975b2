"""The front desk (一窗受理) in the workbench: the centre's queue with the Art. 32 clock,
and the case file with ONLY the actions allowed now. Every action form carries the
version the page showed; a stale page gets the conflict message and nothing is written.
"""

import uuid
from collections.abc import Callable

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from onewindow.cases import selectors, services
from onewindow.cases.codes import CaseStatus
from onewindow.cases.errors import CaseNotFound
from onewindow.cases.services.acceptance import correction_days
from onewindow.catalog import selectors as catalog
from onewindow.catalog.guides import make_limit
from onewindow.common.pagination import InvalidCursor
from onewindow.common.redaction import mask_id_number, mask_phone, redact_text
from onewindow.common.text import StrOrPromise
from onewindow.identity import selectors as identity
from onewindow.identity.models import Organisation

from ..forms_cases import (
    AcceptForm,
    CorrectionForm,
    DecideForm,
    PaperForm,
    QueueFilterForm,
    RejectForm,
    ScanForm,
    SupplyForm,
    WindowSubmitForm,
    WithdrawForm,
)
from ..ui import (
    decision_confirmation,
    first_page,
    remedies,
    run_action,
    staff_required,
    wants_confirmation,
    wants_edit,
)
from .approval_common import (
    CONFLICT_TEXT,
    REVIEW,
    case_panels,
    case_review_urls,
    review_actions,
    review_forms,
)
from .cases_apply import upload_limits
from .cases_common import (
    PRESENT_STATES,
    ErrorEntry,
    case_deadlines,
    deadline_css,
    distinct_ids,
    form_errors,
    material_errors,
    next_step_text,
    page_query,
)
from .cases_timeline import timeline_rows

S = CaseStatus
QUEUE_PAGE = 50

# What the desk does next, by status (the applicant's version is in cases_common).
STAFF_NEXT = {
    S.DRAFT: gettext_lazy("窗口登记的草稿：勾选收到的纸质材料、上传扫描件，然后代申请人提交。"),
    S.SUBMITTED: gettext_lazy("请审核材料，在受理期限前作出决定：受理（可容缺）、"
                              "一次性告知补正或不予受理。"),
    S.CORRECTION_REQUESTED: gettext_lazy("等待申请人补正。受理计时暂停；"
                                         "申请人提交补正后办件回到待受理队列。"),
    S.ACCEPTED: gettext_lazy("已受理，转入审批。容缺受理的材料请在补齐期限内收齐。"),
    S.REJECTED: gettext_lazy("已不予受理，办件结束。"),
    S.WITHDRAWN: gettext_lazy("申请人已撤回，办件结束。"),
    S.IN_REVIEW: gettext_lazy("已受理，正在部门审批（见审批意见和办理时限）。"),
    S.SUSPENDED: gettext_lazy("特别程序进行中，办理时限暂停计算；程序结束后由承办人恢复计时。"),
    S.APPROVED: gettext_lazy("已准予许可（办结），办理结果在出件窗口等待送达。"),
    S.DENIED: gettext_lazy("已不予许可（办结），决定书在出件窗口等待送达。"),
    S.DELIVERED: gettext_lazy("已办结，办理结果已送达申请人。"),
}


# --- the queue -------------------------------------------------------------------------------


def _departments(centre) -> list[Organisation]:
    if centre is None or centre.parent_id is None:
        return []
    return list(identity.organisation_subtree(root=centre.parent)
                .filter(kind=Organisation.Kind.DEPARTMENT, is_active=True).order_by("name"))


@staff_required
def front_desk_queue(request):
    actor = request.user
    today = timezone.localdate()
    centre = selectors.centre_for_clerk(actor=actor)
    form = QueueFilterForm(request.GET or None, departments=_departments(centre))
    filters = selectors.CaseFilters()
    errors: list[ErrorEntry] = []
    if request.GET and form.is_valid():
        data = form.cleaned_data
        filters = selectors.CaseFilters(
            organisation_id=data.get("org"), implementation_code=data.get("item") or "",
            statuses=(data["status"],) if data.get("status") else (),
        )
    elif request.GET:
        errors = form_errors(form)
    try:
        page = selectors.front_desk_queue(actor=actor, today=today, filters=filters,
                                          cursor=request.GET.get("cursor") or None,
                                          limit=QUEUE_PAGE)
    except InvalidCursor:
        return first_page(request)
    rows = [{"row": row, "css": deadline_css(row.clock.state)}
            for row in page.items]
    items = catalog.implementation_list(limit=100).items
    context = {
        "centre": centre, "form": form, "rows": rows, "errors": errors, "items": items,
        "nav_active": "front-desk", "read_only": selectors.front_desk_read_only(actor),
        "next_url": page_query(request, cursor=page.next_cursor) if page.next_cursor else "",
        "first_url": page_query(request, cursor=None) if request.GET.get("cursor") else "",
    }
    return render(request, "web/cases/front_desk.html", context)


# --- the case file ---------------------------------------------------------------------------


def _load(request, number: str):
    try:
        return selectors.access_case(actor=request.user, ref=number)
    except CaseNotFound as exc:
        raise Http404 from exc


def _supply_days(case, tolerable) -> int | None:
    """The 容缺 period the acceptance would allow for these materials (the service checks
    the clerk's days against the same rule)."""
    if not tolerable:
        return None
    rows = case.materials.select_related("material").filter(pk__in=[m.id for m in tolerable])
    return selectors.tolerance_supply_days(*rows)


def _action_forms(case, materials) -> dict:
    version = {"expected_version": case.lock_version}
    tolerable = _tolerable(materials)
    return {
        "accept": AcceptForm(initial={**version, "supply_days": _supply_days(case, tolerable)},
                             tolerable=tolerable),
        "reject": RejectForm(initial=version),
        "correction": CorrectionForm(
            initial={**version, "supply_days": correction_days()}, materials=materials),
        "decide": DecideForm(initial=version),
        "paper": PaperForm(initial={**version, "original_seen": True},
                           materials=[m for m in materials if not m.paper_received]),
        "scan": ScanForm(materials=materials),
        "submit": WindowSubmitForm(initial={**version, "proxy": True,
                                            "idempotency_key": uuid.uuid4().hex}),
        "supply": SupplyForm(initial=version),
        "withdraw": WithdrawForm(initial=version),
    }


def staff_case_context(request, case, *, bound: dict | None = None, open_action: str = "",
                       errors: list[ErrorEntry] | None = None,
                       material_messages: dict[int, str] | None = None) -> dict:
    actor = request.user
    today = timezone.localdate()
    materials = selectors.materials_of(case=case)
    applicant = selectors.applicant_view(viewer=actor, case=case)
    labels = {f.name: f.label for f in selectors.application_form_for(case=case)}
    # Masked by default (UI.md); staff whose role may see personal data can reveal it.
    answers, revealed = [], []
    for key, value in dict(case.form_data or {}).items():
        masked = redact_text(str(value))
        answers.append((labels.get(key, key), masked))
        if masked != str(value) and not applicant.masked:
            revealed.append((labels.get(key, key), value))
    allowed = set(selectors.allowed_actions(actor=actor, case=case))
    forms = _action_forms(case, materials)
    forms.update(review_forms(case))
    forms.update(bound or {})
    distinct_ids(forms)
    panels = case_panels(case, today=today)
    material_messages = material_messages or {}
    missing = [m for m in materials
               if m.requirement == "REQUIRED" and m.state not in PRESENT_STATES]
    clock = selectors.acceptance_clock(case, today=today)
    version = case.version
    return {
        "case": case, "applicant": applicant, "answers": answers, "revealed": revealed,
        # The item's structured form as a table (the same include on the task page); ID
        # and phone numbers in it masked like the contact details above.
        "structured": selectors.case_answers(case=case, masked=True),
        "allowed": allowed,
        # Ready flags, so the templates never compare status strings: a walk-in draft is
        # still being prepared; which supply the 补交 panel records (a correction round
        # sends the case back to the acceptance queue, 容缺 materials leave it where it is).
        "preparing": case.status == CaseStatus.DRAFT,
        "supply_mode": selectors.supply_mode(case=case),
        "applicant_masked": {"id_number": mask_id_number(applicant.id_number),
                             "phone": mask_phone(applicant.phone)},
        "staff_next": STAFF_NEXT.get(case.status, ""), "remedies": remedies(),
        "materials": [{"m": m, "error": material_messages.get(m.id, ""),
                       "present": m.state in PRESENT_STATES} for m in materials],
        "missing": missing,
        "missing_untolerable": [m for m in missing if not m.tolerance_allowed],
        "forms": forms, "open_action": open_action, "errors": errors or [],
        "clock": clock, "clock_css": deadline_css(clock.state),
        "deadlines": case_deadlines(case, today=today, has_tolerated=any(
            m.state == "TOLERATED" for m in materials)),
        "status_label": CaseStatus(case.status).label,
        "next_step": next_step_text(case.status),
        "expected": selectors.expected_of_applicant(case=case),
        "timeline": timeline_rows(selectors.timeline(case=case)),
        "notices": selectors.notices_of(case=case) if case.number else [],
        "promised_limit": make_limit(version.promised_limit_amount,
                                     version.promised_limit_unit),
        "legal_limit": make_limit(version.legal_limit_amount, version.legal_limit_unit),
        "instant": version.handling_type == "1",
        "next_round": case.correction_rounds + 1, "limits": upload_limits(),
        "nav_active": "front-desk",
        # Cases II: time panel, opinions of the approval steps, decision and delivery;
        # suspend / resume / extension for the back office.
        **panels,
        "review_actions": review_actions(allowed, panels["timing"]) if case.number else set(),
        # 现场核查 records of the case's inspection steps (issue 13), with their PDFs.
        "inspections": selectors.inspections_of(actor=actor, case=case) if case.number else [],
        "review_urls": case_review_urls(case) if case.number else {},
    }


@staff_required
def staff_case(request, number: str):
    if request.method == "POST":
        # The case page's forms post to the page itself (``do`` names the action), so an
        # error or a confirmation shows at the page's own address.
        handler = CASE_ACTIONS.get(request.POST.get("do", ""))
        if handler is None:
            return redirect("web:staff-case", number=number)
        return handler(request, number)
    case = _load(request, number)
    return render(request, "web/cases/staff_case.html", staff_case_context(request, case))


# --- actions -----------------------------------------------------------------------------------


def _act(request, number: str, *, name: str, make_form: Callable, perform: Callable,
         done: StrOrPromise, aliases: dict[str, str] | None = None):
    """One action from the case file (ui.run_action); a domain error's per-material
    messages show in the materials table."""
    case = _load(request, number)
    if request.method != "POST":
        return redirect("web:staff-case", number=number)
    form = make_form(request, case, selectors.materials_of(case=case))

    def page(outcome):
        case.refresh_from_db()
        return render(request, "web/cases/staff_case.html", staff_case_context(
            request, case, bound={name: form}, open_action=name, errors=outcome.errors,
            material_messages=material_errors(outcome.error) if outcome.error else None))

    return run_action(
        request, form, lambda data: perform(request, case, data), name=name, done=done,
        success=lambda result: reverse("web:staff-case",
                                       args=[getattr(result, "number", None) or number]),
        page=page, aliases=aliases, conflict_hint=CONFLICT_TEXT, conflict_href="#case-status")


def _version(data) -> int | None:
    return data.get("expected_version")


def _tolerable(materials):
    return [m for m in materials if m.requirement == "REQUIRED" and m.tolerance_allowed
            and m.state not in PRESENT_STATES]


@staff_required
def action_accept(request, number: str):
    return _act(
        request, number, name="accept",
        make_form=lambda r, c, ms: AcceptForm(r.POST, tolerable=_tolerable(ms)),
        perform=lambda r, c, d: services.case_accept(
            actor=r.user, case=c, tolerated=d.get("tolerated") or [],
            supply_days=d.get("supply_days"), note=d.get("note", ""),
            expected_version=_version(d), now=timezone.now()),
        done=gettext("已受理，受理通知书已出具并告知申请人。"),
    )


@staff_required
def action_reject(request, number: str):
    return _act(
        request, number, name="reject",
        make_form=lambda r, c, ms: RejectForm(r.POST),
        perform=lambda r, c, d: services.case_reject(
            actor=r.user, case=c, reason=d["reason"], expected_version=_version(d),
            now=timezone.now()),
        done=gettext("已作出不予受理决定，决定书已出具并告知申请人。"),
    )


@staff_required
def action_correction(request, number: str):
    return _act(
        request, number, name="correction",
        make_form=lambda r, c, ms: CorrectionForm(r.POST, materials=ms),
        perform=lambda r, c, d: services.case_request_correction(
            actor=r.user, case=c, items=d["items"], note=d.get("note", ""),
            supply_days=d.get("supply_days"), expected_version=_version(d),
            now=timezone.now()),
        done=gettext("已一次性告知补正，补正材料通知书已出具并告知申请人。"),
    )


@staff_required
def action_decide(request, number: str):
    if request.method == "POST":
        case = _load(request, number)
        form = DecideForm(request.POST)
        if wants_edit(request):
            form.is_valid()
            context = staff_case_context(request, case, bound={"decide": form},
                                         open_action="decide")
            return render(request, "web/cases/staff_case.html", context)
        if wants_confirmation(request, form):
            data = form.cleaned_data
            return decision_confirmation(
                request, case=case, form=form, do="decide",
                page_url=reverse("web:staff-case", args=[case.number]),
                approve=data["decision"] == "approve", reasons=data.get("reason", ""))
    return _act(
        request, number, name="decide",
        make_form=lambda r, c, ms: DecideForm(r.POST),
        perform=lambda r, c, d: services.case_decide_instant(
            actor=r.user, case=c, approve=d["decision"] == "approve",
            reason=d.get("reason", ""), expected_version=_version(d), now=timezone.now()),
        done=gettext("已当场作出决定，决定书已出具。"),
    )


@staff_required
def action_paper(request, number: str):
    return _act(
        request, number, name="paper",
        make_form=lambda r, c, ms: PaperForm(
            r.POST, materials=[m for m in ms if not m.paper_received]),
        perform=lambda r, c, d: services.case_material_receive_paper(
            actor=r.user, case=c, material_ids=d["material_ids"],
            original_seen=d.get("original_seen", False), expected_version=_version(d),
            now=timezone.now()),
        done=gettext("已记录收到的纸质材料。"),
        aliases={"material_ids": "material_ids"},
    )


@staff_required
def action_scan(request, number: str):
    def perform(r, c, d):
        upload = d["file"]
        services.case_material_upload(actor=r.user, case=c, material_id=d["material_id"],
                                      stream=upload, filename=upload.name or "",
                                      now=timezone.now())

    return _act(
        request, number, name="scan",
        make_form=lambda r, c, ms: ScanForm(r.POST, r.FILES, materials=ms),
        perform=perform, done=gettext("扫描件已上传。"), aliases={"material_id": "material_id"},
    )


@staff_required
def action_submit(request, number: str):
    return _act(
        request, number, name="submit",
        make_form=lambda r, c, ms: WindowSubmitForm(r.POST),
        perform=lambda r, c, d: services.case_submit_at_window(
            actor=r.user, case=c, proxy=d.get("proxy", False),
            idempotency_key=d["idempotency_key"], expected_version=_version(d),
            now=timezone.now()),
        done=gettext("已提交，办件编号已生成，受理期限开始计算。"),
    )


@staff_required
def action_supply(request, number: str):
    return _act(
        request, number, name="supply",
        make_form=lambda r, c, ms: SupplyForm(r.POST),
        perform=lambda r, c, d: services.case_supply_materials(
            actor=r.user, case=c, note=d.get("note", ""), expected_version=_version(d),
            now=timezone.now()),
        done=gettext("已确认补正材料收齐。"),
    )


@staff_required
def action_withdraw(request, number: str):
    return _act(
        request, number, name="withdraw",
        make_form=lambda r, c, ms: WithdrawForm(r.POST),
        perform=lambda r, c, d: services.case_withdraw(
            actor=r.user, case=c, reason=d["reason"], expected_version=_version(d),
            now=timezone.now()),
        done=gettext("已记录申请人撤回申请。"),
    )


@staff_required
def case_review(request, number: str, *, action: str):
    """Suspend / resume / extension request / extension decision from the case page (a
    chief representative decides an extension request while the handler still has the
    step, so without a task of their own on the case)."""
    review = REVIEW[action]
    return _act(request, number, name=action,
                make_form=lambda r, c, ms: review.make_form(r.POST),
                perform=lambda r, c, d: review.perform(r.user, c, d, timezone.now()),
                done=review.done)


def _review_handler(action: str):
    return lambda request, number: case_review(request, number, action=action)


# The case page's forms, by the ``do`` value they post to the page itself.
CASE_ACTIONS = {
    "accept": action_accept, "reject": action_reject, "correction": action_correction,
    "decide": action_decide, "paper": action_paper, "scan": action_scan,
    "submit": action_submit, "supply": action_supply, "withdraw": action_withdraw,
    **{action: _review_handler(action) for action in REVIEW},
}
