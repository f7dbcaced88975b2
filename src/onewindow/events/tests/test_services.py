import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings

from onewindow.audit.models import AuditEvent
from onewindow.events import selectors, services, tasks
from onewindow.events.models import EventDelivery, OutboxEvent
from onewindow.events.services import (
    DeliveryNotFailed,
    deliver_event,
    delivery_retry,
    publish,
    sweep_due,
)

from . import handlers

pytestmark = pytest.mark.django_db

Status = EventDelivery.Status
H = "onewindow.events.tests.handlers"


def _effects(action):
    return AuditEvent.objects.filter(action=action).count()


def test_publish_creates_deliveries_and_delivers_after_commit(
    now, subscriptions, django_capture_on_commit_callbacks
):
    subscriptions({"test.happened": ["record", "flaky"], "test.other": ["broken_until_fixed"]})
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        event = publish(name="test.happened", payload={"case": "A1", "at": now},
                        aggregate_type="test.case", aggregate_id=7, now=now)
        deliveries = EventDelivery.objects.filter(event=event).order_by("id")
        assert [(d.handler, d.status) for d in deliveries] == [
            (f"{H}.record", Status.PENDING), (f"{H}.flaky", Status.PENDING),
        ]
        assert handlers.CALLS == {}  # nothing runs before the commit
    assert len(callbacks) == 1
    assert set(EventDelivery.objects.values_list("status", flat=True)) == {Status.SUCCEEDED}
    assert handlers.CALLS == {"record": 1, "flaky": 1}
    seen = handlers.SEEN[0]
    assert (seen.id, seen.name, seen.aggregate_id) == (event.pk, "test.happened", "7")
    assert seen.payload == {"case": "A1", "at": now.isoformat()}
    assert event.payload == seen.payload  # what the publisher holds is what handlers get


def test_rollback_publishes_nothing(now, subscriptions, django_capture_on_commit_callbacks):
    subscriptions({"test.happened": ["record"]})
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        publish(name="test.happened", payload={}, now=now)
        raise RuntimeError("业务失败")
    assert callbacks == []
    assert not OutboxEvent.objects.exists() and not EventDelivery.objects.exists()
    assert handlers.CALLS == {}


def test_event_without_subscribers_is_stored_and_not_enqueued(
    now, subscriptions, django_capture_on_commit_callbacks
):
    subscriptions({})
    with django_capture_on_commit_callbacks() as callbacks:
        event = publish(name="test.nobody", payload={"x": 1}, now=now)
    assert callbacks == []
    assert not event.deliveries.exists()


def test_failing_handler_is_retried_with_backoff_and_its_effect_happens_once(
    now, subscriptions, settings
):
    settings.ONEWINDOW_EVENTS_BACKOFF_SECONDS = 30
    subscriptions({"test.happened": ["flaky"]})
    handlers.STATE["fail_times"] = 2
    event = publish(name="test.happened", payload={}, now=now)
    delivery = event.deliveries.get()

    report = deliver_event(event_id=event.pk, now=now)
    assert (report.attempted, report.failed) == (1, 1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.PENDING, 1)
    assert delivery.next_attempt_at == now + dt.timedelta(seconds=30)
    assert "下游服务不可用" in delivery.last_error
    assert _effects("test.flaky") == 0  # the failed run's write was rolled back

    # Not due yet: nothing runs.
    assert deliver_event(event_id=event.pk, now=now + dt.timedelta(seconds=29)).attempted == 0
    assert handlers.CALLS["flaky"] == 1

    later = now + dt.timedelta(seconds=30)
    deliver_event(event_id=event.pk, now=later)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.PENDING, 2)
    assert delivery.next_attempt_at == later + dt.timedelta(seconds=60)

    done_at = later + dt.timedelta(seconds=60)
    report = sweep_due(now=done_at)
    assert report.succeeded == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.SUCCEEDED, 3)
    assert delivery.succeeded_at == done_at and delivery.last_error == ""
    assert handlers.CALLS["flaky"] == 3
    assert _effects("test.flaky") == 1


def test_succeeded_handler_is_never_run_again(now, subscriptions):
    subscriptions({"test.happened": ["record"]})
    event = publish(name="test.happened", payload={}, now=now)
    deliver_event(event_id=event.pk, now=now)
    later = now + dt.timedelta(days=1)
    assert deliver_event(event_id=event.pk, now=later).attempted == 0
    assert sweep_due(now=later).attempted == 0
    assert handlers.CALLS == {"record": 1}
    assert _effects("test.handled") == 1


def test_backoff_doubles_and_is_capped(settings):
    settings.ONEWINDOW_EVENTS_BACKOFF_SECONDS = 30
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert services.backoff(20).total_seconds() == 3600


