"""The form editor (ADR 0031): an item's application form, edited page by page and field by
field in its DRAFT version, with a preview as the citizen sees it on a phone.

Every button is a plain form post (no script needed) that builds the whole new definition
(``web.form_editor``) and saves it through ``catalog.services.version_form_set``, which
checks it; ``ui.run_action`` answers with the editor again (done) or the same page with
the problems next to their boxes (422), or the conflict (409). A published version is
never edited: without a draft the editor shows the published form and offers to open one.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from onewindow.catalog import forms as form_engine
from onewindow.catalog import selectors, services
from onewindow.catalog.codes import ImplementationStatus
from onewindow.catalog.errors import FormInvalid
from onewindow.catalog.forms import cells
from onewindow.catalog.models import ImplementationVersion
from onewindow.common.errors import ApplicationError
from onewindow.common.ids import is_row_id

from ... import form_editor as editor
from ... import form_pages
from ...ui import Outcome, run_action
from .common import catalog_admin_required
from .items import access_item

SOURCE_WORDS = {"account": gettext_noop("您的账户"), "legal": gettext_noop("单位登记信息"),
                "licence": gettext_noop("电子证照")}


def _editor_url(code: str, anchor: str = "") -> str:
    url = reverse("web:catalog-form", args=[code])
    return f"{url}#{anchor}" if anchor else url


def _state(request, code: str):
    implementation = access_item(request, code)
    view = selectors.item_for_edit(implementation=implementation)
    return view


def _save(request, draft: ImplementationVersion, new_form: Mapping[str, Any], *,
          at: str = "", boxes: Mapping[str, str] | None = None):
    """Save ``new_form`` into the draft; a refusal comes back readable for the page."""
    try:
        return services.version_form_set(actor=request.user, version=draft, form=new_form,
                                         now=timezone.now(),
                                         base_hash=request.POST.get("base", ""))
    except FormInvalid as exc:
        where = editor.where_of(new_form, at) if at and not at.startswith("pages.") else at
        raise editor.readable(exc, new_form, at=where, boxes=boxes) from exc


def _places(form: Mapping[str, Any]) -> list[tuple[str, str]]:
    places = []
    for page in form.get("pages") or []:
        places.append((f"page:{page.get('key')}",
                       gettext("页面：%(title)s") % {"title": page.get("title", "")}))
        for field in page.get("fields") or []:
            if field.get("type") == "group":
                places.append((f"group:{field.get('key')}",
                               gettext("重复组“%(label)s”的成员") % {
                                   "label": field.get("label", "")}))
    return places


def _rows(form: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The pages and their fields as the editor lists them."""
    pages = []
    all_pages = form.get("pages") or []
    for index, page in enumerate(all_pages):
        fields = []
        page_fields = page.get("fields") or []
        for position, field in enumerate(page_fields):
            members = field.get("fields") or []
            fields.append({
                "field": field, "type": gettext(cells.TYPE_LABELS.get(field.get("type"), "")),
                "first": position == 0, "last": position == len(page_fields) - 1,
                "members": [{"field": m, "type": gettext(cells.TYPE_LABELS.get(m.get("type"),
                                                                               "")),
                             "first": i == 0, "last": i == len(members) - 1}
                            for i, m in enumerate(members)],
            })
        pages.append({"page": page, "number": index + 1, "fields": fields,
                      "first": index == 0, "last": index == len(all_pages) - 1})
    return pages


def _render_editor(request, view, *, outcome: Outcome | None = None, status: int = 200):
    base = view.draft or view.current
    form = (base.form if base else {}) or {}
    context = {
        "view": view, "item": view.implementation, "draft": view.draft,
        "current": view.current, "pages": _rows(form), "rules": form.get("rules") or [],
        "has_form": bool(form), "summary": [{"href": e.href, "text": e.text}
                                            for e in (outcome.errors if outcome else [])],
        "cancelled": view.implementation.status == ImplementationStatus.CANCELLED,
        "rule_form": editor.RuleForm(), "nav_active": "catalog",
    }
    return render(request, "web/catalog/admin_form.html", context, status=status)


