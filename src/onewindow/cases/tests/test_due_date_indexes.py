"""Supervision sweeps running cases by their promised and legal due dates: both columns
are indexed behind the status, so a sweep reads a range, not the whole table."""

import pytest
from django.db import connection

from onewindow.cases.models import Case

pytestmark = pytest.mark.django_db


def test_promised_and_legal_due_dates_are_indexed_with_the_status():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Case._meta.db_table)
    indexed = {tuple(c["columns"]) for c in constraints.values() if c["index"]}
    assert ("status", "promised_due_date") in indexed
    assert ("status", "legal_due_date") in indexed
