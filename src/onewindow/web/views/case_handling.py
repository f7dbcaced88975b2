"""The task page (办理): one ready step of a case for a handler or chief representative —
the case file (applicant masked per role, form data, materials with their files, earlier
opinions, the time panel, the timeline) and the forms of this step only: an opinion on a
review step; approve / deny (reasons, remedies shown) / 退回 on the decision step;
suspend and resume (特别程序); the handler's extension request and the chief's decision.

Every form carries the case version the page showed; a stale page gets the conflict
message (409) and nothing is written. A task of another department is missing (404).
"""

from collections.abc import Callable
from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from onewindow.cases import notices, services
from onewindow.cases import selectors as case_selectors
from onewindow.cases.codes import CaseStatus
from onewindow.cases.models import Case, InspectionRecord
from onewindow.cases.services import inspection
from onewindow.common.errors import NotFound
from onewindow.common.ids import is_row_id
from onewindow.common.text import StrOrPromise
from onewindow.identity.models import Role
from onewindow.workdays.models import DeadlineState
from onewindow.workflow import selectors as workflow
from onewindow.workflow.models import WorkItem

from ..forms_approval import (
    DecisionForm,
    InspectionForm,
    LicenceCorrectionForm,
    OpinionForm,
    ReturnForm,
)
from ..ui import decision_confirmation, run_action, staff_required, wants_confirmation, wants_edit
from .approval_common import (
    CONFLICT_TEXT,
    REVIEW,
    REVIEW_ACTIONS,
    review_actions,
    review_forms,
    task_review_urls,
)
from .cases_common import ErrorEntry, deadline_css, distinct_ids
from .front_desk import staff_case_context
from .worklist import SUBJECT

S = CaseStatus


def _task(request, task_id: int) -> WorkItem:
    try:
        item = workflow.access_work_item(actor=request.user, work_item_id=task_id)
    except NotFound as exc:
        raise Http404 from exc
    if item.subject_type != SUBJECT:
        raise Http404
    return item


def _case(item: WorkItem) -> Case:
    # The actor may work on this task (checked above), so they may read its case file,
    # also when the task is a joint review of another department than the case's own.
    case = (Case.objects.select_related(
        "implementation", "version", "organisation", "centre", "applicant_person",
        "applicant_legal", "applicant_account", "submitted_by")
        .filter(pk=int(item.subject_id)).first() if is_row_id(str(item.subject_id)) else None)
    if case is None:
        raise Http404
    return case


def is_decision_step(item: WorkItem) -> bool:
    """The chief representative's step decides (准予 / 不予 / 退回); the others review."""
    return item.role == Role.CHIEF_REPRESENTATIVE


def _inspection(item: WorkItem, case: Case):
    """The step's 现场核查 record so far (None if not saved yet or not an inspection)."""
    if not inspection.is_inspection_step(item):
        return None
    return InspectionRecord.objects.filter(case=case, work_item=item).first()


def _inspection_form(item: WorkItem, case: Case, data=None, files=None) -> InspectionForm:
    record = _inspection(item, case)
    return InspectionForm(data, files, checklist=inspection.checklist_of(case),
                          saved=record.results if record else None,
                          initial={"expected_version": case.lock_version,
                                   "conclusion": record.conclusion if record else "",
                                   "inspectors": record.inspectors if record else ""})


def _forms(case: Case, item: WorkItem | None = None) -> dict:
    version = {"expected_version": case.lock_version}
    forms = {
        "opinion": OpinionForm(initial=version),
        "decision": DecisionForm(initial=version),
        "return": ReturnForm(initial=version),
        **review_forms(case),
    }
    if item is not None and inspection.is_inspection_step(item):
        forms["inspection"] = _inspection_form(item, case)
    return forms


def _draft(item: WorkItem, case: Case):
    """The licence draft the chief sees at 决定 (None on other steps, or no licence)."""
    if not is_decision_step(item) or item.status != WorkItem.Status.READY:
        return None
    return case_selectors.licence_draft(case, on_date=timezone.localdate())


def _correction_form(case: Case, draft, data=None) -> LicenceCorrectionForm:
    return LicenceCorrectionForm(data, fields=draft.fields if draft else (),
                                 initial={"expected_version": case.lock_version})


def _task_actions(item: WorkItem, case: Case, timing, allowed: set[str]) -> set[str]:
    """The forms this step shows now: the step's own (opinion, or the decision; 退回)
    while the case is in review, and the case-level actions the selector allows this
    actor (the services check again and have the last word)."""
    if item.status != WorkItem.Status.READY:
        return set()
    actions: set[str] = set()
    if case.status == S.IN_REVIEW:
        # A review step's 退回 is one of the opinion form's three answers.
        actions |= {"decision"} if is_decision_step(item) else {"opinion"}
        if inspection.is_inspection_step(item):
            actions.add("inspection")
    return actions | review_actions(allowed, timing, may_request=item.role == Role.HANDLER)


