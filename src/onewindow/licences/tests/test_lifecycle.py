"""Licence status moves keep a log: each 注销/换发 appends who, when, from, to and why,
instead of overwriting the last reason."""

import datetime as dt

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.events.models import OutboxEvent
from onewindow.licences import services
from onewindow.licences.errors import InvalidTransition
from onewindow.licences.models import Licence, LicenceAction

from .factories import issue_to_citizen, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(now):
    return make_world(now)


def test_revoking_appends_a_log_row_audits_and_publishes(world, now):
    licence = issue_to_citizen(world, now)
    later = now + dt.timedelta(days=3)
    services.licence_revoke(actor=world.chief, licence=licence, reason="申请人申请注销",
                            now=later)
    licence.refresh_from_db()
    assert licence.status == Licence.Status.REVOKED
    assert licence.status_reason == "申请人申请注销"  # the latest reason, for the pages
    assert licence.status_changed_at == later
    row = LicenceAction.objects.get(licence=licence)
    assert (row.kind, row.from_status, row.to_status) == ("REVOKE", "VALID", "REVOKED")
    assert (row.actor, row.occurred_at, row.reason) == (world.chief, later, "申请人申请注销")
    audit = AuditEvent.objects.get(action="licences.licence.revoke")
    assert audit.subject_id == str(licence.pk)
    assert audit.before == {"status": "VALID"}
    assert audit.after["status"] == "REVOKED" and audit.after["reason"] == "申请人申请注销"
    event = OutboxEvent.objects.get(name="licences.licence.revoked")
    assert event.payload["identifier"] == licence.identifier
    assert event.payload["reason"] == "申请人申请注销"


def test_a_refused_move_writes_nothing(world, now):
    licence = issue_to_citizen(world, now)
    services.licence_revoke(actor=world.chief, licence=licence, reason="第一次", now=now)
    audits = AuditEvent.objects.count()
    with pytest.raises(InvalidTransition) as refused:
        services.licence_revoke(actor=world.chief, licence=licence, reason="第二次", now=now)
    assert refused.value.code == "licences.invalid-transition"
    licence.refresh_from_db()
    assert licence.status_reason == "第一次"  # not overwritten
    assert list(LicenceAction.objects.values_list("reason", flat=True)) == ["第一次"]
    assert AuditEvent.objects.count() == audits


def test_every_version_keeps_its_own_history(world, now):
    first = issue_to_citizen(world, now)
    second = services.licence_amend(actor=world.handler, licence=first, reason="经营项目变更",
                                    fields={"category": "热食类食品制售"}, now=now)
    services.licence_revoke(actor=world.chief, licence=second, reason="停业", now=now)
    log = list(LicenceAction.objects.order_by("id").values_list(
        "licence_id", "kind", "from_status", "to_status", "reason"))
    assert log == [
        (first.pk, "SUPERSEDE", "VALID", "SUPERSEDED", "经营项目变更"),
        (second.pk, "REVOKE", "VALID", "REVOKED", "停业"),
    ]
    superseded = OutboxEvent.objects.get(name="licences.licence.superseded")
    assert superseded.payload["new_identifier"] == second.identifier
