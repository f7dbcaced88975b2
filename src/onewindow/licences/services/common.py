"""Shared pieces of the licence services: the status table, errors, field checks."""

import calendar
import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.common.errors import PermissionDenied, ValidationFailed
from onewindow.common.redaction import mask_id_number
from onewindow.common.text import StrOrPromise

from ..errors import (
    InvalidFields,
)
from ..models import (
    HolderCodeType,
    Licence,
    LicenceType,
)

Status = Licence.Status

FIELD_TYPES = {"text", "date", "integer", "boolean"}
MAX_SHARE_HOURS = 30 * 24


class LicencePermissionDenied(PermissionDenied):
    code = "licences.permission-denied"


class ReasonRequired(ValidationFailed):
    code = "licences.reason-required"


# --- helpers -----------------------------------------------------------------------------


def masked_holder_code(code_type: str, code: str) -> str:
    return mask_id_number(code) if code_type == HolderCodeType.ID_CARD else code


def audit_snapshot(licence: Licence) -> dict[str, Any]:
    return {
        "identifier": licence.identifier,
        "type_code": licence.type_code,
        "number": licence.number,
        "issuer_code": licence.issuer_code,
        "holder_name": licence.holder_name,
        "holder_code": masked_holder_code(licence.holder_code_type, licence.holder_code),
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "status": licence.status,
        "case_number": licence.case_number,
    }


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_valid_until(licence_type: LicenceType, valid_from: dt.date) -> dt.date | None:
    if not licence_type.validity_months:
        return None  # 长期有效
    return add_months(valid_from, licence_type.validity_months) - dt.timedelta(days=1)


def clean_fields(schema: list[dict], fields: dict | None) -> dict:
    """Check 照面信息 against the type's field list; return the stored (JSON) values."""
    fields = dict(fields or {})
    known = {spec["name"]: spec for spec in schema or []}
    problems: dict[str, StrOrPromise] = {}
    for name in fields.keys() - known.keys():
        problems[name] = _("该证照类型没有这个照面字段。")
    result: dict[str, Any] = {}
    for name, spec in known.items():
        label = spec.get("label") or name
        value = fields.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.get("required"):
                problems[name] = _("%(label)s必须填写。") % {"label": label}
            continue
        kind = spec.get("type", "text")
        try:
            result[name] = _clean_value(kind, value)
        except (TypeError, ValueError):
            problems[name] = _("%(label)s的格式不正确。") % {"label": label}
    if problems:
        raise InvalidFields(_("照面信息不符合要求。"), details=problems)
    return result


def _clean_value(kind: str, value: Any) -> Any:
    if kind == "text":
        text = str(value).strip()
        if len(text) > 2000:
            raise ValueError("too long")
        return text
    if kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else dt.date.fromisoformat(
            str(value).strip()
        ).isoformat()
    if kind == "integer":
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError("not an integer")
        return int(str(value).strip()) if isinstance(value, str) else int(value)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "1", "yes", "是"}:
            return True
        if text in {"false", "0", "no", "否"}:
            return False
        raise ValueError("not a boolean")
    raise ValueError(f"unknown field type {kind}")


def validate_field_schema(schema: list[dict]) -> list[dict]:
    if not isinstance(schema, list):
        raise InvalidFields(_("照面字段定义应为列表。"))
    names = set()
    for spec in schema:
        name = spec.get("name") if isinstance(spec, dict) else None
        if not name or not str(name).isidentifier() or name in names:
            raise InvalidFields(_("照面字段名 %(name)s 无效或重复。") % {"name": repr(name)})
        if spec.get("type", "text") not in FIELD_TYPES:
            raise InvalidFields(_("照面字段 %(name)s 的类型无效。") % {"name": name})
        names.add(name)
    return schema


