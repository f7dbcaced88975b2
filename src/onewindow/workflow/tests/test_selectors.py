"""Worklists: who sees what, in which order, in which colour."""

import datetime as dt
import uuid

import pytest

from onewindow.common.errors import ValidationFailed
from onewindow.workdays.models import DeadlineState
from onewindow.workdays.selectors import add_working_days, deadline_state
from onewindow.workflow import selectors
from onewindow.workflow.errors import UnknownDepartment, WorkItemNotFound
from onewindow.workflow.models import WorkItem

NONE, NORMAL = DeadlineState.NONE, DeadlineState.NORMAL
DUE_SOON, OVERDUE = DeadlineState.DUE_SOON, DeadlineState.OVERDUE

pytestmark = pytest.mark.django_db


def item(organisation, *, role="HANDLER", due=None, status="READY", subject="C", now, **extra):
    return WorkItem.objects.create(
        subject_type="test.subject", subject_id=subject, task_id=uuid.uuid4(),
        task_name="Task_review", task_label="审查", lane="承办人", role=role,
        organisation=organisation, due_date=due, status=status, created_at=now,
        completed_at=None if status == "READY" else now, **extra,
    )


def test_deadline_colours_count_working_days(today):
    # 2026-11-23 is a Monday; N = 3 working days.
    assert deadline_state(None, today) == NONE
    assert deadline_state(today - dt.timedelta(days=1), today) == OVERDUE
    assert deadline_state(today, today) == DUE_SOON
    assert deadline_state(add_working_days(today, 3), today) == DUE_SOON
    assert deadline_state(add_working_days(today, 4), today) == NORMAL


def test_due_soon_window_crosses_the_weekend(d=dt.date):
    friday = d(2026, 11, 27)
    # Fri + 3 working days = Wed 2 Dec; Thu 3 Dec is the 4th.
    assert deadline_state(d(2026, 12, 2), friday) == DUE_SOON
    assert deadline_state(d(2026, 12, 3), friday) == NORMAL


def test_due_soon_days_is_a_setting(settings, today):
    settings.ONEWINDOW_DUE_SOON_WORKING_DAYS = 1
    assert deadline_state(add_working_days(today, 2), today) == NORMAL


def test_worklist_shows_only_own_role_in_own_scope(tree, now, today):
    mine = item(tree.dept_a, now=now)
    item(tree.dept_b, now=now)                                   # another department
    item(tree.dept_a, role="CHIEF_REPRESENTATIVE", now=now)      # another role
    item(tree.dept_a, status="COMPLETED", now=now)               # done
    page = selectors.worklist(actor=tree.handler_a, today=today)
    assert [row.item for row in page.rows] == [mine]
    city = selectors.worklist(actor=tree.city_handler, today=today)
    assert len(city.rows) == 2  # handler items of both departments
    assert selectors.worklist(actor=tree.admin_a, today=today).rows == []
    done = selectors.worklist(actor=tree.handler_a, statuses=["COMPLETED"], today=today)
    assert len(done.rows) == 1


