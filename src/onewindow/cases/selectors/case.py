"""One case as its readers see it: access, applicant, materials and files."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from onewindow.common.actors import Actor
from onewindow.common.ids import is_digits
from onewindow.common.redaction import mask_id_number, mask_phone
from onewindow.identity.permissions import (
    can_view_personal_data,
)

from .. import permissions
from ..codes import ActionKind, MaterialState
from ..errors import CaseNotFound
from ..models import Case, CaseFile, CaseMaterial

# --- one case ------------------------------------------------------------------------------


def _cases() -> QuerySet[Case]:
    # The route's state (tens of KB of JSON) is read only by the workflow adapter.
    return Case.objects.select_related(
        "implementation", "version", "organisation", "centre", "applicant_person",
        "applicant_legal", "applicant_account", "submitted_by",
    ).defer("workflow_state")


def _by_ref(qs: QuerySet, ref: str | int, *, field: str = "") -> QuerySet:
    """Rows of ``qs`` whose case is ``ref``: a 办件编号, or an id (drafts have no number)."""
    text = str(ref).strip().upper()
    if is_digits(text) and len(text) < 20:
        return qs.filter(**{f"{field}pk": int(text)})
    return qs.filter(**{f"{field}number": text})


def access_case(*, actor: Actor, ref: str | int) -> Case:
    """The case ``ref`` (办件编号, or a draft's id) if ``actor`` may see it; otherwise
    ``CaseNotFound`` (404) — missing and forbidden look the same. Every API route and page
    that names a case calls this before any service or other read."""
    case = _by_ref(_cases(), ref).first()
    if case is None or not permissions.can_view_case(actor=actor, case=case):
        raise CaseNotFound(_("没有找到该办件。"), details={"number": str(ref)})
    return case


def submitted_with_key(*, actor: Actor, key: str) -> Case | None:
    """The case ``actor`` already submitted with idempotency key ``key``, if any."""
    key = (key or "").strip()
    if not key or not getattr(actor, "pk", None):
        return None
    return Case.objects.filter(submitted_by=actor, idempotency_key=key).first()


@dataclass(frozen=True)
class ApplicantView:
    name: str
    id_number: str
    phone: str
    legal_name: str
    legal_credit_code: str
    masked: bool


def applicant_view(*, viewer: Actor, case: Case) -> ApplicantView:
    person = case.applicant_person
    legal = case.applicant_legal
    clear = can_view_personal_data(viewer, person) and (
        permissions.is_applicant(actor=viewer, case=case)
        or permissions.can_view_case(actor=viewer, case=case)
    )
    return ApplicantView(
        name=person.name,
        id_number=person.id_number if clear else mask_id_number(person.id_number),
        phone=person.phone if clear else mask_phone(person.phone),
        legal_name=legal.name if legal else "",
        legal_credit_code=legal.credit_code if legal else "",
        masked=not clear,
    )


@dataclass(frozen=True)
class FileView:
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    correction_round: int
    url: str

    @property
    def previewable(self) -> bool:
        """A PDF or an image (as sniffed at upload) that a browser can show inline."""
        from ..uploads import preview_kind

        return preview_kind(self.content_type) is not None


@dataclass(frozen=True)
class MaterialView:
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
    files: list[FileView]
    licence_identifier: str = ""  # 免证办: the electronic licence that supplied it
    supply_days: int | None = None  # 容缺: working days to supply it after acceptance


def _file_view(f: CaseFile) -> FileView:
    return FileView(f.pk, f.original_name, f.content_type, f.size, f.sha256, f.uploaded_at,
                    f.correction_round, "")


def tolerance_supply_days(*materials: CaseMaterial) -> int | None:
    """容缺: the working days the catalog gives to supply these materials after acceptance
    (the shortest when several are tolerated together); None if none may be tolerated."""
    days = [m.material.supply_days if m.material_id else
            (settings.ONEWINDOW_TOLERANCE_SUPPLY_DAYS if m.tolerance_allowed else None)
            for m in materials]
    known = [d for d in days if d]
    return min(known) if known else None


def materials_of(*, case: Case) -> list[MaterialView]:
    from onewindow.catalog.codes import MaterialRequirement, label

    materials = case.materials.order_by("position").select_related("material").prefetch_related(
        Prefetch("files", CaseFile.objects.order_by("uploaded_at", "id"))
    )
    licences: dict[int, str] = {}
    if any(m.state == MaterialState.SATISFIED_BY_LICENCE for m in materials):
        for data in case.actions.filter(kind=ActionKind.SUBMIT).values_list("data", flat=True):
            for used in (data or {}).get("licences", []):
                licences[used.get("material")] = used.get("identifier", "")
    return [
        MaterialView(
            id=m.pk, position=m.position, name=m.name, requirement=m.requirement,
            requirement_label=label(MaterialRequirement, m.requirement),
            tolerance_allowed=m.tolerance_allowed, state=m.state,
            state_label=str(MaterialState(m.state).label), paper_received=m.paper_received,
            original_seen=m.original_seen, trust_grade=m.trust_grade, problem=m.problem,
            files=[_file_view(f) for f in m.files.all()],
            licence_identifier=licences.get(m.pk, ""),
            supply_days=tolerance_supply_days(m),
        )
        for m in materials
    ]


def file_download_name(record: CaseFile) -> str:
    """材料名称-办件编号.ext (UI.md: a sensible name), not the uploader's "scan.pdf"; the
    extension is the detected type's, never the uploader's (a PDF called x.hta is .pdf)."""
    from ..uploads import extension_for

    material = record.case_material.name if record.case_material_id else "材料"
    number = record.case.number or f"草稿{record.case_id}"
    stem = re.sub(r'[\\/:*?"<>|\s]+', "", f"{material}-{number}")[:120]
    return f"{stem}.{extension_for(record.content_type)}"


def access_case_file(*, actor: Actor, file_id: int, ref: str | int | None = None) -> CaseFile:
    """An uploaded file if ``actor`` may see its case (and, with ``ref``, if it belongs to
    that case); otherwise ``CaseNotFound`` (404), the same for missing and forbidden."""
    files = CaseFile.objects.select_related("case", "case__centre", "case__organisation",
                                            "case_material").filter(pk=file_id)
    if ref is not None:
        files = _by_ref(files, ref, field="case__")
    record = files.first()
    if record is None or not permissions.can_view_case(actor=actor, case=record.case):
        raise CaseNotFound(_("没有找到该文件。"))
    return record
