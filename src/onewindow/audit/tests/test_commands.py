import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _record(now, n):
    return [
        audit_record(actor=None, action="test.done", subject_type="test.thing",
                     subject_id=str(i), after={"i": i}, now=now + dt.timedelta(seconds=i))
        for i in range(n)
    ]


def test_intact_chain_exits_normally(now):
    _record(now, 3)
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().startswith("OK 已校验 3 条")


def test_broken_chain_exits_with_code_1(now):
    events = _record(now, 3)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [events[1].pk])  # noqa: S608
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify", stdout=StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert f"#{events[2].pk}" in err.getvalue()


def test_cli_alias_maps_to_the_command():
    from onewindow.cli import ALIASES

    assert ALIASES["audit-verify"] == "audit_verify"
