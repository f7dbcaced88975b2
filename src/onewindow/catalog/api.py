"""Public catalog endpoints: the list, one guide, its versions, and browsing facets.

Mounted by onewindow.api at ``/v1/catalog/``. Every endpoint is public (``auth=None``)
and calls one selector; domain errors become ``{"code", "message", "details"}`` there
(catalog.invalid-filter / catalog.invalid-code → 422, catalog.item-not-found → 404).
"""

import dataclasses
import datetime as dt
from typing import Any

from django.http import FileResponse
from django.utils import translation
from ninja import Query, Router, Schema

from onewindow.common.schemas import errors

from . import forms, selectors

router = Router(tags=["catalog"])


class CodeLabelOut(Schema):
    code: str
    label: str


class LimitOut(Schema):
    amount: int | None
    unit: str
    unit_label: str
    note: str
    text: str


class ItemOut(Schema):
    code: str
    name: str
    department: str
    department_id: int
    item_type: CodeLabelOut
    level: CodeLabelOut
    status: CodeLabelOut
    handling_type: CodeLabelOut
    legal_limit: LimitOut
    promised_limit: LimitOut
    online_depth: CodeLabelOut | None
    visit_count: int
    in_hall: bool
    version: int | None
    rank: int | None = None


class ItemPageOut(Schema):
    items: list[ItemOut]
    next_cursor: str | None


class ItemListQuery(Schema):
    org: str | None = None
    type: str | None = None
    level: str | None = None
    theme: str | None = None
    service_object: str | None = None
    q: str | None = None
    cursor: str | None = None
    limit: str | None = None


class DepartmentOut(Schema):
    id: int
    name: str
    region_code: str


class NamedOut(Schema):
    id: int
    name: str


class GuideMaterialOut(Schema):
    """A material the guide asks for (the cases API has its own MaterialOut: a case's)."""

    position: int
    name: str
    requirement: CodeLabelOut
    condition: str
    original_count: int
    copy_count: int
    medium: CodeLabelOut
    source: CodeLabelOut
    issuing_agency: str
    blank_form_url: str
    sample_file_url: str
    tolerance_allowed: bool
    commitment_allowed: bool
    licence_type_code: str
    note: str
    tolerance_supply_days: int | None = None


class FeeOut(Schema):
    name: str
    amount: str
    basis: str


class SpecialProcedureOut(Schema):
    kind: CodeLabelOut | None
    name: str
    limit: LimitOut
    basis: str


class VersionInfoOut(Schema):
    number: int
    status: CodeLabelOut
    valid_from: dt.datetime | None
    valid_to: dt.datetime | None
    published_at: dt.datetime | None
    change_reason: str
    is_current: bool


class GuideOut(Schema):
    code: str
    name: str
    short_name: str
    daily_name: str
    status: CodeLabelOut
    accepting: bool
    version: VersionInfoOut
    basic_code: str
    entry_name: str
    item_type: CodeLabelOut
    legal_basis: str
    implementation_basis: str
    level: CodeLabelOut
    department: DepartmentOut
    subject_nature: CodeLabelOut
    service_objects: list[CodeLabelOut]
    themes: list[NamedOut]
    handling_forms: list[CodeLabelOut]
    handling_type: CodeLabelOut
    legal_limit: LimitOut
    promised_limit: LimitOut
    visit_count: int
    online_depth: CodeLabelOut | None
    cross_region_scope: CodeLabelOut
    acceptance_conditions: str
    process_description: str
    special_procedures: list[SpecialProcedureOut]
    fee_charged: bool
    fees: list[FeeOut]
    result_name: str
    result_kind: CodeLabelOut | None
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
    materials: list[GuideMaterialOut]


class VersionOut(Schema):
    number: int
    status: CodeLabelOut
    valid_from: dt.datetime | None
    valid_to: dt.datetime | None
    published_at: dt.datetime | None
    change_reason: str
    content_hash: str
    is_current: bool


class VersionListOut(Schema):
    code: str
    items: list[VersionOut]


class FacetOut(Schema):
    key: str
    label: str
    count: int


class FacetsOut(Schema):
    departments: list[FacetOut]
    themes: list[FacetOut]
    service_objects: list[FacetOut]
    item_types: list[FacetOut]


@router.get("/items", operation_id="item_list", auth=None,
            response={200: ItemPageOut, **errors(422)})
