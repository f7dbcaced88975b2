"""Back-office review (后台审批): the approval route of a case on the workflow engine,
opinions and decisions, 退回, Art. 45 suspensions and the Art. 42 extension.

The route's instance state lives on the case (``workflow_state``), behind the
``CaseWorkflowAdapter`` registered as subject type "cases.case" (see workflow.subjects). Every
completion or 退回 — through ``case_task_complete`` / ``case_return`` or the workflow
API — reaches ``on_workflow_step`` inside the engine's transaction: one code path
records the opinion in the action log and, when the route ends, makes the decision.

Lock order is the engine's (work items, then the case row) for every task operation,
so the two entry points cannot deadlock each other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from onewindow.catalog.codes import SpecialProcedureKind
from onewindow.common.actors import Actor
from onewindow.identity.models import Role
from onewindow.workdays import selectors as workdays
from onewindow.workflow import selectors as workflow_selectors
from onewindow.workflow import services as workflow_services
from onewindow.workflow.models import WorkItem
from onewindow.workflow.subjects import StepDone, StoredState

from .. import actions, deadlines, lifecycle
from ..codes import SUBJECT_TYPE as CASE_SUBJECT_TYPE
from ..codes import ActionKind, CaseStatus, ReviewStance, SuspensionProcedure
from ..errors import (
    CaseNotFound,
    DecisionInvalid,
    ExtensionTooLate,
    ExtensionTooLong,
    NoExtensionPending,
    NotACaseTask,
    SuspensionInvalid,
)
from ..models import Case
from ..reads import extension_state
from . import decision as decisions
from . import inspection
from ._common import iso, lock_case, lock_case_id, notice_base, preview_deadlines, require_reason

K = ActionKind
S = CaseStatus

SUBJECT_TYPE = CASE_SUBJECT_TYPE  # one subject-type string per entity (codes.py)
DECISIONS = ("approve", "deny", "return")
DEFAULT_EXTENSION_DAYS = 10
JOINT_EXTENSION_DAYS = 15
MAX_SUSPENSION_DAYS = 250


# --- the subject adapter ----------------------------------------------------------------------


class CaseWorkflowAdapter:
    """Instance state on the case row; lanes → the implementing department (joint lanes:
    the department they name; the window: the receiving centre); step deadline = the
    case's promised (else legal) due date.

    ``load_state`` locks and reads the whole case once (``lock_case_id``) and returns it
    as ``StoredState.subject``: the hooks and ``on_workflow_step`` use that row, so one
    step reads the case once and writes its state once (docs/decisions/0028)."""

    def load_state(self, subject_id: str, *, locked: Any = None) -> StoredState | None:
        if isinstance(locked, Case) and locked.pk == int(subject_id):
            case = locked  # locked by the caller in this transaction (case_accept)
        else:
            try:
                case = lock_case_id(int(subject_id))
            except CaseNotFound:
                return None
        return StoredState(case.workflow_state or "", case.workflow_state_version,
                           subject=case)

    def save_state(self, subject_id: str, state: StoredState, *, now: dt.datetime) -> None:
        Case.objects.filter(pk=int(subject_id)).update(
            workflow_state=state.state_json, workflow_state_version=state.version)
        if isinstance(state.subject, Case):
            state.subject.workflow_state = state.state_json
            state.subject.workflow_state_version = state.version

    def organisation_for_lane(self, subject_id: str, task, *, subject=None):
        case = _subject_case(subject_id, subject)
        if task.role == Role.WINDOW_CLERK:
            return case.centre
        return workflow_selectors.lane_organisation(department=task.department,
                                                    home=case.organisation)

    def due_date_for(self, subject_id: str, task, *, now: dt.datetime,
                     subject=None) -> dt.date | None:
        case = _subject_case(subject_id, subject)
        return case.promised_due_date or case.legal_due_date

    def after_step(self, subject_id: str, step: StepDone) -> None:
        on_workflow_step(subject_id, step)


def _subject_case(subject_id: str, subject) -> Case:
    if isinstance(subject, Case) and subject.pk == int(subject_id):
        return subject
    return Case.objects.select_related("organisation", "centre").get(pk=int(subject_id))


# --- starting the route -----------------------------------------------------------------------


def start_review(case: Case, *, actor, now: dt.datetime) -> None:
    """On acceptance of a non-即办 item: start its route (the version's uploaded one, else
    the generated default) and move the case to IN_REVIEW (caller's transaction).
    ``case`` is the row the caller has locked (``lock_case``)."""
    route = workflow_services.route_for(version=case.version)
    step = workflow_services.process_start_inner(
        actor=actor, route=route, subject_type=SUBJECT_TYPE, subject_id=str(case.pk),
        data={"case_number": case.number or ""}, now=now, locked_subject=case,
        audit=False,  # the ROUTE_START move below audits the route and its ready tasks
    )
    lifecycle.transition(
        case, K.ROUTE_START, actor=actor, now=now,
        data={"route_id": route.pk, "process_id": route.process_id, "source": route.source,
              "route_name": route.process_name,
              "ready": [{"task": item.task_label, "organisation": item.organisation.name}
                        for item in step.created]},
    )


# --- what a step means to the case (the one code path) ----------------------------------------


def _task_facts(work_item) -> dict[str, Any]:
    return {"work_item_id": work_item.pk, "task_name": work_item.task_name,
            "task_label": work_item.task_label, "role": work_item.role,
            "department": work_item.department,
            "organisation": work_item.organisation.name}


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def on_workflow_step(subject_id: str, step: StepDone) -> None:
    """What one step of the route means to the case. ``step.context["expected_version"]``
    is the case version the actor's page showed (a stale page gets a conflict)."""
    actor, work_item, instance, data, now = (step.actor, step.work_item, step.instance,
                                             step.data, step.now)
    case = _subject_case(subject_id, step.subject) if step.subject is not None else (
        lock_case_id(int(subject_id)))
    expected = step.context.get("expected_version")
    # Opinions are internal to the back office: they go into the action's data (read by
    # case_opinions for staff), not into its public ``reason`` shown on every timeline.
    if step.kind == "send_back":
        lifecycle.transition(
            case, K.RETURN, actor=actor, now=now, expected_version=expected,
            data={**_task_facts(work_item), "decision": "return", "stance": "return",
                  "opinion": _text(data.get("reason")),
                  "back_to": [task.label for task in instance.ready_tasks]},
        )
        _reschedule(case)
        return
    decision = data.get("decision")
    opinion = _text(data.get("opinion"))
    reasons = _text(data.get("reasons"))
    stance = _stance(data.get("stance"), reasons)
    inspection.require_record(case, work_item)  # a 现场核查 step leaves with its record
    if decision not in (None, "") and not _decides(case, work_item):
        # Only a step followed by a decision gateway decides; a review step that sent
        # "deny" would put a vote on the record that the route never acted on.
        raise DecisionInvalid(
            gettext_lazy("“%(work_item_task_label)s”环节只填写意见，不作准予、不予或退回的决定。")
            % {"work_item_task_label": work_item.task_label},
            details={"decision": decision},
        )
    if decision == "deny":
        reasons = require_reason(reasons, field="reasons", label=gettext_lazy("不予许可的理由"))
    if decision == "return":
        opinion = require_reason(opinion, field="opinion", label=gettext_lazy("退回理由"))
    lifecycle.transition(
        case, K.RETURN if decision == "return" else K.TASK_COMPLETE, actor=actor, now=now,
        expected_version=expected,
        data={**_task_facts(work_item),
              "decision": "" if decision is None else str(decision)[:64],
              "opinion": opinion, "reasons": reasons,
              **({"stance": stance} if stance else {}),
              "next": [task.label for task in instance.ready_tasks]},
    )
    if instance.finished:
        approve = _outcome(case, instance)
        if not approve and not reasons:
            reasons = require_reason(reasons, field="reasons", label=gettext_lazy("不予许可的理由"))
        decisions.decide(case, approve=approve, reasons=reasons, actor=actor, now=now,
                         instant=False, opinions=opinions_snapshot(case))


def _stance(value, reasons: str) -> str:
    """A review step's 拟同意 / 拟不同意 (with its reasons); 退回 goes by ``send_back``."""
    if value in (None, ""):
        return ""
    if value not in (ReviewStance.AGREE, ReviewStance.DISAGREE):
        message = gettext_lazy(
            "审查意见应为拟同意（agree）、拟不同意（disagree）或退回（return）。")
        raise DecisionInvalid(message, details={"stance": message})
    if value == ReviewStance.DISAGREE:
        require_reason(reasons, field="reasons", label=gettext_lazy("拟不同意的理由"))
    return str(value)


def _route_id(case: Case) -> int | None:
    started = (case.actions.filter(kind=K.ROUTE_START).order_by("-seq")
               .values_list("data", flat=True).first()) or {}
    route_id = started.get("route_id")
    return int(route_id) if route_id else None


def _decides(case: Case, work_item) -> bool:
    route_id = _route_id(case)
    return route_id is not None and workflow_selectors.task_decides(
        route_id=route_id, task_name=work_item.task_name)


def _outcome(case: Case, instance) -> bool:
    """Approve (True) or deny (False), as the end event the route reached declares it
    (workflow/outcomes.py) — never guessed from element ids."""
    route_id = _route_id(case)
    outcome = route_id is not None and workflow_selectors.route_outcome(
        route_id=route_id, end_events=instance.end_events, decision=instance.decision)
    if outcome == "approve":
        return True
    if outcome == "deny":
        return False
    raise DecisionInvalid(
        gettext_lazy("审批路线已结束，但没有作出准予或不予许可的决定：结束事件应声明 outcome"
                     "（approve、deny 或 decision），decision 应为 approve 或 deny。"),
        details={"decision": instance.decision, "end_events": list(instance.end_events)},
    )


def opinions_snapshot(case: Case) -> list[dict[str, Any]]:
    """The opinions so far, frozen into the decision document."""
    rows = case.actions.filter(kind__in=[K.TASK_COMPLETE, K.RETURN]).order_by("seq")
    return [{"step": a.data.get("task_label", ""), "actor": a.actor_label,
             "date": deadlines.local_date(a.occurred_at).isoformat(),
             "opinion": a.data.get("opinion", ""),
             "decision": a.data.get("decision", "")}
            for a in rows]


def recompute_provisional_deadlines(*, now: dt.datetime) -> int:
    """Recompute every open case whose due dates were provisional (counted into a year
    whose holiday notice was not yet loaded); returns how many cases' dates moved.

    Each case in its own short transaction, under the same locks as a task completion
    (its work items, then the case row) and recomputed inside them, so it neither
    deadlocks with a handler at work nor overwrites a suspension committed meanwhile."""
    candidates = list(
        Case.objects.filter(deadlines_provisional=True)
        .exclude(status__in=[S.DRAFT, S.REJECTED, S.WITHDRAWN, S.DELIVERED])
        .values_list("pk", flat=True)
    )
    moved = 0
    for case_id in candidates:
        with transaction.atomic(durable=True):
            workflow_services.work_items_lock(subject_type=SUBJECT_TYPE, subject_id=str(case_id))
            case = lock_case_id(case_id)
            if not case.deadlines_provisional:
                continue
            before = _dates(case)
            deadlines.store(case)
            if _dates(case) != before:
                moved += 1
                if case.workflow_state:
                    _reschedule(case)
    return moved


def _dates(case: Case) -> tuple:
    return (case.acceptance_due_date, case.promised_due_date, case.legal_due_date,
            case.tolerance_due_date, case.output_due_date)


def _reschedule(case: Case) -> None:
    workflow_services.work_items_reschedule(
        subject_type=SUBJECT_TYPE, subject_id=str(case.pk),
        due_date=case.promised_due_date or case.legal_due_date)


# --- tasks ------------------------------------------------------------------------------------


def _case_item(work_item: WorkItem) -> WorkItem:
    # Who may work on it is checked by the engine on the locked row (workflow.task-not-found).
    if work_item.subject_type != SUBJECT_TYPE:
        raise NotACaseTask(gettext_lazy("该任务不属于办件审批。"))
    return work_item


def _case_after(item, step) -> Case:
    # The case as the step left it (the adapter's locked row, moved in place), else read.
    if isinstance(step.subject, Case):
        return step.subject
    from ._common import case_queryset

    return case_queryset().get(pk=int(item.subject_id))


@transaction.atomic(durable=True)
def case_task_complete(*, actor: Actor, work_item: WorkItem, opinion: str,
                       decision: str | None = None, reasons: str = "",
                       stance: str | None = None,
                       expected_version: int | None = None, now: dt.datetime) -> Case:
    """Complete a review step (an opinion) or the decision step (``decision`` "approve" |
    "deny" | "return"; "deny" needs ``reasons``, "return" an opinion). When the route
    ends the case is APPROVED / DENIED, the decision document is frozen and the result
    queued for output. Tasks outside the actor's scope: workflow.task-not-found (404).

    ``stance`` is a review step's opinion form: "agree" (拟同意), "disagree" (拟不同意,
    ``reasons`` required) or "return" (退回 to the previous step, ``reasons`` — else the
    opinion — is the reason). It is recorded in the action data (``stance``)."""
    item = _case_item(work_item)
    if stance == ReviewStance.RETURN:
        if decision is not None:
            message = gettext_lazy("退回时不能同时作出准予或不予许可的决定。")
            raise DecisionInvalid(message, details={"decision": message})
        reason = require_reason((reasons or "").strip() or opinion, field="reasons",
                                label=gettext_lazy("退回理由"))
        step = workflow_services.task_send_back_inner(
            actor=actor, work_item=item, reason=reason, now=now,
            subject_context={"expected_version": expected_version})
        return _case_after(item, step)
    if decision is not None and decision not in DECISIONS:
        raise DecisionInvalid(
            gettext_lazy("办理结果应为准予（approve）、不予（deny）或退回（return）。"),
            details={"decision": decision},
        )
    reasons = (reasons or "").strip()
    if decision == "deny":
        reasons = require_reason(reasons, field="reasons", label=gettext_lazy("不予许可的理由"))
    data: dict[str, Any] = {}
    if decision is not None:
        data["decision"] = decision
    if reasons:
        data["reasons"] = reasons
    if stance not in (None, ""):
        _stance(stance, reasons)  # refused before the engine runs: nothing is written
        data["stance"] = stance
    step = workflow_services.task_complete_inner(
        actor=actor, work_item=item, data=data, opinion=opinion or "", now=now,
        subject_context={"expected_version": expected_version})
    return _case_after(item, step)


@transaction.atomic(durable=True)
def case_return(*, actor: Actor, work_item: WorkItem, reason: str,
                expected_version: int | None = None, now: dt.datetime) -> Case:
    """退回: send the case from this step back to the previous one, with a reason."""
    item = _case_item(work_item)
    reason = require_reason(reason, label=gettext_lazy("退回理由"))
    step = workflow_services.task_send_back_inner(
        actor=actor, work_item=item, reason=reason, now=now,
        subject_context={"expected_version": expected_version})
    return _case_after(item, step)


# --- Art. 45 suspensions -----------------------------------------------------------------------


def _lock_for_review(case: Case, actor: Actor, key: str, expected_version: int | None
                     ) -> Case:
    # The engine's lock order (work items, then the case): these services move the
    # worklist deadlines, and must not deadlock with a task completion of the same case.
    workflow_services.work_items_lock(subject_type=SUBJECT_TYPE, subject_id=str(case.pk))
    locked = lock_case(case)
    actions.guard(key, actor=actor, case=locked, expected_version=expected_version)
    return locked


def item_procedures(version) -> list[str]:
    """The item's own special procedures (kind 2, 除延长审批之外) by name."""
    return [str(row.get("name") or "") for row in version.special_procedures or []
            if str(row.get("kind")) == SpecialProcedureKind.OTHER]


@transaction.atomic(durable=True)
def case_suspend(*, actor: Actor, case: Case, procedure: str, expected_days: int, reason: str,
                 expected_version: int | None = None, now: dt.datetime) -> Case:
    """Stop the clock for a special procedure (Art. 45) or while waiting for 容缺
    materials. The applicant is told in writing (特别程序告知书) the expected duration in
    working days; the due dates are provisional until resumed."""
    locked = _lock_for_review(case, actor, "suspend", expected_version)
    if procedure not in SuspensionProcedure.values:
        message = gettext_lazy("请选择特别程序的种类。")
        raise SuspensionInvalid(message, details={"procedure": message})
    if procedure == SuspensionProcedure.ITEM_PROCEDURE and not item_procedures(locked.version):
        message = gettext_lazy("该事项的办事指南没有列明特别程序。")
        raise SuspensionInvalid(message, details={"procedure": message})
    try:
        days = int(expected_days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_SUSPENSION_DAYS:
        message = gettext_lazy("预计所需时间应为 1–%(max_suspension_days)s 个工作日。") % {
            "max_suspension_days": MAX_SUSPENSION_DAYS
        }
        raise SuspensionInvalid(message, details={"expected_days": message})
    reason = require_reason(reason, label=gettext_lazy("特别程序的事由"))
    label = SuspensionProcedure(procedure).label
    today = deadlines.local_date(now)
    expected_end = workdays.add_working_days(today, days)
    data: dict[str, Any] = {"procedure": procedure, "procedure_label": label,
                            "expected_days": days, "reason": reason,
                            "expected_end_date": expected_end.isoformat()}
    preview = preview_deadlines(locked, K.SUSPEND, now=now, data=data)
    data["notice"] = {
        **notice_base(locked, now=now, actor_label=lifecycle.actor_label(actor)),
        "kind": "suspension", "procedure": procedure, "procedure_label": label,
        "expected_days": days, "expected_end_date": expected_end.isoformat(),
        "reason": reason, "promised_due_date": iso(preview.promised_due_date),
        "legal_due_date": iso(preview.legal_due_date),
    }
    lifecycle.transition(locked, K.SUSPEND, actor=actor, now=now, reason=reason,
                         expected_version=expected_version, data=data)
    _reschedule(locked)
    return locked


@transaction.atomic(durable=True)
def case_resume(*, actor: Actor, case: Case, note: str = "", expected_version: int | None = None,
                now: dt.datetime) -> Case:
    """The special procedure is over: the clock runs again; the due dates move by exactly
    the working days it took (a date that had lapsed before it began stays put)."""
    locked = _lock_for_review(case, actor, "resume", expected_version)
    preview = preview_deadlines(locked, K.RESUME, now=now)
    last = preview.suspensions[-1] if preview.suspensions else None
    lifecycle.transition(
        locked, K.RESUME, actor=actor, now=now, reason=(note or "").strip(),
        expected_version=expected_version,
        data={"procedure": last.procedure if last else "",
              "suspended_working_days": last.working_days if last else 0,
              "dates_moved": bool(last and (last.moves_promised or last.moves_legal)),
              "promised_due_date": iso(preview.promised_due_date),
              "legal_due_date": iso(preview.legal_due_date)},
    )
    _reschedule(locked)
    return locked


# --- Art. 42 extension -------------------------------------------------------------------------


def allowed_extension_days(version) -> int:
    """The item's 延长审批 special procedure (kind 1) in working days, capped by Art. 42:
    10 working days, or 15 for joint or centralised handling (¶2) — the default too."""
    ceiling = JOINT_EXTENSION_DAYS if (version.joint_departments or "").strip() else (
        DEFAULT_EXTENSION_DAYS)
    for row in version.special_procedures or []:
        if str(row.get("kind")) == SpecialProcedureKind.EXTENSION and row.get("limit_amount"):
            return max(1, min(int(row["limit_amount"]), ceiling))
    return ceiling


def _check_in_time(case: Case, now: dt.datetime) -> None:
    """Art. 42: an extension is decided before the legal limit runs out, not after."""
    if case.legal_due_date and deadlines.local_date(now) > case.legal_due_date:
        raise ExtensionTooLate(
            gettext_lazy(
                "法定办结期限（%(case_legal_due_date)s）已过，不能再申请或批准延期"
                "（行政许可法第四十二条）。"
            )
            % {"case_legal_due_date": format(case.legal_due_date, "%Y-%m-%d")}
        )


@transaction.atomic(durable=True)
def case_extend_request(*, actor: Actor, case: Case, days: int, reason: str,
                        expected_version: int | None = None, now: dt.datetime) -> Case:
    """The handler asks for the Art. 42 extension: at most the item's allowed extension
    (default 10 working days), once per case (a refused request may be made again)."""
    locked = _lock_for_review(case, actor, "extend_request", expected_version)
    _check_in_time(locked, now)
    limit = allowed_extension_days(locked.version)
    try:
        wanted = int(days)
    except (TypeError, ValueError):
        wanted = 0
    if not 1 <= wanted <= limit:
        message = gettext_lazy("延长期限应为 1–%(limit)s 个工作日。") % {"limit": limit}
        raise ExtensionTooLong(message, details={"days": message, "max_days": limit})
    reason = require_reason(reason, label=gettext_lazy("延期理由"))
    lifecycle.transition(locked, K.EXTEND_REQUEST, actor=actor, now=now, reason=reason,
                         expected_version=expected_version,
                         data={"days": wanted, "max_days": limit})
    return locked


@transaction.atomic(durable=True)
def case_extend_decide(*, actor: Actor, case: Case, approve: bool, note: str = "",
                       expected_version: int | None = None, now: dt.datetime) -> Case:
    """The chief representative approves or refuses the pending extension request. An
    approval moves the due dates and tells the applicant the reason in writing."""
    locked = _lock_for_review(case, actor, "extend_decide", expected_version)
    kind = K.EXTEND_APPROVE if approve else K.EXTEND_REFUSE
    lifecycle.check(locked, kind, expected_version=expected_version)
    _, request = extension_state(locked)
    if request is None:  # actions.guard has refused this already
        raise NoExtensionPending(gettext_lazy("没有待审批的延期申请。"))
    if approve:
        _check_in_time(locked, now)
    note = (note or "").strip()
    days = int(request.data.get("days") or 0)
    data: dict[str, Any] = {"days": days, "request_seq": request.seq}
    if approve:
        preview = preview_deadlines(locked, K.EXTEND_APPROVE, now=now, data=data)
        data["notice"] = {
            **notice_base(locked, now=now, actor_label=lifecycle.actor_label(actor)),
            "kind": "extension", "days": days, "reason": request.reason, "note": note,
            "promised_due_date": iso(preview.promised_due_date),
            "legal_due_date": iso(preview.legal_due_date),
        }
    lifecycle.transition(locked, kind, actor=actor, now=now, reason=note,
                         expected_version=expected_version, data=data)
    if approve:
        _reschedule(locked)
    return locked
