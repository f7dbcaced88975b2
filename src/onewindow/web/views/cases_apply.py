"""Applying online (掌上办): four steps with a progress indicator — applicant, application
form, materials, check your answers — saved as a draft at every step. Submitting uses an
idempotency key made when the check page was rendered, so a double click never makes
two cases."""

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from onewindow.cases import selectors, services, uploads
from onewindow.cases.codes import CaseStatus, Channel
from onewindow.cases.errors import CaseConflict, CaseNotFound, InvalidTransition
from onewindow.cases.models import Case
from onewindow.cases.services import licensing
from onewindow.catalog import selectors as catalog
from onewindow.common.errors import ApplicationError
from onewindow.common.ids import is_row_id
from onewindow.common.redaction import mask_id_number, mask_phone
from onewindow.identity import selectors as identity

from ..forms_cases import ApplicantForm, SubmitForm, UploadForm, application_form_class
from .cases_common import (
    PRESENT_STATES,
    ErrorEntry,
    add_domain_errors,
    citizen_required,
    form_errors,
    material_errors,
)
from .catalog_public import received_here

STEPS = [
    ("applicant", gettext_lazy("申请人")),
    ("form", gettext_lazy("填写申请表")),
    # The same words name an action in the case history ("a document was uploaded").
    ("materials", pgettext_lazy("apply step", "上传材料")),
    ("check", gettext_lazy("核对并提交")),
]


def _steps(current: str, draft_id: int | None) -> list[dict]:
    names = [name for name, _ in STEPS]
    index = names.index(current)
    result = []
    for position, (name, label) in enumerate(STEPS):
        url = ""
        if draft_id and name != "applicant" and position < index:
            url = reverse(f"web:apply-{name}", kwargs={"draft_id": draft_id})
        result.append({"number": position + 1, "label": label, "url": url,
                       "state": "done" if position < index else
                       "current" if position == index else "todo"})
    return result


def _step_context(current: str, draft_id: int | None) -> dict:
    names = [name for name, _ in STEPS]
    return {"steps": _steps(current, draft_id), "step_number": names.index(current) + 1,
            "step_total": len(STEPS), "nav_active": "my-cases"}


def _draft(request, draft_id: int) -> Case | HttpResponse:
    """The actor's own online draft, or 404. A case already submitted goes to its page."""
    try:
        case = selectors.access_case(actor=request.user, ref=draft_id)
    except CaseNotFound as exc:
        raise Http404 from exc
    if case.status != CaseStatus.DRAFT or case.channel != Channel.ONLINE:
        return redirect("web:my-case", number=case.number or case.pk)
    if case.created_by_id != request.user.pk:
        raise Http404
    return case


def _applicant_summary(user, case=None) -> dict:
    person = case.applicant_person if case is not None else user.person
    return {
        "name": person.name,
        "id_number": mask_id_number(person.id_number),
        "phone": mask_phone(person.phone),
        "legal": case.applicant_legal if case is not None else None,
    }


# --- step 1: who applies ----------------------------------------------------------------


@citizen_required
def apply_start(request, code: str):
    user = request.user
    try:
        guide = catalog.guide(code=code)
    except ApplicationError as exc:
        raise Http404 from exc
    if guide.accepting and not received_here(guide):
        # No centre here receives it: the guide says where to apply instead.
        return redirect("web:item-guide", code=guide.code)
    enterprises = []
    if user.kind == "AGENT":
        enterprises = list(identity.legal_persons_for_agent(account=user,
                                                            today=timezone.localdate()))
    form = ApplicantForm(request.POST or None, enterprises=enterprises,
                         initial={"applicant": str(enterprises[0].pk) if enterprises else "self"})
    error = ""
    if request.method == "POST" and guide.accepting and form.is_valid():
        try:
            case = services.case_draft_save(
                actor=user, implementation_code=guide.code, applicant_legal=form.legal_person(),
                now=timezone.now(),
            )
        except ApplicationError as exc:
            if not add_domain_errors(form, exc, aliases={"applicant_legal": "applicant"}):
                error = str(exc.message)
        else:
            return redirect("web:apply-form", draft_id=case.pk)
    errors = form_errors(form) + ([ErrorEntry(error)] if error else [])
    context = {
        "guide": guide, "form": form, "errors": errors, "enterprises": enterprises,
        "applicant": _applicant_summary(user), **_step_context("applicant", None),
    }
    status = 422 if errors else 200
    return render(request, "web/cases/apply_applicant.html", context, status=status)