def task_context(request, item: WorkItem, case: Case, *, bound: dict | None = None,
                 open_action: str = "", errors: list[ErrorEntry] | None = None) -> dict:
    today = timezone.localdate()
    context = staff_case_context(request, case)
    timing = context["timing"]
    forms = _forms(case, item)
    draft = _draft(item, case)
    if draft is not None:
        forms["licence_correct"] = _correction_form(case, draft)
    forms.update(bound or {})
    distinct_ids(forms)
    row = workflow.work_item_row(item=item, today=today)
    actions = _task_actions(item, case, timing, context["allowed"])
    suspended = case.status == S.SUSPENDED
    context.update({
        "item": item, "item_open": item.status == WorkItem.Status.READY,
        "forms": forms, "open_action": open_action, "errors": errors or [],
        "task_actions": actions,
        "review_actions": actions & set(REVIEW_ACTIONS),
        "review_urls": task_review_urls(item),
        "is_decision": is_decision_step(item),
        "is_inspection": inspection.is_inspection_step(item),
        "licence_draft": draft,
        "can_correct_licence": draft is not None and "decision" in actions,
        "inspection_record": _inspection(item, case),
        "task_css": deadline_css(DeadlineState.SUSPENDED if suspended else row.deadline_status),
        "task_label": gettext("特别程序，暂停计时") if suspended else row.deadline_label,
        "task_days_left": None if suspended else row.working_days_left,
        "nav_active": "worklist",
    })
    return context


@staff_required
def task_page(request, task_id: int):
    if request.method == "POST":
        # The forms post to the page itself (``do`` names the action), so an error or the
        # confirmation step shows at the page's own address, not at an action URL.
        handler = TASK_ACTIONS.get(request.POST.get("do", ""))
        if handler is None:
            return redirect("web:task", task_id=task_id)
        return handler(request, task_id)
    item = _task(request, task_id)
    case = _case(item)
    return render(request, "web/approval/task.html", task_context(request, item, case))


def _act(request, task_id: int, *, name: str, make_form: Callable, perform: Callable,
         done: StrOrPromise | Callable[[Case], str]):
    """One action of the task page (ui.run_action): back to the task while it is still
    ready, to the worklist once the step is done."""
    item = _task(request, task_id)
    case = _case(item)
    if request.method != "POST":
        return redirect("web:task", task_id=task_id)
    form = make_form(request.POST)

    def next_page(_result) -> str:
        item.refresh_from_db()
        if item.status == WorkItem.Status.READY:
            return reverse("web:task", args=[task_id])
        return reverse("web:worklist")

    def page(outcome):
        case.refresh_from_db()
        item.refresh_from_db()
        return render(request, "web/approval/task.html", task_context(
            request, item, case, bound={name: form}, open_action=name, errors=outcome.errors))

    return run_action(request, form, lambda data: perform(request, item, case, data),
                      name=name, done=done, success=next_page, page=page,
                      conflict_hint=CONFLICT_TEXT, conflict_href="#case-status")


def _version(data) -> int | None:
    return data.get("expected_version")


@staff_required
def task_opinion(request, task_id: int):
    def done(_case) -> str:
        if request.POST.get("stance") == "return":
            return gettext("已退回上一环节，退回理由已随件转达。")
        return gettext("审查意见已提交，办件已转到下一环节。")

    return _act(
        request, task_id, name="opinion", make_form=OpinionForm,
        perform=lambda r, i, c, d: services.case_task_complete(
            actor=r.user, work_item=i, opinion=d.get("opinion", ""), stance=d["stance"],
            reasons=d.get("reasons", ""), expected_version=_version(d), now=timezone.now()),
        done=done,
    )


@staff_required
def task_decision(request, task_id: int):
    if request.method == "POST":
        item = _task(request, task_id)
        case = _case(item)
        form = DecisionForm(request.POST)
        if wants_edit(request):
            form.is_valid()
            context = task_context(request, item, case, bound={"decision": form},
                                   open_action="decision")
            return render(request, "web/approval/task.html", context)
        if wants_confirmation(request, form):
            data = form.cleaned_data
            return decision_confirmation(
                request, case=case, form=form, do="decision",
                page_url=reverse("web:task", args=[item.pk]),
                approve=data["decision"] == "approve", opinion=data["opinion"],
                reasons=data.get("reasons", ""))

    def perform(r, item, case, d):
        if d["decision"] == "return":
            return services.case_return(actor=r.user, work_item=item,
                                        reason=d["opinion"], expected_version=_version(d),
                                        now=timezone.now())
        return services.case_task_complete(
            actor=r.user, work_item=item, opinion=d["opinion"], decision=d["decision"],
            reasons=d.get("reasons", ""), expected_version=_version(d), now=timezone.now())

    return _act(request, task_id, name="decision", make_form=DecisionForm, perform=perform,
                done=gettext("已作出决定，决定书已生成，办理结果转统一出件窗口。"))


