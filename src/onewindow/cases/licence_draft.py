"""The licence draft (证照草稿) of a case: the 照面信息 the approval will issue, as the chief
sees it at 决定 (issue 13, ADR 0031 "Licence mapping").

Each field of the result licence type's ``field_schema`` is filled from the source the
item version's ``licence_mapping`` names for it::

    answers.<key>                    a form answer (an address prints as region + street,
                                     a choice as its option label, several as 、-joined)
    decision.valid_from / valid_to   the validity the approval gives (today; the type's term)
    decision.licence_number          assigned when issued (empty in the draft)
    applicant.name / .credit_code / .legal_representative   the applicant (enterprise first)
    case.organisation                the implementing organisation

A field the mapping does not name, or whose source is empty, falls back to the rule
before forms (``fields_from_form``: the field's own name, then its
``form_field``, in ``Case.form_data``). Then the chief's corrections apply: every
LICENCE_CORRECT action of the case (field, new value, reason), the latest per field. The
draft is a read; issuing (services.licensing) uses the same values, so the licence carries
what the chief saw and corrected.

The log is read through ``deadlines.steps_of``: on a row the deciding service has locked
the log is already in hand, so the draft costs no statement there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import translation

from onewindow.catalog import forms
from onewindow.licences import selectors as licence_selectors
from onewindow.licences import services as licence_services
from onewindow.licences.models import LicenceType

from . import deadlines
from .codes import ActionKind
from .models import Case

SOURCE_PREFIXES = ("answers.", "decision.", "applicant.", "case.")
DECISION_SOURCES = ("decision.valid_from", "decision.valid_to", "decision.licence_number")
APPLICANT_SOURCES = ("applicant.name", "applicant.credit_code", "applicant.legal_representative")


@dataclass(frozen=True)
class DraftField:
    name: str
    label: str
    value: Any             # as the licence will store it (text, date string, integer …)
    source: str            # the mapping's source, "form" for the fallback rule, "" if none
    required: bool
    corrected: bool = False
    original: Any = None   # the value before the chief's correction
    reason: str = ""


@dataclass(frozen=True)
class LicenceDraft:
    licence_type: LicenceType
    fields: list[DraftField]
    holder_name: str
    valid_from: dt.date
    valid_until: dt.date | None

    @property
    def values(self) -> dict[str, Any]:
        """{field name: value} for issuing (empty values left out)."""
        return {f.name: f.value for f in self.fields if f.value not in (None, "")}

    def field(self, name: str) -> DraftField | None:
        return next((f for f in self.fields if f.name == name), None)


def fields_from_form(licence_type: LicenceType, form_data: dict | None) -> dict:
    """The type's 照面信息 filled from an application form, the rule before forms: each
    field by its own name, else by the form field its spec names in ``form_field``."""
    form_data = form_data or {}
    fields = {}
    for spec in licence_type.field_schema or []:
        name = spec["name"]
        value = form_data.get(name)
        if value in (None, "") and spec.get("form_field"):
            value = form_data.get(spec["form_field"])
        if value not in (None, ""):
            fields[name] = value
    return fields


def licence_type_of(case: Case) -> LicenceType | None:
    code = (case.version.result_licence_type or "").strip()
    return licence_selectors.licence_type_by_code(code=code) if code else None


def _form_fields(version) -> dict[str, forms.FieldDef]:
    """The version's top-level form fields by key (a group's rows are no licence field)."""
    return dict(forms.definition_for(version).by_key)


def answer_text(value: Any, field: forms.FieldDef | None) -> Any:
    """A form answer as a licence prints it: the form engine's reading of it (an option's
    label, an address's region and street, a number with its unit), always in Chinese:
    the licence is an official document, whatever language the chief's pages are in."""
    if field is None:
        return value
    with translation.override("zh-hans"):
        return forms.display_value(field, value)


def _source_value(source: str, case: Case, *, on_date: dt.date, valid_until: dt.date | None,
                  form_fields: dict[str, forms.FieldDef]) -> Any:
    if source.startswith("answers."):
        key = source.removeprefix("answers.")
        value = (case.answers or {}).get(key)
        return None if value in (None, "", []) else answer_text(value, form_fields.get(key))
    if source == "decision.valid_from":
        return on_date.isoformat()
    if source == "decision.valid_to":
        return valid_until.isoformat() if valid_until else ""
    if source == "decision.licence_number":
        return ""
    legal = case.applicant_legal
    if source == "applicant.name":
        return legal.name if legal is not None else case.applicant_person.name
    if source == "applicant.credit_code":
        return legal.credit_code if legal is not None else ""
    if source == "applicant.legal_representative":
        return ((legal.legal_representative if legal is not None else "")
                or (case.form_data or {}).get("legal_representative", ""))
    if source == "case.organisation":
        return case.organisation.name
    return None


def corrections_of(case: Case) -> list[dict]:
    """The chief's corrections, oldest first: {field, label, before, value, reason}."""
    return [dict(step.data) for step in deadlines.steps_of(case)
            if step.kind == ActionKind.LICENCE_CORRECT]


def _holder_name(case: Case, licence_type: LicenceType) -> str:
    if licence_type.holder_kind == "LEGAL_PERSON" and case.applicant_legal is not None:
        return case.applicant_legal.name
    return case.applicant_person.name


def licence_draft(case: Case, *, on_date: dt.date,
                  licence_type: LicenceType | None = None) -> LicenceDraft | None:
    """The draft of the licence ``case`` would produce if approved on ``on_date``; None
    when the item produces none (or its type is not in the library)."""
    licence_type = licence_type or licence_type_of(case)
    if licence_type is None:
        return None
    mapping = case.version.licence_mapping or {}
    valid_until = licence_services.default_valid_until(licence_type, on_date)
    form_fields = _form_fields(case.version) if any(
        str(s).startswith("answers.") for s in mapping.values()) else {}
    fallback = fields_from_form(licence_type, case.form_data)
    latest: dict[str, dict] = {}
    for correction in corrections_of(case):
        latest[str(correction.get("field"))] = correction
    fields = []
    for spec in licence_type.field_schema or []:
        name = spec["name"]
        source = str(mapping.get(name) or "")
        value = _source_value(source, case, on_date=on_date, valid_until=valid_until,
                              form_fields=form_fields) if source else None
        if value in (None, ""):
            value, source = fallback.get(name), ("form" if name in fallback else source)
        common = {"name": name, "label": spec.get("label") or name, "source": source,
                  "required": bool(spec.get("required"))}
        if name in latest:
            fields.append(DraftField(**common, value=latest[name].get("value"),
                                     corrected=True, original=value,
                                     reason=str(latest[name].get("reason") or "")))
        else:
            fields.append(DraftField(**common, value=value))
    return LicenceDraft(licence_type=licence_type, fields=fields,
                        holder_name=_holder_name(case, licence_type), valid_from=on_date,
                        valid_until=valid_until)
