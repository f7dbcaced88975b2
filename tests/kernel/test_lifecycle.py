"""The kernel lifecycle mechanism (onewindow.common.lifecycle) on its own.

``common`` may not import the apps above it, so these tests live outside the package:
they drive a small table of their own over a licence (a status-guarded entity with an
action log) and the real case table (a versioned entity)."""

import threading

import pytest
from django.db import connection, connections, transaction

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import audit_record
from onewindow.cases import lifecycle as case_lifecycle
from onewindow.cases.errors import CaseConflict
from onewindow.cases.models import Case, CaseAction
from onewindow.cases.tests.factories import FORM
from onewindow.common.lifecycle import Lifecycle, Move
from onewindow.events.models import OutboxEvent
from onewindow.events.services import publish
from onewindow.licences.errors import InvalidTransition, LicenceConflict
from onewindow.licences.models import Licence, LicenceAction
from onewindow.licences.tests.factories import issue_to_citizen, make_world
from onewindow.testing.world import build_world

V, R = Licence.Status.VALID, Licence.Status.REVOKED

TOY = Lifecycle(
    model=Licence,
    moves={
        "REVOKE": Move(frozenset({V}), R, "kernel-test.revoked"),
        "SUPERSEDE": Move(frozenset({V}), Licence.Status.SUPERSEDED),
    },
    subject_type="kernel-test.licence", conflict=LicenceConflict,
    invalid_transition=InvalidTransition, audit=audit_record, publish=publish,
    audit_prefix="kernel-test.licence", stamp_field="status_changed_at",
    action_model=LicenceAction, action_subject="licence",
    payload=lambda licence, action: {"identifier": licence.identifier, "log": action.pk},
    settable=frozenset({"status_reason"}),
)


def _written() -> tuple[int, int, int]:
    return (LicenceAction.objects.count(), AuditEvent.objects.count(),
            OutboxEvent.objects.count())


@pytest.mark.django_db
def test_an_allowed_move_writes_status_action_audit_and_event(now):
    licence = issue_to_citizen(make_world(now), now)
    actions, audits, events = _written()
    row = TOY.transition(licence, "REVOKE", actor=None, now=now, reason="测试",
                         fields={"status_reason": "测试"}, after={"extra": 1})
    assert licence.status == R and licence.status_changed_at == now  # updated in place
    stored = Licence.objects.get(pk=licence.pk)
    assert (stored.status, stored.status_reason) == (R, "测试")
    assert _written() == (actions + 1, audits + 1, events + 1)
    assert (row.kind, row.from_status, row.to_status, row.reason) == ("REVOKE", V, R, "测试")
    audit = AuditEvent.objects.get(action="kernel-test.licence.revoke")
    assert audit.before == {"status": V}
    assert audit.after == {"status": R, "reason": "测试", "extra": 1}
    event = OutboxEvent.objects.get(name="kernel-test.revoked")
    assert event.payload == {"identifier": licence.identifier, "log": row.pk}
    assert (event.aggregate_type, event.aggregate_id) == ("kernel-test.licence", str(licence.pk))


@pytest.mark.django_db
def test_a_move_without_an_event_publishes_nothing(now):
    licence = issue_to_citizen(make_world(now), now)
    events = OutboxEvent.objects.count()
    TOY.transition(licence, "SUPERSEDE", actor=None, now=now)
    assert OutboxEvent.objects.count() == events
    assert AuditEvent.objects.filter(action="kernel-test.licence.supersede").exists()


@pytest.mark.django_db
def test_a_move_the_table_forbids_raises_its_code_and_writes_nothing(now):
    licence = issue_to_citizen(make_world(now), now)
    TOY.transition(licence, "REVOKE", actor=None, now=now)
    before = _written()
    with pytest.raises(InvalidTransition) as refused:
        TOY.transition(licence, "SUPERSEDE", actor=None, now=now)
    assert refused.value.code == "licences.invalid-transition"
    assert refused.value.details == {"status": R, "action": "SUPERSEDE"}
    assert _written() == before
    assert Licence.objects.get(pk=licence.pk).status == R


@pytest.mark.django_db
def test_a_stale_copy_of_a_status_guarded_row_conflicts_and_writes_nothing(now):
    licence = issue_to_citizen(make_world(now), now)
    stale = Licence.objects.get(pk=licence.pk)
    TOY.transition(licence, "REVOKE", actor=None, now=now, reason="先到")
    before = _written()
    with pytest.raises(LicenceConflict) as lost:
        TOY.transition(stale, "SUPERSEDE", actor=None, now=now)  # it still believes VALID
    assert lost.value.code == "licences.conflict"
    assert _written() == before
    assert Licence.objects.get(pk=licence.pk).status == R


@pytest.mark.django_db
def test_a_stale_version_conflicts_and_writes_nothing(now):
    world = build_world(now=now)
    from onewindow.cases import services

    draft = services.case_draft_save(actor=world.citizen, implementation_code=world.item.code,
                                     form_data=FORM, now=now)
    case = Case.objects.get(pk=draft.pk)
    seen = case.lock_version
    actions, audits = CaseAction.objects.count(), AuditEvent.objects.count()
    # The page the actor saw is older than the row: refused before anything is written.
    with pytest.raises(CaseConflict) as stale:
        case_lifecycle.LIFECYCLE.check(case, "SUBMIT", expected_version=seen - 1)
    assert stale.value.code == "cases.conflict"
    # Someone else moved the row after this copy was loaded: the conditional UPDATE finds
    # no row with the version this copy carries.
    Case.objects.filter(pk=case.pk).update(lock_version=seen + 1)
    with pytest.raises(CaseConflict):
        case_lifecycle.LIFECYCLE.transition(case, "SUBMIT", actor=world.citizen, now=now,
                                            fields={"action_count": case.action_count + 1},
                                            action={"region_code": case.region_code,
                                                    "seq": case.action_count + 1})
    assert (CaseAction.objects.count(), AuditEvent.objects.count()) == (actions, audits)
    assert Case.objects.get(pk=case.pk).status == "DRAFT"


