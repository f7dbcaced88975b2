"""Real threads against the real database (transaction=True: every service commits).

PostgreSQL: row locks and the conditional UPDATE are what is being tested. SQLite: the
settings open every transaction IMMEDIATE, so writers queue on the database lock; the
same tests run there too as long as the test database is a file (an in-memory test
database is shared-cache and reports "table is locked" instead of waiting)."""

import threading

import pytest
from django.db import connection, connections

from onewindow.cases import services
from onewindow.cases.codes import CaseStatus
from onewindow.cases.errors import CaseConflict
from onewindow.cases.models import Case
from onewindow.catalog.tests.factories import make_item
from onewindow.testing.world import build_world

from .factories import FORM, submit_online

pytestmark = pytest.mark.django_db(transaction=True)

SUBMISSIONS = 200


def _skip_in_memory_sqlite():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("PostgreSQL-only with the default test settings: the SQLite test database "
                    "is in-memory with a shared cache, whose table locks fail at once instead "
                    "of waiting like IMMEDIATE transactions on a file do (bench/cases_intake.py "
                    "measures SQLite on a file)")


def _db_slots() -> int:
    """How many threads may hold a connection at once (PostgreSQL max_connections)."""
    if connection.vendor != "postgresql":
        return SUBMISSIONS
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM pg_stat_activity")
        used = int(cursor.fetchone()[0])
    # A submission holds two connections for a moment: its own and the one its serial is
    # taken on (numbering.py).
    return max(4, min(SUBMISSIONS, (limit - used - 10) // 2))


def run_threads(count: int, target, *, slots: int | None = None) -> tuple[list, list]:
    """Start ``count`` threads that wait on one barrier, then call ``target(i)``; at most
    ``slots`` hold a database connection at a time. Returns (results, errors)."""
    barrier = threading.Barrier(count)
    gate = threading.BoundedSemaphore(slots or count)
    results, errors = [], []
    lock = threading.Lock()

    def work(i):
        try:
            barrier.wait()
            with gate:
                try:
                    value = target(i)
                finally:
                    connections.close_all()
            with lock:
                results.append(value)
        except Exception as exc:  # collected and asserted by the caller
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results, errors


def test_concurrent_submissions_get_distinct_numbers(now):
    _skip_in_memory_sqlite()
    world = build_world(now=now)
    # No required materials, so each thread submits in one call.
    item = make_item(organisation=world.dept, now=now, name="并发测试事项",
                     materials=[{"name": "补充说明", "requirement": "OPTIONAL"}])

    def submit(i):
        case = services.case_submit(actor=world.citizen, idempotency_key=f"c{i}",
                                    implementation_code=item.code, form_data=FORM, now=now)
        return case.number

    numbers, errors = run_threads(SUBMISSIONS, submit, slots=_db_slots())
    assert errors == []
    assert len(numbers) == SUBMISSIONS and len(set(numbers)) == SUBMISSIONS
    serials = sorted(int(n[-4:]) for n in numbers)
    assert serials == list(range(1, SUBMISSIONS + 1))  # no gaps, no duplicates
    assert all(n.startswith(f"{item.code}20261123") for n in numbers)


def test_concurrent_resubmission_with_one_key_makes_one_case(now):
    _skip_in_memory_sqlite()
    world = build_world(now=now)
    item = make_item(organisation=world.dept, now=now, name="幂等测试事项",
                     materials=[{"name": "补充说明", "requirement": "OPTIONAL"}])

    def submit(i):
        return services.case_submit(actor=world.citizen, idempotency_key="double-click",
                                    implementation_code=item.code, form_data=FORM,
                                    now=now).number

    numbers, errors = run_threads(8, submit)
    assert errors == []
    assert len(set(numbers)) == 1
    assert Case.objects.exclude(status=CaseStatus.DRAFT).count() == 1


def test_a_draft_submitted_twice_at_once_gives_both_taps_the_same_case(now):
    _skip_in_memory_sqlite()
    world = build_world(now=now)
    item = make_item(organisation=world.dept, now=now, name="双击提交事项",
                     materials=[{"name": "补充说明", "requirement": "OPTIONAL"}])
    draft = services.case_draft_save(actor=world.citizen, implementation_code=item.code,
                                     form_data=FORM, now=now)

    def submit(i):
        return services.case_submit(actor=world.citizen, idempotency_key="tap-tap",
                                    case=draft, now=now).number

    numbers, errors = run_threads(4, submit)
    assert errors == []  # the losing tap is not told its submission failed
    assert len(numbers) == 4 and len(set(numbers)) == 1


def test_two_clerks_accept_at_once_one_wins_one_conflicts(now):
    _skip_in_memory_sqlite()
    world = build_world(now=now)
    case = submit_online(world, now)
    seen = case.lock_version
    actors = [world.clerk, world.chief]

    def accept(i):
        return services.case_accept(actor=actors[i], case=case, expected_version=seen,
                                    now=now).status

    results, errors = run_threads(2, accept)
    # Accepted, and the approval route started in the same transaction (Cases II).
    assert results == [CaseStatus.IN_REVIEW]
    assert len(errors) == 1 and isinstance(errors[0], CaseConflict)
    assert errors[0].message == "该办件刚被其他人处理，请刷新后查看。"
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert case.actions.filter(kind="ACCEPT").count() == 1
    assert case.actions.filter(kind="ROUTE_START").count() == 1