@staff_required
def task_inspection(request, task_id: int):
    """Save the step's 现场核查记录 (the page's multipart form: results, notes, photos)."""
    item = _task(request, task_id)
    case = _case(item)
    if request.method != "POST":
        return redirect("web:task", task_id=task_id)
    form = _inspection_form(item, case, request.POST, request.FILES)

    def perform(d):
        results, photos = {}, {}
        record = _inspection(item, case)  # photos saved before stay with their point
        for point in form.points:
            key = point["key"]
            kept = ((record.results.get(key) or {}).get("photos", []) if record else [])
            results[key] = {"result": d[f"result_{key}"], "note": d.get(f"note_{key}", ""),
                            "photos": kept}
            upload = d.get(f"photo_{key}")
            if upload:
                photos[key] = [(upload, upload.name or "")]
        return services.inspection_record_save(
            actor=request.user, work_item=item, results=results,
            conclusion=d.get("conclusion", ""), inspectors=d.get("inspectors", ""),
            photos=photos, expected_version=_version(d), now=timezone.now())

    def page(outcome):
        case.refresh_from_db()
        item.refresh_from_db()
        return render(request, "web/approval/task.html", task_context(
            request, item, case, bound={"inspection": form}, open_action="inspection",
            errors=outcome.errors))

    return run_action(request, form, perform, name="inspection", aliases=form.aliases(),
                      done=gettext("现场核查记录已保存。核查完毕后，请提交本环节的审查意见。"),
                      success=reverse("web:task", args=[task_id]), page=page,
                      conflict_hint=CONFLICT_TEXT, conflict_href="#case-status")


@staff_required
def task_inspection_pdf(request, task_id: int):
    """The step's 现场核查记录 as PDF (the handler prints it for signatures)."""
    item = _task(request, task_id)
    case = _case(item)
    record = _inspection(item, case)
    if record is None:
        raise Http404
    pdf = notices.inspection_pdf(record)
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(pdf.filename)}"
    return response


@staff_required
def task_licence_correct(request, task_id: int):
    """The chief corrects one field of the licence draft at 决定."""
    item = _task(request, task_id)
    case = _case(item)
    draft = _draft(item, case)
    return _act(
        request, task_id, name="licence_correct",
        make_form=lambda data: _correction_form(case, draft, data),
        perform=lambda r, i, c, d: services.licence_draft_correct(
            actor=r.user, case=c, field=d["field"], value=d["value"], reason=d["reason"],
            expected_version=_version(d), now=timezone.now()),
        done=gettext("证照草稿已更正，更正理由已记录。签发的证照将使用更正后的内容。"),
    )


@staff_required
def case_inspection_pdf(request, number: str, record_id: int):
    """A 现场核查记录 of the case as PDF, for staff who may see the case."""
    try:
        record = case_selectors.access_inspection(actor=request.user, ref=number,
                                                  record_id=record_id)
    except NotFound as exc:
        raise Http404 from exc
    pdf = notices.inspection_pdf(record)
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(pdf.filename)}"
    return response


@staff_required
def task_return(request, task_id: int):
    return _act(
        request, task_id, name="return", make_form=ReturnForm,
        perform=lambda r, i, c, d: services.case_return(
            actor=r.user, work_item=i, reason=d["reason"], expected_version=_version(d),
            now=timezone.now()),
        done=gettext("已退回上一环节，退回理由已随件转达。"),
    )


@staff_required
def task_review(request, task_id: int, *, action: str):
    """Suspend / resume / extension request / extension decision from the task page."""
    review = REVIEW[action]
    return _act(request, task_id, name=action, make_form=review.make_form,
                perform=lambda r, i, c, d: review.perform(r.user, c, d, timezone.now()),
                done=review.done)


def _review_handler(action: str):
    return lambda request, task_id: task_review(request, task_id, action=action)


# The task page's forms, by the ``do`` value they post to the page itself.
TASK_ACTIONS = {
    "opinion": task_opinion, "decision": task_decision, "return": task_return,
    "inspection": task_inspection, "licence_correct": task_licence_correct,
    **{action: _review_handler(action) for action in REVIEW},
}