@pytest.mark.django_db
def test_fields_outside_the_settable_list_are_refused(now):
    licence = issue_to_citizen(make_world(now), now)
    with pytest.raises(ValueError):
        TOY.transition(licence, "REVOKE", actor=None, now=now, fields={"holder_name": "x"})
    assert Licence.objects.get(pk=licence.pk).status == V


@pytest.mark.django_db(transaction=True)
def test_two_connections_racing_the_same_move_exactly_one_wins(now):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections: PostgreSQL only (DATABASE_URL=postgres://…)")
    licence = issue_to_citizen(make_world(now), now)
    loaded = threading.Barrier(2)
    outcomes: list = []
    lock = threading.Lock()

    def race(reason: str) -> None:
        try:
            with transaction.atomic():
                mine = Licence.objects.get(pk=licence.pk)
                loaded.wait(timeout=30)  # both hold a VALID copy before either writes
                TOY.transition(mine, "REVOKE", actor=None, now=now, reason=reason)
            result = "won"
        except LicenceConflict as exc:
            result = exc.code
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=race, args=(name,)) for name in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["licences.conflict", "won"]
    assert LicenceAction.objects.filter(licence=licence).count() == 1
    assert AuditEvent.objects.filter(action="kernel-test.licence.revoke").count() == 1
    assert OutboxEvent.objects.filter(name="kernel-test.revoked").count() == 1


@pytest.mark.django_db
def test_derived_columns_go_with_the_move_and_the_audit_row_comes_last(now):
    import dataclasses

    from django.test.utils import CaptureQueriesContext

    licence = issue_to_citizen(make_world(now), now)
    seen = []

    def derive(obj, change, action):
        seen.append(("derive", obj.status))  # computed before the move
        return {"status_reason": f"由 {change.kind}"}

    def spy_publish(**kwargs):
        seen.append(("event", kwargs["name"]))
        return publish(**kwargs)

    def spy_audit(**kwargs):
        # By now the action row and both events are written.
        seen.append(("audit", LicenceAction.objects.filter(licence=licence).count(),
                     OutboxEvent.objects.filter(aggregate_id=str(licence.pk)).count()))
        return audit_record(**kwargs)

    toy = dataclasses.replace(
        TOY, audit=spy_audit, publish=spy_publish, derive=derive,
        also_publish=lambda obj, row, change: [("kernel-test.extra", {"log": row.pk})])
    actions = LicenceAction.objects.filter(licence=licence).count()
    events = OutboxEvent.objects.filter(aggregate_id=str(licence.pk)).count()
    with CaptureQueriesContext(connection) as queries:
        toy.transition(licence, "REVOKE", actor=None, now=now)
    assert seen == [("derive", V), ("event", "kernel-test.revoked"),
                    ("event", "kernel-test.extra"), ("audit", actions + 1, events + 2)]
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and "status_reason" in updates[0]
    assert Licence.objects.get(pk=licence.pk).status_reason == "由 REVOKE"


def _moves(queries) -> list[list[str]]:
    """The writes of each move, split after each audit row (the kernel writes it last)."""
    moves: list[list[str]] = [[]]
    for sql in (q["sql"] for q in queries):
        if sql.startswith(("INSERT", "UPDATE", "DELETE")):
            moves[-1].append(sql)
            if AuditEvent._meta.db_table in sql:
                moves.append([])
    return [m for m in moves if m]


@pytest.mark.django_db
def test_a_move_writes_its_deadlines_and_closed_event_before_its_audit_row(now):
    """A decision (准予许可) starts the output deadline in the move's own UPDATE; a case
    ending (撤回) publishes the closed event; in both the audit row is the move's last write
    (no single move does both: the deciding moves do not close a case)."""
    from django.test.utils import CaptureQueriesContext

    from onewindow.cases import services
    from onewindow.cases.events import CASE_CLOSED
    from onewindow.cases.tests.factories import submit_online

    audit_table, case_table = AuditEvent._meta.db_table, Case._meta.db_table
    world = build_world(now=now)
    decided = services.case_accept(
        actor=world.clerk, case=submit_online(world, now, item=world.instant_item), now=now)
    assert decided.output_due_date is None
    with CaptureQueriesContext(connection) as queries:
        services.case_decide_instant(actor=world.chief, case=decided, approve=True, now=now)
    approve = _moves(queries)[0]
    assert "'APPROVE'" in approve[1]  # the action row
    assert approve[0].startswith(f'UPDATE "{case_table}"') and "output_due_date" in approve[0]
    assert audit_table in approve[-1] and not any(audit_table in sql for sql in approve[:-1])
    assert Case.objects.get(pk=decided.pk).output_due_date is not None

    withdrawn = submit_online(world, now, key="withdrawn")
    with CaptureQueriesContext(connection) as queries:
        services.case_withdraw(actor=world.citizen, case=withdrawn, reason="不办了", now=now)
    [withdraw] = _moves(queries)
    closed = next(i for i, sql in enumerate(withdraw) if CASE_CLOSED in sql)
    assert closed < len(withdraw) - 1 and audit_table in withdraw[-1]
    assert not any(audit_table in sql for sql in withdraw[:-1])
    assert OutboxEvent.objects.filter(name=CASE_CLOSED, aggregate_id=withdrawn.number).exists()
