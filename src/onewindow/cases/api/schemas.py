"""Every request and response schema of the cases API, in one place."""

import datetime as dt
from typing import Any

from ninja import Schema

# --- cases, materials, notices --------------------------------------------------------

class ClockOut(Schema):
    received_date: dt.date | None
    working_days_elapsed: int
    acceptance_due_date: dt.date | None
    deemed_on: dt.date | None
    working_days_left: int | None
    state: str
    state_label: str


class CaseRowOut(Schema):
    id: int
    number: str
    item_name: str
    organisation: str
    centre: str
    applicant_name: str
    applicant_legal_name: str
    status: str
    status_label: str
    channel: str
    proxy: bool
    received_at: dt.datetime | None
    correction_rounds: int
    handling_type: str
    promised_due_date: dt.date | None
    lock_version: int
    clock: ClockOut


class CasePageOut(Schema):
    items: list[CaseRowOut]
    next_cursor: str | None


class FileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    correction_round: int


class MaterialOut(Schema):
    id: int
    position: int
    name: str
    requirement: str
    requirement_label: str
    tolerance_allowed: bool
    state: str
    state_label: str
    paper_received: bool
    original_seen: bool
    trust_grade: str
    problem: str
    files: list[FileOut]


class ApplicantOut(Schema):
    name: str
    id_number: str
    phone: str
    legal_name: str
    legal_credit_code: str
    masked: bool


class DeadlinesOut(Schema):
    acceptance_due_date: dt.date | None
    promised_due_date: dt.date | None
    legal_due_date: dt.date | None
    tolerance_due_date: dt.date | None
    provisional: bool


class ExpectationOut(Schema):
    summary: str
    action_needed: bool
    items: list[dict[str, Any]]
    due_date: dt.date | None


class NoticeOut(Schema):
    seq: int
    kind: str
    title: str
    issued_at: dt.datetime
    filename: str


class CaseOut(Schema):
    id: int
    number: str | None
    query_code: str | None
    status: str
    status_label: str
    implementation_code: str
    item_name: str
    version: int
    handling_type: str
    organisation: str
    centre: str
    channel: str
    proxy: bool
    applicant: ApplicantOut
    form_data: dict[str, str]
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    accepted_at: dt.datetime | None
    acceptance_basis: str
    deadlines: DeadlinesOut
    clock: ClockOut
    correction_rounds: int
    lock_version: int
    decided_at: dt.datetime | None
    output_due_date: dt.date | None
    delivery_channel: str
    delivery_channel_label: str
    delivery_address: str
    delivered_at: dt.datetime | None
    materials: list[MaterialOut]
    expected: ExpectationOut
    allowed_actions: list[str]
    notices: list[NoticeOut]


class TimelineOut(Schema):
    seq: int
    kind: str
    label: str
    occurred_at: dt.datetime
    actor: str
    is_system: bool
    from_status: str
    to_status: str
    reason: str
    details: dict[str, Any]
    notice: str


class ProgressStepOut(Schema):
    label: str
    date: dt.date


class ProgressOut(Schema):
    number: str
    item_name: str
    organisation: str
    centre: str
    status: str
    status_label: str
    submitted_date: dt.date | None
    accepted_date: dt.date | None
    promised_due_date: dt.date | None
    closed_date: dt.date | None
    steps: list[ProgressStepOut]


class DraftIn(Schema):
    implementation_code: str
    form_data: dict[str, str] = {}
    applicant_legal_credit_code: str = ""


class DraftSaveIn(Schema):
    form_data: dict[str, str] | None = None
    applicant_legal_credit_code: str = ""


class SubmitIn(Schema):
    draft_id: int | None = None
    implementation_code: str | None = None
    form_data: dict[str, str] | None = None
    applicant_legal_credit_code: str = ""
    idempotency_key: str = ""
    version: int | None = None


class AcceptIn(Schema):
    tolerated: list[int] = []
    supply_days: int | None = None
    note: str = ""
    version: int | None = None


class ReasonIn(Schema):
    reason: str = ""
    version: int | None = None


class CorrectionItemIn(Schema):
    material_id: int | None = None
    name: str = ""
    problem: str = ""


class CorrectionIn(Schema):
    items: list[CorrectionItemIn]
    note: str = ""
    supply_days: int | None = None  # 补正期限 in working days; default from settings
    version: int | None = None


class SupplyIn(Schema):
    form_data: dict[str, str] | None = None
    note: str = ""
    version: int | None = None


class DecideIn(Schema):
    approve: bool
    reason: str = ""
    version: int | None = None


class ListQuery(Schema):
    scope: str | None = None
    org: int | None = None
    centre: int | None = None
    status: str | None = None
    item: str | None = None
    received_after: dt.datetime | None = None
    received_before: dt.datetime | None = None
    cursor: str | None = None
    limit: int = 50


class ProgressQuery(Schema):
    number: str
    code: str


# --- review, time limits, decisions and output ---------------------------------------


