"""Conditions (``show_if``), visibility and the validation of an applicant's answers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from onewindow.common import expressions
from onewindow.common.text import StrOrPromise
from onewindow.identity.validators import (
    credit_code_problem,
    id_number_problem,
    normalize_credit_code,
    normalize_id_number,
)

from .definition import (
    FieldDef,
    FormDefinition,
    Page,
)
from .tables import (
    CONTROL_RE,
    EMAIL_RE,
    FORMAT,
    HIDDEN,
    LANDLINE_RE,
    LENGTH,
    LOCKED,
    MAX_EMAIL,
    MAX_MONEY,
    MAX_NUMBER,
    MAX_STREET,
    MOBILE_RE,
    MONEY_RE,
    NOT_OWN_MATERIAL,
    OPTION,
    PATTERN,
    RANGE,
    REQUIRED,
    RULE,
    TYPE,
    UNKNOWN,
    is_number,
    parse_date,
    region_name,
)

# --- conditions and visibility ------------------------------------------------------------------

def _holds(expression: str, data: Mapping[str, Any]) -> bool:
    try:
        return bool(expressions.evaluate(expression, data))
    except expressions.ExpressionError:
        return False


def _condition_data(definition: FormDefinition, answers: Mapping[str, Any],
                    hidden: set[str]) -> dict[str, Any]:
    return {f.key: (None if f.key in hidden else answers.get(f.key)) for f in definition.fields}


def hidden_keys(definition: FormDefinition, answers: Mapping[str, Any]) -> set[str]:
    """The top-level fields hidden by their page's or their own ``show_if`` on ``answers``
    (a field whose controlling field is hidden counts as unanswered)."""
    hidden: set[str] = set()
    for _round in range(len(definition.fields) + 1):
        data = _condition_data(definition, answers, hidden)
        now_hidden: set[str] = set()
        for page in definition.pages:
            page_shown = not page.show_if or _holds(page.show_if, data)
            for f in page.fields:
                if not page_shown or (f.show_if and not _holds(f.show_if, data)):
                    now_hidden.add(f.key)
        if now_hidden == hidden:
            break
        hidden = now_hidden
    return hidden


def visible_pages(definition: FormDefinition, answers: Mapping[str, Any]) -> list[Page]:
    """The pages the applicant sees for ``answers`` (a page with all fields hidden is not
    shown)."""
    hidden = hidden_keys(definition, answers)
    return [p for p in definition.pages if any(f.key not in hidden for f in p.fields)]


def visible_answers(definition: FormDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """``answers`` without the fields hidden on them (dropped at submission)."""
    hidden = hidden_keys(definition, answers)
    return {k: v for k, v in answers.items() if k in definition.by_key and k not in hidden}


# --- validating answers -------------------------------------------------------------------------

UNKNOWN_PAGE_MESSAGE = _("表单中没有这一页。")


class AnswersInvalid(ValueError):
    """Per-field problems: ``messages[key]`` (Chinese, lazy) and ``codes[key]``."""

    def __init__(self, messages: dict[str, StrOrPromise], codes: dict[str, str]):
        super().__init__(next(iter(messages.values()), ""))
        self.messages = messages
        self.codes = codes

    @property
    def details(self) -> dict[str, Any]:
        return {**self.messages, "codes": dict(self.codes)}


class _Errors:
    def __init__(self) -> None:
        self.messages: dict[str, StrOrPromise] = {}
        self.codes: dict[str, str] = {}

    def add(self, key: str, code: str, message: StrOrPromise) -> None:
        if key not in self.messages:
            self.messages[key] = message
            self.codes[key] = code


def is_empty(value: Any) -> bool:
    if value is None or value == "" or value == [] or value == {}:
        return True
    if isinstance(value, Mapping) and set(value) <= {"region_code", "street"}:
        return not value.get("region_code") and not value.get("street")
    return False


def _label_now(f: FieldDef) -> str:
    english = (translation.get_language() or "").startswith("en")
    return f.label_en if english and f.label_en else f.label


def reader_label(f: FieldDef) -> StrOrPromise:
    """The field's label in the language the message is read in (messages are lazy: an
    API answer and a page render them in their reader's language)."""
    return lazy(_label_now, str)(f)


