"""Excel export and import of the admin's part of the catalog."""

import io

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from onewindow.catalog.importers.excel import excel_export, excel_import
from onewindow.identity import permissions as identity_permissions

from ...forms_catalog import (
    ImportForm,
)
from .common import EDIT_ITEM, IMPORT_EXPORT, XLSX, _scope_organisations, catalog_admin_required

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
