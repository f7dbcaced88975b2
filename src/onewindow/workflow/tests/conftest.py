"""Fixtures of the workflow tests: an organisation tree with handlers, and a test subject.

The cases app is not needed: ``TestSubjects`` is a subject adapter that keeps instance
state in memory (as the cases app keeps it on the case row) and sends lanes to the lead
department, a named joint department, or the service centre for the window.
"""

import datetime as dt
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from onewindow.identity.models import Role
from onewindow.identity.tests.factories import (
    CentreFactory,
    OrganisationFactory,
    StaffFactory,
    grant,
)
from onewindow.workdays import selectors as workdays
from onewindow.workflow import bpmn
from onewindow.workflow.selectors import lane_organisation
from onewindow.workflow.subjects import StoredState, register_subject, unregister_subject

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SUBJECT = "test.subject"


def fixture_xml(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def route_of(xml: str) -> SimpleNamespace:
    """A route object for the engine without a database row."""
    parsed = bpmn.parse_route(xml)
    return SimpleNamespace(pk=None, bpmn_xml=parsed.xml, process_id=parsed.process_id)


class TestSubjects:
    """A SubjectAdapter keeping state in memory; one lock stands for the row lock."""

    __test__ = False  # not a test class for pytest

    def __init__(self, *, home, centre, step_days: int = 3):
        self.home = home
        self.centre = centre
        self.step_days = step_days
        self.states: dict[str, StoredState] = {}
        self.lock = threading.Lock()

    def load_state(self, subject_id, *, locked=None):
        with self.lock:
            return self.states.get(subject_id)

    def save_state(self, subject_id, state, *, now):
        with self.lock:
            self.states[subject_id] = state

    def organisation_for_lane(self, subject_id, task, *, subject=None):
        if task.role == Role.WINDOW_CLERK:
            return self.centre
        return lane_organisation(department=task.department, home=self.home)

    def due_date_for(self, subject_id, task, *, now, subject=None):
        return workdays.add_working_days(now.date(), self.step_days)

    def after_step(self, subject_id, step):
        """Tests replace ``on_step`` to watch or refuse steps."""
        if self.on_step is not None:
            self.on_step(subject_id, step)

    on_step = None


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    workdays.reset_calendar_cache()
    yield
    workdays.reset_calendar_cache()


@pytest.fixture
def tree():
    """A city with a lead department (甲局), a joint department (乙局), an unrelated
    department (丙局) and the service centre; people with their roles."""
    city = OrganisationFactory(kind="GOVERNMENT", credit_code=None, name="测试市人民政府")
    dept_a = OrganisationFactory(parent=city, name="甲局")
    dept_b = OrganisationFactory(parent=city, name="乙局", short_name="乙")
    dept_c = OrganisationFactory(parent=city, name="丙局")
    centre = CentreFactory(parent=city, credit_code=None, name="测试市政务服务中心")
    people = {}
    for key, role, organisation in [
        ("handler_a", Role.HANDLER, dept_a),
        ("chief_a", Role.CHIEF_REPRESENTATIVE, dept_a),
        ("handler_b", Role.HANDLER, dept_b),
        ("handler_c", Role.HANDLER, dept_c),
        ("clerk", Role.WINDOW_CLERK, centre),
        ("admin_a", Role.CATALOG_ADMIN, dept_a),
        ("admin_c", Role.CATALOG_ADMIN, dept_c),
    ]:
        account = StaffFactory(organisation=organisation, username=key)
        grant(account, role, organisation)
        people[key] = account
    # A city-level handler sees every department's handler tasks (scope = subtree).
    people["city_handler"] = StaffFactory(organisation=city, username="city_handler")
    grant(people["city_handler"], Role.HANDLER, city)
    return SimpleNamespace(city=city, dept_a=dept_a, dept_b=dept_b, dept_c=dept_c,
                           centre=centre, **people)


@pytest.fixture
def subjects(tree):
    adapter = TestSubjects(home=tree.dept_a, centre=tree.centre)
    register_subject(SUBJECT, adapter)
    yield adapter
    unregister_subject(SUBJECT)


@pytest.fixture
def camunda_xml():
    return fixture_xml("camunda_two_lanes.bpmn")


@pytest.fixture
def today(now):
    return now.date()


@pytest.fixture
def later(now):
    return lambda minutes: now + dt.timedelta(minutes=minutes)
