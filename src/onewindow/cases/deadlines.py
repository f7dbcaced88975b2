"""Deadlines of a case, derived from its action log and the catalog version it holds
(DESIGN rule 7: time limits are data; deadlines are recomputed, never edited by hand).

- Art. 32 acceptance deadline: receipt date + 5 working days (setting
  ``ONEWINDOW_CASES_ACCEPTANCE_DAYS``). Receipt is the submission, or the supply of the
  last requested corrections; a correction request stops the clock.
- Promised / legal due dates: the version's 承诺/法定 limit counted from acceptance, or for
  a deemed acceptance from the receipt date (Art. 32).
- 容缺 deadline: the working days the clerk set at acceptance, until every tolerated
  material is supplied.

- Art. 45 suspensions (SUSPEND … RESUME): the working days strictly after the day the
  clock stopped up to and including the day it restarted are not counted, so the due
  dates move by exactly those working days (natural-day limits: by the calendar days).
  While a suspension is open its expected duration is assumed and the dates are
  provisional. A date that had already lapsed when the suspension began does not move:
  there was no time left to stop, and the case stays late through the procedure.
- Art. 42 extension (EXTEND_APPROVE): the approved working days are added once.
- Art. 44 output deadline: the decision date + 10 working days
  (setting ``ONEWINDOW_CASES_OUTPUT_DAYS``).

``compute`` is pure over (version, actions): everything above is read from the log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from onewindow.workdays import selectors as workdays

from .codes import ActionKind

CHINA_TZ = ZoneInfo("Asia/Shanghai")

K = ActionKind

# Action kinds that can change a deadline; others skip the recomputation.
RELEVANT_KINDS = frozenset(
    {K.SUBMIT, K.SUPPLY, K.REQUEST_CORRECTION, K.ACCEPT, K.DEEM_ACCEPT, K.SUPPLY_TOLERATED,
     K.SUSPEND, K.RESUME, K.EXTEND_APPROVE, K.APPROVE, K.DENY}
)


def acceptance_days() -> int:
    return int(getattr(settings, "ONEWINDOW_CASES_ACCEPTANCE_DAYS", 5))


def output_days() -> int:
    return int(getattr(settings, "ONEWINDOW_CASES_OUTPUT_DAYS", 10))


def local_date(moment: dt.datetime) -> dt.date:
    """The Beijing calendar date of an aware datetime."""
    return moment.astimezone(CHINA_TZ).date()


@dataclass(frozen=True)
class Step:
    """The part of an action the deadlines depend on."""

    kind: str
    occurred_at: dt.datetime
    data: dict[str, Any]


@dataclass(frozen=True)
class Suspension:
    """One stop of the clock. ``start_date`` still counts; the days after it up to and
    including ``end_date`` (the resumption) do not. While open (``end_date`` None) the
    ``expected_days`` working days the applicant was told are assumed."""

    procedure: str
    start_date: dt.date
    end_date: dt.date | None
    expected_days: int
    working_days: int  # suspended working days (expected ones while open)
    natural_days: int
    reason: str = ""
    # Whether it stopped the promised / legal clock: not if that date had already lapsed
    # when the suspension began.
    moves_promised: bool = True
    moves_legal: bool = True

    @property
    def last_date(self) -> dt.date:
        """The last day not counted (the resumption, or the expected one while open)."""
        if self.end_date is not None:
            return self.end_date
        return workdays.add_working_days(self.start_date, self.expected_days)


@dataclass(frozen=True)
class Deadlines:
    received_date: dt.date | None = None
    acceptance_due_date: dt.date | None = None
    start_date: dt.date | None = None
    promised_due_date: dt.date | None = None
    legal_due_date: dt.date | None = None
    tolerance_due_date: dt.date | None = None
    provisional: bool = False
    # Cases II
    base_promised_due_date: dt.date | None = None  # before suspensions and extension
    base_legal_due_date: dt.date | None = None
    suspensions: tuple[Suspension, ...] = ()
    extension_days: int = 0
    decision_date: dt.date | None = None
    output_due_date: dt.date | None = None

    @property
    def suspended(self) -> bool:
        return any(s.end_date is None for s in self.suspensions)

    @property
    def suspended_working_days(self) -> int:
        return sum(s.working_days for s in self.suspensions)


def add_limit(start: dt.datetime, amount: int | None, unit: str) -> tuple[dt.date | None, bool]:
    """(due date, provisional) of a limit of ``amount`` ``unit`` counted from ``start``."""
    if amount is None or not unit:
        return None, False
    day = local_date(start)
    if amount == 0:
        return day, False
    if unit == "WORKING_DAY":
        result = workdays.add_working_days_result(day, amount)
        return result.value, result.provisional
    if unit == "NATURAL_DAY":
        result = workdays.add_natural_days_result(day, amount)
        return result.value, result.provisional
    if unit == "HOUR":
        result = workdays.add_hours_result(start, float(amount))
        return local_date(result.value), result.provisional
    raise ValueError(f"unknown limit unit {unit!r}")


def acceptance_due(received_at: dt.datetime) -> tuple[dt.date, bool]:
    result = workdays.add_working_days_result(local_date(received_at), acceptance_days())
    return result.value, result.provisional


def compute(*, version, steps: Iterable[Step]) -> Deadlines:
    received_at = None
    acceptance_due_date = None
    start = None
    tolerance_days = None
    tolerance_open = False
    provisional = False
    suspensions: list[Suspension] = []
    open_suspension: dict[str, Any] | None = None
    extension_days = 0
    decision_date = None
    for step in steps:
        if step.kind in (K.SUBMIT, K.SUPPLY):
            received_at = step.occurred_at
            acceptance_due_date, flag = acceptance_due(received_at)
            provisional |= flag
        elif step.kind == K.REQUEST_CORRECTION:
            acceptance_due_date = None
        elif step.kind == K.ACCEPT:
            start = step.occurred_at
            tolerance_days = step.data.get("supply_days")
            tolerance_open = bool(step.data.get("tolerated"))
        elif step.kind == K.DEEM_ACCEPT:
            # Deemed accepted as of the receipt date: the limits run from receipt.
            start = received_at or step.occurred_at
        elif step.kind == K.SUPPLY_TOLERATED and step.data.get("all_supplied"):
            tolerance_open = False
        elif step.kind == K.SUSPEND and open_suspension is None:
            open_suspension = {"start": local_date(step.occurred_at),
                               "procedure": step.data.get("procedure", ""),
                               "expected_days": int(step.data.get("expected_days") or 0),
                               "reason": step.data.get("reason", "")}
        elif step.kind == K.RESUME and open_suspension is not None:
            suspensions.append(_suspension(open_suspension, local_date(step.occurred_at)))
            open_suspension = None
        elif step.kind == K.EXTEND_APPROVE and not extension_days:
            extension_days = int(step.data.get("days") or 0)
        elif step.kind in (K.APPROVE, K.DENY):
            decision_date = local_date(step.occurred_at)
    if open_suspension is not None:
        suspensions.append(_suspension(open_suspension, None))
        provisional = True
    promised = legal = tolerance = base_promised = base_legal = None
    if start is not None:
        base_promised, flag_p = add_limit(start, version.promised_limit_amount,
                                          version.promised_limit_unit)
        base_legal, flag_l = add_limit(start, version.legal_limit_amount,
                                       version.legal_limit_unit)
        provisional |= flag_p or flag_l
        promised, flag_p, moves_p = _moved(
            base_promised, version.promised_limit_unit, suspensions, extension_days,
            start=start, amount=version.promised_limit_amount)
        legal, flag_l, moves_l = _moved(
            base_legal, version.legal_limit_unit, suspensions, extension_days, start=start,
            amount=version.legal_limit_amount)
        provisional |= flag_p or flag_l
        suspensions = [replace(s, moves_promised=p, moves_legal=lg)
                       for s, p, lg in zip(suspensions, moves_p, moves_l, strict=True)]
        if tolerance_open and tolerance_days:
            tolerance, flag_t = add_limit(start, int(tolerance_days), "WORKING_DAY")
            provisional |= flag_t
    output_due = None
    if decision_date is not None:
        result = workdays.add_working_days_result(decision_date, output_days())
        output_due = result.value
        provisional |= result.provisional
    return Deadlines(
        received_date=local_date(received_at) if received_at else None,
        acceptance_due_date=acceptance_due_date,
        start_date=local_date(start) if start else None,
        promised_due_date=promised,
        legal_due_date=legal,
        tolerance_due_date=tolerance,
        provisional=provisional,
        base_promised_due_date=base_promised,
        base_legal_due_date=base_legal,
        suspensions=tuple(suspensions),
        extension_days=extension_days,
        decision_date=decision_date,
        output_due_date=output_due,
    )


def _suspension(opened: dict[str, Any], end: dt.date | None) -> Suspension:
    start = opened["start"]
    expected = opened["expected_days"]
    if end is None:
        working = expected
        natural = (workdays.add_working_days(start, expected) - start).days if expected else 0
    else:
        working = max(workdays.working_days_between(start, end), 0)
        natural = max((end - start).days, 0)
    return Suspension(procedure=opened["procedure"], start_date=start, end_date=end,
                      expected_days=expected, working_days=working, natural_days=natural,
                      reason=opened["reason"])


def _moved(base: dt.date | None, unit: str, suspensions: list[Suspension],
           extension_days: int, *, start: dt.datetime, amount: int | None
           ) -> tuple[dt.date | None, bool, tuple[bool, ...]]:
    """``base`` moved by the suspended time (in the limit's own kind of days) and by the
    extension (working days, Art. 42 and Art. 82); with, per suspension, whether it moved
    the date. A suspension that began after the date (as moved so far) had lapsed moves
    nothing: the limit was used up before the clock could stop."""
    if base is None:
        return None, False, tuple(True for _ in suspensions)
    natural_unit = unit == "NATURAL_DAY"
    provisional = False
    suspended = 0  # natural days for natural-day limits, otherwise working days
    moves: list[bool] = []

    def due_after(days: int) -> tuple[dt.date, bool]:
        if natural_unit:
            # Count the limit and the suspended days together from the start: moving the
            # already rolled-forward due date would roll a rest day forward twice.
            moved, flag = add_limit(start, int(amount or 0) + days, unit) if days else (base,
                                                                                       False)
            if moved is None:
                raise ValueError(f"a {unit} limit without a date: {amount!r}")
            due, working = moved, extension_days
        else:
            due, flag, working = base, False, days + extension_days
        if working:
            result = workdays.add_working_days_result(due, working)
            due, flag = result.value, flag or result.provisional
        return due, flag

    for suspension in suspensions:
        running, _ = due_after(suspended)
        # The start day itself still counts, so a suspension that begins on the last day
        # leaves the rest of the procedure uncounted, and the date becomes its end.
        moved = suspension.start_date <= running
        moves.append(moved)
        if moved:
            suspended += suspension.natural_days if natural_unit else suspension.working_days
    due, provisional = due_after(suspended)
    return due, provisional, tuple(moves)


def steps_of(case) -> list[Step]:
    """The deadline-relevant part of ``case``'s log, in order. A case row locked by a
    service (``remember_steps``) reads its log once: the moves the service makes append
    to the remembered list (``step_made``) instead of reading it again."""
    remembered = getattr(case, "_steps", None)
    if remembered is not None and len(remembered) == case.action_count:
        return list(remembered)
    steps = [
        Step(kind, occurred_at, data or {})
        for kind, occurred_at, data in case.actions.order_by("seq").values_list(
            "kind", "occurred_at", "data"
        )
    ]
    if remembered is not None:
        case._steps = steps
    return list(steps)


def remember_steps(case) -> None:
    """Let ``steps_of`` keep ``case``'s log on the object: only for a row the caller has
    locked for its transaction, so nobody else can append to the log meanwhile."""
    case._steps = []  # read on first use (its length never matches a started case)


def step_made(case, step: Step) -> None:
    """The lifecycle appended ``step`` to the log of ``case`` (and counted it)."""
    remembered = getattr(case, "_steps", None)
    if remembered is not None and len(remembered) == case.action_count - 1:
        remembered.append(step)


def _columns(result: Deadlines) -> dict[str, Any]:
    return {
        "acceptance_due_date": result.acceptance_due_date,
        "promised_due_date": result.promised_due_date,
        "legal_due_date": result.legal_due_date,
        "tolerance_due_date": result.tolerance_due_date,
        "deadlines_provisional": result.provisional,
        "output_due_date": result.output_due_date,
    }


def changed_fields(case, *, steps: list[Step]) -> dict[str, Any]:
    """The deadline columns of ``case`` that ``steps`` change (the case's lifecycle writes
    them in the same UPDATE as the move that adds the last step)."""
    values = _columns(compute(version=case.version, steps=steps))
    return {k: v for k, v in values.items() if getattr(case, k) != v}


def store(case, *, kind: str | None = None) -> Deadlines | None:
    """Recompute ``case``'s deadlines from its log and write the ones that changed."""
    if kind is not None and kind not in RELEVANT_KINDS:
        return None
    result = compute(version=case.version, steps=steps_of(case))
    changed = {k: v for k, v in _columns(result).items() if getattr(case, k) != v}
    if changed:
        type(case).objects.filter(pk=case.pk).update(**changed)
        for key, value in changed.items():
            setattr(case, key, value)
    return result
