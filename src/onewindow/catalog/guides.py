"""The service guide (办事指南): one structured value that the portal, the mobile pages,
the window, the kiosk and the JSON API all render, built from one version without
queries (the version comes with its implementation, organisation, entry, service
objects, themes and materials loaded).
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from .codes import (
    CrossRegionScope,
    ExerciseLevel,
    HandlingForm,
    HandlingType,
    ImplementationStatus,
    ItemType,
    LimitUnit,
    MaterialMedium,
    MaterialRequirement,
    MaterialSource,
    OnlineDepth,
    ResultKind,
    SpecialProcedureKind,
    SubjectNature,
    VersionStatus,
    label,
)
from .material_files import BLANK_FORM, SAMPLE


@dataclass(frozen=True)
class CodeLabel:
    code: str
    label: str


def code_label(choices, value: str) -> CodeLabel:
    """A required code (the column has a default) with its label."""
    return CodeLabel(code=value, label=label(choices, value))


def optional_code_label(choices, value: str | None) -> CodeLabel | None:
    """An optional code with its label, or None when it is blank."""
    return code_label(choices, value) if value else None


@dataclass(frozen=True)
class Limit:
    amount: int | None
    unit: str
    unit_label: str
    note: str
    text: str  # "70 个工作日", "即办", "无"


def make_limit(amount: int | None, unit: str, note: str = "") -> Limit:
    unit_label = label(LimitUnit, unit) if unit else ""
    if amount is None:
        text = "无"
    elif amount == 0:
        text = "即办"
    elif unit == LimitUnit.HOUR:
        text = f"{amount} 小时"
    else:
        text = f"{amount} 个{unit_label}"
    return Limit(amount=amount, unit=unit or "", unit_label=unit_label, note=note or "", text=text)


@dataclass(frozen=True)
class Department:
    id: int
    name: str
    region_code: str


@dataclass(frozen=True)
class Named:
    id: int
    name: str


@dataclass(frozen=True)
class GuideMaterial:
    position: int
    name: str
    requirement: CodeLabel
    condition: str
    original_count: int
    copy_count: int
    medium: CodeLabel
    source: CodeLabel
    issuing_agency: str
    blank_form_url: str
    sample_file_url: str
    tolerance_allowed: bool
    commitment_allowed: bool
    licence_type_code: str
    note: str
    tolerance_supply_days: int | None = None  # working days after a 容缺 acceptance


@dataclass(frozen=True)
class GuideFee:
    name: str
    amount: str
    basis: str


@dataclass(frozen=True)
class GuideSpecialProcedure:
    kind: CodeLabel | None
    name: str
    limit: Limit
    basis: str


@dataclass(frozen=True)
class VersionInfo:
    number: int
    status: CodeLabel
    valid_from: dt.datetime | None
    valid_to: dt.datetime | None
    published_at: dt.datetime | None
    change_reason: str
    is_current: bool


@dataclass(frozen=True)
class Guide:
    code: str
    name: str
    short_name: str
    daily_name: str
    status: CodeLabel
    accepting: bool  # ACTIVE and this is the current version
    version: VersionInfo
    basic_code: str
    entry_name: str
    item_type: CodeLabel
    legal_basis: str
    implementation_basis: str
    level: CodeLabel
    department: Department
    subject_nature: CodeLabel
    service_objects: list[CodeLabel]
    themes: list[Named]
    handling_forms: list[CodeLabel]
    handling_type: CodeLabel
    legal_limit: Limit
    promised_limit: Limit
    visit_count: int
    online_depth: CodeLabel | None
    cross_region_scope: CodeLabel
    acceptance_conditions: str
    process_description: str
    special_procedures: list[GuideSpecialProcedure]
    fee_charged: bool
    fees: list[GuideFee]
    result_name: str
    result_kind: CodeLabel | None
    result_licence_type: str
    location: str
    office_hours: str
    in_hall: bool
    not_in_hall_reason: str
    consult_phone: str
    complaint_phone: str
    joint_departments: str
    intermediary_services: str
    quantity_limit: str
    commitment_allowed: bool
    online_platform: str
    online_apply_url: str
    appointment_url: str
    materials: list[GuideMaterial]

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _file_url(field, *, code: str, number: int, position: int, kind: str) -> str:
    """The download address of a material's file: the catalog API serves it under the
    material's name (storage URLs are not served by the application)."""
    if not field:
        return ""
    path = reverse("api:item_material_file",
                   kwargs={"code": code, "position": position, "kind": kind})
    return f"{path}?version={number}"


