"""Reads of Cases II (re-exported by cases.selectors): where a case stands against its time
limits with a day-by-day explanation, the output window queue (Art. 44) and the opinions
of the review steps.

Everything is derived from the action log through ``deadlines.compute`` and the working
calendar, so what the clerk reads out ("why is it due then?") is the same computation
that set the due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from onewindow.catalog.codes import LimitUnit
from onewindow.common.pagination import keyset_page
from onewindow.workdays import selectors as workdays
from onewindow.workdays.models import DayKind, DeadlineState

from . import deadlines, permissions, reads
from .codes import (
    ActionKind,
    CaseStatus,
    DayLineKind,
    DeliveryChannel,
    ExtensionState,
    ReviewStance,
    SuspensionProcedure,
)
from .models import Case

K = ActionKind
S = CaseStatus

MAX_EXPLAINED_DAYS = 800
WEEKDAYS = "一二三四五六日"

DS = DeadlineState


# --- timing ------------------------------------------------------------------------------------


L = DayLineKind
NOT_STARTED_LABEL = gettext_noop("未开始计时")


@dataclass(frozen=True)
class DayLine:
    """One day of the explanation."""

    date: dt.date
    kind: DayLineKind
    label: str  # what happened, in words
    counted: int | None = None  # the n-th day counted towards the promised limit
    holiday: str = ""           # the holiday's name from the State Council notice
    is_due: bool = False        # the promised due date (the legal one without a promise)
    is_legal_due: bool = False  # the legal due date
    provisional: bool = False   # a statutory holiday of a year whose notice is not out


@dataclass(frozen=True)
class SuspensionView:
    procedure: str
    procedure_label: str
    start_date: dt.date
    end_date: dt.date | None
    expected_days: int
    working_days: int
    reason: str


@dataclass(frozen=True)
class Timing:
    start_date: dt.date | None
    unit: str
    promised_limit: str
    legal_limit: str
    promised_due_date: dt.date | None
    legal_due_date: dt.date | None
    base_promised_due_date: dt.date | None
    base_legal_due_date: dt.date | None
    provisional: bool
    suspended: bool
    working_days_used: int
    working_days_left: int | None
    working_days_suspended: int
    suspensions: list[SuspensionView]
    extension_state: ExtensionState
    extension_days: int
    extension_requested_days: int
    allowed_extension_days: int
    decision_date: dt.date | None
    output_due_date: dt.date | None
    state: DeadlineState  # NONE before acceptance; DONE / DONE_LATE once decided
    state_label: str      # the state's label (a field: the API serialises the fields)
    explanation: list[DayLine] = field(default_factory=list)

    @property
    def running(self) -> bool:
        """The clock runs: a state that counts days left (not before, after or stopped)."""
        return self.state in (DS.NORMAL, DS.DUE_SOON, DS.OVERDUE)


def _stopped_on(day: dt.date, suspensions, *, legal: bool) -> deadlines.Suspension | None:
    """The suspension that stopped the clock of the explained date on ``day``, if any (one
    that began after that date had lapsed stopped nothing)."""
    for s in suspensions:
        moved = s.moves_legal if legal else s.moves_promised
        if moved and s.start_date < day <= s.last_date:
            return s
    return None


def _procedure_label(procedure: str) -> str:
    if procedure in SuspensionProcedure.values:
        return str(SuspensionProcedure(procedure).label)
    return "特别程序"


def _due_marks(day: dt.date, promised: dt.date | None, legal: dt.date | None) -> str:
    marks = []
    if day == promised:
        marks.append("承诺")
    if day == legal:
        marks.append("法定")
    return f"（{'、'.join(marks)}办结期限）" if marks else ""


def explain(result: deadlines.Deadlines, *, version, until: dt.date) -> list[DayLine]:
    """Day by day from the day after acceptance to the latest of the promised date, the
    legal date and ``until``: which days counted, which were weekends, holidays (by name;
    provisional ones said so), 调休 working days, suspended days, extension days, a
    natural-day limit carried past a rest day, and days past each due date."""
    start = result.start_date
    if start is None:
        return []
    promised, legal = result.promised_due_date, result.legal_due_date
    primary_is_legal = not version.promised_limit_unit
    unit = version.legal_limit_unit if primary_is_legal else version.promised_limit_unit
    amount = (version.legal_limit_amount if primary_is_legal
              else version.promised_limit_amount) or 0
    if unit == LimitUnit.HOUR:  # counted in hours: the day lines only show what was open
        amount = 0
    due = promised or legal or start
    latest = max(d for d in (due, legal, until) if d is not None)
    last = min(latest, start + dt.timedelta(days=MAX_EXPLAINED_DAYS))
    special = workdays.named_days_between(start, last)
    natural = unit == LimitUnit.NATURAL_DAY
    unit_word = "日" if natural else "个工作日"
    lines: list[DayLine] = []
    counted = 0
    day = start
    while day < last:
        day += dt.timedelta(days=1)
        named = special.get(day)
        working = workdays.is_working_day(day)
        weekday = f"星期{WEEKDAYS[day.weekday()]}"
        holiday = named.name if named else ""
        provisional = bool(named and named.provisional)
        marks = _due_marks(day, promised, legal)
        flags = {"holiday": holiday, "is_due": day == due, "is_legal_due": day == legal,
                 "provisional": provisional}
        suspension = _stopped_on(day, result.suspensions, legal=primary_is_legal)
        if suspension is not None and (working or natural):
            text = f"{weekday}，{_procedure_label(suspension.procedure)}期间，不计入办理时限"
            lines.append(DayLine(day, L.SUSPENDED, text + marks, **flags))
            continue
        if not (working or natural):
            if named and named.kind == DayKind.HOLIDAY:
                name = holiday or "法定节假日"
                note = "（法定节假日，放假通知未发布，调休待定）" if provisional else ""
                text = f"{weekday}，{name}放假{note}，不计"
                lines.append(DayLine(day, L.HOLIDAY, text + marks, **flags))
            else:
                lines.append(DayLine(day, L.WEEKEND, f"{weekday}，休息日，不计" + marks,
                                     **flags))
            continue
        counted += 1
        count = f"计第 {counted} {unit_word}"
        if day > due:
            # By date, not by count: a natural-day limit whose last day is a rest day
            # runs on to the next working day, so counting alone would call it late.
            kind = L.OVERDUE
            if legal is not None and legal != due and day <= legal:
                text = f"{weekday}，已超过承诺办结期限（仍在法定期限内），{count}"
                if not primary_is_legal and _stopped_on(day, result.suspensions, legal=True):
                    # The promise had lapsed before the procedure began; the legal clock
                    # had time left and stopped.
                    text += "；特别程序期间，法定期限暂停计时"
            elif legal is not None and legal != due:
                text = f"{weekday}，已超过法定办结期限，{count}"
            else:
                text = f"{weekday}，已超过办结期限，{count}"
        elif amount and counted > amount and counted <= amount + result.extension_days:
            kind = L.EXTENDED
            text = f"{weekday}，延长期限（第四十二条），{count}"
        elif amount and counted > amount:
            # Only a natural-day limit gets here: its last day fell on a rest day, and the
            # period runs on to the next working day (民法典第二百零三条).
            kind = L.CARRIED
            text = f"{weekday}，期限末日为休息日，顺延至此，{count}"
        elif named and named.kind == DayKind.WORKDAY and day.weekday() >= 5:
            kind = L.ADJUSTED_WORKDAY
            reason = f"{holiday}调休" if holiday else "调休"
            text = f"{weekday}，{reason}上班，{count}"
        else:
            kind = L.COUNTED
            text = f"{weekday}，{count}"
        lines.append(DayLine(day, kind, text + marks, counted=counted, **flags))
    return lines


def case_timing(case: Case, *, today: dt.date) -> Timing:
    """Where ``case`` stands against its limits on ``today`` (call access_case
    first): due dates, working days used / left / suspended, the extension, the Art. 44
    output deadline and the day-by-day explanation."""
    # Lazily: the services package imports the selectors (which re-export this module).
    from .services._common import limit_text
    from .services.review import allowed_extension_days

    version = case.version
    result = deadlines.compute(version=version, steps=deadlines.steps_of(case))
    closed = deadlines.local_date(case.decided_at or case.closed_at) if (
        case.decided_at or case.closed_at) else None
    reference = min(today, closed) if closed else today
    lines = explain(result, version=version, until=reference)
    used = sum(1 for line in lines if line.counted and line.date <= reference)
    suspended_days = sum(1 for line in lines if line.kind == L.SUSPENDED
                         and line.date <= reference)
    due = result.promised_due_date or result.legal_due_date
    left = None
    if due is not None and result.start_date is not None:
        total = sum(1 for line in lines if line.counted and line.date <= due)
        if due >= reference:
            left = total - used
        else:
            left = -max(sum(1 for line in lines if line.counted and due < line.date <= reference),
                        1)
    state_value, request = reads.extension_state(case)
    state = DS.NONE if result.start_date is None else workdays.deadline_state(
        due, today, suspended=case.status == S.SUSPENDED, finished_on=closed)
    return Timing(
        start_date=result.start_date,
        unit=version.promised_limit_unit or version.legal_limit_unit,
        promised_limit=limit_text(version.promised_limit_amount, version.promised_limit_unit),
        legal_limit=limit_text(version.legal_limit_amount, version.legal_limit_unit),
        promised_due_date=result.promised_due_date,
        legal_due_date=result.legal_due_date,
        base_promised_due_date=result.base_promised_due_date,
        base_legal_due_date=result.base_legal_due_date,
        provisional=result.provisional,
        suspended=result.suspended,
        working_days_used=used,
        working_days_left=left,
        working_days_suspended=suspended_days,
        suspensions=[
            SuspensionView(
                s.procedure,
                str(SuspensionProcedure(s.procedure).label)
                if s.procedure in SuspensionProcedure.values else s.procedure,
                s.start_date, s.end_date, s.expected_days, s.working_days, s.reason)
            for s in result.suspensions
        ],
        extension_state=state_value,
        extension_days=result.extension_days,
        extension_requested_days=int(request.data.get("days") or 0) if request else 0,
        allowed_extension_days=allowed_extension_days(version),
        decision_date=result.decision_date,
        output_due_date=result.output_due_date,
        state=state,
        # Before acceptance the item has limits, they just have not started to run.
        state_label=NOT_STARTED_LABEL if result.start_date is None else str(state.label),
        explanation=lines,
    )


# --- the output window --------------------------------------------------------------------------


@dataclass(frozen=True)
class OutputRow:
    case: Case
    number: str
    item_name: str
    applicant_name: str
    decision: str
    decision_label: str
    decided_date: dt.date | None
    channel: str
    channel_label: str
    delivery_address: str
    mail_dispatched: bool
    output_due_date: dt.date | None
    working_days_left: int | None
    colour: DeadlineState
    colour_label: str  # a field, not a property: the API serialises the fields
    lock_version: int


@dataclass(frozen=True)
class OutputPage:
    rows: list[OutputRow]
    next_cursor: str | None
    total: int


def _waiting(actor):
    return Case.objects.filter(permissions.deliver_q(actor), status__in=[S.APPROVED, S.DENIED])


def output_queue_page(*, actor, today: dt.date, cursor: str | None = None, limit: int = 50
                      ) -> OutputPage:
    """One page of the output window (统一出件), soonest Art. 44 deadline first, with the
    number of cases waiting in all. A stale cursor raises common.pagination.InvalidCursor."""
    queryset = (_waiting(actor).select_related("version", "applicant_person", "applicant_legal")
                .defer("workflow_state"))
    page = keyset_page(queryset, order=["output_due_date", "id"], cursor=cursor, limit=limit)
    return OutputPage(rows=_output_rows(page.items, today), next_cursor=page.next_cursor,
                      total=_waiting(actor).count())


def output_queue(*, actor, today: dt.date, limit: int = 200) -> list[OutputRow]:
    """Decided cases waiting at the actor's output window(s) (统一出件), soonest Art. 44
    deadline first: decision, channel, the due date (decision + 10 working days) and its
    colour. Delivered cases leave the queue. The first ``limit`` only: lists that people
    page through use ``output_queue_page``."""
    return output_queue_page(actor=actor, today=today, limit=limit).rows


def _output_rows(cases, today: dt.date) -> list[OutputRow]:
    rows = list(cases)
    dispatched = set(
        Case.objects.filter(pk__in=[c.pk for c in rows], actions__kind=K.MAIL_DISPATCH)
        .values_list("pk", flat=True)
    )
    result = []
    calendar = workdays.get_calendar()
    for case in rows:
        due = case.output_due_date
        left = workdays.working_days_between(today, due) if due else None
        if left is not None and due is not None and due < today:
            left = min(left, -1)
        shade = workdays.deadline_state(due, today, calendar=calendar)
        result.append(OutputRow(
            case=case, number=case.number or "", item_name=case.version.name,
            applicant_name=(case.applicant_legal.name if case.applicant_legal_id
                            else case.applicant_person.name),
            decision=case.status, decision_label=str(CaseStatus(case.status).label),
            decided_date=deadlines.local_date(case.decided_at) if case.decided_at else None,
            channel=case.delivery_channel,
            channel_label=str(DeliveryChannel(case.delivery_channel).label),
            delivery_address=case.delivery_address, mail_dispatched=case.pk in dispatched,
            output_due_date=due, working_days_left=left, colour=shade,
            colour_label=str(shade.label), lock_version=case.lock_version,
        ))
    return result


# --- opinions -----------------------------------------------------------------------------------


DECISION_LABELS = {"approve": "准予", "deny": "不予", "return": "退回"}
STANCE_LABELS = {str(k): str(v) for k, v in ReviewStance.choices}


@dataclass(frozen=True)
class Opinion:
    seq: int
    kind: str
    step: str
    organisation: str
    actor_label: str
    occurred_at: dt.datetime
    opinion: str
    decision: str
    decision_label: str
    reasons: str
    stance: str = ""
    stance_label: str = ""


def case_opinions(case: Case) -> list[Opinion]:
    """The opinions of every review step and 退回, oldest first."""
    result = []
    for action in case.actions.filter(kind__in=[K.TASK_COMPLETE, K.RETURN]).order_by("seq"):
        data = action.data or {}
        decision = data.get("decision") or ("return" if action.kind == K.RETURN else "")
        result.append(Opinion(
            seq=action.seq, kind=action.kind, step=data.get("task_label", ""),
            organisation=data.get("organisation", ""), actor_label=action.actor_label,
            occurred_at=action.occurred_at, opinion=data.get("opinion", ""),
            decision=decision, decision_label=DECISION_LABELS.get(decision, decision),
            reasons=data.get("reasons", ""),
            stance=data.get("stance", ""),
            stance_label=STANCE_LABELS.get(data.get("stance", ""), ""),
        ))
    return result
