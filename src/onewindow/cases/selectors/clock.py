"""The Art. 32 acceptance clock of a submitted case."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from onewindow.workdays import selectors as workdays
from onewindow.workdays.models import DeadlineState

from .. import deadlines
from ..codes import CaseStatus
from ..models import Case

S = CaseStatus


# --- the Art. 32 clock ----------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptanceClock:
    """Where a submitted case stands against 行政许可法 Art. 32."""

    received_date: dt.date | None
    working_days_elapsed: int
    acceptance_due_date: dt.date | None  # last working day to accept/refuse/ask
    deemed_on: dt.date | None  # the sweep deems it accepted on this (6th) working day
    working_days_left: int | None
    # NORMAL | DUE_SOON | OVERDUE while waiting; SUSPENDED during 补正; DONE / DONE_LATE
    # once the window decided; NONE before submission.
    state: DeadlineState

    @property
    def state_label(self) -> str:
        return str(self.state.label)

    @property
    def waiting(self) -> bool:
        """The Art. 32 clock applies now: the window has not decided yet."""
        return self.state in (DeadlineState.NORMAL, DeadlineState.DUE_SOON,
                              DeadlineState.OVERDUE, DeadlineState.SUSPENDED)

    @property
    def stopped(self) -> bool:
        """Stopped for 补正: it restarts when the applicant supplies."""
        return self.state == DeadlineState.SUSPENDED


def acceptance_clock(case: Case, *, today: dt.date) -> AcceptanceClock:
    received = deadlines.local_date(case.received_at) if case.received_at else None
    due = case.acceptance_due_date
    if received is None:
        return AcceptanceClock(None, 0, None, None, None, DeadlineState.NONE)
    calendar = workdays.get_calendar()
    elapsed = max(calendar.working_days_between(received, today), 0)
    left = deemed = None
    if case.status == S.CORRECTION_REQUESTED:
        state = DeadlineState.SUSPENDED  # the Art. 32 clock stops until the supply
    elif case.status != S.SUBMITTED or due is None:
        decided = case.accepted_at or case.closed_at
        state = workdays.deadline_state(
            due, today, finished_on=deadlines.local_date(decided) if decided else today)
    else:
        left = calendar.working_days_between(today, due)
        deemed = calendar.next_working_day(due)
        state = workdays.deadline_state(due, today, calendar=calendar)
    return AcceptanceClock(received, elapsed, due, deemed, left, state)
