"""``deadline_state``: the one due-soon / overdue rule, at the edges of its band, across a
weekend and a holiday; and no other module keeping a rule of its own."""

import datetime as dt
import re
from pathlib import Path

import pytest

from onewindow.workdays.models import DeadlineState
from onewindow.workdays.selectors import deadline_bands, deadline_state

pytestmark = pytest.mark.django_db

S = DeadlineState
D = dt.date.fromisoformat


def test_band_edges_across_a_weekend():
    # Wed 25 Nov 2026, band 3 working days: Thu 26, Fri 27, Mon 30 Nov are within it;
    # Tue 1 Dec is the 4th working day.
    today = D("2026-11-25")
    assert deadline_state(D("2026-11-24"), today) == S.OVERDUE
    assert deadline_state(today, today) == S.DUE_SOON
    assert deadline_state(D("2026-11-30"), today) == S.DUE_SOON
    assert deadline_state(D("2026-12-01"), today) == S.NORMAL


def test_band_edges_across_national_day():
    # Tue 29 Sep 2026: 30 Sep (1); 1–7 Oct off; Thu 8 Oct (2), Fri 9 Oct (3) are within the
    # band; Sat 10 Oct, a 调休 working day, is the 4th.
    today = D("2026-09-29")
    assert deadline_state(D("2026-10-07"), today) == S.DUE_SOON  # a holiday before the 3rd
    assert deadline_state(D("2026-10-09"), today) == S.DUE_SOON
    assert deadline_state(D("2026-10-10"), today) == S.NORMAL


def test_band_is_the_setting(settings):
    settings.ONEWINDOW_DUE_SOON_WORKING_DAYS = 1
    today = D("2026-11-27")  # Friday
    assert deadline_state(D("2026-11-30"), today) == S.DUE_SOON
    assert deadline_state(D("2026-12-01"), today) == S.NORMAL


def test_other_states_and_an_instant_judged_in_beijing():
    due = D("2026-11-30")
    assert deadline_state(None, D("2026-11-25")) == S.NONE
    assert deadline_state(due, D("2026-12-10"), suspended=True) == S.SUSPENDED
    assert deadline_state(due, D("2026-12-10"), finished_on=due) == S.DONE
    assert deadline_state(due, D("2026-12-10"), finished_on=D("2026-12-01")) == S.DONE_LATE
    # 30 Nov 17:00 UTC is already 1 Dec in Beijing: the due date has passed.
    late_evening = dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)
    assert deadline_state(due, late_evening) == S.OVERDUE
    assert S.DUE_SOON.label == "临近期限" and S.OVERDUE.label == "已超期"


@pytest.mark.parametrize("today", ["2026-09-25", "2026-09-29", "2026-11-27", "2026-12-30"])
def test_bands_agree_with_the_state_for_every_date(today):
    today = D(today)
    bands = deadline_bands(today)
    for offset in range(-5, 30):
        due = today + dt.timedelta(days=offset)
        if due < bands.overdue_before:
            expected = S.OVERDUE
        elif due < bands.soon_before:
            expected = S.DUE_SOON
        else:
            expected = S.NORMAL
        assert deadline_state(due, today) == expected, due


SRC = Path(__file__).resolve().parents[2]
# The state names as string literals, or reading the band's setting: only workdays may.
OWN_RULE = re.compile(
    r"""["'](DUE_SOON|OVERDUE)["']|(settings\.|["'])ONEWINDOW_DUE_SOON_WORKING_DAYS""")
# A TextChoices member of another concept (e.g. a day line that is OVERDUE) is a name,
# not a rule.
CHOICE = re.compile(r"""^\s+[A-Z_]+ = "[A-Z_]+", "[^"]*"$""")


def test_no_other_module_keeps_its_own_due_soon_rule():
    offenders = []
    for path in sorted(SRC.rglob("*")):
        if path.suffix not in (".py", ".html") or "tests" in path.parts:
            continue
        relative = path.relative_to(SRC)
        if relative.parts[0] in ("workdays", "settings") or "migrations" in path.parts:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not CHOICE.match(line):
                offenders += [f"{relative}: {m.group(0)}" for m in OWN_RULE.finditer(line)]
    assert offenders == []
