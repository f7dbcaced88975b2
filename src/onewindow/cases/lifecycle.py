"""The lifecycle of a case: ONE table of allowed moves and ONE ``transition()`` that checks
a move, appends it to the action log, updates the denormalised status (and the fields
derived with it) and the deadlines (recomputed from the log with the new move, before it
is made), publishes the events and audits last (DESIGN rules 2–4). Nothing else assigns
``Case.status``.

    action               from                                   to
    CREATE               (new case)                             DRAFT
    SUBMIT               DRAFT                                  SUBMITTED
    REQUEST_CORRECTION   SUBMITTED                              CORRECTION_REQUESTED
    SUPPLY               CORRECTION_REQUESTED                   SUBMITTED
    ACCEPT, DEEM_ACCEPT  SUBMITTED                              ACCEPTED
    REJECT               SUBMITTED, CORRECTION_REQUESTED        REJECTED
    WITHDRAW             SUBMITTED, CORRECTION_REQUESTED,
                         ACCEPTED                               WITHDRAWN
    APPROVE / DENY       ACCEPTED                               APPROVED / DENIED
    ADD_FILE, RECEIVE_PAPER  DRAFT … ACCEPTED, IN_REVIEW, SUSPENDED  (unchanged)
    SUPPLY_TOLERATED     ACCEPTED, IN_REVIEW, SUSPENDED         (unchanged)

Cases II (back office and unified output):

    ROUTE_START          ACCEPTED                               IN_REVIEW
    TASK_COMPLETE, RETURN IN_REVIEW                             (unchanged)
    INSPECTION_RECORD, LICENCE_CORRECT  IN_REVIEW                (unchanged)
    SUSPEND              IN_REVIEW                              SUSPENDED
    RESUME               SUSPENDED                              IN_REVIEW
    EXTEND_*             IN_REVIEW, SUSPENDED                   (unchanged)
    APPROVE / DENY       ACCEPTED (即办), IN_REVIEW              APPROVED / DENIED
    OUTPUT_READY, MAIL_DISPATCH  APPROVED, DENIED               (unchanged)
    HAND_OVER, MAIL_DELIVER, PUBLISH_ONLINE  APPROVED, DENIED   DELIVERED
    CHOOSE_DELIVERY      any open or decided status before delivery  (unchanged)
    WITHDRAW             … also IN_REVIEW, SUSPENDED            WITHDRAWN

Concurrency: every move is ``UPDATE case SET … lock_version = n + 1 WHERE id = … AND
lock_version = n``; zero rows updated means someone else moved first and the caller gets
``CaseConflict`` (HTTP 409) with nothing written, since the whole service is one
transaction.
"""

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import audit_record
from onewindow.common.lifecycle import Change, Lifecycle, Move, account_or_none
from onewindow.events.services import publish

from . import deadlines, events
from .codes import SUBJECT_TYPE as CASE_SUBJECT_TYPE
from .codes import ActionKind, CaseStatus
from .errors import CONFLICT_MESSAGE, CaseConflict, InvalidTransition
from .models import Case, CaseAction

S = CaseStatus
K = ActionKind

_ACTIVE = frozenset({S.DRAFT, S.SUBMITTED, S.CORRECTION_REQUESTED, S.ACCEPTED})
_REVIEWING = frozenset({S.IN_REVIEW, S.SUSPENDED})
_DECIDED = frozenset({S.APPROVED, S.DENIED})


