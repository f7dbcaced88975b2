"""Case endpoints (mounted by onewindow.api at ``/v1/``): apply, the front desk, the
applicant's view and the public progress query. Each endpoint parses input, calls one
service or selector and shapes the answer; domain errors become
``{"code", "message", "details"}`` there (cases.not-found 404, cases.conflict and
cases.invalid-transition 409, validation 422).

``{ref}`` is a 办件编号, or a draft's id (drafts have no number yet).
"""

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from onewindow.common.ratelimit import client_address
from onewindow.common.redaction import redact_text
from onewindow.identity.models import LegalPerson

from . import notices, permissions, selectors, services
from .deadlines import local_date
from .errors import CaseInvalid, CaseNotFound

router = Router(tags=["cases"])


# --- schemas ------------------------------------------------------------------------------


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


# --- shaping ------------------------------------------------------------------------------


def _clock(clock) -> dict:
    return {k: getattr(clock, k) for k in ClockOut.model_fields}


def _row(row) -> dict:
    return {
        "id": row.case.pk, "number": row.number, "item_name": row.item_name,
        "organisation": row.organisation_name, "centre": row.centre_name,
        "applicant_name": row.applicant_name, "applicant_legal_name": row.applicant_legal_name,
        "status": row.status, "status_label": row.status_label, "channel": row.channel,
        "proxy": row.proxy, "received_at": row.received_at,
        "correction_rounds": row.correction_rounds, "handling_type": row.handling_type,
        "promised_due_date": row.promised_due_date, "lock_version": row.lock_version,
        "clock": _clock(row.clock),
    }


def _case_out(request, case, now: dt.datetime) -> dict:
    actor = request.auth
    applicant = selectors.applicant_view(viewer=actor, case=case)
    form = dict(case.form_data or {})
    if applicant.masked:
        form = {k: redact_text(str(v)) for k, v in form.items()}
    expected = selectors.expected_of_applicant(case=case)
    return {
        "id": case.pk, "number": case.number, "status": case.status,
        "query_code": case.query_code if case.number else None,
        "status_label": case.get_status_display(),
        "implementation_code": case.implementation.code, "item_name": case.version.name,
        "version": case.version.number, "handling_type": case.version.handling_type,
        "organisation": case.organisation.name, "centre": case.centre.name,
        "channel": case.channel, "proxy": case.proxy,
        "applicant": applicant.__dict__, "form_data": form, "created_at": case.created_at,
        "submitted_at": case.submitted_at, "received_at": case.received_at,
        "accepted_at": case.accepted_at, "acceptance_basis": case.acceptance_basis,
        "deadlines": {
            "acceptance_due_date": case.acceptance_due_date,
            "promised_due_date": case.promised_due_date,
            "legal_due_date": case.legal_due_date,
            "tolerance_due_date": case.tolerance_due_date,
            "provisional": case.deadlines_provisional,
        },
        "clock": _clock(selectors.acceptance_clock(case, today=local_date(now))),
        "correction_rounds": case.correction_rounds, "lock_version": case.lock_version,
        "decided_at": case.decided_at, "output_due_date": case.output_due_date,
        "delivery_channel": case.delivery_channel,
        "delivery_channel_label": case.get_delivery_channel_display(),
        "delivery_address": (redact_text(case.delivery_address) if applicant.masked
                             else case.delivery_address),
        "delivered_at": case.delivered_at,
        "materials": [
            {**m.__dict__, "files": [f.__dict__ for f in m.files]}
            for m in selectors.materials_of(case=case)
        ],
        "expected": expected.__dict__,
        "allowed_actions": selectors.allowed_actions(actor=actor, case=case),
        "notices": [n.__dict__ for n in selectors.notices_of(case=case)] if case.number else [],
    }


def _legal(request, credit_code: str) -> LegalPerson | None:
    code = (credit_code or "").strip().upper()
    if not code:
        return None
    legal = LegalPerson.objects.filter(credit_code=code).first()
    if legal is None:
        message = "您没有代表该单位办理业务的授权。"
        raise CaseInvalid(message, details={"applicant_legal_credit_code": message})
    return legal


