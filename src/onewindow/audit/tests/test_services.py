import datetime as dt
import decimal
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from onewindow.audit.chain import content_of, payload_hash
from onewindow.audit.errors import AuditImmutable
from onewindow.audit.models import AuditCheckpoint, AuditEvent
from onewindow.audit.services import audit_record, audit_seal, audit_verify, redact
from onewindow.common.request_context import reset_request_id, set_request_id

from .conftest import EVENTS, record, tampering

pytestmark = pytest.mark.django_db


def test_rows_verify_before_and_after_sealing(now, clerk):
    first, _second, third = record(now, 3, actor=clerk)
    assert first.actor == clerk and first.actor_label == "clerk01"
    assert first.payload_hash == payload_hash(content_of(first))

    before = audit_verify(now=now)
    assert before.ok and before.checked == 3 and before.unsealed == 3

    sealed = audit_seal(now=now)
    assert (sealed.checkpoints, sealed.rows, sealed.gaps, sealed.lag_seconds) == (1, 3, 0, 0)
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.first_id, checkpoint.last_id, checkpoint.tree_size) == (
        first.pk, third.pk, 3)

    after = audit_verify(now=now)
    assert after.ok and after.checked == 3 and after.checkpoints == 1 and after.unsealed == 0
    assert after.first_broken_id is None


def test_empty_log_verifies():
    result = audit_verify()
    assert result.ok and result.checked == 0


def test_system_actor_and_request_id(now):
    token = set_request_id("req42")
    try:
        (event,) = record(now)
    finally:
        reset_request_id(token)
    assert event.actor is None and event.actor_label == "system"
    assert event.request_id == "req42"


def test_hash_is_stable_across_time_zones_and_value_types(now):
    shanghai_now = now.astimezone(ZoneInfo("Asia/Shanghai"))
    (event,) = record(
        shanghai_now,
        amount=decimal.Decimal("12.50"),
        due_date=dt.date(2026, 12, 1),
        ref=uuid.UUID("12345678-1234-5678-1234-567812345678"),
        big=1e16,
        nested={"b": [1, "二"], "a": None},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.after["amount"] == "12.50"
    assert stored.after["due_date"] == "2026-12-01"
    assert payload_hash(content_of(stored)) == event.payload_hash
    audit_seal(now=now)
    assert audit_verify(now=now).ok


def test_an_unsealed_row_edited_in_place_is_named(now):
    events = record(now, 4)
    with tampering() as cursor:
        cursor.execute(f"UPDATE {EVENTS} SET after = %s WHERE id = %s",  # noqa: S608
                       ['{"name": "篡改"}', events[2].pk])

    result = audit_verify(now=now)
    assert not result.ok
    assert result.first_broken_id == events[2].pk
    assert result.checked == 2
    assert "篡改" in result.reason


def test_a_row_unsealed_too_long_is_an_alert(now, settings):
    settings.ONEWINDOW_AUDIT_LAG_ALERT_SECONDS = 300
    first, _second = record(now, 2)
    assert audit_verify(now=now + dt.timedelta(seconds=200)).ok

    result = audit_verify(now=now + dt.timedelta(seconds=400))
    assert not result.ok and result.first_broken_id == first.pk
    assert "未封存" in result.reason


def test_audit_row_rolls_back_with_the_callers_transaction(now):
    record(now, 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(now, 1)
        raise RuntimeError("业务失败")
    assert AuditEvent.objects.count() == 1
    assert audit_verify(now=now).ok


def test_naive_now_is_refused(now):
    with pytest.raises(ValueError, match="aware"):
        record(now.replace(tzinfo=None))


def test_redact_masks_personal_fields_at_any_depth():
    data = {
        "name": "张三",
        "id_number": "110101199003071234",
        "phone": "13812345678",
        "agent": {"contact_phone": "13900001111", "id_number": "11010119900307123X"},
        "people": [{"id_number": "440301199912310018"}],
    }
    masked = redact(data, ["id_number", "phone", "contact_phone"])
    assert masked["name"] == "张三"
    assert masked["id_number"] == "1101**********1234"
    assert masked["phone"] == "138****5678"
    assert masked["agent"] == {"contact_phone": "139****1111", "id_number": "1101**********123X"}
    assert masked["people"] == [{"id_number": "4403**********0018"}]
    assert data["id_number"] == "110101199003071234"  # the input is left alone
    assert redact(masked, ["id_number", "phone"]) == masked  # masking twice changes nothing


def test_id_numbers_never_reach_the_table_in_clear(now):
    event = audit_record(
        actor=None, action="test.person.registered", subject_type="test.person",
        subject_id="1", after={"id_number": "110101199003071234"}, now=now,
    )
    assert AuditEvent.objects.get(pk=event.pk).after == {"id_number": "1101**********1234"}


def test_saved_rows_and_checkpoints_cannot_be_changed_or_deleted(now):
    (event,) = record(now)
    event.action = "test.other"
    with pytest.raises(AuditImmutable):
        event.save()
    with pytest.raises(AuditImmutable):
        event.delete()
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="test.other")
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.bulk_create([AuditEvent(action="x", occurred_at=now)])
    with pytest.raises(AuditImmutable):
        AuditEvent(action="x", subject_type="y", subject_id="1", occurred_at=now).save()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.thing.changed"

    audit_seal(now=now)
    checkpoint = AuditCheckpoint.objects.get()
    with pytest.raises(AuditImmutable):
        checkpoint.delete()
    with pytest.raises(AuditImmutable):
        AuditCheckpoint.objects.update(merkle_root="0" * 64)
