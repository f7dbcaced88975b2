"""The definition for a reader (their language), as a JSON Schema, and answers as text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .answers import (
    is_empty,
)
from .definition import (
    FieldDef,
    FormDefinition,
)
from .tables import (
    MAX_EMAIL,
    MAX_STREET,
    SCHEMA_VERSION,
    is_number,
    region_name,
)

# --- the reader's language and the JSON Schema ------------------------------------------------

def localised(definition: FormDefinition, language: str) -> dict[str, Any]:
    """The definition as JSON for a reader: labels in ``language`` where the form gives
    them (``label_en`` …) or where the platform translates them (code tables, the generic
    form's page title), code-table options spelled out."""
    from django.utils.translation import gettext

    english = (language or "").lower().startswith("en")

    def text(zh: str, en: str = "", translated: bool = False) -> str:
        if english and en:
            return en
        return gettext(zh) if translated and zh else zh

    def field_json(f: FieldDef) -> dict[str, Any]:
        result: dict[str, Any] = {
            "key": f.key, "type": f.type, "label": text(f.label, f.label_en),
            "hint": text(f.hint, f.hint_en), "required": f.required, "show_if": f.show_if,
            "source": f.source, "locked": f.locked,
        }
        if f.type in ("text", "textarea"):
            result.update(min_length=f.min_length, max_length=f.text_limit, pattern=f.pattern)
        if f.type in ("number", "money", "date"):
            result.update(min=f.min, max=f.max)
        if f.type == "number":
            result.update(decimals=f.decimals, unit=f.unit)
        if f.type == "choice":
            result.update(multiple=f.multiple, code_table=f.code_table, options=[
                {"value": o.value,
                 "label": text(o.label, o.label_en, translated=bool(f.code_table))}
                for o in f.choices])
        if f.type == "group":
            result.update(min_items=f.min_items, max_items=f.max_items,
                          fields=[field_json(m) for m in f.fields])
        if f.type == "file":
            result.update(material=f.material)
        return result

    return {
        "schema": SCHEMA_VERSION, "generic": definition.generic,
        "pages": [{"key": p.key, "title": text(p.title, p.title_en, translated=definition.generic),
                   "hint": text(p.hint, p.hint_en), "show_if": p.show_if,
                   "fields": [field_json(f) for f in p.fields]} for p in definition.pages],
        "rules": [{"key": r.key, "expression": r.expression,
                   "message": text(r.message, r.message_en), "fields": list(r.fields)}
                  for r in definition.rules],
    }


def _field_schema(f: FieldDef) -> dict[str, Any]:
    kind = f.type
    schema: dict[str, Any]
    if kind in ("text", "textarea"):
        schema = {"type": "string", "maxLength": f.text_limit}
        if f.pattern:
            schema["pattern"] = f"^(?:{f.pattern})$"
    elif kind == "number":
        schema = {"type": "integer" if f.decimals == 0 else "number"}
        if is_number(f.min):
            schema["minimum"] = f.min
        if is_number(f.max):
            schema["maximum"] = f.max
    elif kind == "money":
        schema = {"type": "string", "pattern": r"^\d{1,12}(\.\d{1,2})?$"}
    elif kind == "date":
        schema = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    elif kind == "choice":
        values = [o.value for o in f.choices]
        schema = ({"type": "array", "items": {"type": "string", "enum": values},
                   "uniqueItems": True} if f.multiple else {"type": "string", "enum": values})
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "address":
        schema = {"type": "object", "additionalProperties": False,
                  "required": ["region_code", "street"],
                  "properties": {"region_code": {"type": "string", "pattern": r"^\d{6}$"},
                                 "street": {"type": "string", "maxLength": MAX_STREET}}}
    elif kind == "id_number":
        schema = {"type": "string", "pattern": r"^\d{17}[\dXx]$"}
    elif kind == "credit_code":
        schema = {"type": "string",
                  "pattern": r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"}
    elif kind == "phone":
        schema = {"type": "string", "pattern": r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$"}
    elif kind == "email":
        schema = {"type": "string", "format": "email", "maxLength": MAX_EMAIL}
    elif kind == "group":
        schema = {"type": "array", "minItems": f.min_items, "maxItems": f.max_items,
                  "items": _object_schema(f.fields, conditional=set())}
    else:  # file
        schema = {"type": "object", "additionalProperties": False, "required": ["material_id"],
                  "properties": {"material_id": {"type": "integer"}}}
    schema["title"] = f.label
    if f.hint:
        schema["description"] = f.hint
    return schema


def _object_schema(fields: Iterable[FieldDef], *, conditional: set[str]) -> dict[str, Any]:
    fields = list(fields)
    return {
        "type": "object", "additionalProperties": False,
        "properties": {f.key: _field_schema(f) for f in fields},
        "required": [f.key for f in fields if f.required and f.key not in conditional],
    }


def json_schema(definition: FormDefinition, *, title: str = "") -> dict[str, Any]:
    """The answers' JSON Schema (draft 2020-12): types and bounds; required only for
    fields shown unconditionally. Conditions and cross-field rules are checked by the
    server (ADR 0031)."""
    conditional = {f.key for p in definition.pages for f in p.fields if p.show_if or f.show_if}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            **({"title": title} if title else {}),
            **_object_schema(definition.fields, conditional=conditional)}


def display_value(f: FieldDef, value: Any, *, materials: Mapping[int, str] | None = None) -> str:
    """One answer as a person reads it (check-your-answers, the reviewer's table)."""
    from django.utils.translation import gettext

    if value is None or is_empty(value):
        return ""
    if f.type == "choice":
        labels = {o.value: gettext(o.label) if f.code_table else o.label for o in f.choices}
        values = value if isinstance(value, list) else [value]
        return gettext("、").join(str(labels.get(v, v)) for v in values)
    if f.type == "boolean":
        return gettext("是") if value else gettext("否")
    if f.type == "address" and isinstance(value, Mapping):
        region = region_name(str(value.get("region_code") or ""))
        street = str(value.get("street") or "")
        # "山东省威海市环翠区" + "新威路 18 号", unless the street already starts with it.
        return street if street.startswith(region) else f"{region}{street}"
    if f.type == "number":
        shown = int(value) if isinstance(value, float) and value.is_integer() else value
        return f"{shown} {f.unit}".strip()
    if f.type == "money":
        return gettext("%(amount)s 元") % {"amount": value}
    if f.type == "file" and isinstance(value, Mapping):
        material_id = value.get("material_id")
        name = (materials or {}).get(material_id, "") if isinstance(material_id, int) else ""
        return name or gettext("材料 %(id)s") % {"id": material_id}
    if f.type == "group" and isinstance(value, list):
        return gettext("%(count)s 条") % {"count": len(value)}
    return str(value)