def build_guide(version) -> Guide:
    implementation = version.implementation
    entry = implementation.entry
    organisation = implementation.organisation
    is_current = implementation.current_version_id == version.pk
    return Guide(
        code=implementation.code,
        name=version.name,
        short_name=version.short_name,
        daily_name=version.daily_name,
        status=code_label(ImplementationStatus, implementation.status),
        accepting=is_current and implementation.status == ImplementationStatus.ACTIVE,
        version=VersionInfo(
            number=version.number,
            status=code_label(VersionStatus, version.status),
            valid_from=version.valid_from,
            valid_to=version.valid_to,
            published_at=version.published_at,
            change_reason=version.change_reason,
            is_current=is_current,
        ),
        basic_code=entry.basic_code,
        entry_name=entry.name,
        item_type=code_label(ItemType, entry.item_type),
        legal_basis=entry.legal_basis,
        implementation_basis=version.implementation_basis,
        level=code_label(ExerciseLevel, implementation.level),
        department=Department(id=organisation.pk, name=organisation.name,
                              region_code=organisation.region_code),
        subject_nature=code_label(SubjectNature, version.subject_nature),
        service_objects=[CodeLabel(o.code, o.name) for o in
                         sorted(version.service_objects.all(), key=lambda o: o.code)],
        themes=[Named(t.pk, t.name) for t in sorted(version.themes.all(), key=lambda t: t.name)],
        handling_forms=[code_label(HandlingForm, c) for c in sorted(version.handling_forms or [])],
        handling_type=code_label(HandlingType, version.handling_type),
        legal_limit=make_limit(version.legal_limit_amount, version.legal_limit_unit,
                               version.legal_limit_note),
        promised_limit=make_limit(version.promised_limit_amount, version.promised_limit_unit,
                                  version.promised_limit_note),
        visit_count=version.visit_count,
        online_depth=optional_code_label(OnlineDepth, version.online_depth),
        cross_region_scope=code_label(CrossRegionScope, version.cross_region_scope),
        acceptance_conditions=version.acceptance_conditions,
        process_description=version.process_description,
        special_procedures=[
            GuideSpecialProcedure(
                kind=optional_code_label(SpecialProcedureKind, row.get("kind", "")),
                name=row.get("name", ""),
                limit=make_limit(row.get("limit_amount"), row.get("limit_unit", "")),
                basis=row.get("basis", ""),
            )
            for row in version.special_procedures or []
        ],
        fee_charged=version.fee_charged,
        fees=[GuideFee(name=row.get("name", ""), amount=row.get("amount", ""),
                       basis=row.get("basis", "")) for row in version.fees or []],
        result_name=version.result_name,
        result_kind=optional_code_label(ResultKind, version.result_kind),
        result_licence_type=version.result_licence_type,
        location=version.location,
        office_hours=version.office_hours,
        in_hall=implementation.in_hall,
        not_in_hall_reason=implementation.not_in_hall_reason,
        consult_phone=version.consult_phone,
        complaint_phone=version.complaint_phone,
        joint_departments=version.joint_departments,
        intermediary_services=version.intermediary_services,
        quantity_limit=version.quantity_limit,
        commitment_allowed=version.commitment_allowed,
        online_platform=version.online_platform,
        online_apply_url=version.online_apply_url,
        appointment_url=version.appointment_url,
        materials=[
            GuideMaterial(
                position=m.position,
                name=m.name,
                requirement=code_label(MaterialRequirement, m.requirement),
                condition=m.condition,
                original_count=m.original_count,
                copy_count=m.copy_count,
                medium=code_label(MaterialMedium, m.medium),
                source=code_label(MaterialSource, m.source),
                issuing_agency=m.issuing_agency,
                blank_form_url=_file_url(m.blank_form, code=implementation.code,
                                         number=version.number, position=m.position,
                                         kind=BLANK_FORM.slug),
                sample_file_url=_file_url(m.sample_file, code=implementation.code,
                                          number=version.number, position=m.position,
                                          kind=SAMPLE.slug),
                tolerance_allowed=m.tolerance_allowed,
                commitment_allowed=m.commitment_allowed,
                licence_type_code=m.licence_type_code,
                note=m.note,
                tolerance_supply_days=m.supply_days,
            )
            for m in sorted(version.materials.all(), key=lambda m: m.position)
        ],
    )
