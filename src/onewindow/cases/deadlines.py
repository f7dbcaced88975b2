"""Deadlines of a case, derived from its action log and the catalog version it holds
(DESIGN rule 7: time limits are data; deadlines are recomputed, never edited by hand).

- Art. 32 acceptance deadline: receipt date + 5 working days (setting
  ``ONEWINDOW_CASES_ACCEPTANCE_DAYS``). Receipt is the submission, or the supply of the
  last requested corrections; a correction request stops the clock.
- Promised / legal due dates: the version's 承诺/法定 limit counted from acceptance, or for
  a deemed acceptance from the receipt date (Art. 32).
- 容缺 deadline: the working days the clerk set at acceptance, until every tolerated
  material is supplied.

``compute`` is pure over (version, actions) so Cases II can add suspensions and
extensions as more action kinds without changing the callers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from onewindow.workdays import selectors as workdays

from .codes import ActionKind

CHINA_TZ = ZoneInfo("Asia/Shanghai")

K = ActionKind

# Action kinds that can change a deadline; others skip the recomputation.
RELEVANT_KINDS = frozenset(
    {K.SUBMIT, K.SUPPLY, K.REQUEST_CORRECTION, K.ACCEPT, K.DEEM_ACCEPT, K.SUPPLY_TOLERATED}
)


def acceptance_days() -> int:
    return int(getattr(settings, "ONEWINDOW_CASES_ACCEPTANCE_DAYS", 5))


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
class Deadlines:
    received_date: dt.date | None = None
    acceptance_due_date: dt.date | None = None
    start_date: dt.date | None = None
    promised_due_date: dt.date | None = None
    legal_due_date: dt.date | None = None
    tolerance_due_date: dt.date | None = None
    provisional: bool = False


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
    promised = legal = tolerance = None
    if start is not None:
        promised, flag_p = add_limit(start, version.promised_limit_amount,
                                     version.promised_limit_unit)
        legal, flag_l = add_limit(start, version.legal_limit_amount, version.legal_limit_unit)
        provisional |= flag_p or flag_l
        if tolerance_open and tolerance_days:
            tolerance, flag_t = add_limit(start, int(tolerance_days), "WORKING_DAY")
            provisional |= flag_t
    return Deadlines(
        received_date=local_date(received_at) if received_at else None,
        acceptance_due_date=acceptance_due_date,
        start_date=local_date(start) if start else None,
        promised_due_date=promised,
        legal_due_date=legal,
        tolerance_due_date=tolerance,
        provisional=provisional,
    )


def steps_of(case) -> list[Step]:
    return [
        Step(kind, occurred_at, data or {})
        for kind, occurred_at, data in case.actions.order_by("seq").values_list(
            "kind", "occurred_at", "data"
        )
    ]


def store(case, *, kind: str | None = None) -> Deadlines | None:
    """Recompute ``case``'s deadlines from its log and write the ones that changed."""
    if kind is not None and kind not in RELEVANT_KINDS:
        return None
    result = compute(version=case.version, steps=steps_of(case))
    values = {
        "acceptance_due_date": result.acceptance_due_date,
        "promised_due_date": result.promised_due_date,
        "legal_due_date": result.legal_due_date,
        "tolerance_due_date": result.tolerance_due_date,
        "deadlines_provisional": result.provisional,
    }
    changed = {k: v for k, v in values.items() if getattr(case, k) != v}
    if changed:
        type(case).objects.filter(pk=case.pk).update(**changed)
        for key, value in changed.items():
            setattr(case, key, value)
    return result