@override_settings(ONEWINDOW_EVENTS_MAX_ATTEMPTS=2)
def test_max_attempts_fail_visibly_and_retry_puts_it_back(
    now, subscriptions, admin_user, django_capture_on_commit_callbacks
):
    subscriptions({"test.happened": ["broken_until_fixed"]})
    event = publish(name="test.happened", payload={}, now=now)
    deliver_event(event_id=event.pk, now=now)
    deliver_event(event_id=event.pk, now=now + dt.timedelta(hours=1))
    delivery = event.deliveries.get()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 2)
    assert list(selectors.failed_deliveries()) == [delivery]
    # A failed delivery stays put: neither sweeping nor delivering runs it again.
    assert sweep_due(now=now + dt.timedelta(days=1)).attempted == 0
    assert handlers.CALLS["broken"] == 2

    handlers.STATE["broken"] = False
    retry_at = now + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(actor=admin_user, delivery=delivery, now=retry_at)
    delivery.refresh_from_db()
    assert delivery.status == Status.SUCCEEDED and delivery.attempts == 1
    assert _effects("test.fixed") == 1
    audit = AuditEvent.objects.get(action="events.delivery.retried")
    assert audit.actor == admin_user and audit.subject_id == str(delivery.pk)
    assert audit.before == {"status": "FAILED", "attempts": 2}

    with pytest.raises(DeliveryNotFailed) as error:
        delivery_retry(actor=admin_user, delivery=delivery, now=retry_at)
    assert error.value.code == "events.delivery-not-failed"


def test_lost_enqueue_is_picked_up_by_the_sweeper(
    now, subscriptions, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    class QueueDown:
        def enqueue(self, *args, **kwargs):
            raise ConnectionError("queue unavailable")

    monkeypatch.setattr(tasks, "deliver_event_task", QueueDown())
    subscriptions({"test.happened": ["record"]})
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        event = publish(name="test.happened", payload={}, now=now)
    assert len(callbacks) == 1  # the enqueue ran, failed, and was swallowed
    assert "sweeper" in caplog.text
    assert event.deliveries.get().status == Status.PENDING
    assert handlers.CALLS == {}

    report = sweep_due(now=now + dt.timedelta(seconds=1))
    assert report.succeeded == 1
    assert event.deliveries.get().status == Status.SUCCEEDED


def test_sweep_task_reads_the_clock_and_delivers(now, subscriptions):
    subscriptions({"test.happened": ["record"]})
    publish(name="test.happened", payload={}, now=now)
    result = tasks.sweep_task.enqueue()  # ImmediateBackend: runs at once
    assert result.return_value == 1
    assert handlers.CALLS == {"record": 1}


def test_stale_running_delivery_is_reclaimed(now, subscriptions):
    subscriptions({"test.happened": ["record"]})
    event = publish(name="test.happened", payload={}, now=now)
    # A worker claimed it and died before finishing.
    EventDelivery.objects.update(status=Status.RUNNING, attempts=1, updated_at=now)

    assert sweep_due(now=now + dt.timedelta(minutes=5)).attempted == 0  # maybe still alive
    report = sweep_due(now=now + dt.timedelta(minutes=11))
    assert report.succeeded == 1
    delivery = event.deliveries.get()
    assert (delivery.status, delivery.attempts) == (Status.SUCCEEDED, 2)


@override_settings(ONEWINDOW_EVENTS_MAX_ATTEMPTS=2)
def test_stale_running_on_its_last_attempt_fails(now, subscriptions):
    subscriptions({"test.happened": ["record"]})
    event = publish(name="test.happened", payload={}, now=now)
    EventDelivery.objects.update(status=Status.RUNNING, attempts=2, updated_at=now)
    sweep_due(now=now + dt.timedelta(hours=1))
    delivery = event.deliveries.get()
    assert delivery.status == Status.FAILED and "中断" in delivery.last_error
    assert handlers.CALLS == {}


def test_unimportable_handler_fails_like_any_error(now, subscriptions):
    subscriptions({})
    event = publish(name="test.happened", payload={}, now=now)
    EventDelivery.objects.create(event=event, handler=f"{H}.missing", next_attempt_at=now,
                                 updated_at=now)
    deliver_event(event_id=event.pk, now=now)
    delivery = event.deliveries.get()
    assert delivery.status == Status.PENDING and "ImportError" in delivery.last_error


def test_personal_data_and_secrets_are_redacted_in_last_error(now, subscriptions):
    subscriptions({"test.happened": ["leaky"]})
    event = publish(name="test.happened", payload={}, now=now)
    deliver_event(event_id=event.pk, now=now)
    error = event.deliveries.get().last_error
    assert "ValueError" in error
    assert "110101199003071234" not in error and "1101**********1234" in error
    assert "13812345678" not in error and "138****5678" in error
    assert "hunter2" not in error and "abc.def" not in error
    assert "password=***" in error


def test_handler_sees_the_request_id_of_the_publisher(now, subscriptions):
    from onewindow.common.request_context import reset_request_id, set_request_id

    subscriptions({"test.happened": ["record"]})
    token = set_request_id("req-origin")
    try:
        event = publish(name="test.happened", payload={}, now=now)
    finally:
        reset_request_id(token)
    deliver_event(event_id=event.pk, now=now)
    assert AuditEvent.objects.get(action="test.handled").request_id == "req-origin"