def _detail(request, ref: str, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    case = selectors.case_get_for_actor(actor=request.auth, number=ref)
    return _case_out(request, case, now)


# --- applying -----------------------------------------------------------------------------


@router.post("/case-drafts", response={201: CaseOut}, operation_id="case_draft_create")
def case_draft_create(request, body: DraftIn):
    """Start a draft application for an item (form prefilled from the account)."""
    now = timezone.now()
    case = services.case_draft_save(
        actor=request.auth, implementation_code=body.implementation_code,
        form_data=body.form_data, applicant_legal=_legal(request, body.applicant_legal_credit_code),
        now=now,
    )
    return Status(201, _detail(request, str(case.pk), now))


@router.put("/case-drafts/{draft_id}", response=CaseOut, operation_id="case_draft_save")
def case_draft_save(request, draft_id: int, body: DraftSaveIn):
    now = timezone.now()
    case = services.case_draft_save(
        actor=request.auth, case=draft_id, form_data=body.form_data,
        applicant_legal=_legal(request, body.applicant_legal_credit_code), now=now,
    )
    return _detail(request, str(case.pk), now)


@router.post("/cases/{ref}/materials/{material_id}/files", response={201: FileOut},
             operation_id="case_material_upload")
def case_material_upload(request, ref: str, material_id: int, file: File[UploadedFile]):
    """Upload one file (PDF, JPEG, PNG, OFD, DOCX; type sniffed from the content; size
    limit ONEWINDOW_UPLOAD_MAX_BYTES) for a material of a draft or a case."""
    case = selectors.case_get_for_actor(actor=request.auth, number=ref)
    record = services.case_material_upload(
        actor=request.auth, case=case, material_id=material_id, stream=file,
        filename=file.name or "", now=timezone.now(),
    )
    return Status(201, {"id": record.pk, "name": record.original_name,
                        "content_type": record.content_type, "size": record.size,
                        "sha256": record.sha256, "uploaded_at": record.uploaded_at,
                        "correction_round": record.correction_round})


@router.post("/cases", response={201: CaseOut, 200: CaseOut}, operation_id="case_submit")
def case_submit(request, body: SubmitIn):
    """Submit a draft (``draft_id``) or a new application in one step. Needs an
    idempotency key (body ``idempotency_key`` or header ``Idempotency-Key``): repeating
    the request returns the same case (200) and never a second number."""
    key = body.idempotency_key or request.headers.get("Idempotency-Key", "")
    if not key.strip():
        message = "请提供幂等键（Idempotency-Key），以免重复提交。"
        raise CaseInvalid(message, details={"idempotency_key": message})
    now = timezone.now()
    existing = selectors.submitted_with_key(actor=request.auth, key=key)
    case = services.case_submit(
        actor=request.auth, idempotency_key=key, case=body.draft_id,
        implementation_code=body.implementation_code, form_data=body.form_data,
        applicant_legal=_legal(request, body.applicant_legal_credit_code),
        expected_version=body.version, now=now,
    )
    return Status(200 if existing else 201, _detail(request, case.number, now))


# --- reading ------------------------------------------------------------------------------


@router.get("/cases", response=CasePageOut, operation_id="case_list")
def case_list(request, query: Query[ListQuery]):
    """The applicant's own cases (``scope=mine``, default for citizens) or, for staff, the
    front-desk queue (``scope=queue``: submitted cases, oldest first) or every case in
    scope (``scope=staff``, default for staff). Filters: org, centre, status (comma
    separated), item (实施编码), received_after / received_before. Keyset pagination."""
    actor = request.auth
    scope = query.scope or ("staff" if actor.is_staff_member else "mine")
    filters = selectors.CaseFilters(
        organisation_id=query.org, centre_id=query.centre,
        statuses=selectors.parse_statuses(query.status), implementation_code=query.item or "",
        received_after=query.received_after, received_before=query.received_before,
    )
    page = selectors.case_list(actor=actor, scope=scope, today=local_date(timezone.now()),
                               filters=filters, cursor=query.cursor, limit=query.limit)
    return {"items": [_row(r) for r in page.items], "next_cursor": page.next_cursor}


@router.get("/cases/{ref}", response=CaseOut, operation_id="case_get")
def case_get(request, ref: str):
    """One case with materials, deadlines, the Art. 32 clock, what the applicant must do,
    the notices issued and the actions allowed now. Applicant data masked unless the
    caller may see it."""
    return _detail(request, ref)


@router.get("/cases/{ref}/timeline", response=list[TimelineOut], operation_id="case_timeline")
def case_timeline(request, ref: str):
    """Every action on the case, oldest first (system actions marked)."""
    case = selectors.case_get_for_actor(actor=request.auth, number=ref)
    return [
        {"seq": e.seq, "kind": e.kind, "label": e.label, "occurred_at": e.occurred_at,
         "actor": e.actor_label, "is_system": e.is_system, "from_status": e.from_status,
         "to_status": e.to_status, "reason": e.reason, "details": e.details,
         "notice": e.notice}
        for e in selectors.timeline(case=case)
    ]


@router.get("/cases/{ref}/notices/{seq}", operation_id="case_notice_pdf",
            response={200: None})
def case_notice_pdf(request, ref: str, seq: int):
    """The PDF of a notice (受理通知书, 不予受理决定书, 补正材料通知书, 决定书)."""
    case = selectors.case_get_for_actor(actor=request.auth, number=ref)
    pdf = notices.render_notice(case=case, seq=seq)
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(pdf.filename)}"
    return response