def test_worklist_sorted_by_deadline_with_keyset_pages(tree, now, today):
    dues = [today + dt.timedelta(days=n) for n in (5, -2, 0, 9)] + [None, None]
    created = [item(tree.dept_a, due=due, now=now + dt.timedelta(minutes=i), subject=f"C{i}")
               for i, due in enumerate(dues)]
    expected = sorted(created, key=lambda i: (i.due_date is None, i.due_date or today, i.pk))
    seen, cursor = [], None
    while True:
        page = selectors.worklist(actor=tree.handler_a, limit=2, cursor=cursor, today=today)
        seen += [row.item for row in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected
    colours = [deadline_state(i.due_date, today) for i in seen]
    assert colours == [OVERDUE, DUE_SOON, NORMAL, NORMAL, NONE, NONE]
    backwards, cursor = [], None
    while True:
        page = selectors.worklist(actor=tree.handler_a, sort="-due_date", limit=4,
                                  cursor=cursor, today=today)
        backwards += [row.item.pk for row in page.rows]
        if not (cursor := page.next_cursor):
            break
    dated = sorted([i for i in created if i.due_date], key=lambda i: (i.due_date, i.pk),
                   reverse=True)
    undated = sorted([i for i in created if not i.due_date], key=lambda i: i.pk, reverse=True)
    assert backwards == [i.pk for i in dated + undated]
    newest = selectors.worklist(actor=tree.handler_a, sort="-created_at", limit=1, today=today)
    assert newest.rows[0].item == created[-1]
    oldest = selectors.worklist(actor=tree.handler_a, sort="created_at", limit=3, today=today)
    more = selectors.worklist(actor=tree.handler_a, sort="created_at", limit=3,
                              cursor=oldest.next_cursor, today=today)
    assert [r.item for r in oldest.rows + more.rows] == created


def test_worklist_rows_carry_colour_and_days_left(tree, now, today):
    item(tree.dept_a, due=today - dt.timedelta(days=3), now=now)
    item(tree.dept_a, due=add_working_days(today, 2), now=now)
    rows = selectors.worklist(actor=tree.handler_a, today=today).rows
    assert [(r.deadline_status, r.deadline_label) for r in rows] == [
        (OVERDUE, "已超期"), (DUE_SOON, "临近期限")]
    assert rows[0].working_days_left < 0 and rows[1].working_days_left == 2


def test_worklist_filters_by_colour(tree, now, today):
    late = item(tree.dept_a, due=today - dt.timedelta(days=1), now=now)
    soon = item(tree.dept_a, due=add_working_days(today, 1), now=now)
    fine = item(tree.dept_a, due=add_working_days(today, 10), now=now)
    undated = item(tree.dept_a, now=now)

    def only(*colours):
        return {r.item for r in selectors.worklist(actor=tree.handler_a, deadline=colours,
                                                   today=today).rows}

    assert only(OVERDUE) == {late}
    assert only(DUE_SOON) == {soon}
    assert only(NORMAL) == {fine, undated}
    assert only(OVERDUE, DUE_SOON) == {late, soon}


def test_worklist_needs_few_queries(tree, now, today, django_assert_max_num_queries):
    for n in range(30):
        item(tree.dept_a, due=today + dt.timedelta(days=n % 7), now=now, subject=f"Q{n}")
    selectors.worklist(actor=tree.handler_a, today=today)  # warm the calendar cache
    with django_assert_max_num_queries(3):
        page = selectors.worklist(actor=tree.handler_a, limit=20, today=today)
        assert len(page.rows) == 20
        assert all(row.item.organisation.name for row in page.rows)


@pytest.mark.parametrize("kwargs", [
    {"sort": "priority"}, {"limit": 0}, {"limit": 500}, {"statuses": ["DONE"]},
    {"deadline": ["RED"]}, {"cursor": "garbage"},
])
def test_worklist_rejects_bad_parameters(tree, today, kwargs):
    with pytest.raises(ValidationFailed):
        selectors.worklist(actor=tree.handler_a, today=today, **kwargs)


def test_cursor_of_another_sort_is_refused(tree, now, today):
    for n in range(3):
        item(tree.dept_a, now=now, subject=f"K{n}")
    page = selectors.worklist(actor=tree.handler_a, limit=1, today=today)
    with pytest.raises(ValidationFailed):
        selectors.worklist(actor=tree.handler_a, sort="-created_at", cursor=page.next_cursor,
                           today=today)


def test_access_work_item_hides_other_departments(tree, now):
    mine = item(tree.dept_a, now=now)
    assert selectors.access_work_item(actor=tree.handler_a, work_item_id=mine.pk) == mine
    for outsider in (tree.handler_b, tree.chief_a, tree.clerk):
        with pytest.raises(WorkItemNotFound):
            selectors.access_work_item(actor=outsider, work_item_id=mine.pk)
    with pytest.raises(WorkItemNotFound):
        selectors.access_work_item(actor=tree.handler_a, work_item_id=10**9)


def test_lane_organisation_by_name_short_name_and_region(tree):
    assert selectors.lane_organisation(department="", home=tree.dept_a) == tree.dept_a
    assert selectors.lane_organisation(department="乙局", home=tree.dept_a) == tree.dept_b
    assert selectors.lane_organisation(department="乙", home=tree.dept_a) == tree.dept_b
    with pytest.raises(UnknownDepartment, match="没有名为"):
        selectors.lane_organisation(department="丁局", home=tree.dept_a)


def test_lane_organisation_prefers_the_home_region(tree):
    from onewindow.identity.tests.factories import OrganisationFactory

    elsewhere = OrganisationFactory(name="乙局", region_code="440100")
    assert selectors.lane_organisation(department="乙局", home=tree.dept_a) == tree.dept_b
    assert selectors.lane_organisation(department="乙局", home=elsewhere) == elsewhere
    OrganisationFactory(name="乙局", region_code="371000")  # a second one in the same region
    twin_tree = OrganisationFactory(name="乙局", region_code="371000", parent=tree.city)
    with pytest.raises(UnknownDepartment, match="不止一个"):
        selectors.lane_organisation(department="乙局", home=tree.dept_a)
    assert twin_tree


def test_access_route_version_hides_missing_and_forbidden_alike(tree, now):
    from onewindow.catalog.tests.factories import make_item
    from onewindow.identity.tests.factories import StaffFactory
    from onewindow.workflow.errors import RouteNotFound

    version = make_item(organisation=tree.dept_a, now=now).current_version
    code = version.implementation.code
    assert selectors.access_route_version(actor=tree.handler_c, code=code, number=1) == version
    assert selectors.access_route_version(actor=tree.admin_a, code=code, number=1,
                                          upload=True) == version
    seen = set()
    for actor, number, upload in ((StaffFactory(), 1, False), (tree.admin_c, 1, True),
                                  (tree.handler_a, 1, True), (tree.admin_a, 9, True)):
        with pytest.raises(RouteNotFound) as caught:
            selectors.access_route_version(actor=actor, code=code, number=number,
                                           upload=upload)
        seen.add((caught.value.code, caught.value.message))
    assert seen == {("workflow.route-not-found", "未找到该事项版本。")}
