"""The catalog admin's form editor (ADR 0031): the changes the editor's buttons make to a
form definition, and the boxes of a field, a page and a rule.

Every change is a new whole definition (the old one is never mutated) that the page
hands to ``catalog.services.version_form_set``; the service checks it and names each
problem's place (``form.pages.0.fields.1.key``), which :func:`readable` turns into
messages next to the boxes (the place of the field being edited) or in words
("第 2 页“经营场所”的“经营场所面积”：…"). A field's boxes are read by
``catalog.forms.cells``, as the workbook's 表单 sheet is, so both mean the same.
"""

import copy
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.catalog import forms as form_engine
from onewindow.catalog.errors import FormInvalid
from onewindow.catalog.forms import cells
from onewindow.common.text import StrOrPromise

from .forms import set_choices
from .forms_catalog import TEXTAREA

# --- changes to a definition ------------------------------------------------------------------

Form = dict[str, Any]


def _copy(form: Mapping[str, Any] | None) -> Form:
    result = copy.deepcopy(dict(form or {}))
    result.setdefault("schema", 1)
    result.setdefault("pages", [])
    return result


def find_field(form: Mapping[str, Any], key: str) -> tuple[int, int, int | None] | None:
    """(page index, field index, member index or None) of the field ``key``."""
    for p, page in enumerate(form.get("pages") or []):
        for f, field in enumerate(page.get("fields") or []):
            if field.get("key") == key:
                return p, f, None
            for m, member in enumerate(field.get("fields") or []):
                if member.get("key") == key:
                    return p, f, m
    return None


def where_of(form: Mapping[str, Any], key: str) -> str:
    """The ``check_definition`` place of the field ``key`` (``pages.0.fields.1``)."""
    found = find_field(form, key)
    if found is None:
        return ""
    p, f, m = found
    return f"pages.{p}.fields.{f}" + (f".fields.{m}" if m is not None else "")


def page_index(form: Mapping[str, Any], key: str) -> int | None:
    return next((i for i, page in enumerate(form.get("pages") or [])
                 if page.get("key") == key), None)


def _siblings(form: Form, key: str) -> tuple[list, int] | None:
    found = find_field(form, key)
    if found is None:
        return None
    p, f, m = found
    fields = form["pages"][p]["fields"]
    return (fields[f]["fields"], m) if m is not None else (fields, f)


def move_field(form: Mapping[str, Any], key: str, delta: int) -> Form:
    """The field ``key`` one place up (-1) or down (+1) among its page's fields (a member
    among its group's); at either end it stays."""
    result = _copy(form)
    found = _siblings(result, key)
    if found is not None:
        items, index = found
        target = index + delta
        if 0 <= target < len(items):
            items[index], items[target] = items[target], items[index]
    return result


def remove_field(form: Mapping[str, Any], key: str) -> Form:
    result = _copy(form)
    found = _siblings(result, key)
    if found is not None:
        items, index = found
        del items[index]
    return result


def put_field(form: Mapping[str, Any], field: Mapping[str, Any], *, place: str = "",
              replace: str = "") -> Form:
    """Add ``field`` at the end of ``place`` (``page:<key>`` or ``group:<key>``), or put it
    where the field ``replace`` is (its members kept when it stays a group)."""
    result = _copy(form)
    field = dict(field)
    if replace:
        found = _siblings(result, replace)
        if found is None:
            return result
        items, index = found
        old = items[index]
        if field.get("type") == "group" and old.get("type") == "group":
            field["fields"] = old.get("fields") or []
        items[index] = field
        return result
    if field.get("type") == "group":
        field.setdefault("fields", [])
    kind, _sep, key = place.partition(":")
    if kind == "page":
        index = page_index(result, key)
        if index is not None:
            result["pages"][index].setdefault("fields", []).append(field)
    elif kind == "group":
        found = find_field(result, key)
        if found is not None and found[2] is None:
            group = result["pages"][found[0]]["fields"][found[1]]
            group.setdefault("fields", []).append(field)
    return result


def move_page(form: Mapping[str, Any], key: str, delta: int) -> Form:
    result = _copy(form)
    index = page_index(result, key)
    pages = result["pages"]
    if index is not None and 0 <= index + delta < len(pages):
        pages[index], pages[index + delta] = pages[index + delta], pages[index]
    return result


def remove_page(form: Mapping[str, Any], key: str) -> Form:
    result = _copy(form)
    index = page_index(result, key)
    if index is not None:
        del result["pages"][index]
    return result


def put_page(form: Mapping[str, Any], page: Mapping[str, Any], *, replace: str = "") -> Form:
    result = _copy(form)
    index = page_index(result, replace) if replace else None
    if index is None:
        result["pages"].append({**page, "fields": []})
    else:
        result["pages"][index] = {**page, "fields": result["pages"][index].get("fields") or []}
    return result


def add_rule(form: Mapping[str, Any], rule: Mapping[str, Any]) -> Form:
    result = _copy(form)
    result.setdefault("rules", []).append(dict(rule))
    return result


