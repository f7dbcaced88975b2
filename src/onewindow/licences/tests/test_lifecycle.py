"""Licence status moves keep a log: each 注销/换发 appends who, when, from, to and why,
instead of overwriting the last reason."""

import datetime as dt

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.events.models import OutboxEvent
from onewindow.licences import services
from onewindow.licences.errors import InvalidTransition, ReasonTooLong
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


def test_an_over_long_reason_is_refused_whole_not_cut(world, now):
    licence = issue_to_citizen(world, now)
    audits = AuditEvent.objects.count()
    with pytest.raises(ReasonTooLong) as refused:
        services.licence_revoke(actor=world.chief, licence=licence, reason="注" * 501, now=now)
    assert refused.value.code == "licences.reason-too-long"
    assert refused.value.details["max_length"] == 500
    licence.refresh_from_db()
    assert licence.status == Licence.Status.VALID and licence.status_reason == ""
    assert not LicenceAction.objects.exists() and AuditEvent.objects.count() == audits
    with pytest.raises(ReasonTooLong):
        services.licence_amend(actor=world.handler, licence=licence, reason="变" * 501, now=now)
    assert Licence.objects.count() == 1

    # At the limit the reason is kept whole, in the log and on the licence.
    services.licence_revoke(actor=world.chief, licence=licence, reason="注" * 500, now=now)
    licence.refresh_from_db()
    assert licence.status_reason == "注" * 500
    assert LicenceAction.objects.get().reason == "注" * 500


def test_a_licence_that_may_no_longer_change_is_neither_amended_nor_annotated(world, now):
    licence = issue_to_citizen(world, now)
    services.licence_revoke(actor=world.chief, licence=licence, reason="停业", now=now)
    with pytest.raises(InvalidTransition) as amended:
        services.licence_amend(actor=world.handler, licence=licence, reason="变更", now=now)
    assert amended.value.code == "licences.invalid-transition"
    assert amended.value.details == {"status": "REVOKED", "action": "SUPERSEDE"}
    with pytest.raises(InvalidTransition) as annotated:
        services.licence_annotate(actor=world.handler, licence=licence, text="核查", now=now)
    assert annotated.value.details == {"status": "REVOKED"}
    assert Licence.objects.count() == 1 and not licence.annotations.exists()
