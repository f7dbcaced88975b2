"""The task page (办理): one ready step of a case for a handler or chief representative —
the case file (applicant masked per role, form data, materials with their files, earlier
opinions, the time panel, the timeline) and the forms of this step only: an opinion on a
review step; approve / deny (reasons, remedies shown) / 退回 on the decision step;
suspend and resume (特别程序); the handler's extension request and the chief's decision.

Every form carries the case version the page showed; a stale page gets the conflict
message (409) and nothing is written. A task of another department is missing (404).
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from onewindow.cases import selectors, services
from onewindow.cases.codes import CaseStatus
from onewindow.cases.errors import CaseNotFound
from onewindow.cases.models import Case
from onewindow.common.errors import NotFound
from onewindow.common.ids import is_row_id
from onewindow.identity.models import Role
from onewindow.workdays.models import DeadlineState
from onewindow.workflow import selectors as workflow
from onewindow.workflow.models import WorkItem

from ..forms_approval import (
    DecisionForm,
    ExtendDecideForm,
    ExtendRequestForm,
    OpinionForm,
    ResumeForm,
    ReturnForm,
    SuspendForm,
)
from .approval_common import (
    REVIEW_ACTIONS,
    review_actions,
    review_forms,
    run_action,
    suspension_procedures,
    task_review_urls,
)
from .cases_common import ErrorEntry, deadline_css, distinct_ids
from .confirm import confirmation_page, wants_confirmation, wants_edit
from .front_desk import remedies, staff_case_context
from .workbench import staff_required
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


def _forms(case: Case) -> dict:
    version = {"expected_version": case.lock_version}
    return {
        "opinion": OpinionForm(initial=version),
        "decision": DecisionForm(initial=version),
        "return": ReturnForm(initial=version),
        **review_forms(case),
    }


def _task_actions(item: WorkItem, case: Case, timing, allowed: set[str]) -> set[str]:
    """The forms this step shows now: the step's own (opinion, or the decision; 退回)
    while the case is in review, and the case-level actions the selector allows this
    actor (the services check again and have the last word)."""
    if item.status != WorkItem.Status.READY:
        return set()
    actions: set[str] = set()
    if case.status == S.IN_REVIEW:
        actions |= {"decision"} if is_decision_step(item) else {"opinion", "return"}
    return actions | review_actions(allowed, timing, may_request=item.role == Role.HANDLER)


def task_context(request, item: WorkItem, case: Case, *, bound: dict | None = None,
                 open_action: str = "", errors: list[ErrorEntry] | None = None) -> dict:
    today = timezone.localdate()
    context = staff_case_context(request, case)
    timing = context["timing"]
    forms = _forms(case)
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
         done: str):
    """One action of the task page: check the form's shape, call the one service, show
    the domain's message next to the field (or at the top), or the conflict text."""
    item = _task(request, task_id)
    case = _case(item)
    if request.method != "POST":
        return redirect("web:task", task_id=task_id)
    form = make_form(request.POST)
    outcome = run_action(form, lambda data: perform(request, item, case, data), name=name)
    if outcome.done:
        messages.success(request, done)
        item.refresh_from_db()
        if item.status == WorkItem.Status.READY:
            return redirect("web:task", task_id=task_id)
        return redirect("web:worklist")
    case.refresh_from_db()
    item.refresh_from_db()
    context = task_context(request, item, case, bound={name: form}, open_action=name,
                           errors=outcome.errors)
    return render(request, "web/approval/task.html", context, status=outcome.status)


def _version(data) -> int | None:
    return data.get("expected_version")


@staff_required
def task_opinion(request, task_id: int):
    return _act(
        request, task_id, name="opinion", make_form=OpinionForm,
        perform=lambda r, i, c, d: services.case_task_complete(
            actor=r.user, work_item=i, opinion=d["opinion"],
            expected_version=_version(d), now=timezone.now()),
        done=gettext("审查意见已提交，办件已转到下一环节。"),
    )


def decision_consequences(case: Case, *, approve: bool) -> list[str]:
    """What a final decision does, in the words the confirmation page shows."""
    centre = case.centre.name
    if not approve:
        return [gettext("办件办结，出具《不予行政许可决定书》，写明理由，作出后不能撤回。"),
                # remedies() is marked-up (quoted Chinese): keep it safe, not escaped.
                format_html(gettext("决定书告知申请人救济途径：{}"), remedies()),
                gettext("决定书转%(centre)s统一出件窗口，送达申请人；申请人会收到消息和短信。")
                % {"centre": centre}]
    lines = [gettext("办件办结，出具《准予行政许可决定书》（加盖印章），作出后不能撤回。")]
    version = case.version
    if version.result_kind == "LICENCE" and version.result_licence_type:
        name = version.result_name or gettext("许可证")
        lines.append(gettext("同时签发电子证照“%(name)s”，申请人可在“我的证照”中查看。")
                     % {"name": name})
    lines.append(gettext("办理结果转%(centre)s统一出件窗口，自决定之日起 10 个工作日内送达申请人"
                         "（行政许可法第四十四条）；申请人会收到消息和短信。") % {"centre": centre})
    return lines


def _applicant_name(request, case: Case) -> str:
    view = selectors.applicant_view(viewer=request.user, case=case)
    return view.legal_name or view.name


