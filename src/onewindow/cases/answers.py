"""A case's structured answers (ADR 0031): prefill (免填) from what the state already
knows, the locked values, the size limit and the translation of the form engine's
per-field problems into the cases error (``cases.answers-invalid``).

Prefill reads only what belongs to the applicant: their own natural-person record and
account, the enterprise the case is for (the applicant was checked to act for it when the
draft was made), and licences *held by* that person or enterprise, valid on the day
(``licences.selectors.valid_licence_for`` filters by holder; there is no other way in).
"""

import datetime as dt
import json
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from onewindow.catalog import forms
from onewindow.licences import selectors as licence_selectors
from onewindow.licences.models import HolderKind

from .errors import AnswersInvalid, AnswersTooLarge

MAX_ANSWERS_BYTES = 256 * 1024

# Licence values that are not among the type's own 照面信息 fields.
_LICENCE_ATTRIBUTES = {"number": "number", "holder_name": "holder_name",
                       "valid_until": "valid_until", "issuer_name": "issuer_name"}

SOURCE_LABELS = {
    "account": gettext_noop("您的账户"),
    "legal": gettext_noop("单位登记信息"),
}


def check_size(answers: Any) -> None:
    """Refuse more than 256 KB of answers before anything is read or locked."""
    try:
        size = len(json.dumps(answers, ensure_ascii=False, default=str).encode())
    except (TypeError, ValueError):
        size = MAX_ANSWERS_BYTES + 1
    if size > MAX_ANSWERS_BYTES:
        message = _("申请表内容过大（超过 %(kb)s KB）。") % {"kb": MAX_ANSWERS_BYTES // 1024}
        raise AnswersTooLarge(message, details={"answers": message})


def invalid(exc: forms.AnswersInvalid) -> AnswersInvalid:
    """The engine's problems as the cases error: per-field messages and codes."""
    first_key = next(iter(exc.messages))
    return AnswersInvalid(
        _("申请表有误：%(problem)s") % {"problem": exc.messages[first_key]},
        details=exc.details,
    )


def locked_values(case) -> dict[str, Any]:
    return {key: record.get("value") for key, record in (case.answer_sources or {}).items()
            if record.get("locked")}


def _account_value(name: str, *, person, account) -> Any:
    if name == "email":
        return getattr(account, "email", "") or ""
    return getattr(person, name, "") or ""


def _licence_value(source: str, *, person, legal, on_date: dt.date, cache: dict) -> tuple:
    match = forms.LICENCE_SOURCE.match(source)
    if match is None:
        return None, None
    type_code, name = match.group("type"), match.group("field")
    if type_code not in cache:
        licence_type = licence_selectors.licence_type_by_code(code=type_code)
        licence = None
        if licence_type is not None:
            if licence_type.holder_kind == HolderKind.LEGAL_PERSON:
                holder = {"holder_legal": legal} if legal is not None else None
            else:
                holder = {"holder_person": person} if person is not None else None
            if holder is not None:
                licence = licence_selectors.valid_licence_for(
                    **holder, type_code=type_code, on_date=on_date)
        cache[type_code] = licence
    licence = cache[type_code]
    if licence is None:
        return None, None
    if name in _LICENCE_ATTRIBUTES:
        value = getattr(licence, _LICENCE_ATTRIBUTES[name])
        value = value.isoformat() if isinstance(value, dt.date) else value
    else:
        value = (licence.fields or {}).get(name)
    return value, licence


def _as_answer(field: forms.FieldDef, value: Any) -> Any:
    """A source's value in the field's JSON type (a text address becomes the street)."""
    if value in (None, ""):
        return None
    if field.type == "address":
        return {"region_code": "", "street": str(value)} if isinstance(value, str) else value
    if field.type == "number" and isinstance(value, str):
        try:
            return int(value) if value.isdigit() else float(value)
        except ValueError:
            return None
    if field.type in ("text", "textarea", "id_number", "credit_code", "phone", "email",
                      "money", "date"):
        return str(value)
    return value


def prefill(definition: forms.FormDefinition, *, person, legal, account,
            on_date: dt.date) -> tuple[dict[str, Any], dict[str, Any]]:
    """The answers the sources give and their records for ``Case.answer_sources``. A value
    the field would refuse (a malformed 住所, a name too long) is left for the applicant."""
    answers: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    cache: dict = {}
    for field in definition.fields:
        if not field.source:
            continue
        kind, _dot, name = field.source.partition(".")
        licence = None
        if kind == "account":
            value = _account_value(name, person=person, account=account)
            label = SOURCE_LABELS["account"]
        elif kind == "legal":
            if legal is None:
                continue
            value = getattr(legal, name, "") or ""
            label = SOURCE_LABELS["legal"]
        else:
            value, licence = _licence_value(field.source, person=person, legal=legal,
                                            on_date=on_date, cache=cache)
            label = licence.name if licence is not None else ""
        value = _as_answer(field, value)
        if value is None:
            continue
        try:
            cleaned = forms.validate_answers(definition, {field.key: value}, partial=True,
                                             page=definition.page_of[field.key],
                                             context=answers)
        except forms.AnswersInvalid:
            continue
        if field.key not in cleaned:
            continue
        answers[field.key] = cleaned[field.key]
        record = {"source": field.source, "value": cleaned[field.key],
                  "locked": field.locked, "label": label}
        if licence is not None:
            record["licence"] = licence.identifier
        sources[field.key] = record
    return answers, sources


def merge(definition: forms.FormDefinition, *, stored: dict[str, Any],
          cleaned: dict[str, Any], page: str | None, locked: dict[str, Any]) -> dict[str, Any]:
    """The answers after saving ``cleaned``: with a page, that page's answers are replaced;
    without, all of them. Locked prefilled values stay whatever was sent."""
    page_def = definition.page(page) if page is not None else None
    replaced = {f.key for f in page_def.fields} if page_def is not None else set(
        definition.by_key)
    kept = {k: v for k, v in stored.items() if k not in replaced and k in definition.by_key}
    keep_locked = {k: v for k, v in locked.items() if k in replaced}
    return {**kept, **keep_locked, **cleaned}