@router.get("/cases/{ref}/files/{file_id}", operation_id="case_file_download",
            response={200: None})
def case_file_download(request, ref: str, file_id: int):
    selectors.case_get_for_actor(actor=request.auth, number=ref)
    record = selectors.file_for_actor(actor=request.auth, file_id=file_id)
    response = FileResponse(record.file.open("rb"), content_type=record.content_type)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(selectors.file_download_name(record))}"
    )
    return response


# --- the front desk -------------------------------------------------------------------------


@router.post("/cases/{ref}/accept", response=CaseOut, operation_id="case_accept")
def case_accept(request, ref: str, body: AcceptIn):
    """受理 (optionally 容缺: ``tolerated`` material ids + ``supply_days``)."""
    now = timezone.now()
    case = services.case_accept(actor=request.auth, case=_ref(request, ref),
                                tolerated=body.tolerated, supply_days=body.supply_days,
                                note=body.note, expected_version=body.version, now=now)
    return _detail(request, case.number, now)


@router.post("/cases/{ref}/reject", response=CaseOut, operation_id="case_reject")
def case_reject(request, ref: str, body: ReasonIn):
    """不予受理 (reason mandatory)."""
    now = timezone.now()
    case = services.case_reject(actor=request.auth, case=_ref(request, ref), reason=body.reason,
                                expected_version=body.version, now=now)
    return _detail(request, case.number, now)


@router.post("/cases/{ref}/correction", response=CaseOut,
             operation_id="case_request_correction")
def case_request_correction(request, ref: str, body: CorrectionIn):
    """一次性告知补正: every missing or defective item at once, each with its problem."""
    now = timezone.now()
    case = services.case_request_correction(
        actor=request.auth, case=_ref(request, ref),
        items=[item.dict() for item in body.items], note=body.note,
        supply_days=body.supply_days, expected_version=body.version, now=now,
    )
    return _detail(request, case.number, now)


@router.post("/cases/{ref}/supply", response=CaseOut, operation_id="case_supply_materials")
def case_supply_materials(request, ref: str, body: SupplyIn):
    """Corrections done (files uploaded first): the case returns to the queue."""
    now = timezone.now()
    case = services.case_supply_materials(actor=request.auth, case=_ref(request, ref),
                                          form_data=body.form_data, note=body.note,
                                          expected_version=body.version, now=now)
    return _detail(request, case.number, now)


@router.post("/cases/{ref}/withdraw", response=CaseOut, operation_id="case_withdraw")
def case_withdraw(request, ref: str, body: ReasonIn):
    now = timezone.now()
    case = services.case_withdraw(actor=request.auth, case=_ref(request, ref),
                                  reason=body.reason, expected_version=body.version, now=now)
    return _detail(request, case.number, now)


@router.post("/cases/{ref}/decide", response=CaseOut, operation_id="case_decide_instant")
def case_decide_instant(request, ref: str, body: DecideIn):
    """即办件: accept and decide on the spot (needs cases.decide_instant)."""
    now = timezone.now()
    case = services.case_decide_instant(actor=request.auth, case=_ref(request, ref),
                                        approve=body.approve, reason=body.reason,
                                        expected_version=body.version, now=now)
    return _detail(request, case.number, now)