# --- step 2: the application form ------------------------------------------------------------


@citizen_required
def apply_form(request, draft_id: int):
    case = _draft(request, draft_id)
    if isinstance(case, HttpResponse):  # submitted already: its page
        return case
    fields = selectors.application_form_for(case=case)
    later = "save_later" in request.POST
    form_class = application_form_class(fields, partial=later)
    initial = {f.name: f.initial for f in fields} | dict(case.form_data or {})
    form = form_class(request.POST or None, initial=initial)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.case_draft_save(actor=request.user, case=case,
                                     form_data=form.cleaned_data, now=timezone.now())
        except ApplicationError as exc:
            if not add_domain_errors(form, exc):
                error = str(exc.message)
        else:
            if later:
                messages.success(request, gettext("草稿已保存。您可以在“我的办件”里继续填写。"))
                return redirect("web:my-cases")
            return redirect("web:apply-materials", draft_id=case.pk)
    errors = form_errors(form) + ([ErrorEntry(error)] if error else [])
    context = {"case": case, "form": form, "errors": errors, **_step_context("form", case.pk)}
    return render(request, "web/cases/apply_form.html", context, status=422 if errors else 200)


# --- step 3: materials ----------------------------------------------------------------------


def _guide_materials(case) -> dict[int, object]:
    """The catalog's description of each material (conditions, copies), by position."""
    try:
        guide = catalog.guide(code=case.implementation.code, version=case.version.number)
    except ApplicationError:
        return {}
    return {m.position: m for m in guide.materials}


def material_rows(case, *, errors: dict[int, str] | None = None, only=None,
                  licences: dict | None = None) -> list[dict]:
    """One row per material. ``licences`` (material id → licence) marks the materials the
    licence library will supply at submission (免证办): nothing to upload for them."""
    errors = errors or {}
    licences = licences or {}
    described = _guide_materials(case)
    rows = []
    for m in selectors.materials_of(case=case):
        if only is not None and m.id not in only:
            continue
        licence = licences.get(m.id)
        rows.append({"m": m, "guide": described.get(m.position), "error": errors.get(m.id, ""),
                     "present": m.state in PRESENT_STATES or licence is not None,
                     "licence": licence, "required": m.requirement == "REQUIRED"})
    return rows


def _licence_sources(case) -> dict:
    """Materials of a draft the applicant's valid electronic licences will supply."""
    return licensing.licence_sources(case=case, on_date=timezone.localdate())


