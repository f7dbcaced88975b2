"""The workbench's catalog administration (事项管理) for catalog admins, scoped to the
organisations their role was granted over: items outside it look missing (404).

Edits never touch a published version: saving makes or updates the item's draft, and
publishing the draft makes a new version (the old one stays readable). Every lifecycle
action asks for a reason and states its consequence before it is confirmed.
"""

import io
from dataclasses import dataclass, fields
from functools import wraps

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from onewindow.catalog import selectors, services
from onewindow.catalog.codes import ImplementationStatus, ItemType, Operation
from onewindow.catalog.errors import ElementsInvalid, FileRejected
from onewindow.catalog.guides import CodeLabel, Limit
from onewindow.catalog.importers.excel import excel_export, excel_import
from onewindow.common.errors import ApplicationError, NotFound
from onewindow.common.ids import is_digits
from onewindow.identity import permissions as identity_permissions
from onewindow.identity.models import Organisation

from ..forms_catalog import (
    ElementsForm,
    FeeFormSet,
    ImportForm,
    MaterialFormSet,
    NewItemForm,
    ReasonForm,
    SpecialProcedureFormSet,
    rearrange,
    row_template,
)
from .workbench import staff_required

# The catalog's action names (catalog.permissions); granted to 事项管理员 and 系统管理员.
EDIT_ITEM = "catalog.edit_item"
IMPORT_EXPORT = "catalog.import_export"
PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_CHOICES = [
    (ImplementationStatus.ACTIVE.value, "在用"),
    (ImplementationStatus.SUSPENDED.value, "暂停"),
    (ImplementationStatus.CANCELLED.value, "已取消"),
    ("DRAFT", "有待发布的草稿"),
]
LIST_FILTERS = ("q", "status", "org", "type")


def catalog_admin_required(view):
    """Staff holding a catalog role somewhere; everyone else sees a missing page."""

    @staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not identity_permissions.can_anywhere(request.user, EDIT_ITEM):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _scope_organisations(user, *, with_credit_code: bool = False):
    """The organisations whose items ``user`` may maintain, in tree order."""
    condition = Q(pk__in=[])
    for path in identity_permissions.scope_paths(user, EDIT_ITEM):
        condition |= Q(path__startswith=path)
    organisations = Organisation.objects.filter(condition, is_active=True).order_by("path")
    if with_credit_code:
        organisations = organisations.exclude(credit_code__isnull=True).exclude(credit_code="")
    return organisations


def _error_parts(exc: ApplicationError) -> tuple[str, dict]:
    details = exc.details if isinstance(exc.details, dict) else {}
    return str(exc.message), details


# --- list -------------------------------------------------------------------------------


@catalog_admin_required
def item_list(request):
    error, details, page, searching = None, {}, None, False
    try:
        filters = selectors.parse_filters(
            {name: request.GET[name] for name in (*LIST_FILTERS, "level") if name in request.GET},
            allow_status=True)
        page = selectors.staff_item_list(
            actor=request.user, filters=filters, cursor=request.GET.get("cursor") or None,
            limit=PAGE_SIZE,
        )
        searching = filters.searching
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        error, details = _error_parts(exc)
    page_text = str(request.GET.get("page") or "1")
    context = {
        "page": page,
        "error": error,
        "details": details,
        "chosen": {name: request.GET.get(name, "") for name in LIST_FILTERS},
        "searching": searching,
        "organisations": _scope_organisations(request.user),
        "statuses": STATUS_CHOICES,
        "item_types": ItemType.choices,
        "page_number": int(page_text) if is_digits(page_text) and int(page_text) > 0 else 1,
        "can_import_export": identity_permissions.can_anywhere(request.user, IMPORT_EXPORT),
        "nav_active": "catalog",
    }
    return render(request, "web/catalog/admin_list.html", context, status=400 if error else 200)


# --- one item ---------------------------------------------------------------------------


def _item(request, code: str):
    try:
        return selectors.item_for_edit(actor=request.user, code=code)
    except ApplicationError as exc:  # unknown, out of scope, or a malformed code
        raise Http404 from exc


@dataclass(frozen=True)
class OperationSpec:
    key: str
    label: str
    button: str
    service: object
    done: str
    danger: bool = False


OPERATIONS = {
    "publish": OperationSpec("publish", "发布草稿", "确认发布", services.item_publish,
                             "已发布第 {version} 版，办事指南已更新。"),
    "discard": OperationSpec("discard", "放弃草稿", "确认放弃草稿",
                             services.item_draft_discard, "草稿已放弃，现行版本未改变。",
                             danger=True),
    "suspend": OperationSpec("suspend", "暂停办理", "确认暂停", services.item_suspend,
                             "事项已暂停办理。", danger=True),
    "resume": OperationSpec("resume", "恢复办理", "确认恢复", services.item_resume,
                            "事项已恢复办理。"),
    "cancel": OperationSpec("cancel", "取消事项", "确认取消事项", services.item_cancel,
                            "事项已取消。", danger=True),
}