class CaseTaskCompleteIn(Schema):
    opinion: str = ""
    decision: str | None = None
    reasons: str = ""
    # A review step's 审查结论: agree (拟同意), disagree (拟不同意, reasons required) or
    # return (退回 to the previous step, reasons required).
    stance: str | None = None
    version: int | None = None


class ReturnIn(Schema):
    reason: str = ""
    version: int | None = None


class SuspendIn(Schema):
    procedure: str
    expected_days: int
    reason: str = ""
    version: int | None = None


class ResumeIn(Schema):
    note: str = ""
    version: int | None = None


class ExtendIn(Schema):
    days: int
    reason: str = ""
    version: int | None = None


class ExtendDecideIn(Schema):
    approve: bool
    note: str = ""
    version: int | None = None


class HandOverIn(Schema):
    recipient_name: str
    recipient_id_number: str
    id_checked: bool
    signature: str = ""  # a PNG data URL from the signature pad
    paper_receipt: bool = False  # signed the printed receipt instead
    version: int | None = None


class MailDispatchIn(Schema):
    carrier: str
    tracking_number: str
    address: str = ""  # default: the address the applicant chose
    version: int | None = None


class DeliveryActIn(Schema):
    version: int | None = None


class DeliverIn(Schema):
    """Deprecated: the body of ``POST /{ref}/deliver`` (one route for every channel)."""

    channel: str
    event: str | None = None
    recipient_name: str | None = None
    recipient_id_number: str | None = None
    id_checked: bool | None = None
    signature: str | None = None
    paper_receipt: bool | None = None
    address: str | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    version: int | None = None


class DeliveryChoiceIn(Schema):
    channel: str
    address: str = ""


class DayLineOut(Schema):
    date: dt.date
    kind: str
    label: str
    counted: int | None
    holiday: str
    is_due: bool


class SuspensionOut(Schema):
    procedure: str
    procedure_label: str
    start_date: dt.date
    end_date: dt.date | None
    expected_days: int
    working_days: int
    reason: str


class TimingOut(Schema):
    start_date: dt.date | None
    unit: str
    promised_limit: str
    legal_limit: str
    promised_due_date: dt.date | None
    legal_due_date: dt.date | None
    base_promised_due_date: dt.date | None
    base_legal_due_date: dt.date | None
    provisional: bool
    suspended: bool
    working_days_used: int
    working_days_left: int | None
    working_days_suspended: int
    suspensions: list[SuspensionOut]
    extension_state: str
    extension_days: int
    extension_requested_days: int
    allowed_extension_days: int
    decision_date: dt.date | None
    output_due_date: dt.date | None
    state: str
    state_label: str
    explanation: list[DayLineOut]


class OpinionOut(Schema):
    seq: int
    kind: str
    step: str
    organisation: str
    actor: str
    occurred_at: dt.datetime
    opinion: str
    decision: str
    decision_label: str
    reasons: str


class OutputRowOut(Schema):
    number: str
    item_name: str
    applicant_name: str
    decision: str
    decision_label: str
    decided_date: dt.date | None
    channel: str
    channel_label: str
    mail_dispatched: bool
    output_due_date: dt.date | None
    working_days_left: int | None
    colour: str
    colour_label: str
    lock_version: int


class OutputPageOut(Schema):
    items: list[OutputRowOut]
    next_cursor: str | None
    total: int


# --- 现场核查 (issue 13) ----------------------------------------------------------------------


class InspectionPointIn(Schema):
    result: str
    note: str = ""
    photos: list[int] = []


class InspectionRecordIn(Schema):
    # {checklist point key: {"result": "pass" | "fail" | "na", "note", "photos": [ids]}}
    results: dict[str, Any]
    conclusion: str = ""
    inspectors: str = ""
    inspected_on: dt.date | None = None
    version: int | None = None


class InspectionPointOut(Schema):
    key: str
    text: str
    result: str
    note: str
    photos: list[int]


class InspectionRecordOut(Schema):
    id: int
    case_number: str
    work_item_id: int
    task_label: str
    inspected_on: dt.date
    inspectors: str
    conclusion: str
    recorded_by: str
    recorded_at: dt.datetime
    points: list[InspectionPointOut]
    tally: dict[str, int]
    case_version: int


class InspectionPhotoOut(Schema):
    id: int
    point: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


# --- the licence draft at 决定 (issue 13) -----------------------------------------------------


class DraftFieldOut(Schema):
    name: str
    label: str
    value: Any = None
    source: str
    required: bool
    corrected: bool
    original: Any = None
    reason: str


class LicenceDraftOut(Schema):
    case_number: str
    licence_type_code: str
    licence_type_name: str
    holder_name: str
    valid_from: dt.date
    valid_until: dt.date | None
    fields: list[DraftFieldOut]
    # The case's lock_version: send it back with a correction (409 when stale).
    case_version: int


class LicenceDraftCorrectIn(Schema):
    field: str
    value: Any = None
    reason: str = ""
    version: int | None = None