def _clean_text(value: str, *, multiline: bool) -> str:
    text = CONTROL_RE.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return text if multiline else " ".join(text.split())


def _clean(f: FieldDef, value: Any, key: str, errors: _Errors, *, partial: bool,
           material_ids: set[int] | None) -> Any:
    """The typed value of one answer, or None after recording its problem."""
    label = reader_label(f)
    kind = f.type
    if kind in ("text", "textarea", "id_number", "credit_code", "phone", "email"):
        if not isinstance(value, str):
            errors.add(key, TYPE, _("%(label)s应为文字。") % {"label": label})
            return None
        text = _clean_text(value, multiline=kind == "textarea")
        if not text:
            return ""
        if kind in ("text", "textarea"):
            if len(text) > f.text_limit or len(text) < f.min_length:
                errors.add(key, LENGTH, _("%(label)s应为 %(low)s 到 %(high)s 个字。")
                           % {"label": label, "low": f.min_length, "high": f.text_limit})
                return None
            if f.pattern and not re.fullmatch(f.pattern, text):
                errors.add(key, PATTERN, _("%(label)s的格式不正确。") % {"label": label})
                return None
            return text
        if kind == "id_number":
            problem = id_number_problem(text)
            if problem:
                errors.add(key, FORMAT, problem)
                return None
            return normalize_id_number(text)
        if kind == "credit_code":
            problem = credit_code_problem(text)
            if problem:
                errors.add(key, FORMAT, problem)
                return None
            return normalize_credit_code(text)
        if kind == "phone":
            compact = text.replace(" ", "")
            if not (MOBILE_RE.match(compact) or LANDLINE_RE.match(compact)):
                errors.add(key, FORMAT, _("%(label)s应为 11 位手机号码或带区号的固定电话。")
                           % {"label": label})
                return None
            return compact
        if len(text) > MAX_EMAIL or not EMAIL_RE.match(text):
            errors.add(key, FORMAT, _("%(label)s应为有效的电子邮箱地址。") % {"label": label})
            return None
        return text
    if kind == "number":
        if not is_number(value):
            errors.add(key, TYPE, _("%(label)s应为数字。") % {"label": label})
            return None
        if abs(value) > MAX_NUMBER or round(value, f.decimals) != value:
            errors.add(key, FORMAT, _("%(label)s最多保留 %(decimals)s 位小数。")
                       % {"label": label, "decimals": f.decimals})
            return None
        if (is_number(f.min) and value < f.min) or (is_number(f.max) and value > f.max):
            errors.add(key, RANGE, _("%(label)s应在 %(low)s 到 %(high)s 之间。")
                       % {"label": label, "low": f.min if f.min is not None else "—",
                          "high": f.max if f.max is not None else "—"})
            return None
        return int(value) if f.decimals == 0 else value
    if kind == "money":
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            errors.add(key, TYPE, _("%(label)s应为金额文字，如 \"12000.00\"。") % {"label": label})
            return None
        text = value.strip().replace(",", "")
        if not text:
            return ""
        try:
            amount = Decimal(text) if MONEY_RE.match(text) else None
        except InvalidOperation:
            amount = None
        if amount is None or amount > MAX_MONEY:
            errors.add(key, FORMAT, _("%(label)s应为不小于 0 的金额，最多两位小数。")
                       % {"label": label})
            return None
        if (is_number(f.min) and amount < Decimal(str(f.min))) or (
                is_number(f.max) and amount > Decimal(str(f.max))):
            errors.add(key, RANGE, _("%(label)s超出允许的范围。") % {"label": label})
            return None
        return format(amount.quantize(Decimal("0.01")), "f")
    if kind == "date":
        if not isinstance(value, str):
            errors.add(key, TYPE, _("%(label)s应为日期文字。") % {"label": label})
            return None
        if not value.strip():
            return ""
        day = parse_date(value.strip())
        if day is None:
            errors.add(key, FORMAT, _("%(label)s应为有效日期，如 2026-03-01。") % {"label": label})
            return None
        low, high = parse_date(f.min), parse_date(f.max)
        if (low and day < low) or (high and day > high):
            errors.add(key, RANGE, _("%(label)s应在 %(low)s 到 %(high)s 之间。")
                       % {"label": label, "low": f.min or "—", "high": f.max or "—"})
            return None
        return day.isoformat()
    if kind == "choice":
        allowed = {o.value for o in f.choices}
        if f.multiple:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors.add(key, TYPE, _("%(label)s应为选项的列表。") % {"label": label})
                return None
            if any(v not in allowed for v in value):
                errors.add(key, OPTION, _("%(label)s含有不在可选范围内的选项。") % {"label": label})
                return None
            order = [o.value for o in f.choices]
            return sorted(set(value), key=order.index)
        if not isinstance(value, str):
            errors.add(key, TYPE, _("%(label)s应为一个选项。") % {"label": label})
            return None
        if value == "":
            return ""
        if value not in allowed:
            errors.add(key, OPTION, _("%(label)s的选项无效。") % {"label": label})
            return None
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            errors.add(key, TYPE, _("%(label)s应选择“是”或“否”。") % {"label": label})
            return None
        return value
    if kind == "address":
        if (not isinstance(value, Mapping) or set(value) - {"region_code", "street"}
                or not all(isinstance(v, str) for v in value.values())):
            errors.add(key, TYPE, _("%(label)s应包含行政区划代码和详细地址。") % {"label": label})
            return None
        region = value.get("region_code", "").strip()
        street = _clean_text(value.get("street", ""), multiline=False)
        if not region and not street:
            return {}
        if region and not region_name(region):
            errors.add(key, FORMAT, _("%(label)s的行政区划代码无效。") % {"label": label})
            return None
        if len(street) > MAX_STREET:
            errors.add(key, LENGTH, _("%(label)s的详细地址不能超过 %(max)s 个字。")
                       % {"label": label, "max": MAX_STREET})
            return None
        if not partial and (not region or not street):
            errors.add(key, REQUIRED, _("请填写完整的%(label)s（区县和详细地址）。")
                       % {"label": label})
            return None
        return {"region_code": region, "street": street}
    if kind == "file":
        material_id = value.get("material_id") if isinstance(value, Mapping) else None
        if (not isinstance(value, Mapping) or set(value) != {"material_id"}
                or not isinstance(material_id, int) or isinstance(material_id, bool)):
            errors.add(key, TYPE, _("%(label)s应为本申请的材料编号。") % {"label": label})
            return None
        if material_ids is not None and material_id not in material_ids:
            errors.add(key, NOT_OWN_MATERIAL, _("%(label)s引用的不是本申请的材料。")
                       % {"label": label})
            return None
        return {"material_id": material_id}
    if kind == "group":
        if not isinstance(value, list):
            errors.add(key, TYPE, _("%(label)s应为列表。") % {"label": label})
            return None
        if len(value) > f.max_items or (not partial and len(value) < f.min_items):
            errors.add(key, LENGTH, _("%(label)s应有 %(low)s 到 %(high)s 条。")
                       % {"label": label, "low": f.min_items, "high": f.max_items})
            return None
        rows = []
        members = {m.key: m for m in f.fields}
        for index, row in enumerate(value):
            where = f"{key}.{index}"
            if not isinstance(row, Mapping):
                errors.add(where, TYPE, _("%(label)s第 %(n)s 条应为对象。")
                           % {"label": label, "n": index + 1})
                continue
            for extra in sorted(set(row) - set(members)):
                errors.add(f"{where}.{extra}", UNKNOWN, _("表单中没有这一项。"))
            cleaned_row = {}
            for member in f.fields:
                member_key = f"{where}.{member.key}"
                raw = row.get(member.key)
                cleaned = None if raw is None else _clean(
                    member, raw, member_key, errors, partial=partial, material_ids=material_ids)
                if cleaned is not None and not is_empty(cleaned):
                    cleaned_row[member.key] = cleaned
                elif (raw is None or (cleaned is not None and is_empty(cleaned))) and (
                        member.required and not partial):
                    errors.add(member_key, REQUIRED, _("请填写%(label)s。")
                               % {"label": reader_label(member)})
            rows.append(cleaned_row)
        return rows
    raise AssertionError(kind)


