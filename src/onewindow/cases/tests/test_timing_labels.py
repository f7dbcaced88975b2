"""Before acceptance a case's limits have not started to run: the timing says so, rather
than claiming the item has no time limit."""

import pytest

from onewindow.cases import selectors
from onewindow.testing.world import build_world

from .factories import submit_online

pytestmark = pytest.mark.django_db


def test_a_case_waiting_for_acceptance_says_its_clock_has_not_started(now):
    world = build_world(now=now)
    case = submit_online(world, now)
    timing = selectors.case_timing(case, today=now.date())
    assert timing.start_date is None
    assert timing.state_label == "未开始计时"
