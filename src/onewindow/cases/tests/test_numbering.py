"""The daily serial is taken in its own short step on PostgreSQL (issue 12)."""

import threading

import pytest
from django.db import connection, transaction

from onewindow.cases import numbering
from onewindow.cases.errors import SerialExhausted
from onewindow.cases.models import CaseNumberCounter
from onewindow.testing import race
from onewindow.testing.world import build_world

WAIT = 10  # seconds; only reached when something blocks


@pytest.mark.django_db
def test_numbers_count_up_per_item_and_day_and_stop_at_the_last_serial(now, monkeypatch):
    item = build_world(now=now).item
    first = numbering.allocate(implementation=item, now=now)
    second = numbering.allocate(implementation=item, now=now)
    assert (first, second) == (f"{item.code}202611230001", f"{item.code}202611230002")
    monkeypatch.setattr(numbering, "MAX_SERIAL", 2)  # as if the day's 9999 were all used
    with pytest.raises(SerialExhausted):
        numbering.allocate(implementation=item, now=now)
    assert CaseNumberCounter.objects.get(implementation_id=item.pk).last_serial == 3


@pytest.mark.django_db
def test_a_rolled_back_submission_and_the_next_never_share_a_number(now):
    item = build_world(now=now).item
    with pytest.raises(RuntimeError), transaction.atomic():
        numbering.allocate(implementation=item, now=now)
        raise RuntimeError("提交失败")
    again = numbering.allocate(implementation=item, now=now)
    # PostgreSQL: taken in its own step, the serial stays used (a gap, like a sequence);
    # SQLite: taken in the submission's transaction, it rolled back with it.
    expected = "0002" if connection.vendor == "postgresql" else "0001"
    assert again.endswith(expected)
    assert numbering.allocate(implementation=item, now=now) != again


@pytest.mark.django_db(transaction=True)
def test_a_long_submission_does_not_hold_the_counter(postgres_only, now):
    item = build_world(now=now).item
    taken, second_done = threading.Event(), threading.Event()

    def long_submission():
        with transaction.atomic(durable=True):
            number = numbering.allocate(implementation=item, now=now)
            taken.set()
            # Still inside the submission: the other one must not have to wait for it.
            return number, second_done.wait(WAIT)

    def quick_submission():
        assert taken.wait(WAIT)
        with transaction.atomic(durable=True):
            number = numbering.allocate(implementation=item, now=now)
        second_done.set()
        return number

    (status_a, (first, quick_finished_first)), (status_b, second) = race(
        [long_submission, quick_submission])
    assert (status_a, status_b) == ("ok", "ok") and quick_finished_first
    assert (first[-4:], second[-4:]) == ("0001", "0002")