def _available_operations(view) -> list[str]:
    allowed = set(view.allowed_operations)
    result = []
    if view.draft is not None and allowed & {Operation.CREATE, Operation.CHANGE}:
        result.append("publish")
    if view.draft is not None and view.current is not None:
        result.append("discard")
    if Operation.SUSPEND in allowed:
        result.append("suspend")
    if Operation.RESUME in allowed:
        result.append("resume")
    if Operation.CANCEL in allowed:
        result.append("cancel")
    return result


def _consequence(key: str, view) -> str:
    draft = view.draft.number if view.draft else None
    current = view.current.number if view.current else None
    if key == "publish":
        if current:
            return (f"草稿（第 {draft} 版）将立即对公众生效，成为现行版本；现行的第 {current} 版"
                    "变为历史版本，仍可查看。已经提交的申请继续按原版本办理。")
        return f"第 {draft} 版将立即公开发布：事项出现在办事指南中并开始接受申请。"
    if key == "discard":
        return f"草稿（第 {draft} 版）的全部修改将被删除，不能恢复；现行的第 {current} 版不受影响。"
    if key == "suspend":
        return ("事项将暂停办理：办事指南显示“暂停办理”，不再接受新的申请；已受理的申请继续办理。"
                "之后可以恢复。")
    if key == "resume":
        return "事项将恢复办理，重新接受申请。"
    if key == "cancel":
        return ("事项将被取消，且不能恢复：从办事指南中移除，不再接受申请；已发布的版本保留，"
                "供已受理的申请查阅。")
    return ""


GUIDE_LABELS = {
    "name": "事项名称", "short_name": "简称", "daily_name": "常用名称",
    "subject_nature": "实施主体性质", "service_objects": "服务对象", "themes": "主题",
    "handling_forms": "办理形式", "handling_type": "办件类型", "legal_limit": "法定办结时限",
    "promised_limit": "承诺办结时限", "visit_count": "到办事现场次数", "online_depth": "网办深度",
    "cross_region_scope": "通办范围", "acceptance_conditions": "受理条件",
    "process_description": "办理流程", "special_procedures": "特别程序",
    "fee_charged": "是否收费", "fees": "收费项目", "result_name": "审批结果名称",
    "result_kind": "审批结果类型", "result_licence_type": "结果证照类型代码",
    "location": "办理地点", "office_hours": "办理时间", "consult_phone": "咨询电话",
    "complaint_phone": "监督投诉电话", "joint_departments": "联办机构",
    "intermediary_services": "中介服务", "quantity_limit": "数量限制",
    "commitment_allowed": "可告知承诺", "online_platform": "网上办理平台",
    "online_apply_url": "网上办理地址", "appointment_url": "网上预约地址",
    "materials": "申请材料", "implementation_basis": "实施依据",
}


def _short(value) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Limit):
        return value.text + (f"（{value.note}）" if value.note else "")
    if isinstance(value, CodeLabel):
        return value.label
    if isinstance(value, list):
        if value and all(isinstance(v, CodeLabel) for v in value):
            return "、".join(v.label for v in value)
        names = [getattr(v, "name", "") for v in value]
        return f"{len(value)} 项" + (f"：{'、'.join(n for n in names if n)}" if any(names) else "")
    text = str(value)
    return text if len(text) <= 60 else text[:60] + "…"


def _changes(current, draft) -> list[dict]:
    """What publishing the draft changes, element by element (for the publish dialog)."""
    if current is None or draft is None:
        return []
    names = {f.name for f in fields(current)}
    rows = []
    for key, label in GUIDE_LABELS.items():
        if key in names and getattr(current, key) != getattr(draft, key):
            rows.append({"label": label, "before": _short(getattr(current, key)),
                         "after": _short(getattr(draft, key))})
    return rows


def _render_detail(request, code: str, *, reason_forms=None, open_operation: str = "",
                   error: str = "", status: int = 200):
    view = _item(request, code)
    try:
        versions = selectors.implementation_versions(code=view.implementation.code,
                                                     actor=request.user)
    except NotFound:
        versions = []
    reason_forms = reason_forms or {}
    operations = []
    for key in _available_operations(view):
        spec = OPERATIONS[key]
        initial = {"reason": view.draft.change_reason} if key == "publish" and view.draft else {}
        operations.append({
            "spec": spec,
            "form": reason_forms.get(key) or ReasonForm(prefix=key, initial=initial),
            "consequence": _consequence(key, view),
            "open": key == open_operation,
        })
    current_guide, draft_guide = view.current_guide, view.draft_guide
    summary = []
    if error:
        summary.append({"href": "", "text": error})
    for op in operations:
        errors = op["form"].errors.get("reason", []) if op["form"].is_bound else []
        for message in errors:
            summary.append({"href": f"#id_{op['spec'].key}-reason",
                            "text": f"{op['spec'].label}的理由：{message}"})
    context = {
        "view": view,
        "item": view.implementation,
        "current": current_guide,
        "draft": draft_guide,
        "changes": _changes(current_guide, draft_guide),
        "versions": versions,
        "actions": list(reversed(view.actions)),
        "operations": operations,
        "summary": summary,
        "cancelled": view.implementation.status == ImplementationStatus.CANCELLED,
        "nav_active": "catalog",
    }
    return render(request, "web/catalog/admin_item.html", context, status=status)