def upload_limits() -> dict:
    size = uploads.max_bytes()
    return {"types": gettext("、").join(gettext(kind.label) for kind in uploads.ALLOWED),
            "accept": ".pdf,.jpg,.jpeg,.png,.ofd,.docx,application/pdf,image/jpeg,image/png",
            "max_mb": size // (1024 * 1024) if size >= 1024 * 1024 else 0, "max_bytes": size}


@citizen_required
def apply_materials(request, draft_id: int):
    case = _draft(request, draft_id)
    if isinstance(case, HttpResponse):  # submitted already: its page
        return case
    errors: dict[int, str] = {}
    summary: list[ErrorEntry] = []
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            material_id = form.cleaned_data["material_id"]
            upload = form.cleaned_data["file"]
            try:
                services.case_material_upload(
                    actor=request.user, case=case, material_id=material_id, stream=upload,
                    filename=upload.name or "", now=timezone.now(),
                )
            except ApplicationError as exc:
                errors[material_id] = str(exc.message)
            else:
                messages.success(request, gettext("已上传“%(name)s”。") % {"name": upload.name})
                url = reverse("web:apply-materials", kwargs={"draft_id": case.pk})
                return redirect(f"{url}#material-{material_id}")
        else:
            material_id = form.data.get("material_id", "")
            message = next(iter(form.errors.get("file", [])), gettext("请选择要上传的文件。"))
            if is_row_id(str(material_id)):
                errors[int(material_id)] = str(message)
            else:
                summary.append(ErrorEntry(str(message)))
        case.refresh_from_db()
    rows = material_rows(case, errors=errors, licences=_licence_sources(case))
    for row in rows:
        if row["error"]:
            summary.append(ErrorEntry(f"{row['m'].name}：{row['error']}",
                                      f"#file-{row['m'].id}"))
    context = {"case": case, "rows": rows, "errors": summary, "limits": upload_limits(),
               **_step_context("materials", case.pk)}
    return render(request, "web/cases/apply_materials.html", context,
                  status=422 if summary else 200)


# --- step 4: check your answers, then submit ---------------------------------------------------


def _check_context(request, case, form, errors) -> dict:
    fields = selectors.application_form_for(case=case)
    data = dict(case.form_data or {})
    answers = [{"name": f.name, "label": f.label, "value": data.get(f.name, ""),
                "required": f.required}
               for f in fields]
    rows = material_rows(case, licences=_licence_sources(case))
    absent = [r for r in rows if r["required"] and not r["present"]]
    missing = [r for r in absent if not r["m"].tolerance_allowed]
    tolerable = [r for r in absent if r["m"].tolerance_allowed]
    return {"case": case, "form": form, "errors": errors, "answers": answers, "rows": rows,
            "missing": missing, "tolerable": tolerable,
            "applicant": _applicant_summary(request.user, case),
            **_step_context("check", case.pk)}


@citizen_required
def apply_check(request, draft_id: int):
    if request.method == "POST":
        return _submit(request, draft_id)
    case = _draft(request, draft_id)
    if isinstance(case, HttpResponse):  # submitted already: its page
        return case
    # The key is made now: submitting this page twice (double click, reload) sends the
    # same key, and the service returns the case it already made.
    form = SubmitForm(initial={"idempotency_key": uuid.uuid4().hex,
                               "expected_version": case.lock_version})
    return render(request, "web/cases/apply_check.html", _check_context(request, case, form, []))


def _submit(request, draft_id: int):
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return redirect("web:apply-check", draft_id=draft_id)
    key = form.cleaned_data["idempotency_key"]
    try:
        draft = selectors.access_case(actor=request.user, ref=draft_id)
        case = services.case_submit(
            actor=request.user, idempotency_key=key, case=draft,
            expected_version=form.cleaned_data.get("expected_version"), now=timezone.now(),
        )
    except CaseNotFound as exc:
        raise Http404 from exc
    except (CaseConflict, InvalidTransition) as exc:
        # A second click that waited for the first one's lock: the first one won.
        done = selectors.submitted_with_key(actor=request.user, key=key)
        if done is not None:
            return redirect("web:my-case", number=done.number)
        return _submit_failed(request, draft_id, form, exc)
    except ApplicationError as exc:
        return _submit_failed(request, draft_id, form, exc)
    messages.success(
        request, gettext("申请已提交。办件编号 %(number)s，查询码 %(code)s。"
                         "我们会通过消息和短信告诉您受理结果。")
        % {"number": case.number, "code": case.query_code},
    )
    return redirect("web:my-case", number=case.number)


def _submit_failed(request, draft_id: int, form, exc: ApplicationError):
    case = _draft(request, draft_id)
    if isinstance(case, HttpResponse):  # submitted already: its page
        return case
    details = exc.details if isinstance(exc.details, dict) else {}
    errors: list[ErrorEntry] = []
    per_material = material_errors(exc)
    if per_material:
        url = reverse("web:apply-materials", kwargs={"draft_id": case.pk})
        names = {r["m"].id: r["m"].name for r in material_rows(case)}
        errors += [ErrorEntry(gettext("%(name)s：%(problem)s") % {
            "name": names.get(pk, gettext("材料")), "problem": msg}, f"{url}#material-{pk}")
                   for pk, msg in per_material.items()]
    fields = {f.name: f.label for f in selectors.application_form_for(case=case)}
    form_url = reverse("web:apply-form", kwargs={"draft_id": case.pk})
    errors += [ErrorEntry(f"{fields[k]}：{v}", f"{form_url}#id_{k}")
               for k, v in details.items() if k in fields and isinstance(v, str)]
    if not errors:
        errors.append(ErrorEntry(str(exc.message)))
    # Keep the key the page was rendered with: nothing was created, so retrying is safe.
    retry = SubmitForm(initial={"idempotency_key": form.cleaned_data["idempotency_key"],
                                "expected_version": case.lock_version})
    return render(request, "web/cases/apply_check.html",
                  _check_context(request, case, retry, errors), status=422)