def _ref(request, ref: str):
    """Visibility first, so a case outside scope is a 404 before anything else."""
    return selectors.case_get_for_actor(actor=request.auth, number=ref)


# --- public ---------------------------------------------------------------------------


@router.post("/progress", response=ProgressOut, auth=None, operation_id="case_progress_query")
def case_progress_query(request, body: ProgressQuery):
    """Status only, by 办件编号 + 查询码 (printed on the notices) in the JSON body, so the
    code never appears in a URL or an access log. No personal data. After ten wrong pairs
    from one address in 15 minutes: 429 too-many-attempts."""
    return _progress(request, body)


@router.get("/progress", response=ProgressOut, auth=None, operation_id="case_progress_public",
            deprecated=True)
def case_progress_public(request, query: Query[ProgressQuery]):
    """Deprecated (kept for one release): use ``POST /progress`` with a JSON body. Access
    logs record this path without its query string, so the code is not logged."""
    return _progress(request, query)


def _progress(request, query: ProgressQuery) -> dict:
    progress = selectors.public_progress_guarded(
        number=query.number, query_code=query.code, client=client_address(request))
    return {
        "number": progress.number, "item_name": progress.item_name,
        "organisation": progress.organisation_name, "centre": progress.centre_name,
        "status": progress.status, "status_label": progress.status_label,
        "submitted_date": progress.submitted_date, "accepted_date": progress.accepted_date,
        "promised_due_date": progress.promised_due_date, "closed_date": progress.closed_date,
        "steps": [{"label": label, "date": day} for label, day in progress.steps],
    }


# --- Cases II: review, time limits, decisions and output -----------------------------------


class CaseTaskCompleteIn(Schema):
    opinion: str = ""
    decision: str | None = None
    reasons: str = ""
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


class DeliverIn(Schema):
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


@router.post("/case-tasks/{task_id}/complete", response=CaseOut,
             operation_id="case_task_complete")
def case_task_complete(request, task_id: int, body: CaseTaskCompleteIn):
    """Complete a review step (opinion) or the decision step (``decision``: approve, deny
    with ``reasons``, return). The same as ``task_complete`` of the workflow API, answered
    with the case."""
    now = timezone.now()
    case = services.case_task_complete(
        actor=request.auth, work_item=task_id, opinion=body.opinion, decision=body.decision,
        reasons=body.reasons, expected_version=body.version, now=now)
    return _detail(request, case.number, now)


@router.post("/case-tasks/{task_id}/return", response=CaseOut, operation_id="case_return")
def case_return(request, task_id: int, body: ReturnIn):
    """退回: send the case from this step back to the previous one, with a reason."""
    now = timezone.now()
    case = services.case_return(actor=request.auth, work_item=task_id, reason=body.reason,
                                expected_version=body.version, now=now)
    return _detail(request, case.number, now)


@router.post("/cases/{ref}/suspend", response=CaseOut, operation_id="case_suspend")
def case_suspend(request, ref: str, body: SuspendIn):
    """Stop the clock for an Art. 45 special procedure (``procedure``: HEARING, TENDER,
    AUCTION, INSPECTION, TESTING, QUARANTINE, APPRAISAL, EXPERT_REVIEW, ITEM_PROCEDURE,
    TOLERANCE) with the expected working days; the applicant is told in writing."""
    now = timezone.now()
    case = services.case_suspend(actor=request.auth, case=_ref(request, ref),
                                 procedure=body.procedure, expected_days=body.expected_days,
                                 reason=body.reason, expected_version=body.version, now=now)
    return _detail(request, case.number, now)


@router.post("/cases/{ref}/resume", response=CaseOut, operation_id="case_resume")
def case_resume(request, ref: str, body: ResumeIn):
    now = timezone.now()
    case = services.case_resume(actor=request.auth, case=_ref(request, ref), note=body.note,
                                expected_version=body.version, now=now)
    return _detail(request, case.number, now)