@catalog_admin_required
def item_detail(request, code: str):
    return _render_detail(request, code)


@catalog_admin_required
@require_POST
def item_operation(request, code: str, operation: str):
    spec = OPERATIONS.get(operation)
    if spec is None:
        raise Http404
    form = ReasonForm(request.POST, prefix=operation)
    error, status = "", 400
    if form.is_valid():
        try:
            result = spec.service(actor=request.user, code=code,
                                  reason=form.cleaned_data["reason"], now=timezone.now())
        except NotFound as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            message, details = _error_parts(exc)
            status = exc.http_status
            if "reason" in details:
                form.add_error("reason", details["reason"])
            else:
                error = message
        else:
            version = getattr(result, "number", "")
            messages.success(request, spec.done.format(version=version))
            return redirect("web:catalog-item", code=code.strip().upper())
    return _render_detail(request, code, reason_forms={operation: form},
                          open_operation=operation, error=error, status=status)


@catalog_admin_required
def item_version(request, code: str, number: int):
    """Any version of an item as its guide: the draft, the current or a historic one."""
    view = _item(request, code)
    if view.draft is not None and view.draft.number == number:
        guide, kind = view.draft_guide, "draft"
    elif view.current is not None and view.current.number == number:
        guide, kind = view.current_guide, "current"
    else:
        try:
            guide = selectors.guide(code=view.implementation.code, version=number)
        except ApplicationError as exc:
            raise Http404 from exc
        kind = "current" if guide.version.is_current else "historic"
    return render(request, "web/catalog/admin_version.html",
                  {"guide": guide, "kind": kind, "item": view.implementation,
                   "nav_active": "catalog"})


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
                                  "text": f"第 {index + 1} 项{section.row_label}：{message}"})
                where = f"第 {index + 1} 项{section.row_label}"
                for field in form:
                    for message in field.errors:
                        items.append({"href": "#" + (field.id_for_label or field.auto_id),
                                      "text": f"{where}的{field.label}：{message}"})
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
        materials = [row_template(MaterialFormSet.form)]
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
    if request.method == "POST":
        forms, row_action = _posted_forms(request)
        if not row_action:
            status = 422
            changes = forms.element_values() if forms.is_valid() else None
            if changes is not None and _store_uploads(forms):
                try:
                    draft = services.item_draft_update(
                        actor=request.user, code=code, changes=changes,
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
                    messages.success(request, f"已保存为草稿（第 {draft.number} 版）。"
                                              "请检查后发布，发布后才对公众生效。")
                    return redirect("web:catalog-item", code=draft.implementation.code)
        view = _item(request, code)
    else:
        row_action = False
        view = _item(request, code)
        if view.implementation.status == ImplementationStatus.CANCELLED:
            messages.error(request, "该事项已取消，不能再修改。")
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
            if elements is not None and _store_uploads(forms):
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
                    messages.success(request, "事项已创建为草稿（第 1 版）。"
                                              "请检查后发布，发布后才对公众生效。")
                    return redirect("web:catalog-item", code=implementation.code)
    else:
        forms = _initial_forms({}, organisations=organisations, blank_material=True)
    return _edit_response(request, {"mode": "new"}, forms, error=error, status=status,
                          row_action=row_action)


# --- Excel ------------------------------------------------------------------------------


def _import_export_required(request):
    if not identity_permissions.can_anywhere(request.user, IMPORT_EXPORT):
        raise Http404


def _scope_label(user, organisations) -> str:
    paths = identity_permissions.scope_paths(user, EDIT_ITEM)
    roots = [o for o in organisations if o.path in paths]
    outermost = [o for o in roots if not any(o.path != r.path and o.path.startswith(r.path)
                                             for r in roots)]
    return outermost[0].name if len(outermost) == 1 else "全部"


@catalog_admin_required
def catalog_export(request):
    """The catalog in the admin's scope (or one organisation's part) as an .xlsx file."""
    _import_export_required(request)
    organisations = list(_scope_organisations(request.user))
    org = request.GET.get("org") or ""
    organisation = None
    if org:
        organisation = next((o for o in organisations if str(o.pk) == org), None)
        if organisation is None:
            raise Http404
    buffer = io.BytesIO()
    excel_export(buffer, actor=request.user, organisation=organisation)
    label = organisation.name if organisation else _scope_label(request.user, organisations)
    filename = f"事项清单-{label}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@catalog_admin_required
def catalog_import(request):
    """Upload an edited workbook; all or nothing, with a report row by row."""
    _import_export_required(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            result = excel_import(
                data["file"], actor=request.user, publish=data["publish"],
                reason=(data["reason"] or "").strip() or "Excel 导入", now=timezone.now(),
            )
            if result.errors:
                status = 422
        else:
            status = 422
    context = {"form": form, "result": result, "nav_active": "catalog",
               "organisations": _scope_organisations(request.user)}
    return render(request, "web/catalog/admin_import.html", context, status=status)
