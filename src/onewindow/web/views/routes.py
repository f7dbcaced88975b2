"""The approval route (审批路线) of one item version, for catalog admins: the route new
cases run (the newest upload, else the generated default) with its lanes and tasks, the
BPMN download to open in a modeler, and the upload of a changed file with the
validation message next to the file field."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, gettext_lazy, ngettext

from onewindow.catalog import selectors as catalog
from onewindow.common.errors import ApplicationError, NotFound
from onewindow.identity.models import Role
from onewindow.workflow import bpmn
from onewindow.workflow import permissions as workflow_permissions
from onewindow.workflow import selectors as workflow
from onewindow.workflow import services as workflow_services
from onewindow.workflow.errors import RouteInvalid

from ..forms_approval import RouteUploadForm
from .cases_common import form_errors
from .catalog_admin import catalog_admin_required

KIND_LABELS = {"instant": gettext_lazy("即办件：窗口当场决定"),
               "promise": gettext_lazy("承诺件：承办人审查、首席代表决定"),
               "joint": gettext_lazy("联合审查：各部门并联审查后首席代表决定")}


def _version(request, code: str, number: int):
    """The version if the admin may maintain its item; otherwise the page is missing."""
    try:
        return catalog.access_version(actor=request.user, code=code, number=number)
    except NotFound as exc:
        raise Http404 from exc


def _lanes(route) -> list[dict]:
    tasks = route.tasks or []
    rows = []
    for name, lane in (route.lanes or {}).items():
        rows.append({
            "name": name,
            "role_label": Role(lane["role"]).label,
            "department": lane.get("department", ""),
            "tasks": [t.get("name") or t.get("id") for t in tasks if t.get("lane") == name],
        })
    return rows


def _context(request, version, *, form=None, errors=None, error_details=None) -> dict:
    route = workflow.route_get(version=version)
    history = [r for r in workflow.route_history(version=version)
               if r.source == r.Source.UPLOADED][:20]
    return {
        "version": version, "item": version.implementation, "route": route,
        "kind_label": KIND_LABELS.get(route.kind, ""),
        "lanes": _lanes(route), "history": history,
        "can_upload": workflow_permissions.can_upload_route(actor=request.user,
                                                            version=version)
        and version.status != "SUPERSEDED",
        "form": form or RouteUploadForm(), "errors": errors or [],
        "error_details": error_details or {},
        "max_mb": bpmn.MAX_BYTES // 1024 // 1024,
        "nav_active": "catalog",
    }


@catalog_admin_required
def route_page(request, code: str, number: int):
    version = _version(request, code, number)
    if request.method != "POST":
        return render(request, "web/approval/route.html", _context(request, version))
    form = RouteUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "web/approval/route.html",
                      _context(request, version, form=form, errors=form_errors(form)),
                      status=422)
    upload = form.cleaned_data["file"]
    try:
        route = workflow_services.route_upload(
            actor=request.user, version=version, bpmn_xml=upload.read(bpmn.MAX_BYTES + 1),
            file_name=upload.name or "", now=timezone.now())
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        prefix = gettext("BPMN 文件未通过检查：") if isinstance(exc, RouteInvalid) else ""
        problems = details.get("problems") or []
        if problems:
            # Every problem is listed under the field, each with its element and line.
            form.add_error("file", prefix + ngettext(
                "发现 %(n)s 处问题，请按下面的清单一并修改后再上传。",
                "发现 %(n)s 处问题，请按下面的清单一并修改后再上传。",
                len(problems)) % {"n": len(problems)})
        else:
            form.add_error("file", f"{prefix}{exc.message}")
        return render(request, "web/approval/route.html",
                      _context(request, version, form=form, errors=form_errors(form),
                               error_details=details), status=422)
    messages.success(request, gettext("已上传审批路线“%(name)s”，此后受理的办件按新路线审批；"
                                      "在办的办件仍按原路线。")
                     % {"name": route.process_name or route.process_id})
    return redirect("web:route", code=code, number=number)


@catalog_admin_required
def route_download(request, code: str, number: int):
    version = _version(request, code, number)
    route = workflow.route_get(version=version)
    response = HttpResponse(route.bpmn_xml.encode("utf-8"),
                            content_type="application/bpmn+xml; charset=utf-8")
    name = f"{version.short_name or version.name}-第{version.number}版-审批路线.bpmn"
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
