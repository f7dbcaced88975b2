"""Materials: uploads, paper received at the window, supplying corrections or 容缺
materials after acceptance."""

import datetime as dt
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.common.actors import Actor

from ... import actions, lifecycle, permissions, reads, uploads
from ...applications import application_form, clean_form
from ...codes import ActionKind, CaseStatus, MaterialState, TrustGrade
from ...errors import (
    CaseInvalid,
    InvalidTransition,
    MaterialsIncomplete,
)
from ...models import Case, CaseFile, CaseMaterial
from .._common import lock_case

K = ActionKind
S = CaseStatus


def _material_of(case: Case, material_id: int) -> CaseMaterial:
    material = CaseMaterial.objects.filter(case=case, pk=material_id).first()
    if material is None:
        message = _("该办件没有这项材料。")
        raise CaseInvalid(message, details={"material_id": message})
    return material


@transaction.atomic(durable=True)
def case_material_receive_paper(
    *, actor: Actor, case: Case, material_ids: list[int], original_seen: bool = True,
    expected_version: int | None = None, now: dt.datetime,
) -> Case:
    """The clerk records paper materials received at the window (原件核验 → trust B)."""
    locked = lock_case(case)
    actions.guard("paper", actor=actor, case=locked, expected_version=expected_version)
    if not material_ids:
        raise CaseInvalid(
            _("请选择收到的材料。"), details={"material_ids": _("请选择收到的材料。")}
        )
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


def case_material_upload(
    *, actor: Actor, case: Case, material_id: int, stream: IO[bytes] | bytes,
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
    actions.guard("scan", actor=actor, case=locked)
    material = _material_of(locked, material_id)
    staff = permissions.can_accept_case(actor=actor, case=locked)
    if locked.status == S.CORRECTION_REQUESTED and not material.problem and not staff:
        raise InvalidTransition(_("这项材料不在补正清单中，无需重新上传。"))
    if locked.status in reads.ACCEPTED_STATES and material.state != MaterialState.TOLERATED:
        raise InvalidTransition(_("已受理的办件只能补交容缺材料。"))
    record = CaseFile(
        case=locked, region_code=locked.region_code, case_material=material,
        original_name=checked.original_name, content_type=checked.content_type,
        size=checked.size, sha256=checked.sha256, correction_round=locked.correction_rounds,
        uploaded_by=actor if getattr(actor, "pk", None) else None, uploaded_at=now,
    )
    record.file.save(f"upload.{checked.kind.extension}", ContentFile(checked.content),
                     save=False)
    if record.file.name:  # the storage's name for it, set by save()
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


@transaction.atomic(durable=True)
def case_supply_materials(
    *, actor: Actor, case: Case, form_data: dict[str, Any] | None = None, note: str = "",
    expected_version: int | None = None, now: dt.datetime,
) -> Case:
    """Declare the requested corrections (uploaded or handed in on paper) complete: the
    case goes back to the front-desk queue with a new receipt time. After a 容缺
    acceptance, records the tolerated materials supplied so far instead."""
    locked = lock_case(case)
    actions.guard(actions.supply_key(locked), actor=actor, case=locked,
                  expected_version=expected_version)
    if locked.status in reads.ACCEPTED_STATES:
        return _supply_tolerated(actor=actor, case=locked, note=note,
                                 expected_version=expected_version, now=now)
    materials = list(locked.materials.all())
    flagged = [m for m in materials if m.problem]
    # An item the clerk added beyond the catalog's list (no catalog material) may be
    # answered by an upload, a corrected form or a note: only catalog materials block.
    outstanding = [m for m in flagged if m.material_id is not None
                   and m.state in (MaterialState.DEFECTIVE, MaterialState.MISSING)]
    if outstanding:
        names = "、".join(m.name for m in outstanding)
        raise MaterialsIncomplete(
            _("以下材料尚未补正：%(names)s。") % {"names": names},
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


def _supply_tolerated(*, actor, case, note, expected_version, now) -> Case:
    # The guard has checked that something tolerated was handed in and is not yet recorded.
    newly = reads.tolerated_handed_in(case)
    pending = reads.tolerated_awaited(case)
    lifecycle.transition(
        case, K.SUPPLY_TOLERATED, actor=actor, now=now, reason=(note or "").strip(),
        expected_version=expected_version,
        data={"materials": [{"id": m.pk, "name": m.name} for m in newly],
              "pending": [{"id": m.pk, "name": m.name} for m in pending],
              "all_supplied": not pending},
    )
    return case