def item_list(request, params: Query[ItemListQuery]):
    """Published items that accept applications, 20 a page by default (``limit`` ≤ 100).

    Filters: ``org`` (organisation id, its whole subtree), ``type`` (事项类型 code, e.g.
    01), ``level`` (1–6), ``theme`` (theme id), ``service_object`` (A.4 code, e.g. 1),
    ``q`` (name search; Chinese words are segmented, 2-character queries work). Ordered by
    实施编码, or by relevance with ``q``. Pass ``next_cursor`` back as ``cursor``."""
    raw = params.dict(exclude={"cursor", "limit"}, exclude_none=True)
    filters = selectors.parse_filters(raw)
    limit = selectors.parse_limit(params.limit)
    page = selectors.implementation_list(filters=filters, cursor=params.cursor, limit=limit)
    return {"items": [dataclasses.asdict(i) for i in page.items], "next_cursor": page.next_cursor}


@router.get("/items/{code}", operation_id="item_get", auth=None,
            response={200: GuideOut, **errors(404, 422)})
def item_get(request, code: str, version: str | None = None):
    """The service guide (办事指南) of an item by 实施编码: every element, materials, fees,
    limits and where to go. The current published version, or ``version`` (a number)."""
    return selectors.guide(code=code, version=version).as_dict()


@router.get("/items/{code}/materials/{position}/{kind}", auth=None,
            response={200: None, **errors(404, 422)},
            operation_id="item_material_file", url_name="item_material_file")
def item_material_file(request, code: str, position: int, kind: str, version: str):
    """Download a material's blank form (``kind=blank-form``) or filled-in sample
    (``kind=sample``) of version ``version``, saved under the material's name. Drafts only
    for the catalog staff who may see them."""
    found = selectors.material_file(code=code, version=version, position=position, kind=kind,
                                    actor=request.user)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename,
                        content_type=found.content_type)


@router.get("/items/{code}/versions", operation_id="item_versions", auth=None,
            response={200: VersionListOut, **errors(404, 422)})
def item_versions(request, code: str):
    """Published versions of an item, newest first, with their validity."""
    rows = selectors.implementation_versions(code=code)
    return {"code": code.strip().upper(), "items": [dataclasses.asdict(v) for v in rows]}


class FormOptionOut(Schema):
    value: str
    label: str


class FormFieldOut(Schema):
    """A field of an application form (ADR 0031); the attributes of its type only."""

    key: str
    type: str
    label: str
    hint: str
    required: bool
    show_if: str
    source: str
    locked: bool
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    min: float | str | None = None
    max: float | str | None = None
    decimals: int | None = None
    unit: str | None = None
    multiple: bool | None = None
    code_table: str | None = None
    options: list[FormOptionOut] | None = None
    min_items: int | None = None
    max_items: int | None = None
    fields: list["FormFieldOut"] | None = None
    material: str | None = None


class FormPageOut(Schema):
    key: str
    title: str
    hint: str
    show_if: str
    fields: list[FormFieldOut]


class FormRuleOut(Schema):
    key: str
    expression: str
    message: str
    fields: list[str]


class ItemFormOut(Schema):
    code: str
    name: str
    version: int
    schema_version: int
    generic: bool
    pages: list[FormPageOut]
    rules: list[FormRuleOut]


@router.get("/items/{code}/form", operation_id="item_form_get", auth=None,
            response={200: ItemFormOut, **errors(404, 422)})
def item_form_get(request, code: str, version: str | None = None):
    """The application form (一表申请) of an item's current published version, or of
    ``version``: pages of typed fields with their conditions (``show_if``), where a value
    may come from (``source``) and whether it is then locked. Labels in the reader's
    language where the form or the platform translates them. Items without a form of
    their own get the generic one (``generic``: a file reference per 申请材料)."""
    found = selectors.item_form(code=code, version=version)
    body = forms.localised(found.definition, translation.get_language() or "")
    return {"code": found.code, "name": found.name, "version": found.version,
            "schema_version": body["schema"], "generic": body["generic"],
            "pages": body["pages"], "rules": body["rules"]}


@router.get("/items/{code}/form/schema", operation_id="item_form_schema", auth=None,
            response={200: dict[str, Any], **errors(404, 422)})
def item_form_schema(request, code: str, version: str | None = None):
    """The answers of the item's form as a JSON Schema (draft 2020-12) that any client can
    validate against: types, bounds, options, required fields not under a condition. The
    server also checks conditions and cross-field rules (``case_answers_save``)."""
    found = selectors.item_form(code=code, version=version)
    return forms.json_schema(found.definition, title=f"{found.name}（第 {found.version} 版）")


@router.get("/facets", response=FacetsOut, auth=None, operation_id="item_facets")
def item_facets(request):
    """What to browse by: departments, themes, service objects and 事项类型, with counts
    of published active items (the values are the ``item_list`` filter values)."""
    return {
        "departments": [dataclasses.asdict(f) for f in selectors.department_facets()],
        "themes": [dataclasses.asdict(f) for f in selectors.theme_facets()],
        "service_objects": [dataclasses.asdict(f) for f in selectors.service_object_facets()],
        "item_types": [dataclasses.asdict(f) for f in selectors.item_type_facets()],
    }