TRANSITIONS: dict[str, Move] = {
    K.CREATE: Move(frozenset(), S.DRAFT),
    K.SUBMIT: Move(frozenset({S.DRAFT}), S.SUBMITTED, events.CASE_SUBMITTED),
    K.REQUEST_CORRECTION: Move(
        frozenset({S.SUBMITTED}), S.CORRECTION_REQUESTED, events.CASE_CORRECTION_REQUESTED
    ),
    K.SUPPLY: Move(frozenset({S.CORRECTION_REQUESTED}), S.SUBMITTED,
                   events.CASE_MATERIALS_SUPPLIED),
    K.ACCEPT: Move(frozenset({S.SUBMITTED}), S.ACCEPTED, events.CASE_ACCEPTED),
    K.DEEM_ACCEPT: Move(frozenset({S.SUBMITTED}), S.ACCEPTED, events.CASE_DEEMED_ACCEPTED),
    K.REJECT: Move(frozenset({S.SUBMITTED, S.CORRECTION_REQUESTED}), S.REJECTED,
                   events.CASE_REJECTED),
    K.WITHDRAW: Move(frozenset({S.SUBMITTED, S.CORRECTION_REQUESTED, S.ACCEPTED,
                                S.IN_REVIEW, S.SUSPENDED}),
                     S.WITHDRAWN, events.CASE_WITHDRAWN),
    K.APPROVE: Move(frozenset({S.ACCEPTED, S.IN_REVIEW}), S.APPROVED, events.CASE_DECIDED),
    K.DENY: Move(frozenset({S.ACCEPTED, S.IN_REVIEW}), S.DENIED, events.CASE_DECIDED),
    # After acceptance only 容缺 materials come in (intake checks which), also in review.
    K.ADD_FILE: Move(_ACTIVE | _REVIEWING, None),
    K.RECEIVE_PAPER: Move(_ACTIVE | _REVIEWING, None),
    K.SUPPLY_TOLERATED: Move(_REVIEWING | {S.ACCEPTED}, None, events.CASE_MATERIALS_SUPPLIED),
    # --- Cases II ---
    K.ROUTE_START: Move(frozenset({S.ACCEPTED}), S.IN_REVIEW, events.CASE_REVIEW_STARTED),
    K.TASK_COMPLETE: Move(frozenset({S.IN_REVIEW}), None),
    # Issue 13: a 现场核查 step's record, and the chief's correction of the licence draft.
    K.INSPECTION_RECORD: Move(frozenset({S.IN_REVIEW}), None),
    K.LICENCE_CORRECT: Move(frozenset({S.IN_REVIEW}), None),
    K.RETURN: Move(frozenset({S.IN_REVIEW}), None),
    K.SUSPEND: Move(frozenset({S.IN_REVIEW}), S.SUSPENDED, events.CASE_SUSPENDED),
    K.RESUME: Move(frozenset({S.SUSPENDED}), S.IN_REVIEW, events.CASE_RESUMED),
    K.EXTEND_REQUEST: Move(_REVIEWING, None),
    K.EXTEND_APPROVE: Move(_REVIEWING, None, events.CASE_EXTENDED),
    K.EXTEND_REFUSE: Move(_REVIEWING, None),
    K.OUTPUT_READY: Move(_DECIDED, None, events.CASE_OUTPUT_READY),
    K.MAIL_DISPATCH: Move(_DECIDED, None, events.CASE_MAIL_DISPATCHED),
    K.HAND_OVER: Move(_DECIDED, S.DELIVERED, events.CASE_DELIVERED),
    K.MAIL_DELIVER: Move(_DECIDED, S.DELIVERED, events.CASE_DELIVERED),
    K.PUBLISH_ONLINE: Move(_DECIDED, S.DELIVERED, events.CASE_DELIVERED),
    K.CHOOSE_DELIVERY: Move(_ACTIVE | _REVIEWING | _DECIDED, None),
}

SUBJECT_TYPE = CASE_SUBJECT_TYPE  # codes.SUBJECT_TYPE: one name for a case everywhere

# Fields a transition may set together with the status (everything else is derived).
_SETTABLE = frozenset(
    {
        "number", "submitted_at", "received_at", "accepted_at", "acceptance_basis",
        "closed_at", "submitted_by", "idempotency_key", "proxy", "form_data", "answers",
        "correction_rounds", "decided_at", "delivery_channel", "delivery_address",
        "delivered_at",
    }
)


def can_move(case: Case, kind: str) -> bool:
    return LIFECYCLE.can(case, kind)


def actor_label(actor) -> str:
    if actor is None:
        return "系统"
    name = getattr(actor, "display_name", "") or ""
    if not name and getattr(actor, "person_id", None):
        name = actor.person.name
    return name or actor.get_username()


def start(case: Case, *, actor, now: dt.datetime, data: dict | None = None) -> CaseAction:
    """Record the CREATE action of a case just inserted with status DRAFT (seq 1)."""
    if case.status != S.DRAFT or case.action_count != 0:
        raise InvalidTransition(_("办件已存在操作记录。"))
    Case.objects.filter(pk=case.pk, lock_version=case.lock_version).update(
        action_count=1, lock_version=F("lock_version") + 1
    )
    case.action_count = 1
    case.lock_version += 1
    action = CaseAction.objects.create(
        case=case, region_code=case.region_code, seq=1, kind=K.CREATE, from_status="",
        to_status=S.DRAFT, actor=account_or_none(actor), actor_label=actor_label(actor),
        occurred_at=now, data=data or {},
    )
    audit_record(actor=actor, action="cases.case.created", subject_type=SUBJECT_TYPE,
                 subject_id=str(case.pk), after={"kind": K.CREATE, **(data or {})}, now=now)
    return action


def check(case: Case, kind: str, *, expected_version: int | None = None) -> Move:
    """Raise unless ``kind`` may happen now: ``CaseConflict`` if the actor's page is stale,
    ``InvalidTransition`` if the table does not allow it from the current status. Services
    call it before their own writes; ``transition`` calls it again."""
    return LIFECYCLE.check(case, kind, expected_version=expected_version)