def remove_rule(form: Mapping[str, Any], key: str) -> Form:
    result = _copy(form)
    result["rules"] = [r for r in result.get("rules") or [] if r.get("key") != key]
    if not result["rules"]:
        del result["rules"]
    return result


# --- messages -----------------------------------------------------------------------------------

def describe(form: Mapping[str, Any], where: str) -> str:
    """A ``check_definition`` place in words: 第 2 页“经营场所”的“经营场所面积”."""
    parts = where.split(".")
    pages = form.get("pages") or []
    try:
        if parts[0] == "rules":
            rule = (form.get("rules") or [])[int(parts[1])]
            return gettext("规则“%(key)s”") % {"key": rule.get("key", "")}
        if parts[0] == "pages" and len(parts) > 1:
            page = pages[int(parts[1])]
            text = gettext("第 %(n)s 页“%(title)s”") % {"n": int(parts[1]) + 1,
                                                         "title": page.get("title", "")}
            if len(parts) > 3 and parts[2] == "fields":
                field = page["fields"][int(parts[3])]
                if len(parts) > 5 and parts[4] == "fields":
                    field = field["fields"][int(parts[5])]
                text += gettext("的“%(label)s”") % {"label": field.get("label") or
                                                        field.get("key", "")}
            return text
    except (IndexError, ValueError, KeyError, TypeError):
        pass
    return gettext("表单")


def readable(exc: FormInvalid, form: Mapping[str, Any], *, at: str = "",
             boxes: Mapping[str, str] | None = None) -> FormInvalid:
    """The service's refusal for a page: problems at ``at`` (the field or page being
    edited) keyed by the name of their box; the others in words, in the message."""
    boxes = boxes or {}
    details: dict[str, str] = {}
    others = []
    for key, message in (exc.details or {}).items():
        where = key.removeprefix("form.")
        attr = where[len(at) + 1:] if at and where.startswith(at + ".") else ""
        if attr in boxes:
            details[boxes[attr]] = str(message)
        elif key == "source":
            others.append(str(message))
        else:
            others.append(f"{describe(form, where)}：{message}")
    text = "；".join(others) if others else str(exc.message)
    return FormInvalid(text, details=details)


# --- the boxes ------------------------------------------------------------------------------------

def _char(label: StrOrPromise, *, area: bool = False, help_text: StrOrPromise = "",
          max_length: int = 5000) -> forms.CharField:
    widget = forms.Textarea(attrs=TEXTAREA) if area else forms.TextInput
    return forms.CharField(label=label, required=False, widget=widget, help_text=help_text,
                           max_length=max_length)


class FieldForm(forms.Form):
    """One field of the form: where it goes (when added), then its attributes. Numbers are
    read as typed; the form check names what is wrong."""

    place = forms.ChoiceField(label=_("添加到"), choices=())
    key = forms.CharField(label=_("字段标识"), max_length=40,
                          help_text=_("小写字母开头，可用小写字母、数字和下划线，如 operator_name；"
                                      "在整个表单中唯一。"))
    label = forms.CharField(label=_("字段名称"), max_length=200)
    label_en = _char(_("字段名称（英文）"), max_length=200)
    type = forms.ChoiceField(label=_("类型"), choices=())
    required = forms.BooleanField(label=_("必填"), required=False)
    hint = _char(_("填写说明"), area=True, max_length=1000)
    hint_en = _char(_("填写说明（英文）"), area=True, max_length=1000)
    options = _char(_("选项"), area=True,
                    help_text=_("选择题每行一项：值=名称，英文名称写在 | 之后，"
                                "如 lost=遗失|Lost。用代码表时留空。"))
    code_table = forms.ChoiceField(label=_("代码表"), required=False, choices=())
    multiple = forms.BooleanField(label=_("可多选"), required=False)
    min_length = _char(_("最短长度"), max_length=10)
    max_length = _char(_("最长长度"), max_length=10)
    pattern = _char(_("格式规则（正则表达式）"), max_length=200)
    min = _char(_("最小值"), max_length=20, help_text=_("数字；日期写 YYYY-MM-DD。"))
    max = _char(_("最大值"), max_length=20)
    decimals = _char(_("小数位数"), max_length=2)
    unit = _char(_("单位"), max_length=20)
    show_if = _char(_("显示条件"), max_length=500,
                    help_text=_("其他字段满足条件时才显示，如 online_sales == True；"
                                "留空则总是显示。"))
    source = _char(_("数据来源（免填）"), max_length=100,
                   help_text=_("如 account.name、legal.credit_code、"
                               "licence:证照类型代码.字段名；留空则由申请人填写。"))
    locked = forms.BooleanField(label=_("锁定来源的值（申请人不能修改）"), required=False)
    min_items = _char(_("最少条数（重复组）"), max_length=4)
    max_items = _char(_("最多条数（重复组）"), max_length=4)
    material = _char(_("对应的申请材料（材料文件）"), max_length=200)

    # The boxes in groups by the types they apply to (no script needed to read them).
    GROUPS = (
        (_("字段"), ("place", "key", "label", "label_en", "type", "required", "hint",
                    "hint_en")),
        (_("选择题"), ("options", "code_table", "multiple")),
        (_("文字的长度和格式"), ("min_length", "max_length", "pattern")),
        (_("数字、金额和日期的范围"), ("min", "max", "decimals", "unit")),
        (_("何时显示、从哪里来"), ("show_if", "source", "locked")),
        (_("重复组和材料文件"), ("min_items", "max_items", "material")),
    )

    ATTRS = ("key", "label", "label_en", "type", "required", "hint", "hint_en", "options",
             "code_table", "multiple", "min_length", "max_length", "pattern", "min", "max",
             "decimals", "unit", "show_if", "source", "locked", "min_items", "max_items",
             "material")

    def __init__(self, *args, places: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self, "type", [(k, gettext(v)) for k, v in cells.TYPE_LABELS.items()])
        set_choices(self, "code_table", [("", gettext("不用代码表"))] + [
            (k, k) for k in form_engine.CODE_TABLES])
        if places is None:
            del self.fields["place"]
        else:
            set_choices(self, "place", places)

    def groups(self) -> list[tuple[Any, list]]:
        return [(title, [self[name] for name in names if name in self.fields])
                for title, names in self.GROUPS]

    @classmethod
    def initial_of(cls, field: Mapping[str, Any]) -> dict[str, Any]:
        values = cells.field_cells(field)
        initial: dict[str, Any] = {}
        for attr in cls.ATTRS:
            if attr not in values:
                continue
            if attr in ("required", "multiple", "locked"):
                initial[attr] = field.get(attr) is True
            elif attr == "type":
                initial[attr] = field.get("type", "")
            elif attr == "options":
                initial[attr] = values[attr].replace(";", "\n")
            else:
                initial[attr] = "" if values[attr] is None else str(values[attr])
        return initial

    def definition(self) -> dict[str, Any]:
        """The field as the definition stores it (boxes left empty are not set)."""
        data = self.cleaned_data
        raw = {attr: data.get(attr) for attr in self.ATTRS
               if data.get(attr) not in (None, "", False)}
        return cells.field_from_cells(raw)