@catalog_admin_required
def form_edit(request, code: str):
    """The editor: GET shows it; a POST is one button (move, remove, open a draft)."""
    view = _state(request, code)
    if request.method != "POST":
        return _render_editor(request, view)
    step = editor.StepForm(request.POST)
    op = request.POST.get("op", "")

    def perform(data: dict):
        if data["op"] == "open":
            return services.item_draft_open(actor=request.user,
                                            implementation=view.implementation,
                                            now=timezone.now())
        if view.draft is None:
            raise FormInvalid(gettext("请先新建草稿版本。"))
        return _save(request, view.draft,
                     editor.step(view.draft.form, data["op"], data["target"]))

    anchor = f"field-{request.POST.get('target', '')}" if op.startswith("field") else (
        f"page-{request.POST.get('target', '')}" if op.startswith("page_up")
        or op.startswith("page_down") else "")
    done = (gettext("已新建草稿版本，可以修改表单了。") if op == "open"
            else gettext("表单已保存到草稿。"))
    return run_action(request, step, perform, done=done,
                      success=_editor_url(view.implementation.code, anchor),
                      page=lambda outcome: _render_editor(request, _state(request, code),
                                                          outcome=outcome))


def _part_page(request, view, form, *, title: str, intro: str, outcome: Outcome | None,
               kind: str, button: str):
    context = {"view": view, "item": view.implementation, "form": form, "title": title,
               "intro": intro, "kind": kind, "button": button,
               "summary": [{"href": e.href, "text": e.text}
                           for e in (outcome.errors if outcome else [])],
               "nav_active": "catalog"}
    return render(request, "web/catalog/admin_form_part.html", context)


def _with_draft(request, code: str):
    """The item's view and its draft, or (view, None) when it has none."""
    view = _state(request, code)
    return view, view.draft


def _part(request, view, form, perform: Callable[[dict], Any], *, title: str, intro: str,
          kind: str, button: str, anchor: Callable[[Any], str], done: str):
    if request.method != "POST":
        return _part_page(request, view, form, title=title, intro=intro, outcome=None,
                          kind=kind, button=button)
    return run_action(
        request, form, perform, done=done,
        success=lambda result: _editor_url(view.implementation.code, anchor(result)),
        page=lambda outcome: _part_page(request, view, form, title=title, intro=intro,
                                        outcome=outcome, kind=kind, button=button))


_FIELD_BOXES = {attr: attr for attr in editor.FieldForm.ATTRS}


@catalog_admin_required
def form_field(request, code: str, key: str = ""):
    """Add a field (to a page, or to a repeating group as a member) or edit one."""
    view, draft = _with_draft(request, code)
    if draft is None:
        return redirect(_editor_url(view.implementation.code))
    current = draft.form or {}
    existing = None
    if key:
        found = editor.find_field(current, key)
        if found is None:
            raise Http404
        p, f, m = found
        existing = current["pages"][p]["fields"][f]
        existing = existing["fields"][m] if m is not None else existing
    places = None if existing else _places(current)
    if places == []:
        return redirect(reverse("web:catalog-form-page", args=[view.implementation.code]))
    initial = editor.FieldForm.initial_of(existing) if existing else {
        "place": request.GET.get("place", ""), "type": "text"}
    form = editor.FieldForm(request.POST if request.method == "POST" else None,
                            initial=initial, places=places)

    def perform(data: dict):
        field = form.definition()
        if existing is not None:
            new_form = editor.put_field(current, field, replace=key)
        else:
            new_form = editor.put_field(current, field, place=data["place"])
        _save(request, draft, new_form, at=field.get("key", ""), boxes=_FIELD_BOXES)
        return field.get("key", "")

    if existing:
        title = gettext("修改字段“%(label)s”") % {"label": existing.get("label", key)}
    else:
        title = gettext("添加字段")
    return _part(request, view, form, perform, title=title,
                 intro=gettext("保存到草稿后在表单中显示；发布新版本后申请人才会看到。"),
                 kind="field", button=gettext("保存字段"),
                 anchor=lambda result: f"field-{result}", done=gettext("字段已保存到草稿。"))


@catalog_admin_required
def form_page(request, code: str, key: str = ""):
    """Add a page (one topic per page) or edit one's title, hint and condition."""
    view, draft = _with_draft(request, code)
    if draft is None:
        return redirect(_editor_url(view.implementation.code))
    current = draft.form or {}
    index = editor.page_index(current, key) if key else None
    if key and index is None:
        raise Http404
    existing = current["pages"][index] if index is not None else None
    initial = {attr: existing.get(attr, "") for attr in editor.PageForm.ATTRS} \
        if existing else {}
    form = editor.PageForm(request.POST if request.method == "POST" else None, initial=initial)

    def perform(data: dict):
        page = form.definition()
        new_form = editor.put_page(current, page, replace=key)
        at = f"pages.{index if index is not None else len(new_form['pages']) - 1}"
        _save(request, draft, new_form, at=at, boxes={a: a for a in editor.PageForm.ATTRS})
        return page["key"]

    title = (gettext("修改页面“%(title)s”") % {"title": existing.get("title", "")}
             if existing else gettext("添加页面"))
    return _part(request, view, form, perform, title=title,
                 intro=gettext("申请人一屏看到一页。添加页面后再向其中添加字段。"),
                 kind="page", button=gettext("保存页面"),
                 anchor=lambda result: f"page-{result}", done=gettext("页面已保存到草稿。"))