def _confirm_decision(request, item: WorkItem, case: Case, form):
    approve = form.cleaned_data["decision"] == "approve"
    facts = [("办件编号", case.number), ("事项", case.version.name),
             ("申请人", _applicant_name(request, case)),
             ("审批意见", form.cleaned_data["opinion"])]
    if not approve:
        facts.append(("不予许可的理由", form.cleaned_data.get("reasons", "")))
    return confirmation_page(
        request, form=form, action_url=reverse("web:task", args=[item.pk]), do="decision",
        title="确认准予许可？" if approve else "确认不予许可？",
        consequences=decision_consequences(case, approve=approve), facts=facts,
        button="确认准予许可" if approve else "确认不予许可", danger=not approve,
        back_url=reverse("web:task", args=[item.pk]),
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
            return _confirm_decision(request, item, case, form)

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
def task_return(request, task_id: int):
    return _act(
        request, task_id, name="return", make_form=ReturnForm,
        perform=lambda r, i, c, d: services.case_return(
            actor=r.user, work_item=i, reason=d["reason"], expected_version=_version(d),
            now=timezone.now()),
        done=gettext("已退回上一环节，退回理由已随件转达。"),
    )


def _suspend_form(data):
    return SuspendForm(data, procedures=suspension_procedures())


def _suspend(r, case, d):
    return services.case_suspend(
        actor=r.user, case=case, procedure=d["procedure"], expected_days=d["expected_days"],
        reason=d["reason"], expected_version=_version(d), now=timezone.now())


def _resume(r, case, d):
    return services.case_resume(actor=r.user, case=case, note=d.get("note", ""),
                                expected_version=_version(d), now=timezone.now())


def _extend(r, case, d):
    return services.case_extend_request(actor=r.user, case=case, days=d["days"],
                                        reason=d["reason"], expected_version=_version(d),
                                        now=timezone.now())


def _extend_decide(r, case, d):
    return services.case_extend_decide(actor=r.user, case=case, approve=d["approve"],
                                       note=d.get("note", ""), expected_version=_version(d),
                                       now=timezone.now())


DONE = {
    "suspend": gettext_lazy("已启动特别程序，办理时限暂停计算；已书面告知申请人所需时间。"),
    "resume": gettext_lazy("特别程序已结束，办理时限恢复计算。"),
    "extend": gettext_lazy("延期申请已提交首席代表审批。"),
    "extend_decide": gettext_lazy("已对延期申请作出决定，结果已告知申请人。"),
}


@staff_required
def task_suspend(request, task_id: int):
    return _act(request, task_id, name="suspend", make_form=_suspend_form,
                perform=lambda r, i, c, d: _suspend(r, c, d), done=DONE["suspend"])


@staff_required
def task_resume(request, task_id: int):
    return _act(request, task_id, name="resume", make_form=ResumeForm,
                perform=lambda r, i, c, d: _resume(r, c, d), done=DONE["resume"])


@staff_required
def task_extend(request, task_id: int):
    return _act(request, task_id, name="extend", make_form=ExtendRequestForm,
                perform=lambda r, i, c, d: _extend(r, c, d), done=DONE["extend"])


@staff_required
def task_extend_decide(request, task_id: int):
    return _act(request, task_id, name="extend_decide", make_form=ExtendDecideForm,
                perform=lambda r, i, c, d: _extend_decide(r, c, d),
                done=DONE["extend_decide"])


# --- the same case-level actions from the staff case page --------------------------------------
# (a chief representative decides an extension request while the handler still has the
# step, so without a task of their own on the case)


def _case_act(request, number: str, *, name: str, make_form: Callable, perform: Callable):
    try:
        case = selectors.access_case(actor=request.user, ref=number)
    except CaseNotFound as exc:
        raise Http404 from exc
    if request.method != "POST":
        return redirect("web:staff-case", number=number)
    form = make_form(request.POST)
    outcome = run_action(form, lambda data: perform(request, case, data), name=name)
    if outcome.done:
        messages.success(request, DONE[name])
        return redirect("web:staff-case", number=number)
    case.refresh_from_db()
    context = staff_case_context(request, case, bound={name: form}, open_action=name,
                                 errors=outcome.errors)
    return render(request, "web/cases/staff_case.html", context, status=outcome.status)


@staff_required
def case_suspend(request, number: str):
    return _case_act(request, number, name="suspend", make_form=_suspend_form,
                     perform=_suspend)


@staff_required
def case_resume(request, number: str):
    return _case_act(request, number, name="resume", make_form=ResumeForm, perform=_resume)


@staff_required
def case_extend(request, number: str):
    return _case_act(request, number, name="extend", make_form=ExtendRequestForm,
                     perform=_extend)


@staff_required
def case_extend_decide(request, number: str):
    return _case_act(request, number, name="extend_decide", make_form=ExtendDecideForm,
                     perform=_extend_decide)


# The task page's forms, by the ``do`` value they post to the page itself.
TASK_ACTIONS = {
    "opinion": task_opinion, "decision": task_decision, "return": task_return,
    "suspend": task_suspend, "resume": task_resume, "extend": task_extend,
    "extend_decide": task_extend_decide,
}

# The case page's review forms (the front desk's own are in front_desk.CASE_ACTIONS).
CASE_REVIEW_ACTIONS = {
    "suspend": case_suspend, "resume": case_resume, "extend": case_extend,
    "extend_decide": case_extend_decide,
}
