"""Events cases publishes (through onewindow.events.services.publish), after each move.

The aggregate is ("cases.case", 办件编号, or the draft's id). Payloads carry identifiers,
codes and dates only, never personal data; their shapes are the TypedDicts below (what a
handler reads from ``event.payload`` after the JSON round trip: datetimes and dates as ISO
8601 strings). Handlers must be idempotent per (event, case, action_seq).
"""

from typing import Literal, TypedDict, get_args

CASE_SUBMITTED = "cases.case.submitted"
CASE_ACCEPTED = "cases.case.accepted"
CASE_DEEMED_ACCEPTED = "cases.case.deemed_accepted"
CASE_REJECTED = "cases.case.rejected"
CASE_CORRECTION_REQUESTED = "cases.case.correction_requested"
CASE_MATERIALS_SUPPLIED = "cases.case.materials_supplied"
CASE_WITHDRAWN = "cases.case.withdrawn"
CASE_DECIDED = "cases.case.decided"
# Cases II
CASE_REVIEW_STARTED = "cases.case.review_started"
CASE_SUSPENDED = "cases.case.suspended"
CASE_RESUMED = "cases.case.resumed"
CASE_EXTENDED = "cases.case.extended"
CASE_OUTPUT_READY = "cases.case.output_ready"
CASE_MAIL_DISPATCHED = "cases.case.mail_dispatched"
CASE_DELIVERED = "cases.case.delivered"
# Published with the event of the move that ended the case (rejected, withdrawn or
# delivered), so that apps which care about every ending subscribe to one name.
CASE_CLOSED = "cases.case.closed"

ALL = (
    CASE_SUBMITTED, CASE_ACCEPTED, CASE_DEEMED_ACCEPTED, CASE_REJECTED,
    CASE_CORRECTION_REQUESTED, CASE_MATERIALS_SUPPLIED, CASE_WITHDRAWN, CASE_DECIDED,
    CASE_REVIEW_STARTED, CASE_SUSPENDED, CASE_RESUMED, CASE_EXTENDED, CASE_OUTPUT_READY,
    CASE_MAIL_DISPATCHED, CASE_DELIVERED, CASE_CLOSED,
)

# A case is closed when nothing more can happen to it: refused at the front desk
# (不予受理, REJECTED), withdrawn by the applicant (WITHDRAWN), or its result — the licence
# or the 准予 / 不予许可决定书 — delivered (DELIVERED). A decision (APPROVED / DENIED) is
# not yet the end: both go to the output window and end in DELIVERED, which is when the
# applicant has what the case was for (and when a rating invitation makes sense).
CLOSING_STATUSES = frozenset({"REJECTED", "WITHDRAWN", "DELIVERED"})

Outcome = Literal["APPROVED", "DENIED", "REJECTED", "WITHDRAWN"]
OUTCOMES: frozenset[Outcome] = frozenset(get_args(Outcome))


class CasePayload(TypedDict):
    """What every case event carries.

    - ``case_id``: the case's primary key.
    - ``number``: the 办件编号, or None for a draft (drafts have no number yet).
    - ``status``: the case's status after the move (a ``CaseStatus`` value).
    - ``action_seq``, ``action_kind``: the action-log row of the move (``ActionKind``);
      (case_id, action_seq) identifies the move, for idempotent handlers.
    - ``implementation_code``: the item's 实施编码.
    - ``organisation_id``: the deciding department; ``centre_id``: the service centre.
    - ``applicant_account_id``: the applicant's login account (None for a walk-in
      applicant without one); ``applicant_person_id``: the natural person applying.
    """

    case_id: int
    number: str | None
    status: str
    action_seq: int
    action_kind: str
    implementation_code: str
    organisation_id: int
    centre_id: int
    applicant_account_id: int | None
    applicant_person_id: int | None


class CaseClosedPayload(CasePayload):
    """``cases.case.closed``: the case ended (see ``CLOSING_STATUSES``), once per case.

    - ``outcome``: how it ended: APPROVED or DENIED (the decision whose result was just
      delivered), REJECTED (不予受理) or WITHDRAWN.
    - ``received_at``: when the complete application arrived (the acceptance clock's
      start); ``accepted_at``: when it was accepted (None if it never was).
    - ``decided_at``: the decision (None for REJECTED / WITHDRAWN before a decision).
    - ``delivered_at``: the result reached the applicant (DELIVERED only, else None);
      ``delivery_channel``: PICKUP, MAIL or ELECTRONIC for a delivered case, else "".
    - ``promised_due_date``, ``legal_due_date``: the 承诺 / 法定 due dates in force at the
      end (after suspensions and extensions), for on-time statistics; None if never set.
    """

    outcome: Outcome
    received_at: str | None
    accepted_at: str | None
    decided_at: str | None
    delivered_at: str | None
    delivery_channel: str
    promised_due_date: str | None
    legal_due_date: str | None


def closed_payload(base: CasePayload, case, *, from_status: str) -> CaseClosedPayload:
    """The closed event's payload for ``case`` just moved from ``from_status`` into one of
    ``CLOSING_STATUSES`` (``base`` is the move's own payload)."""
    delivered = case.status == "DELIVERED"
    outcome = from_status if delivered else case.status
    if outcome not in OUTCOMES:
        raise ValueError(f"a case does not end as {outcome}")
    return CaseClosedPayload(
        **base,
        outcome=outcome,
        received_at=_iso(case.received_at),
        accepted_at=_iso(case.accepted_at),
        decided_at=_iso(case.decided_at),
        delivered_at=_iso(case.delivered_at) if delivered else None,
        delivery_channel=case.delivery_channel if delivered else "",
        promised_due_date=_iso(case.promised_due_date),
        legal_due_date=_iso(case.legal_due_date),
    )


def _iso(value) -> str | None:
    # ISO strings here already, so the payload a publisher builds is the one handlers read.
    return value.isoformat() if value is not None else None