@catalog_admin_required
def form_rule(request, code: str):
    """Add a cross-field rule (e.g. the end date after the start date)."""
    view, draft = _with_draft(request, code)
    if draft is None:
        return redirect(_editor_url(view.implementation.code))
    current = draft.form or {}
    form = editor.RuleForm(request.POST if request.method == "POST" else None)

    def perform(data: dict):
        new_form = editor.add_rule(current, form.definition())
        at = f"rules.{len(new_form['rules']) - 1}"
        _save(request, draft, new_form, at=at,
              boxes={"key": "key", "expression": "expression", "message": "message",
                     "message_en": "message_en", "fields": "applies_to"})
        return "rules"

    return _part(request, view, form, perform, title=gettext("添加规则"),
                 intro=gettext("规则跨字段检查答案，不满足时在所选字段旁显示提示。"),
                 kind="rule", button=gettext("保存规则"), anchor=lambda result: "rules",
                 done=gettext("规则已保存到草稿。"))


@catalog_admin_required
def form_copy(request, code: str):
    """Copy the form of another item's published version into the draft."""
    view, draft = _with_draft(request, code)
    if draft is None:
        return redirect(_editor_url(view.implementation.code))
    q = request.GET.get("q", "").strip()[:100]
    form = editor.CopyForm(request.POST if request.method == "POST" else None)

    def perform(data: dict):
        try:
            source = selectors.implementation_get(code=data["source"])
        except ApplicationError as exc:
            message = gettext("没有找到这个已发布的事项。")
            raise FormInvalid(message, details={"source": message}) from exc
        return services.version_form_copy(actor=request.user, version=draft,
                                          source=source, now=timezone.now(),
                                          base_hash=request.POST.get("base", ""))

    def page(outcome: Outcome | None):
        context = {"view": view, "item": view.implementation, "q": q, "form": form,
                   "draft": draft,
                   "results": selectors.form_sources(q=q, exclude=view.implementation.code),
                   "summary": [{"href": e.href, "text": e.text}
                               for e in (outcome.errors if outcome else [])],
                   "has_form": bool(draft.form), "nav_active": "catalog"}
        return render(request, "web/catalog/admin_form_copy.html", context)

    if request.method != "POST":
        return page(None)
    return run_action(request, form, perform, done=gettext("已复制表单到草稿，可以继续修改。"),
                      success=_editor_url(view.implementation.code), page=page)


@catalog_admin_required
def form_preview(request, code: str):
    """The draft's (else the published) form one page per screen, as the citizen sees it:
    the portal's own field template, no answers, where values would come from."""
    view = _state(request, code)
    base = view.draft or view.current
    if base is None:
        raise Http404
    definition = form_engine.definition_for(base)
    pages = [p for p in definition.pages if p.fields]
    if not pages:
        context = {"item": view.implementation, "version": base, "pages": [], "empty": True}
        return render(request, "web/catalog/admin_form_preview.html", context)
    number = request.GET.get("page", "1")
    index = int(number) - 1 if is_row_id(number) and 0 < int(number) <= len(pages) else 0
    current = pages[index]
    sources = {}
    for f in current.fields:
        if f.source:
            kind = f.source.split(":")[0].split(".")[0]
            sources[f.key] = {"label": SOURCE_WORDS.get(kind, ""), "locked": False}
    fields = form_pages.field_views(current.fields, answers={}, errors={}, sources=sources,
                                    region_hint=view.implementation.organisation.region_code)
    context = {
        "item": view.implementation, "version": base, "definition": definition,
        "pages": pages, "index": index, "number": index + 1, "page": current,
        "title": form_pages.page_title(current, generic=definition.generic),
        "hint": form_pages.page_hint(current), "fields": fields,
        "previous": index if index > 0 else None,
        "next": index + 2 if index + 1 < len(pages) else None,
        "locked": {f.key for f in current.fields if f.locked},
        "conditional": current.show_if,
    }
    return render(request, "web/catalog/admin_form_preview.html", context)


__all__ = ["form_copy", "form_edit", "form_field", "form_page", "form_preview", "form_rule"]