def validate_answers(
    definition: FormDefinition, answers: Any, *, partial: bool, page: str | None = None,
    context: Mapping[str, Any] | None = None, locked: Mapping[str, Any] | None = None,
    material_ids: set[int] | None = None,
) -> dict[str, Any]:
    """Clean ``answers`` (JSON values by field key) against ``definition``.

    ``page``: only that page's fields may be sent (a draft saved page by page).
    ``context``: the answers already stored for the other pages (conditions read them).
    ``locked``: key → the prefilled value the applicant may not change.
    ``material_ids``: the case's own materials (a file field must name one of them).
    ``partial``: a draft (required fields may be empty, cross-field rules wait).

    Returns the cleaned answers (empty values left out) or raises :class:`AnswersInvalid`.
    """
    errors = _Errors()
    if not isinstance(answers, Mapping):
        raise AnswersInvalid({"answers": _("答案应为以字段标识为键的对象。")}, {"answers": TYPE})
    page_def = definition.page(page) if page is not None else None
    allowed = ({f.key for f in page_def.fields} if page_def is not None
               else set() if page is not None else set(definition.by_key))
    cleaned: dict[str, Any] = {}
    for key, value in answers.items():
        if not isinstance(key, str) or key not in allowed:
            errors.add(str(key)[:60], UNKNOWN, _("表单中没有这一项。"))
            continue
        f = definition.by_key[key]
        result = None if value is None else _clean(f, value, key, errors, partial=partial,
                                                  material_ids=material_ids)
        if result is not None and not is_empty(result):
            cleaned[key] = result
    merged = {**{k: v for k, v in (context or {}).items() if k not in allowed}, **cleaned}
    hidden = hidden_keys(definition, merged)
    for key in answers:
        if key in cleaned and key in hidden:
            errors.add(key, HIDDEN, _("%(label)s在当前选择下不需要填写，请不要提交。")
                       % {"label": reader_label(definition.by_key[key])})
    for key, value in (locked or {}).items():
        if key in allowed and key in cleaned and key not in hidden and cleaned[key] != value:
            errors.add(key, LOCKED, _("%(label)s来自已核验的信息，不能修改。")
                       % {"label": reader_label(definition.by_key[key])})
    if not partial:
        for key in sorted(allowed - hidden, key=list(definition.by_key).index):
            f = definition.by_key[key]
            if f.required and key not in cleaned and key not in errors.messages:
                errors.add(key, REQUIRED, _("请填写%(label)s。") % {"label": reader_label(f)})
        if page is None and not errors.messages:
            data = _condition_data(definition, merged, hidden)
            for rule in definition.rules:
                names = expressions.names(rule.expression)
                if any(data.get(n) is None for n in names):
                    continue  # a rule on fields not answered (or hidden) waits
                if not _holds(rule.expression, data):
                    target = rule.fields[0] if rule.fields else rule.key
                    errors.add(target, RULE, rule.message)
    if errors.messages:
        raise AnswersInvalid(errors.messages, errors.codes)
    return cleaned


# --- from a web form's strings ----------------------------------------------------------------

def from_strings(f: FieldDef, raw: str | list[str]) -> Any:
    """A page's posted text as the JSON value of ``f``'s type; text the type cannot read
    is passed on as is, so :func:`validate_answers` names the problem."""
    if isinstance(raw, list):
        if f.type == "choice" and f.multiple:
            return [v for v in raw if v]
        return raw[-1] if raw else ""
    text = (raw or "").strip()
    if f.type == "number":
        if not text:
            return None
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            return text
        return int(number) if number.is_integer() and f.decimals == 0 else number
    if f.type == "boolean":
        return {"yes": True, "no": False}.get(text) if text else None
    if f.type == "choice" and f.multiple:
        return [text] if text else []
    return text