def transition(
    case: Case,
    kind: str,
    *,
    actor,
    now: dt.datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    fields: dict[str, Any] | None = None,
    expected_version: int | None = None,
    event_payload: dict[str, Any] | None = None,
) -> CaseAction:
    """Move ``case`` by ``kind`` (see the table), in the caller's transaction, through the
    kernel mechanism (common.lifecycle), which also writes the recomputed deadlines and
    publishes the closed event of an ending (``_deadlines``, ``_closing``).

    ``fields`` are other columns set in the same conditional UPDATE (submission time,
    number …). ``expected_version`` is the ``lock_version`` the actor saw (a stale page
    gets ``CaseConflict``); without it the version loaded with ``case`` is used. Updates
    ``case`` in place.
    """
    fields = dict(fields or {})
    unknown = set(fields) - _SETTABLE
    if unknown:
        raise ValueError(f"transition cannot set {sorted(unknown)}")
    seq = case.action_count + 1
    data = data or {}
    action = LIFECYCLE.transition(
        case, kind, actor=actor, now=now, reason=reason, expected_version=expected_version,
        fields={**fields, "action_count": seq},
        action={"region_code": case.region_code, "seq": seq, "actor_label": actor_label(actor),
                "data": data},
        after={"number": fields.get("number", case.number), "seq": seq, **_audit_safe(data)},
        payload=event_payload,
    )
    if not isinstance(action, CaseAction):  # the case lifecycle always writes an action row
        raise TypeError(f"{kind} wrote no case action")
    deadlines.step_made(case, deadlines.Step(kind, now, _stored(data)))
    return action


def _stored(data: dict[str, Any]) -> dict[str, Any]:
    # The data as the log gives it back (JSON), so a remembered step equals a read one.
    encoder = CaseAction._meta.get_field("data").encoder  # pyright: ignore[reportAttributeAccessIssue]
    return json.loads(json.dumps(data, cls=encoder))


def _deadlines(case: Case, change: Change, action: Mapping[str, Any]) -> dict[str, Any]:
    """The deadline columns the move changes, from the log plus the move being made."""
    if change.kind not in deadlines.RELEVANT_KINDS:
        return {}
    step = deadlines.Step(change.kind, change.now, action.get("data") or {})
    return deadlines.changed_fields(case, steps=[*deadlines.steps_of(case), step])


def _closing(case: Case, action: CaseAction, change: Change):
    # Every ending, whichever move made it, also publishes the one closed event.
    if change.to_status != change.from_status and change.to_status in events.CLOSING_STATUSES:
        yield events.CASE_CLOSED, events.closed_payload(payload_of(case, action), case,
                                                        from_status=change.from_status)


def payload_of(case: Case, action: CaseAction) -> events.CasePayload:
    """What every case event carries: identifiers only, never personal data."""
    return {
        "case_id": case.pk, "number": case.number, "status": case.status,
        "action_seq": action.seq, "action_kind": action.kind,
        "implementation_code": case.implementation.code if case.implementation_id else "",
        "organisation_id": case.organisation_id, "centre_id": case.centre_id,
        "applicant_account_id": case.applicant_account_id,
        "applicant_person_id": case.applicant_person_id,
    }


def _audit_safe(data: dict) -> dict:
    # The notice snapshot repeats names and addresses; the audit keeps only the facts.
    return {k: v for k, v in data.items() if k not in _NOT_AUDITED}


# Snapshots and personal data stay in the case's own log (which has access rules).
_NOT_AUDITED = frozenset({"notice", "applicant", "signature", "recipient_id_number",
                          "recipient_name", "address"})


def _refusal(case: Case, kind: str) -> str:
    return f"办件当前状态为“{CaseStatus(case.status).label}”，不能{ActionKind(kind).label}。"


LIFECYCLE = Lifecycle(
    model=Case, moves=TRANSITIONS, subject_type=SUBJECT_TYPE, conflict=CaseConflict,
    invalid_transition=InvalidTransition, audit=audit_record, publish=publish,
    audit_prefix="cases.case", version_field="lock_version", stamp_field="updated_at",
    action_model=CaseAction, action_subject="case", action_kind="kind",
    aggregate=lambda case: (SUBJECT_TYPE, case.number or str(case.pk)),
    payload=payload_of, refusal=_refusal, settable=_SETTABLE | {"action_count"},
    derive=_deadlines, also_publish=_closing,
    conflict_message=CONFLICT_MESSAGE,
)


def allowed_kinds(case: Case) -> list[str]:
    return LIFECYCLE.allowed(case)
