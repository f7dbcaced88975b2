"""Structured forms (ADR 0031) on pages: a definition's fields as template contexts, the
posted strings read back as typed answers, and the engine's per-field problems as the
error summary. The portal renders one page of the form per screen, the window clerk the
whole form on one desktop page; both use these helpers and ``_answer_field.html``."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, gettext

from onewindow.catalog import forms
from onewindow.common.ids import is_row_id

from .views.cases_common import ErrorEntry

PREFIX = "a-"  # posted names: a-<key>, a-<key>.region_code, a-<group>.<row>.<member>
RADIO_LIMIT = 8


def _english() -> bool:
    return (get_language() or "").startswith("en")


def label_of(f: forms.FieldDef) -> str:
    return f.label_en if _english() and f.label_en else f.label


def hint_of(f: forms.FieldDef) -> str:
    return f.hint_en if _english() and f.hint_en else f.hint


def page_title(page: forms.Page, *, generic: bool = False) -> str:
    if _english() and page.title_en:
        return page.title_en
    return gettext(page.title) if generic else page.title


def page_hint(page: forms.Page) -> str:
    return page.hint_en if _english() and page.hint_en else page.hint


def _options(f: forms.FieldDef) -> list[dict[str, str]]:
    result = []
    for o in f.choices:
        text = o.label_en if _english() and o.label_en else (
            gettext(o.label) if f.code_table else o.label)
        result.append({"value": o.value, "label": text})
    return result


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class FieldView:
    """One field as ``_answer_field.html`` draws it."""

    key: str
    name: str  # the posted name
    type: str
    label: str
    hint: str
    required: bool
    value: Any
    error: str = ""
    source: str = ""  # "来自营业执照"
    locked: bool = False
    display: str = ""  # a locked value in words
    options: list | None = None
    widget: str = ""  # radio | select | checkbox
    unit: str = ""
    region_code: str = ""
    street: str = ""
    regions: list | None = None
    columns: list | None = None  # a group: FieldView per member, per row
    rows: list | None = None
    materials: list | None = None
    conditional: bool = False

    @property
    def anchor(self) -> str:
        return self.name.replace(".", "-")


def regions_near(code: str) -> list[dict[str, str]]:
    """The counties of the city ``code`` lies in (the first four digits), for the address
    field's list: the 6-digit 行政区划代码 with its name."""
    prefix = (code or "")[:4]
    if len(prefix) != 4 or not prefix.isdigit():
        return []
    result = []
    for suffix in range(1, 100):
        candidate = f"{prefix}{suffix:02d}"
        name = forms.region_name(candidate)
        if name:
            result.append({"value": candidate, "label": f"{candidate} {name}"})
    return result


def field_views(fields, *, answers: dict, errors: dict, sources: dict,
                region_hint: str = "", materials: list | None = None,
                extra_rows: int = 0) -> list[FieldView]:
    # The city's counties, looked up only when the page asks an address.
    regions = (regions_near(region_hint) if any(f.type == "address" for f in fields)
               else [])
    views = []
    for f in fields:
        value = answers.get(f.key)
        record = sources.get(f.key) or {}
        source = ""
        if record.get("label"):
            source = gettext("来自%(source)s") % {"source": gettext(record["label"])}
        view = FieldView(
            key=f.key, name=f"{PREFIX}{f.key}", type=f.type, label=label_of(f), hint=hint_of(f),
            required=f.required, value=value, error=str(errors.get(f.key, "")), source=source,
            locked=bool(record.get("locked")) and value == record.get("value"),
            unit=f.unit, conditional=bool(f.show_if),
        )
        if view.locked:
            view.display = forms.display_value(f, value)
        if f.type == "choice":
            view.options = _options(f)
            view.widget = "checkbox" if f.multiple else (
                "radio" if len(f.choices) <= RADIO_LIMIT else "select")
            chosen = value if isinstance(value, list) else ([value] if value else [])
            view.value = [str(v) for v in chosen]
        elif f.type == "boolean":
            view.options = [{"value": "yes", "label": gettext("是")},
                            {"value": "no", "label": gettext("否")}]
            view.widget = "radio"
            view.value = ["yes"] if value is True else (["no"] if value is False else [])
        elif f.type == "address":
            address = value if isinstance(value, dict) else {}
            view.region_code = address.get("region_code", "")
            view.street = address.get("street", "")
            view.regions = regions
            view.error = view.error or str(errors.get(f"{f.key}.region_code", ""))
        elif f.type == "group":
            items = value if isinstance(value, list) else []
            count = max(len(items), f.min_items, 1) + extra_rows
            count = min(count, f.max_items)
            view.columns = [label_of(m) for m in f.fields]
            view.rows = []
            for index in range(count):
                item = items[index] if index < len(items) else {}
                row = []
                for m in f.fields:
                    member_key = f"{f.key}.{index}.{m.key}"
                    member = field_views([m], answers={m.key: item.get(m.key)},
                                         errors={m.key: errors.get(member_key, "")},
                                         sources={})[0]
                    member.key, member.name = member_key, f"{PREFIX}{member_key}"
                    row.append(member)
                view.rows.append(row)
        elif f.type == "file":
            view.materials = materials or []
            view.value = _text((value or {}).get("material_id")) if isinstance(value, dict) else ""
        else:
            view.value = _text(value)
        views.append(view)
    return views


def read_fields(fields, data) -> dict[str, Any]:
    """The posted answers of ``fields`` as typed JSON values (unreadable text is passed
    on for the engine to name); locked fields are not posted and so not read."""
    answers: dict[str, Any] = {}
    for f in fields:
        name = f"{PREFIX}{f.key}"
        if f.type == "address":
            if f"{name}.street" in data or f"{name}.region_code" in data:
                answers[f.key] = {"region_code": data.get(f"{name}.region_code", "").strip(),
                                  "street": data.get(f"{name}.street", "")}
            continue
        if f.type == "group":
            rows = []
            index = 0
            while any(f"{name}.{index}.{m.key}" in data for m in f.fields):
                item = {}
                for m in f.fields:
                    raw = data.get(f"{name}.{index}.{m.key}", "")
                    value = forms.from_strings(m, raw)
                    if value not in (None, ""):
                        item[m.key] = value
                if item:
                    rows.append(item)
                index += 1
            if index:
                answers[f.key] = rows
            continue
        if f.type == "file":
            if name in data:
                raw = data.get(name, "").strip()
                answers[f.key] = {"material_id": int(raw)} if is_row_id(raw) else None
            continue
        if f.type == "choice" and f.multiple:
            if name in data or f"{name}-present" in data:
                answers[f.key] = forms.from_strings(f, data.getlist(name))
            continue
        if name in data:
            answers[f.key] = forms.from_strings(f, data.get(name, ""))
    return {k: v for k, v in answers.items() if v is not None}


def error_entries(details: dict, fields_by_key: dict, *, href=None) -> list[ErrorEntry]:
    """The summary entries of ``cases.answers-invalid`` details, each linking to its
    field (``href(key)`` gives the link; default: the field on this page)."""
    entries = []
    for key, message in details.items():
        if key == "codes" or message is None:
            continue
        # Every message names its field already (GOV.UK: the summary repeats the message).
        anchor = href(key) if href else f"#{PREFIX}{key}".replace(".", "-")
        entries.append(ErrorEntry(str(message), anchor))
    return entries


def anchor_id(key: str) -> str:
    return f"{PREFIX}{key}".replace(".", "-")
