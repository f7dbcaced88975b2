"""Case numbers (办件编号): 实施编码 + yyyyMMdd + 4-digit daily serial per implementation.

The serial comes from one counter row per (implementation, day). On PostgreSQL it is
taken in its own short step: one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` on a
second connection in autocommit, so the counter row is locked for that one statement
and never for the rest of the submission; concurrent submissions of a popular item no
longer queue behind each other's whole transaction (issue 12, docs/decisions/0027).
Like a database sequence, a serial taken by a submission that then rolls back is not
handed out again: serials may skip, never repeat. The counter's link to the catalog has
no database constraint for that reason: the second connection does not see rows the
submission's own transaction has not committed yet (tests create items and submit in
one transaction).

On SQLite the whole submission already holds the database's single write lock, so the
counter is taken inside it, by the same one upsert; a rolled-back submission rolls its
serial back. Either way it is one statement (docs/decisions/0028).
"""

import datetime as dt

from django.db import connection
from django.utils.translation import gettext_lazy as _

from onewindow.common.db import side_connection

from .deadlines import local_date
from .errors import SerialExhausted
from .models import CaseNumberCounter

MAX_SERIAL = 9999


def _upsert(cursor, *, implementation_id: int, day: dt.date) -> int:
    # INSERT … ON CONFLICT DO UPDATE … RETURNING: PostgreSQL, and SQLite from 3.35 (Django
    # needs 3.37), so the first submission of a day and every later one cost one statement.
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    cursor.execute(
        f"INSERT INTO {table} (implementation_id, day, last_serial) "  # noqa: S608
        "VALUES (%s, %s, 1) ON CONFLICT (implementation_id, day) "
        f"DO UPDATE SET last_serial = {table}.last_serial + 1 RETURNING last_serial",
        [implementation_id, connection.ops.adapt_datefield_value(day)],
    )
    return cursor.fetchone()[0]


def _in_own_step(*, implementation_id: int, day: dt.date) -> int:
    side = side_connection(connection)  # same database, its own session, autocommit
    try:
        with side.cursor() as cursor:
            return _upsert(cursor, implementation_id=implementation_id, day=day)
    finally:
        side.close()


def _in_transaction(*, implementation_id: int, day: dt.date) -> int:
    with connection.cursor() as cursor:
        return _upsert(cursor, implementation_id=implementation_id, day=day)


def next_serial(*, implementation_id: int, day: dt.date) -> int:
    """The next serial of ``implementation_id`` on ``day``."""
    own_step = connection.vendor == "postgresql" and connection.in_atomic_block
    serial = (_in_own_step if own_step else _in_transaction)(
        implementation_id=implementation_id, day=day)
    if serial > MAX_SERIAL:
        raise SerialExhausted(
            _("该事项今日办件编号已用完，请明日再提交或联系管理员。"),
            details={"day": day.isoformat()},
        )
    return serial


def format_number(*, implementation_code: str, day: dt.date, serial: int) -> str:
    return f"{implementation_code}{day:%Y%m%d}{serial:04d}"


def allocate(*, implementation, now: dt.datetime) -> str:
    """A new, never used case number for ``implementation`` (Beijing date of ``now``)."""
    day = local_date(now)
    serial = next_serial(implementation_id=implementation.pk, day=day)
    return format_number(implementation_code=implementation.code, day=day, serial=serial)
