"""A case's structured answers as people read them (ADR 0031): by page, each with its
label, its value in words and where it came from; groups as small tables. The applicant's
check-your-answers page and the reviewers' table (staff case page, task page) read this."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from onewindow.catalog import forms
from onewindow.common.redaction import mask_id_number, mask_phone

from ..models import Case


@dataclass(frozen=True)
class AnswerRow:
    key: str
    label: str
    value: str
    source: str = ""  # "来自营业执照" when prefilled
    edited: bool = False  # prefilled, then changed by the applicant
    locked: bool = False
    place: bool = False  # an address: its region's name is a Chinese proper noun
    columns: list[str] = field(default_factory=list)  # a group: its members' labels
    items: list[list[str]] = field(default_factory=list)  # a group: one row per entry


@dataclass(frozen=True)
class AnswerPage:
    key: str
    title: str
    rows: list[AnswerRow]


def _label(text: str, english_text: str, *, translated: bool = False) -> str:
    from django.utils.translation import get_language

    if (get_language() or "").startswith("en") and english_text:
        return english_text
    return gettext(text) if translated else text


def _shown(f: forms.FieldDef, value: Any, *, masked: bool, materials: dict[int, str]) -> str:
    if masked and f.type == "id_number" and isinstance(value, str):
        return mask_id_number(value)
    if masked and f.type == "phone" and isinstance(value, str):
        return mask_phone(value)
    return forms.display_value(f, value, materials=materials)


def case_answers(*, case: Case, masked: bool = False,
                 include_empty: bool = False) -> list[AnswerPage]:
    """The visible pages of the case's form with their answers (``include_empty``: the
    unanswered fields too, for check-your-answers). A version without a form of its own
    and without answers has nothing to show (its contact details are shown as before)."""
    answers = case.answers or {}
    if not case.version.form and not answers:
        return []
    definition = forms.definition_for(case.version)
    sources = case.answer_sources or {}
    materials = ({m.pk: m.name for m in case.materials.all()}
                 if any(f.type == "file" for f in definition.fields) else {})
    hidden = forms.hidden_keys(definition, answers)
    pages = []
    for page in definition.pages:
        rows = []
        for f in page.fields:
            if f.key in hidden or (f.key not in answers and not include_empty):
                continue
            value = answers.get(f.key)
            record = sources.get(f.key)
            source = ""
            if record:
                origin = record.get("label") or ""
                source = gettext("来自%(source)s") % {"source": gettext(origin)} if origin else ""
            row: dict[str, Any] = {
                "key": f.key, "label": _label(f.label, f.label_en),
                "value": _shown(f, value, masked=masked, materials=materials),
                "source": source, "locked": bool(record and record.get("locked")),
                "edited": bool(record and record.get("value") != value),
                "place": f.type == "address",
            }
            if f.type == "group" and isinstance(value, list):
                row["columns"] = [_label(m.label, m.label_en) for m in f.fields]
                row["items"] = [[_shown(m, item.get(m.key), masked=masked, materials=materials)
                                 for m in f.fields] for item in value]
            rows.append(AnswerRow(**row))
        if rows:
            pages.append(AnswerPage(key=page.key,
                                    title=_label(page.title, page.title_en,
                                                 translated=definition.generic),
                                    rows=rows))
    return pages
