"""The citizen's "my cases" is read as a UNION of one index scan per way of being the
applicant (docs/decisions/0030): pages stay complete and in order, and on PostgreSQL the
plan reads the applicant indexes, never the whole table backwards by id."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.cases import selectors
from onewindow.cases.models import Case
from onewindow.identity.tests.factories import NaturalPersonFactory

from .factories import submit_online, walk_in

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


def _all_pages(actor, limit):
    numbers, cursor = [], None
    while True:
        page = selectors.my_cases(actor=actor, today=TODAY, cursor=cursor, limit=limit,
                                  include_drafts=False)
        numbers += [row.number for row in page.items]
        if not page.next_cursor:
            return numbers
        cursor = page.next_cursor


def test_pages_cover_every_way_of_being_the_applicant_once_newest_first(world, now):
    agent = world.agent
    own = [submit_online(world, now + dt.timedelta(minutes=i), actor=agent) for i in range(2)]
    for_enterprise = [submit_online(world, now + dt.timedelta(minutes=5 + i), actor=agent,
                                    legal=world.enterprise) for i in range(2)]
    # At the window for the agent as a person: account empty, person matches.
    at_window = walk_in(world, now + dt.timedelta(minutes=9),
                        id_number=agent.person.id_number, name=agent.person.name)
    submit_online(world, now)  # someone else's
    expected = sorted([*own, *for_enterprise, at_window], key=lambda c: -c.pk)

    for limit in (1, 2, 20):
        assert _all_pages(agent, limit) == [c.number for c in expected]


def test_staff_have_no_applicant_cases(world, now):
    submit_online(world, now)
    assert selectors.my_cases(actor=world.clerk, today=TODAY).items == []


def _clone_cases(source: Case, person_ids: list[int], copies: int) -> None:
    """``copies`` newer cases of other people, written in one statement."""
    columns = [f.column for f in Case._meta.concrete_fields
               if f.column not in {"id", "number", "idempotency_key", "applicant_person_id",
                                   "applicant_account_id"}]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO cases_case ({quoted}, number, idempotency_key, applicant_person_id, "  # noqa: S608
            "applicant_account_id) "
            f"SELECT {', '.join('c.' + connection.ops.quote_name(c) for c in columns)}, "
            "'BENCH-' || g, '', (%s::bigint[])[1 + g %% %s], NULL "
            "FROM cases_case c, generate_series(1, %s) g WHERE c.id = %s",
            [person_ids, len(person_ids), copies, source.pk],
        )
        cursor.execute("ANALYZE cases_case")


def test_postgresql_reads_an_old_citizens_cases_through_the_applicant_indexes(
        postgres_only, world, now):
    mine = [submit_online(world, now + dt.timedelta(minutes=i)) for i in range(3)]
    others = [NaturalPersonFactory().pk for _ in range(50)]
    _clone_cases(mine[0], others, 20_000)

    with CaptureQueriesContext(connection) as queries:
        page = selectors.my_cases(actor=world.citizen, today=TODAY, include_drafts=False)
    assert [row.number for row in page.items] == [c.number for c in reversed(mine)]
    keys, rows = (q["sql"] for q in queries.captured_queries if "cases_case" in q["sql"])
    assert "UNION" in keys
    with connection.cursor() as cursor:
        plans = []
        for sql in (keys, rows):
            cursor.execute(f"EXPLAIN {sql}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    keys_plan, rows_plan = plans

    # One scan per branch, each on an index that starts with its applicant column.
    assert "applicant_account" in keys_plan and "applicant_person" in keys_plan, keys_plan
    assert "applicant_legal" in keys_plan, keys_plan
    # Neither statement reads the table whole or walks it by id: the keys come from the
    # applicant indexes, the rows by the primary key for exactly those keys.
    assert "cases_case_pkey" not in keys_plan, keys_plan
    for plan in plans:
        assert "Seq Scan on cases_case" not in plan, plan
    assert "id = ANY" in rows_plan and "cases_case_pkey" in rows_plan, rows_plan
