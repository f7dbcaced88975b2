"""On PostgreSQL: writers never wait for each other, one sealer at a time, and the
append-only trigger."""

import datetime as dt
import threading

import pytest
from django.db import ProgrammingError, connection, transaction

from onewindow.audit.models import AuditCheckpoint, AuditEvent
from onewindow.audit.sealing import SEAL_LOCK_KEY
from onewindow.audit.services import audit_record, audit_seal, audit_verify
from onewindow.testing import race

from .conftest import CHECKPOINTS, EVENTS, record

WAIT = 10  # seconds; only reached when something blocks


def _write(subject_id: str, now) -> int:
    return audit_record(actor=None, action="test.concurrent", subject_type="t",
                        subject_id=subject_id, after={"at": subject_id}, now=now).pk


@pytest.mark.django_db(transaction=True)
def test_two_writers_do_not_wait_for_each_other(postgres_only, now):
    first_wrote, second_done = threading.Event(), threading.Event()

    def slow_writer():
        with transaction.atomic(durable=True):
            row = _write("slow", now)
            first_wrote.set()
            # Still inside the transaction: under the old chain-head lock the other writer
            # could not commit before this one did.
            return row, second_done.wait(WAIT)

    def quick_writer():
        assert first_wrote.wait(WAIT)
        with transaction.atomic(durable=True):
            row = _write("quick", now)
        second_done.set()
        return row

    (status_a, (slow_row, quick_finished_first)), (status_b, quick_row) = race(
        [slow_writer, quick_writer])
    assert (status_a, status_b) == ("ok", "ok")
    assert quick_finished_first
    assert quick_row > slow_row  # took its id later, committed first
    assert audit_seal(now=now).rows == 2
    assert audit_verify(now=now).ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_all_get_sealed(postgres_only, now):
    def writer(n):
        def work():
            for i in range(10):
                with transaction.atomic(durable=True):
                    _write(f"{n}-{i}", now + dt.timedelta(microseconds=i))
        return work

    assert all(status == "ok" for status, _ in race([writer(n) for n in range(4)]))
    assert audit_seal(now=now).rows == 40
    result = audit_verify(now=now)
    assert result.ok and result.checked == 40


@pytest.mark.django_db(transaction=True)
def test_a_second_sealer_steps_aside(postgres_only, now):
    record(now, 2)
    holding, release = threading.Event(), threading.Event()

    def other_sealer():
        with transaction.atomic(durable=True), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
            holding.set()
            release.wait(WAIT)

    def this_sealer():
        assert holding.wait(WAIT)
        try:
            return audit_seal(now=now)
        finally:
            release.set()

    (_, _), (status, result) = race([other_sealer, this_sealer])
    assert status == "ok" and result.busy and result.rows == 0
    assert AuditCheckpoint.objects.count() == 0
    assert audit_seal(now=now).rows == 2


@pytest.mark.django_db
def test_the_database_refuses_to_change_or_delete_audit_rows(postgres_only, now):
    (event,) = record(now)
    audit_seal(now=now)
    statements = [
        (f"UPDATE {EVENTS} SET action = 'x' WHERE id = %s", [event.pk]),  # noqa: S608
        (f"DELETE FROM {EVENTS} WHERE id = %s", [event.pk]),  # noqa: S608
        (f"UPDATE {CHECKPOINTS} SET merkle_root = 'x'", []),  # noqa: S608
        (f"DELETE FROM {CHECKPOINTS}", []),  # noqa: S608
    ]
    for sql, params in statements:
        with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert AuditEvent.objects.get(pk=event.pk).action == "test.thing.changed"
    assert AuditCheckpoint.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_long_transaction_holding_an_id_is_waited_for_past_the_gap_window(
        postgres_only, now, settings):
    """A catalog import open longer than ONEWINDOW_AUDIT_GAP_SECONDS: its audit id is not
    declared lost while it runs, and is sealed once it commits."""
    settings.ONEWINDOW_AUDIT_GAP_SECONDS = 60
    with transaction.atomic(durable=True):
        first = _write("before", now)
    holding, later_written, seal_done = threading.Event(), threading.Event(), threading.Event()

    def long_import():
        with transaction.atomic(durable=True):
            held = _write("import", now)
            holding.set()
            assert seal_done.wait(WAIT)  # still open while the later row ages
        return held

    def later_writes():
        assert holding.wait(WAIT)
        with transaction.atomic(durable=True):
            later = _write("later", now)
        later_written.set()
        return later

    def sealer():
        assert later_written.wait(WAIT)
        try:
            # The later row is well past the window by the sealer's time.
            return audit_seal(now=now + dt.timedelta(seconds=600))
        finally:
            seal_done.set()

    (s1, held), (s2, later), (s3, while_open) = race([long_import, later_writes, sealer])
    assert (s1, s2, s3) == ("ok", "ok", "ok")
    assert first < held < later
    assert (while_open.rows, while_open.gaps) == (1, 0)
    assert AuditCheckpoint.objects.get().last_id == first

    after = audit_seal(now=now + dt.timedelta(seconds=600))
    assert (after.rows, after.gaps) == (2, 0)
    assert list(AuditCheckpoint.objects.order_by("seq").values_list("last_id", "gaps")) == [
        (first, []), (later, [])]
    result = audit_verify(now=now + dt.timedelta(seconds=600))
    assert result.ok and result.checked == 3
