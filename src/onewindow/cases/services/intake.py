"""Applying: drafts, uploads, paper received at the window, submission (online and at the
window, with the idempotency key; materials the applicant's electronic licences supply are
satisfied then, 免证办, see ``licensing``), supplying corrections or 容缺 materials,
withdrawal."""

import datetime as dt
from typing import Any, BinaryIO

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from onewindow.audit.services import audit_record
from onewindow.catalog.codes import ImplementationStatus, MaterialRequirement
from onewindow.catalog.models import Implementation
from onewindow.common.errors import ApplicationError
from onewindow.common.ids import short_code
from onewindow.identity import services as identity_services
from onewindow.identity.errors import InvalidIdentifier
from onewindow.identity.models import Account, LegalPerson, NaturalPerson, Organisation
from onewindow.identity.permissions import can_act_for
from onewindow.identity.selectors import person_find_by_id_number

from .. import lifecycle, numbering, permissions, selectors, uploads
from ..applications import application_form, clean_form, initial_data
from ..codes import ActionKind, CaseStatus, Channel, MaterialState, TrustGrade
from ..errors import (
    CaseInvalid,
    CaseNotFound,
    InvalidTransition,
    ItemNotAvailable,
    MaterialsIncomplete,
)
from ..models import Case, CaseFile, CaseMaterial
from ._common import durable, ensure_item_active, lock_case, require_reason
from .licensing import satisfy_materials_from_licences_inner

K = ActionKind
S = CaseStatus

MAX_IDEMPOTENCY_KEY = 64


# --- drafts -----------------------------------------------------------------------------


def _published(implementation_code: str) -> Implementation:
    implementation = (
        Implementation.objects.select_related("organisation", "current_version", "entry")
        .filter(code=(implementation_code or "").strip().upper()).first()
    )
    if implementation is None or implementation.current_version_id is None:
        raise ItemNotAvailable("没有找到可申请的事项。",
                               details={"implementation_code": implementation_code})
    if implementation.status != ImplementationStatus.ACTIVE:
        raise ItemNotAvailable("该事项已暂停或取消办理，暂不能申请。",
                               details={"implementation_code": implementation.code})
    return implementation


def _check_legal(actor, applicant_legal: LegalPerson | None) -> None:
    if applicant_legal is not None and not can_act_for(actor, applicant_legal):
        message = "您没有代表该单位办理业务的授权。"
        raise CaseInvalid(message, details={"applicant_legal": message})


def _create_draft(
    *, actor, implementation: Implementation, centre: Organisation, person: NaturalPerson,
    applicant_account, applicant_legal, form_data, channel: str, now: dt.datetime,
) -> Case:
    version = implementation.current_version
    fields = application_form(version=version, person=person, legal_person=applicant_legal)
    data = {**initial_data(fields), **clean_form(fields, form_data, partial=True)}
    case = Case.objects.create(
        query_code=short_code(8), implementation=implementation, version=version,
        organisation=implementation.organisation, centre=centre,
        region_code=implementation.organisation.region_code, applicant_person=person,
        applicant_legal=applicant_legal, applicant_account=applicant_account,
        created_by=actor if getattr(actor, "pk", None) else None, channel=channel,
        status=S.DRAFT, form_data=data, created_at=now, updated_at=now,
    )
    CaseMaterial.objects.bulk_create(
        CaseMaterial(
            case=case, region_code=case.region_code, material=material,
            position=material.position, name=material.name, requirement=material.requirement,
            tolerance_allowed=material.tolerance_allowed, state=MaterialState.MISSING,
            updated_at=now,
        )
        for material in version.materials.order_by("position")
    )
    lifecycle.start(case, actor=actor, now=now, data={
        "implementation_code": implementation.code, "version": version.number,
        "channel": channel, "centre_id": centre.pk,
    })
    return case


