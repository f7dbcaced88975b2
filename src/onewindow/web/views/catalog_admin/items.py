"""The admin's item list, one item's page with its lifecycle actions (each with a
reason and its consequence), and any version as a guide."""

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from onewindow.catalog import selectors, services
from onewindow.catalog.codes import ImplementationStatus, ItemType, Operation
from onewindow.catalog.guides import CodeLabel, Limit
from onewindow.common.errors import ApplicationError, NotFound
from onewindow.common.ids import is_digits
from onewindow.common.text import StrOrPromise
from onewindow.identity import permissions as identity_permissions

from ...forms_catalog import (
    ReasonForm,
)
from ...ui import run_action
from .common import (
    IMPORT_EXPORT,
    LIST_FILTERS,
    PAGE_SIZE,
    STATUS_CHOICES,
    _error_parts,
    _scope_organisations,
    catalog_admin_required,
)

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


def access_item(request, code: str):
    """The item if the admin may edit it; unknown, malformed or out of scope: 404."""
    try:
        return selectors.access_implementation(actor=request.user, code=code)
    except NotFound as exc:
        raise Http404 from exc


def _item(request, code: str):
    return selectors.item_for_edit(implementation=access_item(request, code))


@dataclass(frozen=True)
class OperationSpec:
    key: str
    label: StrOrPromise
    button: StrOrPromise
    service: Callable[..., Any]
    done: StrOrPromise
    danger: bool = False


OPERATIONS = {
    "publish": OperationSpec(
        "publish", gettext_lazy("发布草稿"), gettext_lazy("确认发布"), services.item_publish,
        gettext_lazy("已发布第 {version} 版，办事指南已更新。")),
    "discard": OperationSpec(
        "discard", gettext_lazy("放弃草稿"), gettext_lazy("确认放弃草稿"),
        services.item_draft_discard, gettext_lazy("草稿已放弃，现行版本未改变。"), danger=True),
    "suspend": OperationSpec(
        "suspend", gettext_lazy("暂停办理"), gettext_lazy("确认暂停"), services.item_suspend,
        gettext_lazy("事项已暂停办理。"), danger=True),
    "resume": OperationSpec(
        "resume", gettext_lazy("恢复办理"), gettext_lazy("确认恢复"), services.item_resume,
        gettext_lazy("事项已恢复办理。")),
    "cancel": OperationSpec(
        "cancel", gettext_lazy("取消事项"), gettext_lazy("确认取消事项"), services.item_cancel,
        gettext_lazy("事项已取消。"), danger=True),
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
            return gettext("草稿（第 %(draft)s 版）将立即对公众生效，成为现行版本；"
                           "现行的第 %(current)s 版变为历史版本，仍可查看。"
                           "已经提交的申请继续按原版本办理。") % {
                "draft": draft, "current": current}
        return gettext("第 %(draft)s 版将立即公开发布：事项出现在办事指南中并开始接受申请。") % {
            "draft": draft}
    if key == "discard":
        return gettext("草稿（第 %(draft)s 版）的全部修改将被删除，不能恢复；"
                       "现行的第 %(current)s 版不受影响。") % {"draft": draft, "current": current}
    if key == "suspend":
        return gettext("事项将暂停办理：办事指南显示“暂停办理”，不再接受新的申请；"
                       "已受理的申请继续办理。之后可以恢复。")
    if key == "resume":
        return gettext("事项将恢复办理，重新接受申请。")
    if key == "cancel":
        return gettext("事项将被取消，且不能恢复：从办事指南中移除，不再接受申请；"
                       "已发布的版本保留，供已受理的申请查阅。")
    return ""


GUIDE_LABELS = {
    "name": gettext_lazy("事项名称"),
    "short_name": gettext_lazy("简称"),
    "daily_name": gettext_lazy("常用名称"),
    "subject_nature": gettext_lazy("实施主体性质"),
    "service_objects": gettext_lazy("服务对象"),
    "themes": gettext_lazy("主题"),
    "handling_forms": gettext_lazy("办理形式"),
    "handling_type": gettext_lazy("办件类型"),
    "legal_limit": gettext_lazy("法定办结时限"),
    "promised_limit": gettext_lazy("承诺办结时限"),
    "visit_count": gettext_lazy("到办事现场次数"),
    "online_depth": gettext_lazy("网办深度"),
    "cross_region_scope": gettext_lazy("通办范围"),
    "acceptance_conditions": gettext_lazy("受理条件"),
    "process_description": gettext_lazy("办理流程"),
    "special_procedures": gettext_lazy("特别程序"),
    "fee_charged": gettext_lazy("是否收费"),
    "fees": gettext_lazy("收费项目"),
    "result_name": gettext_lazy("审批结果名称"),
    "result_kind": gettext_lazy("审批结果类型"),
    "result_licence_type": gettext_lazy("结果证照类型代码"),
    "location": gettext_lazy("办理地点"),
    "office_hours": gettext_lazy("办理时间"),
    "consult_phone": gettext_lazy("咨询电话"),
    "complaint_phone": gettext_lazy("监督投诉电话"),
    "joint_departments": gettext_lazy("联办机构"),
    "intermediary_services": gettext_lazy("中介服务"),
    "quantity_limit": gettext_lazy("数量限制"),
    "commitment_allowed": gettext_lazy("可告知承诺"),
    "online_platform": gettext_lazy("网上办理平台"),
    "online_apply_url": gettext_lazy("网上办理地址"),
    "appointment_url": gettext_lazy("网上预约地址"),
    "materials": gettext_lazy("申请材料"),
    "implementation_basis": gettext_lazy("实施依据"),
}


def _short(value) -> str:
    if value is None or value == "":
        return gettext("（空）")
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, Limit):
        return value.text + (f"（{value.note}）" if value.note else "")
    if isinstance(value, CodeLabel):
        return value.label
    if isinstance(value, list):
        if value and all(isinstance(v, CodeLabel) for v in value):
            return "、".join(v.label for v in value)
        names = [getattr(v, "name", "") for v in value]
        count = gettext("%(n)s 项") % {"n": len(value)}
        return count + (f"：{'、'.join(n for n in names if n)}" if any(names) else "")
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


def _render_detail(request, implementation, *, reason_forms=None, open_operation: str = "",
                   error: str = "", status: int = 200):
    view = selectors.item_for_edit(implementation=implementation)
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
                            "text": gettext("%(action)s的理由：%(message)s") % {
                                "action": op["spec"].label, "message": message}})
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
    return _render_detail(request, access_item(request, code))


@catalog_admin_required
@require_POST
def item_operation(request, code: str, operation: str):
    spec = OPERATIONS.get(operation)
    if spec is None:
        raise Http404
    implementation = access_item(request, code)
    form = ReasonForm(request.POST, prefix=operation)
    return run_action(
        request, form,
        lambda data: spec.service(actor=request.user, implementation=implementation,
                                  reason=data["reason"], now=timezone.now()),
        done=lambda result: spec.done.format(version=getattr(result, "number", "")),
        success=reverse("web:catalog-item", args=[implementation.code]),
        page=lambda outcome: _render_detail(request, implementation,
                                            reason_forms={operation: form},
                                            open_operation=operation, error=outcome.message))


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