@router.post("/cases/{ref}/extension", response=CaseOut, operation_id="case_extend_request")
def case_extend_request(request, ref: str, body: ExtendIn):
    """Ask for the Art. 42 extension (at most the item's allowed working days, once)."""
    now = timezone.now()
    case = services.case_extend_request(actor=request.auth, case=_ref(request, ref),
                                        days=body.days, reason=body.reason,
                                        expected_version=body.version, now=now)
    return _detail(request, case.number, now)


@router.post("/cases/{ref}/extension/decision", response=CaseOut,
             operation_id="case_extend_decide")
def case_extend_decide(request, ref: str, body: ExtendDecideIn):
    """The chief representative approves or refuses the pending extension request."""
    now = timezone.now()
    case = services.case_extend_decide(actor=request.auth, case=_ref(request, ref),
                                       approve=body.approve, note=body.note,
                                       expected_version=body.version, now=now)
    return _detail(request, case.number, now)


@router.post("/cases/{ref}/deliver", response=CaseOut, operation_id="case_deliver")
def case_deliver(request, ref: str, body: DeliverIn):
    """统一出件: PICKUP (recipient_name, recipient_id_number, id_checked, and a signature as
    a PNG data URL or ``paper_receipt: true``), MAIL (address, carrier, tracking_number;
    then ``event=DELIVERED``) or ELECTRONIC."""
    now = timezone.now()
    details = {k: v for k, v in body.dict().items()
               if k not in ("channel", "version") and v is not None}
    case = services.case_deliver(actor=request.auth, case=_ref(request, ref),
                                 channel=body.channel, expected_version=body.version, now=now,
                                 **details)
    return _detail(request, case.number, now)


@router.post("/cases/{ref}/delivery-choice", response=CaseOut,
             operation_id="case_delivery_choose")
def case_delivery_choose(request, ref: str, body: DeliveryChoiceIn):
    """The applicant chooses how to receive the result: PICKUP, MAIL (with address),
    ELECTRONIC."""
    now = timezone.now()
    case = services.case_delivery_choose(actor=request.auth, case=_ref(request, ref),
                                         channel=body.channel, address=body.address, now=now)
    return _detail(request, case.number, now)


@router.get("/cases/{ref}/timing", response=TimingOut, operation_id="case_timing")
def case_timing(request, ref: str):
    """Due dates, working days used / left / suspended, the extension, the Art. 44 output
    deadline, and day by day why the case is due when it is."""
    case = _ref(request, ref)
    timing = selectors.case_timing(case, today=local_date(timezone.now()))
    return {**timing.__dict__,
            "suspensions": [s.__dict__ for s in timing.suspensions],
            "explanation": [line.__dict__ for line in timing.explanation]}


@router.get("/cases/{ref}/opinions", response=list[OpinionOut], operation_id="case_opinions")
def case_opinions(request, ref: str):
    """Review opinions (internal: staff of the case's scope only; others get 404)."""
    case = _ref(request, ref)
    if not permissions.can_read_opinions(actor=request.auth, case=case):
        raise CaseNotFound("没有找到该办件。")
    return [{**o.__dict__, "actor": o.actor_label} for o in selectors.case_opinions(case)]


@router.get("/cases/{ref}/decision.pdf", operation_id="case_decision_pdf",
            response={200: None})
def case_decision_pdf(request, ref: str):
    """准予 / 不予行政许可决定书 (PDF) of a decided case."""
    case = _ref(request, ref)
    content = notices.decision_pdf(case)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"inline; filename*=UTF-8''{quote(f'{case.number}-行政许可决定书.pdf')}")
    return response


class OutputPageOut(Schema):
    items: list[OutputRowOut]
    next_cursor: str | None
    total: int


@router.get("/output-queue", response=OutputPageOut, operation_id="output_queue")
def output_queue(request, cursor: str | None = None, limit: int = 50):
    """Decided cases waiting at my output window(s), soonest Art. 44 deadline first, a page
    at a time (``next_cursor``), with the number waiting in all."""
    page = selectors.output_queue_page(actor=request.auth, today=local_date(timezone.now()),
                                       cursor=cursor, limit=limit)
    return {"items": [{k: v for k, v in row.__dict__.items()
                       if k not in ("case", "delivery_address")} for row in page.rows],
            "next_cursor": page.next_cursor, "total": page.total}