class PageForm(forms.Form):
    key = forms.CharField(label=_("页面标识"), max_length=40,
                          help_text=_("小写字母开头，可用小写字母、数字和下划线，如 premises。"))
    title = forms.CharField(label=_("页面标题"), max_length=200,
                            help_text=_("一页一个主题，标题即该页的问题或主题。"))
    title_en = _char(_("页面标题（英文）"), max_length=200)
    hint = _char(_("页面说明"), area=True, max_length=1000)
    hint_en = _char(_("页面说明（英文）"), area=True, max_length=1000)
    show_if = _char(_("页面显示条件"), max_length=500,
                    help_text=_("前面页面的字段满足条件时才显示本页，"
                                "如 operator_type == \"catering\"；留空则总是显示。"))

    ATTRS = ("key", "title", "title_en", "hint", "hint_en", "show_if")

    def definition(self) -> dict[str, Any]:
        return {attr: self.cleaned_data[attr] for attr in self.ATTRS if self.cleaned_data[attr]}


class RuleForm(forms.Form):
    key = forms.CharField(label=_("规则标识"), max_length=40)
    expression = forms.CharField(label=_("应满足的条件"), max_length=500,
                                 help_text=_("如 valid_to > valid_from。"))
    message = forms.CharField(label=_("不满足时的提示"), max_length=200)
    message_en = _char(_("不满足时的提示（英文）"), max_length=200)
    applies_to = _char(_("提示显示在哪些字段旁"), max_length=500,
                   help_text=_("字段标识，多个用空格或逗号分隔。"))

    def definition(self) -> dict[str, Any]:
        data = self.cleaned_data
        rule = {"key": data["key"], "expression": data["expression"],
                "message": data["message"]}
        if data["message_en"]:
            rule["message_en"] = data["message_en"]
        keys = [k for k in data["applies_to"].replace(",", " ").replace("，", " ").split() if k]
        if keys:
            rule["fields"] = keys
        return rule


class StepForm(forms.Form):
    """A button of the editor: what to do (``op``) to which field, page or rule."""

    OPS = ("open", "field_up", "field_down", "field_remove", "page_up", "page_down",
           "page_remove", "rule_remove")
    op = forms.ChoiceField(choices=[(op, op) for op in OPS])
    target = forms.CharField(required=False, max_length=40)


class CopyForm(forms.Form):
    source = forms.CharField(label=_("实施编码"), max_length=40)


def step(form: Mapping[str, Any], op: str, target: str) -> Form:
    """The definition after the editor's button ``op`` on ``target``."""
    if op == "field_up":
        return move_field(form, target, -1)
    if op == "field_down":
        return move_field(form, target, 1)
    if op == "field_remove":
        return remove_field(form, target)
    if op == "page_up":
        return move_page(form, target, -1)
    if op == "page_down":
        return move_page(form, target, 1)
    if op == "page_remove":
        return remove_page(form, target)
    if op == "rule_remove":
        return remove_rule(form, target)
    return _copy(form)
