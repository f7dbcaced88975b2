"""Benchmark: onewindow.workdays arithmetic against the chinesecalendar package.

    python bench/workdays.py [--samples 100000] [--reference-samples 5000] [--seed 82]

Prints one JSON object: operations per second for our ``add_working_days`` and
``working_days_between`` and for chinesecalendar (the floor) on the same inputs, their
ratios, and mismatch counts (must be 0). The timings run ``--rounds`` times, ours and
the floor in turn (bench/harness.py); the top-level figures are each one's median, and
``rounds`` gives min / median / max. No HTTP: this is arithmetic inside a request.

The calendar is built straight from chinesecalendar's tables, without a database, so the
comparison is about arithmetic only. Equivalent calls (``find_workday(0, d)`` counts ``d``
itself when it is a working day, ours never counts ``d``):

    add_working_days(d, n)          == find_workday(n - 1, d + 1 day)        (n >= 1)
    working_days_between(a, b)      == len(get_workdays(a + 1 day, b))       (a <= b)

chinesecalendar walks day by day (about 1–2 ms per call here), so it is timed on a seeded
subsample of ``--reference-samples`` inputs to stay well under a minute; every one of the
``--samples`` inputs is still checked, against a table built once from
``chinese_calendar.is_workday`` over all the years it covers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings.dev")

import django

django.setup()

import chinese_calendar  # noqa: E402
from chinese_calendar import constants  # noqa: E402

import harness  # noqa: E402
from onewindow.workdays.calendar import WorkingCalendar  # noqa: E402

MAX_N = 60  # 法定 20 + 10 extension, doubled: the range deadlines actually use
MAX_SPAN_DAYS = 120
ONE_DAY = dt.timedelta(days=1)


def build_calendar() -> tuple[WorkingCalendar, dt.date, dt.date]:
    years = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    calendar = WorkingCalendar(constants.holidays, constants.workdays, years)
    return calendar, dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)


class Reference:
    """chinesecalendar's own is_workday, tabulated once as prefix sums over its years."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.first, self.last = first, last
        days = (last - first).days + 1
        flags = [chinese_calendar.is_workday(first + dt.timedelta(days=i)) for i in range(days)]
        self.prefix = [0, *accumulate(flags)]  # prefix[i] = working days among first..first+i-1
        self.working_index = [i for i, flag in enumerate(flags) if flag]

    def add(self, day: dt.date, n: int) -> dt.date | None:
        # Working days up to and including ``day`` → the (that + n)-th working day overall.
        seen = self.prefix[(day - self.first).days + 1]
        index = seen + n - 1
        if index >= len(self.working_index):
            return None
        return self.first + dt.timedelta(days=self.working_index[index])

    def between(self, a: dt.date, b: dt.date) -> int:
        return self.prefix[(b - self.first).days + 1] - self.prefix[(a - self.first).days + 1]


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--reference-samples", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=82)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    calendar, first, last = build_calendar()
    reference = Reference(first, last)
    rng = random.Random(args.seed)
    span = (last - first).days + 1 - MAX_SPAN_DAYS
    add_inputs = [(first + dt.timedelta(days=rng.randrange(span)), rng.randrange(1, MAX_N + 1))
                  for _ in range(args.samples)]
    between_inputs = []
    for _ in range(args.samples):
        a = first + dt.timedelta(days=rng.randrange(span))
        between_inputs.append((a, a + dt.timedelta(days=rng.randrange(MAX_SPAN_DAYS))))
    subsample = rng.sample(range(args.samples), min(args.reference_samples, args.samples))

    add = calendar.add_working_days
    between = calendar.working_days_between
    find_workday, get_workdays = chinese_calendar.find_workday, chinese_calendar.get_workdays
    cc_add_inputs = [add_inputs[i] for i in subsample]
    cc_between_inputs = [between_inputs[i] for i in subsample]
    answers: dict[str, list] = {}

    def timed(name, function, inputs):
        def step() -> dict:
            t0 = time.perf_counter()
            answers[name] = [function(*item) for item in inputs]
            return {"ops_per_s": rate(len(inputs), time.perf_counter() - t0)}
        return step

    # Ours on every input, chinesecalendar on the subsample, in turn, round by round.
    results = harness.rounds(args.rounds, {
        "add_working_days": timed("add", add, add_inputs),
        "chinese_calendar.find_workday": timed(
            "cc_add", lambda d, n: find_workday(n - 1, d + ONE_DAY), cc_add_inputs),
        "working_days_between": timed("between", between, between_inputs),
        "chinese_calendar.get_workdays_len": timed(
            "cc_between", lambda a, b: len(get_workdays(a + ONE_DAY, b)), cc_between_inputs),
    })
    ours_add, ours_between = answers["add"], answers["between"]
    cc_add, cc_between = answers["cc_add"], answers["cc_between"]
    median = {name: harness.spread([r["ops_per_s"] for r in rows])["median"]
              for name, rows in results.items()}

    # --- agreement ---
    skipped = 0
    add_vs_table = 0
    for (d, n), ours in zip(add_inputs, ours_add, strict=True):
        expected = reference.add(d, n)
        if expected is None:  # runs past the last year chinesecalendar covers
            skipped += 1
        elif ours != expected:
            add_vs_table += 1
    between_vs_table = sum(
        ours != reference.between(a, b)
        for (a, b), ours in zip(between_inputs, ours_between, strict=True)
    )
    add_vs_cc = sum(ours_add[i] != cc for i, cc in zip(subsample, cc_add, strict=True))
    between_vs_cc = sum(ours_between[i] != cc for i, cc in zip(subsample, cc_between, strict=True))
    roundtrip = sum(between(d, r) != n for (d, n), r in zip(add_inputs, ours_add, strict=True))

    ours_add_ops, ours_between_ops = (median["add_working_days"],
                                      median["working_days_between"])
    cc_add_ops = median["chinese_calendar.find_workday"]
    cc_between_ops = median["chinese_calendar.get_workdays_len"]
    spreads = {name: harness.spread([r["ops_per_s"] for r in rows])
               for name, rows in results.items()}
    harness.emit({
        "benchmark": "workdays",
        "rounds": spreads,
        "seed": args.seed,
        "samples": args.samples,
        "reference_samples": len(subsample),
        "covered_years": [first.year, last.year],
        "n_range": [1, MAX_N],
        "ops_per_sec": {
            "add_working_days": ours_add_ops,
            "working_days_between": ours_between_ops,
            "chinese_calendar.find_workday": cc_add_ops,
            "chinese_calendar.get_workdays_len": cc_between_ops,
        },
        "speedup": {
            "add_working_days_vs_find_workday": round(ours_add_ops / cc_add_ops, 1),
            "working_days_between_vs_get_workdays": round(ours_between_ops / cc_between_ops, 1),
        },
        "mismatches": {
            "add_vs_find_workday": add_vs_cc,
            "between_vs_get_workdays": between_vs_cc,
            "add_vs_is_workday_table": add_vs_table,
            "between_vs_is_workday_table": between_vs_table,
            "add_then_between_roundtrip": roundtrip,
        },
        "skipped_beyond_coverage": skipped,
        "seconds_total": round(time.perf_counter() - started, 2),
    })


if __name__ == "__main__":
    main()
