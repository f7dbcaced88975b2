"""Editing an item's elements into its draft, and creating a new item as draft
version 1: the element form, the row formsets and the material files."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from onewindow.catalog import selectors, services
from onewindow.catalog.codes import ImplementationStatus
from onewindow.catalog.errors import ElementsInvalid, FileRejected
from onewindow.common.errors import ApplicationError, NotFound
from onewindow.common.ids import is_digits

from ...forms_catalog import (
    ElementsForm,
    FeeFormSet,
    MaterialForm,
    MaterialFormSet,
    NewItemForm,
    SpecialProcedureFormSet,
    rearrange,
    row_template,
)
from .common import _error_parts, _scope_organisations, catalog_admin_required
from .items import access_item

# --- edit and create --------------------------------------------------------------------


SECTION_CLASSES = [MaterialFormSet, FeeFormSet, SpecialProcedureFormSet]


@dataclass
class EditForms:
    elements: ElementsForm
    sections: list
    identity: NewItemForm | None = None
    section_errors: dict | None = None
    general: list | None = None

    @property
    def main(self) -> list:
        return [f for f in (self.identity, self.elements) if f is not None]

    def is_valid(self) -> bool:
        results = [f.is_valid() for f in self.main] + [s.is_valid() for s in self.sections]
        return all(results)

    def element_values(self) -> dict:
        data = self.elements.elements()
        data.pop("change_reason", None)
        self._rows = {}
        for section in self.sections:
            rows = section.rows()
            self._rows[section.prefix] = rows
            data[section.prefix] = [row for _, row in rows]
        return data

    def apply_errors(self, details: dict) -> None:
        """Put the service's messages (keys like ``promised_limit_amount`` or
        ``materials.2.condition``) next to their fields."""
        self.section_errors = {}
        self.general = []
        rows = getattr(self, "_rows", {})
        for key, message in details.items():
            head, *rest = key.split(".")
            if head in rows:
                if rest and is_digits(rest[0]) and int(rest[0]) < len(rows[head]):
                    form = rows[head][int(rest[0])][0]
                    field = rest[1] if len(rest) > 1 and rest[1] in form.fields else None
                    form.add_error(field, message)
                else:
                    self.section_errors.setdefault(head, []).append(message)
                continue
            target = "basic_code" if head == "code" else head
            form = next((f for f in self.main if target in f.fields), None)
            if form is not None:
                form.add_error(target, message)
            else:
                self.general.append(message)
        for section in self.sections:
            section.section_errors = self.section_errors.get(section.prefix, [])

    def summary(self, error: str = "") -> list[dict]:
        items = [{"href": "", "text": error}] if error else []
        items += [{"href": "", "text": m} for m in self.general or []]
        for form in self.main:
            items += [{"href": "", "text": e} for e in form.non_field_errors()]
            for field in form:
                for message in field.errors:
                    items.append({"href": "#" + (field.id_for_label or field.auto_id),
                                  "text": f"{field.label}：{message}"})
        for section in self.sections:
            for message in (self.section_errors or {}).get(section.prefix, []):
                items.append({"href": f"#section-{section.prefix}",
                              "text": f"{section.label}：{message}"})
            for message in section.non_form_errors():
                items.append({"href": f"#section-{section.prefix}",
                              "text": f"{section.label}：{message}"})
            for index, form in enumerate(section.forms):
                for message in form.non_field_errors():
                    items.append({"href": f"#{section.prefix}-row-{index}",
                                  "text": gettext("第 %(n)s 项%(what)s：%(message)s") % {
                                      "n": index + 1, "what": section.row_label,
                                      "message": message}})
                where = gettext("第 %(n)s 项%(what)s") % {"n": index + 1,
                                                          "what": section.row_label}
                for field in form:
                    for message in field.errors:
                        items.append({"href": "#" + (field.id_for_label or field.auto_id),
                                      "text": gettext("%(where)s的%(field)s：%(message)s") % {
                                          "where": where, "field": field.label,
                                          "message": message}})
        return items


def _bound_forms(data, files=None, *, organisations=None) -> EditForms:
    identity = NewItemForm(data, organisations=organisations) if organisations is not None \
        else None
    return EditForms(elements=ElementsForm(data),
                     sections=[cls(data, files) for cls in SECTION_CLASSES], identity=identity)


def _store_uploads(forms: EditForms) -> bool:
    """Store the blank forms and samples chosen in the material rows and put their
    storage names into the rows (after ``element_values``). False, with the message next
    to the file field, when a file is refused."""
    ok = True
    for form, row in getattr(forms, "_rows", {}).get(MaterialFormSet.prefix_name, []):
        for kind, upload in form.uploads().items():
            try:
                row[kind] = services.material_file_store(upload=upload, kind=kind)
            except FileRejected as exc:
                form.add_error(f"{kind}_upload", str(exc.message))
                ok = False
    return ok


def _initial_forms(elements: dict, *, organisations=None, blank_material: bool = False
                   ) -> EditForms:
    materials = list(elements.get("materials") or [])
    if blank_material and not materials:
        materials = [row_template(MaterialForm)]
    initial_rows = {"materials": materials, "fees": elements.get("fees") or [],
                    "special_procedures": elements.get("special_procedures") or []}
    identity = NewItemForm(organisations=organisations) if organisations is not None else None
    return EditForms(
        elements=ElementsForm(initial=ElementsForm.initial_from(elements)),
        sections=[cls(initial=initial_rows[cls.prefix_name]) for cls in SECTION_CLASSES],
        identity=identity,
    )


def _posted_forms(request, *, organisations=None) -> tuple[EditForms, bool]:
    """The forms bound to the post; True when a row button (add, remove, move) was used."""
    action = request.POST.get("row_action", "")
    data, files = request.POST, request.FILES
    if action:
        # Rows move, so a file chosen for a row could land on another: choose it again.
        data, files = rearrange(request.POST, action) or request.POST, None
    return _bound_forms(data, files, organisations=organisations), bool(action)


def _edit_response(request, template_context: dict, forms: EditForms, *, error: str = "",
                   status: int = 200, row_action: bool = False):
    context = {**template_context, "forms": forms, "nav_active": "catalog",
               "summary": [] if row_action else forms.summary(error)}
    return render(request, "web/catalog/admin_edit.html", context, status=status)


@catalog_admin_required
def item_edit(request, code: str):
    """Edit the elements: saved into the item's draft (opened from the published version
    if there is none), never into a published version."""
    error, status = "", 200
    implementation = access_item(request, code)
    if request.method == "POST":
        forms, row_action = _posted_forms(request)
        if not row_action:
            status = 422
            changes = forms.element_values() if forms.is_valid() else None
            if changes is not None and _store_uploads(forms):
                try:
                    draft = services.item_draft_update(
                        actor=request.user, implementation=implementation, changes=changes,
                        reason=forms.elements.cleaned_data.get("change_reason", ""),
                        now=timezone.now(),
                    )
                except NotFound as exc:
                    raise Http404 from exc
                except ElementsInvalid as exc:
                    forms.apply_errors(_error_parts(exc)[1])
                    status = exc.http_status
                except ApplicationError as exc:
                    error, status = str(exc.message), exc.http_status
                else:
                    messages.success(request, gettext("已保存为草稿（第 %(n)s 版）。"
                                                      "请检查后发布，发布后才对公众生效。")
                                     % {"n": draft.number})
                    return redirect("web:catalog-item", code=draft.implementation.code)
        view = selectors.item_for_edit(implementation=implementation)
    else:
        row_action = False
        view = selectors.item_for_edit(implementation=implementation)
        if view.implementation.status == ImplementationStatus.CANCELLED:
            messages.error(request, gettext("该事项已取消，不能再修改。"))
            return redirect("web:catalog-item", code=view.implementation.code)
        forms = _initial_forms(view.elements)
    context = {"view": view, "item": view.implementation, "mode": "edit"}
    return _edit_response(request, context, forms, error=error, status=status,
                          row_action=row_action)


@catalog_admin_required
def item_new(request):
    """新增: a new item of a 基本目录 entry for one of the admin's organisations, saved as
    draft version 1 (publish it on the item's page)."""
    organisations = _scope_organisations(request.user, with_credit_code=True)
    error, status, row_action = "", 200, False
    if request.method == "POST":
        forms, row_action = _posted_forms(request, organisations=organisations)
        if not row_action:
            status = 422
            elements = forms.element_values() if forms.is_valid() else None
            # A new item's forms include the identity form (organisations given).
            if elements is not None and forms.identity is not None and _store_uploads(forms):
                identity = forms.identity.cleaned_data
                try:
                    implementation = services.item_create(
                        actor=request.user, organisation=identity["organisation"],
                        basic_code=identity["basic_code"], elements=elements,
                        level=identity["level"] or None,
                        handling_item=identity["handling_item"], in_hall=identity["in_hall"],
                        not_in_hall_reason=identity["not_in_hall_reason"], now=timezone.now(),
                    )
                except ApplicationError as exc:
                    message, details = _error_parts(exc)
                    if details:
                        forms.apply_errors(details)
                    else:
                        error = message
                    status = exc.http_status
                else:
                    messages.success(request, gettext("事项已创建为草稿（第 1 版）。"
                                                      "请检查后发布，发布后才对公众生效。"))
                    return redirect("web:catalog-item", code=implementation.code)
    else:
        forms = _initial_forms({}, organisations=organisations, blank_material=True)
    return _edit_response(request, {"mode": "new"}, forms, error=error, status=status,
                          row_action=row_action)