@durable
def case_draft_save(
    *, actor, implementation_code: str | None = None, case: Case | int | None = None,
    form_data: dict[str, Any] | None = None, applicant_legal: LegalPerson | None = None,
    now: dt.datetime,
) -> Case:
    """Start a draft application (give ``implementation_code``) or save an open one
    (give ``case``). Citizens apply for themselves; an agent may name the enterprise they
    act for (``applicant_legal``). Required fields may still be empty in a draft."""
    if case is None:
        if actor is None or actor.kind == Account.Kind.STAFF or actor.person_id is None:
            raise CaseInvalid("请使用个人或企业经办人账户在线申请。")
        implementation = _published(implementation_code or "")
        _check_legal(actor, applicant_legal)
        centre = selectors.receiving_centre_for(organisation=implementation.organisation)
        return _create_draft(
            actor=actor, implementation=implementation, centre=centre, person=actor.person,
            applicant_account=actor, applicant_legal=applicant_legal, form_data=form_data,
            channel=Channel.ONLINE, now=now,
        )
    locked = lock_case(case)
    if locked.status != S.DRAFT or locked.created_by_id != getattr(actor, "pk", None):
        raise CaseNotFound("没有找到该草稿。")
    if applicant_legal is not None and applicant_legal.pk != locked.applicant_legal_id:
        _check_legal(actor, applicant_legal)
        locked.applicant_legal = applicant_legal
    fields = application_form(version=locked.version, person=locked.applicant_person,
                              legal_person=locked.applicant_legal)
    if form_data is not None:
        locked.form_data = clean_form(fields, form_data, partial=True)
    locked.updated_at = now
    locked.save(update_fields=["form_data", "applicant_legal", "updated_at"])
    audit_record(actor=actor, action="cases.case.draft_saved", subject_type="cases.case",
                 subject_id=str(locked.pk), after={"fields": sorted(locked.form_data)}, now=now)
    return locked


# --- the window: walk-in applicants, paper materials ----------------------------------------


def _find_or_register_person(*, actor, id_number: str, name: str, phone: str, address: str,
                             now: dt.datetime) -> NaturalPerson:
    person = person_find_by_id_number(id_number=id_number or "")
    if person is not None:
        if name and name.strip() != person.name:
            message = "姓名与身份证号码登记信息不一致，请核对证件。"
            raise CaseInvalid(message, details={"name": message})
        return person
    if not (name or "").strip():
        message = "该身份证号码尚未登记，请填写申请人姓名。"
        raise CaseInvalid(message, details={"name": message})
    try:
        return identity_services.person_register(actor=actor, name=name, id_number=id_number,
                                                 phone=phone, address=address, now=now)
    except InvalidIdentifier as exc:
        raise CaseInvalid(str(exc.message), details=exc.details) from exc


def _find_or_register_legal(*, actor, credit_code: str, name: str,
                            now: dt.datetime) -> LegalPerson | None:
    if not (credit_code or "").strip():
        return None
    code = credit_code.strip().upper()
    legal = LegalPerson.objects.filter(credit_code=code).first()
    if legal is not None:
        return legal
    if not (name or "").strip():
        message = "该统一社会信用代码尚未登记，请填写单位名称。"
        raise CaseInvalid(message, details={"legal_name": message})
    try:
        return identity_services.legal_person_register(actor=actor, name=name,
                                                       credit_code=code, now=now)
    except InvalidIdentifier as exc:
        raise CaseInvalid(str(exc.message), details=exc.details) from exc


@durable
def case_register_walk_in(
    *, actor, implementation_code: str, id_number: str, name: str = "", phone: str = "",
    address: str = "", legal_credit_code: str = "", legal_name: str = "",
    form_data: dict[str, Any] | None = None, centre: Organisation | None = None,
    now: dt.datetime,
) -> Case:
    """A window clerk starts a case for a walk-in applicant: the person is found by ID
    number or registered, the enterprise likewise by credit code. The case is a DRAFT of
    channel WINDOW at the clerk's centre (``centre`` or the clerk's own); record paper
    materials and scans, then ``case_submit_at_window``."""
    centre = centre or selectors.centre_for_clerk(actor=actor)
    if centre is None or not permissions.can_register_walk_in(actor=actor, centre=centre):
        raise CaseNotFound("没有找到可办理的受理中心。")
    implementation = _published(implementation_code)
    if not selectors.centre_receives(centre=centre, organisation=implementation.organisation):
        message = f"“{implementation.organisation.name}”的事项不在本中心受理。"
        raise CaseInvalid(message, details={"implementation": message})
    person = _find_or_register_person(actor=actor, id_number=id_number, name=name,
                                      phone=phone, address=address, now=now)
    legal = _find_or_register_legal(actor=actor, credit_code=legal_credit_code,
                                    name=legal_name, now=now)
    account = Account.objects.filter(person=person, is_active=True).first()
    return _create_draft(
        actor=actor, implementation=implementation, centre=centre, person=person,
        applicant_account=account, applicant_legal=legal, form_data=form_data,
        channel=Channel.WINDOW, now=now,
    )


