import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory, override_settings

from onewindow.events import registry
from onewindow.events.models import EventDelivery, OutboxEvent
from onewindow.events.services import deliver_event, publish

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_outbox_admin_is_read_only(admin_user):
    request = _request(admin_user)
    for model in (OutboxEvent, EventDelivery):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


@override_settings(ONEWINDOW_EVENTS_MAX_ATTEMPTS=1)
def test_retry_action_needs_the_permission_and_requeues_failed(now, admin_user):
    model_admin = admin.site._registry[EventDelivery]
    assert "retry_failed" not in model_admin.get_actions(_request(admin_user))

    admin_user.user_permissions.add(Permission.objects.get(codename="retry_delivery"))
    admin_user = type(admin_user).objects.get(pk=admin_user.pk)  # drop the perm cache
    request = _request(admin_user)
    assert "retry_failed" in model_admin.get_actions(request)

    with registry.override({"test.a": ["onewindow.events.tests.handlers.broken_until_fixed"],
                            "test.b": ["onewindow.events.tests.handlers.record"]}):
        failed_event = publish(name="test.a", payload={}, now=now)
        ok_event = publish(name="test.b", payload={}, now=now)
        deliver_event(event_id=failed_event.pk, now=now)
        deliver_event(event_id=ok_event.pk, now=now + dt.timedelta(seconds=1))
    assert failed_event.deliveries.get().status == EventDelivery.Status.FAILED

    model_admin.retry_failed(request, EventDelivery.objects.all())
    assert failed_event.deliveries.get().status == EventDelivery.Status.PENDING
    assert ok_event.deliveries.get().status == EventDelivery.Status.SUCCEEDED
    texts = [str(m) for m in request._messages]
    assert texts == ["已重新排队 1 条投递。", "1 条不是失败状态，未处理。"]
