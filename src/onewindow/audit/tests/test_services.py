import datetime as dt
import decimal
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from onewindow.audit.chain import compute_hash, content_of
from onewindow.audit.errors import AuditImmutable
from onewindow.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from onewindow.audit.services import audit_record, audit_verify, redact
from onewindow.common.request_context import reset_request_id, set_request_id

pytestmark = pytest.mark.django_db


def _record(now, n=1, actor=None, **extra):
    events = []
    for i in range(n):
        events.append(
            audit_record(
                actor=actor,
                action="test.thing.changed",
                subject_type="test.thing",
                subject_id=str(i),
                before={"name": f"旧名称{i}"},
                after={"name": f"新名称{i}", **extra},
                now=now + dt.timedelta(seconds=i),
            )
        )
    return events


def _raw(sql, params=()):
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


def test_records_form_a_chain_that_verifies(now, clerk):
    first, second, third = _record(now, 3, actor=clerk)

    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    head = AuditChainHead.objects.get()
    assert (head.last_id, head.last_hash, head.count) == (third.pk, third.hash, 3)
    assert first.actor == clerk and first.actor_label == "clerk01"

    result = audit_verify()
    assert result.ok and result.checked == 3 and result.first_broken_id is None


def test_empty_chain_verifies():
    result = audit_verify()
    assert result.ok and result.checked == 0


def test_system_actor_and_request_id(now):
    token = set_request_id("req42")
    try:
        (event,) = _record(now)
    finally:
        reset_request_id(token)
    assert event.actor is None and event.actor_label == "system"
    assert event.request_id == "req42"


def test_hash_is_stable_across_time_zones_and_value_types(now):
    shanghai_now = now.astimezone(ZoneInfo("Asia/Shanghai"))
    (event,) = _record(
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
    assert compute_hash(content_of(stored), stored.prev_hash) == event.hash
    assert audit_verify().ok


def test_altered_row_is_reported(now):
    events = _record(now, 4)
    _raw("UPDATE {table} SET after = %s WHERE id = %s", ['{"name": "篡改"}', events[2].pk])

    result = audit_verify()
    assert not result.ok
    assert result.first_broken_id == events[2].pk
    assert result.checked == 2
    assert "篡改" in result.reason


def test_removed_middle_row_is_reported_at_the_next_row(now):
    events = _record(now, 4)
    _raw("DELETE FROM {table} WHERE id = %s", [events[1].pk])

    result = audit_verify()
    assert not result.ok
    assert result.first_broken_id == events[2].pk
    assert "删除" in result.reason


def test_removed_first_row_is_reported(now):
    events = _record(now, 3)
    _raw("DELETE FROM {table} WHERE id = %s", [events[0].pk])

    result = audit_verify()
    assert not result.ok and result.first_broken_id == events[1].pk


def test_removed_last_row_is_reported(now):
    events = _record(now, 3)
    _raw("DELETE FROM {table} WHERE id = %s", [events[2].pk])

    result = audit_verify()
    assert not result.ok
    assert result.first_broken_id == events[2].pk
    assert result.checked == 2


def test_rows_beyond_the_head_read_at_start_are_not_checked(now):
    # The head is read before the rows are streamed; a row committed in between must not
    # look like damage. Simulated by a row the head does not know yet.
    _first, second = _record(now, 2)
    extra = AuditEvent(
        occurred_at=now, actor_label="system", action="test.late", subject_type="test.thing",
        subject_id="9", request_id="-", prev_hash=second.hash,
    )
    extra.hash = compute_hash(content_of(extra), extra.prev_hash)
    extra.save()

    result = audit_verify()
    assert result.ok and result.checked == 2


def test_audit_row_rolls_back_with_the_callers_transaction(now):
    _record(now, 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        _record(now, 1)
        raise RuntimeError("业务失败")
    assert AuditEvent.objects.count() == 1
    assert AuditChainHead.objects.get().count == 1
    assert audit_verify().ok


def test_missing_head_is_recreated_only_for_an_empty_table(now):
    AuditChainHead.objects.all().delete()
    _record(now, 1)
    assert AuditChainHead.objects.get().count == 1


def test_naive_now_is_refused(now):
    with pytest.raises(ValueError, match="aware"):
        _record(now.replace(tzinfo=None))


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


def test_saved_rows_cannot_be_changed_or_deleted(now):
    (event,) = _record(now)
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
        AuditEvent(action="x", subject_type="y", subject_id="1", occurred_at=now).save()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.thing.changed"