def _material_of(case: Case, material_id: int) -> CaseMaterial:
    material = CaseMaterial.objects.filter(case=case, pk=material_id).first()
    if material is None:
        message = "该办件没有这项材料。"
        raise CaseInvalid(message, details={"material_id": message})
    return material


@durable
def case_material_receive_paper(
    *, actor, case: Case | int | str, material_ids: list[int], original_seen: bool = True,
    expected_version: int | None = None, now: dt.datetime,
) -> Case:
    """The clerk records paper materials received at the window (原件核验 → trust B)."""
    locked = lock_case(case)
    if not permissions.can_accept_case(actor=actor, case=locked) and not (
        locked.status == S.DRAFT and locked.created_by_id == getattr(actor, "pk", None)
        and locked.channel == Channel.WINDOW
    ):
        raise CaseNotFound("没有找到该办件。")
    if not material_ids:
        raise CaseInvalid("请选择收到的材料。", details={"material_ids": "请选择收到的材料。"})
    lifecycle.check(locked, K.RECEIVE_PAPER, expected_version=expected_version)
    materials = [_material_of(locked, int(pk)) for pk in dict.fromkeys(material_ids)]
    for material in materials:
        material.paper_received = True
        material.original_seen = material.original_seen or original_seen
        material.trust_grade = _better_grade(material.trust_grade,
                                             TrustGrade.B if original_seen else TrustGrade.C)
        material.state = _state_after_supply(locked, material, paper=True)
        material.updated_at = now
        material.save(update_fields=["paper_received", "original_seen", "trust_grade",
                                     "state", "updated_at"])
    lifecycle.transition(
        locked, K.RECEIVE_PAPER, actor=actor, now=now, expected_version=expected_version,
        data={"materials": [{"id": m.pk, "name": m.name} for m in materials],
              "original_seen": original_seen},
    )
    return locked


def _better_grade(current: str, new: str) -> str:
    return min(filter(None, [current, new]))  # "A" < "B" < "C" < "D"


def _state_after_supply(case: Case, material: CaseMaterial, *, paper: bool) -> str:
    if case.status == S.CORRECTION_REQUESTED and material.state in (
        MaterialState.DEFECTIVE, MaterialState.MISSING
    ):
        return MaterialState.SUPPLIED
    if material.state == MaterialState.TOLERATED:
        return MaterialState.SUPPLIED
    if material.state in (MaterialState.MISSING, MaterialState.DEFECTIVE):
        return MaterialState.RECEIVED if paper else MaterialState.UPLOADED
    return material.state


# --- uploads ----------------------------------------------------------------------------


# After acceptance the route runs (IN_REVIEW, SUSPENDED): 容缺 materials may still come in.
_ACCEPTED_STATES = (S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED)
_UPLOAD_STATES = (S.DRAFT, S.SUBMITTED, S.CORRECTION_REQUESTED, *_ACCEPTED_STATES)


def case_material_upload(
    *, actor, case: Case | int | str, material_id: int, stream: BinaryIO | bytes,
    filename: str, now: dt.datetime,
) -> CaseFile:
    """Attach one file to a material. The content is sniffed (PDF, JPEG, PNG, OFD, DOCX),
    executables and oversize files are refused (``UploadRejected`` / ``UploadTooLarge``,
    HTTP 422). Allowed while drafting, while corrections are requested (the flagged
    materials), for 容缺 materials after acceptance, and for window staff while checking.

    The bytes are read and checked before the transaction starts (no lock is held while
    a large upload is read); a file stored by a transaction that then fails is removed.
    """
    checked = uploads.check_upload(stream=stream, filename=filename)
    stored: list[str] = []
    try:
        with transaction.atomic(durable=True):
            return _attach(actor=actor, case=case, material_id=material_id, checked=checked,
                           stored=stored, now=now)
    except BaseException:
        for name in stored:
            CaseFile.file.field.storage.delete(name)
        raise


