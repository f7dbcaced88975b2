import pytest
from django.core import mail

from onewindow.cases import handlers, services
from onewindow.events.models import EventDelivery, OutboxEvent
from onewindow.events.services import DeliveredEvent
from onewindow.identity import notifications
from onewindow.identity.models import InboxMessage, OutgoingMessage

from .factories import submit_online, walk_in

pytestmark = pytest.mark.django_db


def test_applicant_is_notified_in_the_inbox_and_by_sms_after_commit(
    world, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = submit_online(world, now)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_request_correction(
            actor=world.clerk, case=case, now=now,
            items=[{"name": "申请表", "problem": "缺少签字"}])
    titles = list(InboxMessage.objects.filter(account=world.citizen)
                  .order_by("id").values_list("title", flat=True))
    assert titles == ["申请已提交", "请补正申请材料"]
    sms = OutgoingMessage.objects.filter(account=world.citizen, channel="SMS").order_by("id")
    assert [m.status for m in sms] == ["SENT", "SENT"]
    assert sms[0].recipient == world.citizen.person.phone
    assert case.number in sms[1].body and "补正" in sms[1].body
    assert EventDelivery.objects.exclude(status="SUCCEEDED").count() == 0
    assert notifications.unread_count(account=world.citizen) == 2


def test_each_step_notifies(world, now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        accepted = submit_online(world, now)
        services.case_accept(actor=world.clerk, case=accepted, now=now)
        refused = submit_online(world, now)
        services.case_reject(actor=world.clerk, case=refused, reason="不属于本机关职权范围",
                             now=now)
    titles = set(InboxMessage.objects.filter(account=world.citizen)
                 .values_list("title", flat=True))
    assert {"申请已受理", "申请不予受理"} <= titles


def test_a_retried_event_never_notifies_twice(world, now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = submit_online(world, now)
    event = OutboxEvent.objects.get(name="cases.case.submitted", aggregate_id=case.number)
    view = DeliveredEvent(event.pk, event.name, event.payload, event.occurred_at,
                          event.aggregate_type, event.aggregate_id, "")
    with django_capture_on_commit_callbacks(execute=True):
        handlers.on_submitted(view)
        handlers.on_submitted(view)
    assert InboxMessage.objects.filter(account=world.citizen).count() == 1
    assert OutgoingMessage.objects.filter(account=world.citizen).count() == 1


def test_walk_in_without_account_gets_no_inbox(world, now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        walk_in(world, now)
    assert not InboxMessage.objects.exists()


def test_email_channel_and_masked_outgoing_page(world, now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(account=world.citizen, title="测试", body="正文", dedupe_key="t1",
                             channels=("inbox", "sms", "email"), email="zhang@example.cn",
                             organisation=world.centre, now=now)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zhang@example.cn"]
    page = notifications.outgoing_messages(viewer=world.clerk)
    recipients = {m.channel: m.recipient for m in page.items}
    phone = world.citizen.person.phone
    assert recipients["SMS"] == phone[:3] + "****" + phone[-4:]
    assert recipients["EMAIL"] == "z***@example.cn"
    assert notifications.outgoing_messages(viewer=world.citizen).items == []


def test_the_demo_sms_page_shows_a_clerk_only_the_messages_of_their_centre(
        world, now, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit_online(world, now)
    sent = OutgoingMessage.objects.get(account=world.citizen)
    assert sent.organisation == world.centre
    assert [m.id for m in notifications.outgoing_messages(viewer=world.clerk).items] == [sent.pk]
    # A clerk of another city's centre sees nothing, not the case number or query code.
    assert notifications.outgoing_messages(viewer=world.other_clerk).items == []
    # With a real gateway configured the page is not there at all.
    settings.ONEWINDOW_SMS_BACKEND = "onewindow.cases.tests.test_handlers.BrokenSms"
    assert not notifications.can_view_outgoing(viewer=world.clerk)
    assert notifications.outgoing_messages(viewer=world.clerk).items == []


def test_failed_sms_is_retried_later(world, now, settings, django_capture_on_commit_callbacks):
    settings.ONEWINDOW_SMS_BACKEND = "onewindow.cases.tests.test_handlers.BrokenSms"
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(account=world.citizen, title="t", body="b", dedupe_key="x",
                             now=now)
    message = OutgoingMessage.objects.get()
    assert message.status == "PENDING" and message.attempts == 1 and "gateway down" in message.error
    settings.ONEWINDOW_SMS_BACKEND = ""
    import datetime as dt

    assert notifications.dispatch_pending(now=now + dt.timedelta(minutes=5)) == 1
    message.refresh_from_db()
    assert message.status == "SENT"


def test_inbox_pages_and_mark_read(world, now):
    for i in range(3):
        notifications.notify(account=world.citizen, title=f"m{i}", body="b",
                             dedupe_key=f"k{i}", channels=("inbox",), now=now)
    page = notifications.inbox(account=world.citizen, limit=2)
    assert len(page.items) == 2 and page.next_cursor
    assert notifications.mark_read(account=world.citizen, message_ids=[page.items[0].pk],
                                   now=now) == 1
    assert notifications.unread_count(account=world.citizen) == 2
    assert notifications.mark_read(account=world.citizen, now=now) == 2


class BrokenSms:
    def send(self, **kwargs):
        raise RuntimeError("gateway down")
