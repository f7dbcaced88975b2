import datetime as dt

import pytest

from onewindow.events import registry
from onewindow.events.apps import check_handlers_importable
from onewindow.events.models import EventDelivery
from onewindow.events.services import deliver_event, publish

from . import handlers

H = "onewindow.events.tests.handlers"


def test_subscribe_is_idempotent_and_override_restores():
    before = registry.all_subscriptions()
    with registry.override({"test.a": [f"{H}.record"]}):
        registry.subscribe("test.a", f"{H}.record")
        registry.subscribe("test.a", f"{H}.flaky")
        assert registry.handlers_for("test.a") == (f"{H}.record", f"{H}.flaky")
        assert registry.handlers_for("test.unknown") == ()
    assert registry.all_subscriptions() == before


def test_handler_decorator_registers_the_dotted_path():
    with registry.override():
        decorated = registry.handler("test.b")(handlers.record)
        assert decorated is handlers.record
        assert registry.handlers_for("test.b") == (f"{H}.record",)


def test_local_functions_and_bad_paths_are_refused():
    def local(event):
        pass

    with registry.override(), pytest.raises(ValueError, match="module-level"):
        registry.handler("test.c")(local)
    with registry.override(), pytest.raises(ValueError):
        registry.subscribe("test.c", "nodots")


def test_system_check_reports_unimportable_handlers():
    with registry.override({"test.d": [f"{H}.record", f"{H}.missing"]}):
        errors = check_handlers_importable()
    assert [e.id for e in errors] == ["events.E001"]
    assert "missing" in errors[0].msg


@pytest.mark.django_db
def test_non_atomic_handler_may_use_durable_transactions(now):
    with registry.override({"test.e": [f"{H}.non_atomic"]}):
        event = publish(name="test.e", payload={}, now=now)
        report = deliver_event(event_id=event.pk, now=now)
    assert report.succeeded == 1
    assert event.deliveries.get().status == EventDelivery.Status.SUCCEEDED


@pytest.mark.django_db
def test_atomic_handler_opening_a_durable_transaction_fails_visibly(now):
    with registry.override({"test.f": [f"{H}.durable_in_atomic"]}):
        event = publish(name="test.f", payload={}, now=now)
        deliver_event(event_id=event.pk, now=now + dt.timedelta(seconds=1))
    delivery = event.deliveries.get()
    assert delivery.status == EventDelivery.Status.PENDING
    assert "durable" in delivery.last_error