def _attach(*, actor, case, material_id: int, checked: uploads.CheckedUpload,
            stored: list[str], now: dt.datetime) -> CaseFile:
    locked = lock_case(case)
    if not permissions.can_view_case(actor=actor, case=locked) or not (
        permissions.can_act_as_applicant(actor=actor, case=locked)
    ):
        raise CaseNotFound("没有找到该办件。")
    material = _material_of(locked, material_id)
    staff = permissions.can_accept_case(actor=actor, case=locked)
    if locked.status not in _UPLOAD_STATES:
        raise InvalidTransition("该办件已办结，不能再上传材料。")
    if locked.status == S.SUBMITTED and not staff:
        raise InvalidTransition("申请已提交，正在等待受理；如需补充材料请等待补正通知。")
    if locked.status == S.CORRECTION_REQUESTED and not material.problem and not staff:
        raise InvalidTransition("这项材料不在补正清单中，无需重新上传。")
    if locked.status in _ACCEPTED_STATES and material.state != MaterialState.TOLERATED:
        raise InvalidTransition("已受理的办件只能补交容缺材料。")
    record = CaseFile(
        case=locked, region_code=locked.region_code, case_material=material,
        original_name=checked.original_name, content_type=checked.content_type,
        size=checked.size, sha256=checked.sha256, correction_round=locked.correction_rounds,
        uploaded_by=actor if getattr(actor, "pk", None) else None, uploaded_at=now,
    )
    record.file.save(f"upload.{checked.kind.extension}", ContentFile(checked.content),
                     save=False)
    stored.append(record.file.name)
    record.save()
    material.state = _state_after_supply(locked, material, paper=False)
    material.trust_grade = _better_grade(material.trust_grade, TrustGrade.C)
    material.updated_at = now
    material.save(update_fields=["state", "trust_grade", "updated_at"])
    # The move (with its audit row) last: see acceptance._accept.
    lifecycle.transition(
        locked, K.ADD_FILE, actor=actor, now=now,
        data={"material": {"id": material.pk, "name": material.name},
              "file": {"name": checked.original_name, "content_type": checked.content_type,
                       "size": checked.size, "sha256": checked.sha256}},
    )
    return record


# --- submission ---------------------------------------------------------------------------


def _clean_key(key: str | None) -> str:
    key = (key or "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY:
        message = f"幂等键不能超过 {MAX_IDEMPOTENCY_KEY} 个字符。"
        raise CaseInvalid(message, details={"idempotency_key": message})
    return key


def _existing(actor, key: str) -> Case | None:
    if not key or not getattr(actor, "pk", None):
        return None
    return Case.objects.filter(submitted_by=actor, idempotency_key=key).first()


def _missing_required(case: Case) -> list[CaseMaterial]:
    return [
        m for m in case.materials.all()
        if m.requirement == MaterialRequirement.REQUIRED
        and m.state in (MaterialState.MISSING, MaterialState.DEFECTIVE)
    ]


def _submit(*, actor, case: Case, key: str, proxy: bool, window: bool,
            expected_version: int | None, now: dt.datetime) -> Case:
    ensure_item_active(case)
    fields = application_form(version=case.version, person=case.applicant_person,
                              legal_person=case.applicant_legal)
    form = clean_form(fields, case.form_data, partial=False)
    # Stale page or wrong status: say so before anything is allocated or logged.
    lifecycle.check(case, K.SUBMIT, expected_version=expected_version)
    # The number first: 免证办 logs the use of each licence under it. If a check below
    # fails, the whole submission (number, materials, usage log) rolls back.
    number = numbering.allocate(implementation=case.implementation, now=now)
    case.number = number
    from_licences = satisfy_materials_from_licences_inner(case=case, actor=actor, now=now)
    if not window:
        missing = _missing_required(case)
        if missing:
            names = "、".join(m.name for m in missing)
            raise MaterialsIncomplete(
                f"请先上传必要材料：{names}。",
                details={"materials": {str(m.pk): "请上传该材料。" for m in missing}},
            )
    lifecycle.transition(
        case, K.SUBMIT, actor=actor, now=now, expected_version=expected_version,
        fields={"number": number, "submitted_at": now, "received_at": now,
                "submitted_by": actor if getattr(actor, "pk", None) else None,
                "idempotency_key": key, "proxy": proxy, "form_data": form},
        data={"number": number, "channel": case.channel, "proxy": proxy,
              "version": case.version.number,
              "materials": [{"id": m.pk, "name": m.name, "state": m.state}
                            for m in case.materials.all()],
              "licences": [{"material": m.pk, "name": m.name,
                            "identifier": m.licence.identifier}
                           for m in from_licences]},
    )
    return case


def _submit_idempotent(inner, *, actor, key: str):
    """Run ``inner`` in its own durable transaction; if another request with the same
    idempotency key won the race, return the case that request created."""
    existing = _existing(actor, key)
    if existing is not None:
        return existing
    try:
        with transaction.atomic(durable=True):
            return inner()
    except (IntegrityError, ApplicationError):
        # The twin request (a double tap, a retry after a timeout) may have submitted the
        # same draft first: then this one finds the draft already moved on (a conflict) or
        # the key taken. Either way the applicant's submission happened: return it.
        existing = _existing(actor, key)
        if existing is None:
            raise
        return existing


def case_submit(
    *, actor, idempotency_key: str, case: Case | int | None = None,
    implementation_code: str | None = None, form_data: dict[str, Any] | None = None,
    applicant_legal: LegalPerson | None = None, expected_version: int | None = None,
    now: dt.datetime,
) -> Case:
    """Submit online: a draft (``case``) or, in one step, a new application
    (``implementation_code`` + ``form_data``). Gives the case its number (实施编码 +
    yyyyMMdd + serial) and starts the Art. 32 clock. Every REQUIRED material must have a
    file. Repeating the call with the same ``idempotency_key`` returns the same case and
    never allocates a second number."""
    key = _clean_key(idempotency_key)

    def inner() -> Case:
        if case is None:
            draft = case_draft_save.__wrapped__(
                actor=actor, implementation_code=implementation_code, form_data=form_data,
                applicant_legal=applicant_legal, now=now,
            )
        else:
            draft = lock_case(case)
            if draft.created_by_id != getattr(actor, "pk", None) or (
                draft.channel != Channel.ONLINE
            ):
                raise CaseNotFound("没有找到该草稿。")
            if form_data is not None:
                draft.form_data = {**draft.form_data, **form_data}
        return _submit(actor=actor, case=draft, key=key, proxy=False, window=False,
                       expected_version=expected_version, now=now)

    return _submit_idempotent(inner, actor=actor, key=key)


def case_submit_at_window(
    *, actor, case: Case | int, proxy: bool = True, idempotency_key: str = "",
    form_data: dict[str, Any] | None = None, expected_version: int | None = None,
    now: dt.datetime,
) -> Case:
    """The clerk submits a walk-in case on the applicant's behalf (``proxy``: 帮办代办 —
    the clerk filled in and submitted for the applicant; recorded on the case and in the
    action). Missing paper is allowed here: the clerk then requests corrections or
    accepts with 容缺."""
    key = _clean_key(idempotency_key)

    def inner() -> Case:
        draft = lock_case(case)
        if draft.channel != Channel.WINDOW or not permissions.can_accept_case(
            actor=actor, case=draft
        ):
            raise CaseNotFound("没有找到该办件。")
        if form_data is not None:
            draft.form_data = {**draft.form_data, **form_data}
        return _submit(actor=actor, case=draft, key=key, proxy=proxy, window=True,
                       expected_version=expected_version, now=now)

    return _submit_idempotent(inner, actor=actor, key=key)


# --- corrections and 容缺 -------------------------------------------------------------------


@durable
def case_supply_materials(
    *, actor, case: Case | int | str, form_data: dict[str, Any] | None = None, note: str = "",
    expected_version: int | None = None, now: dt.datetime,
) -> Case:
    """Declare the requested corrections (uploaded or handed in on paper) complete: the
    case goes back to the front-desk queue with a new receipt time. After a 容缺
    acceptance, records the tolerated materials supplied so far instead."""
    locked = lock_case(case)
    if not permissions.can_view_case(actor=actor, case=locked) or not (
        permissions.can_act_as_applicant(actor=actor, case=locked)
    ):
        raise CaseNotFound("没有找到该办件。")
    materials = list(locked.materials.all())
    if locked.status in _ACCEPTED_STATES:
        return _supply_tolerated(actor=actor, case=locked, materials=materials, note=note,
                                 expected_version=expected_version, now=now)
    if locked.status != S.CORRECTION_REQUESTED:
        raise InvalidTransition("该办件当前无需补正材料。")
    flagged = [m for m in materials if m.problem]
    outstanding = [m for m in flagged
                   if m.state in (MaterialState.DEFECTIVE, MaterialState.MISSING)]
    if outstanding:
        names = "、".join(m.name for m in outstanding)
        raise MaterialsIncomplete(
            f"以下材料尚未补正：{names}。",
            details={"materials": {str(m.pk): m.problem for m in outstanding}},
        )
    form = locked.form_data
    if form_data is not None:
        fields = application_form(version=locked.version, person=locked.applicant_person,
                                  legal_person=locked.applicant_legal)
        form = clean_form(fields, {**locked.form_data, **form_data}, partial=False)
    lifecycle.transition(
        locked, K.SUPPLY, actor=actor, now=now, reason=(note or "").strip(),
        expected_version=expected_version, fields={"received_at": now, "form_data": form},
        data={"round": locked.correction_rounds,
              "materials": [{"id": m.pk, "name": m.name, "state": m.state} for m in flagged],
              "form_changed": form != locked.form_data},
    )
    CaseMaterial.objects.filter(case=locked, pk__in=[m.pk for m in flagged]).update(
        problem="", updated_at=now
    )
    return locked


def _supply_tolerated(*, actor, case, materials, note, expected_version, now) -> Case:
    tolerated, reported = _tolerated_ids(case)
    pending = [m for m in materials if m.state == MaterialState.TOLERATED]
    newly = [m for m in materials if m.pk in tolerated and m.pk not in reported
             and m.state != MaterialState.TOLERATED]
    if not newly:
        raise MaterialsIncomplete("请先上传或在窗口提交容缺材料。",
                                  details={"materials": {str(m.pk): "待补交" for m in pending}})
    lifecycle.transition(
        case, K.SUPPLY_TOLERATED, actor=actor, now=now, reason=(note or "").strip(),
        expected_version=expected_version,
        data={"materials": [{"id": m.pk, "name": m.name} for m in newly],
              "pending": [{"id": m.pk, "name": m.name} for m in pending],
              "all_supplied": not pending},
    )
    return case


def _tolerated_ids(case: Case) -> tuple[set[int], set[int]]:
    """(materials tolerated at acceptance, those already reported as supplied)."""
    tolerated: set[int] = set()
    reported: set[int] = set()
    rows = case.actions.filter(kind__in=[K.ACCEPT, K.SUPPLY_TOLERATED]).values_list(
        "kind", "data"
    )
    for kind, data in rows:
        key = "tolerated" if kind == K.ACCEPT else "materials"
        (tolerated if kind == K.ACCEPT else reported).update(
            item["id"] for item in (data or {}).get(key, [])
        )
    return tolerated, reported


# --- withdrawal ---------------------------------------------------------------------------


@durable
def case_withdraw(*, actor, case: Case | int | str, reason: str,
                  expected_version: int | None = None, now: dt.datetime) -> Case:
    """The applicant withdraws before a decision (a clerk may record it at the window)."""
    reason = require_reason(reason, label="撤回理由")
    locked = lock_case(case)
    if not permissions.can_view_case(actor=actor, case=locked) or not (
        permissions.is_applicant(actor=actor, case=locked)
        or permissions.can_accept_case(actor=actor, case=locked)
    ):
        raise CaseNotFound("没有找到该办件。")
    lifecycle.transition(
        locked, K.WITHDRAW, actor=actor, now=now, reason=reason,
        expected_version=expected_version, fields={"closed_at": now},
        data={"by_applicant": permissions.is_applicant(actor=actor, case=locked)},
    )
    return locked
