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
from onewindow.catalog import forms
from onewindow.catalog import selectors as catalog
from onewindow.common.errors import ApplicationError
from onewindow.common.ids import is_row_id
from onewindow.common.redaction import mask_id_number, mask_phone
from onewindow.identity import selectors as identity

from .. import form_pages
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
    # Only for an item with a structured form of its own (ADR 0031): one page per screen.
    ("answers", gettext_lazy("填写事项信息")),
    # The same words name an action in the case history ("a document was uploaded").
    ("materials", pgettext_lazy("apply step", "上传材料")),
    ("check", gettext_lazy("核对并提交")),
]


def _has_form(case) -> bool:
    return case is not None and bool(case.version.form)


def _steps(current: str, draft_id: int | None, *, with_form: bool = False,
           first_page: str = "") -> list[dict]:
    shown = [(name, label) for name, label in STEPS if name != "answers" or with_form]
    names = [name for name, _ in shown]
    index = names.index(current)
    result = []
    for position, (name, label) in enumerate(shown):
        url = ""
        if draft_id and name != "applicant" and position < index:
            kwargs: dict = {"draft_id": draft_id}
            if name == "answers":
                kwargs["page"] = first_page
            url = reverse(f"web:apply-{name}", kwargs=kwargs)
        result.append({"number": position + 1, "label": label, "url": url,
                       "state": "done" if position < index else
                       "current" if position == index else "todo"})
    return result


def _step_context(current: str, draft_id: int | None, case=None, *,
                  item_has_form: bool = False) -> dict:
    first = "-" if item_has_form else ""
    if case is not None and _has_form(case):
        pages = forms.visible_pages(forms.definition_for(case.version), case.answers or {})
        first = pages[0].key if pages else ""
    steps = _steps(current, draft_id, with_form=bool(first), first_page=first)
    number = next(i for i, s in enumerate(steps, start=1) if s["state"] == "current")
    return {"steps": steps, "step_number": number, "step_total": len(steps),
            "nav_active": "my-cases"}


def _item_has_form(code: str) -> bool:
    try:
        return not catalog.item_form(code=code).definition.generic
    except ApplicationError:
        return False


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
        "applicant": _applicant_summary(user),
        **_step_context("applicant", None, item_has_form=_item_has_form(guide.code)),
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
            first = _next_page(case, None)
            if first is not None:
                return redirect("web:apply-answers", draft_id=case.pk, page=first)
            return redirect("web:apply-materials", draft_id=case.pk)
    errors = form_errors(form) + ([ErrorEntry(error)] if error else [])
    context = {"case": case, "form": form, "errors": errors,
               **_step_context("form", case.pk, case)}
    return render(request, "web/cases/apply_form.html", context, status=422 if errors else 200)


# --- step 3: the item's own form, one page per screen (ADR 0031) ------------------------------


def _next_page(case, after: str | None) -> str | None:
    """The visible page after ``after`` (the first with None), or None past the last."""
    if not _has_form(case):
        return None
    definition = forms.definition_for(case.version)
    keys = [p.key for p in forms.visible_pages(definition, case.answers or {})]
    if after is None:
        return keys[0] if keys else None
    order = [p.key for p in definition.pages]
    later = [k for k in keys if order.index(k) > order.index(after)]
    return later[0] if later else None


def _previous_url(case, page: str) -> str:
    definition = forms.definition_for(case.version)
    order = [p.key for p in definition.pages]
    earlier = [p.key for p in forms.visible_pages(definition, case.answers or {})
               if order.index(p.key) < order.index(page)]
    if earlier:
        return reverse("web:apply-answers", kwargs={"draft_id": case.pk, "page": earlier[-1]})
    return reverse("web:apply-form", kwargs={"draft_id": case.pk})


@citizen_required
def apply_answers(request, draft_id: int, page: str):
    case = _draft(request, draft_id)
    if isinstance(case, HttpResponse):  # submitted already: its page
        return case
    definition = forms.definition_for(case.version)
    current = definition.page(page)
    if current is None or not _has_form(case):
        raise Http404
    answers = dict(case.answers or {})
    if current.key not in {p.key for p in forms.visible_pages(definition, answers)}:
        # A page the earlier answers hide (e.g. 餐饮 for a shop): go on past it.
        following = _next_page(case, page)
        if following is not None:
            return redirect("web:apply-answers", draft_id=case.pk, page=following)
        return redirect("web:apply-materials", draft_id=case.pk)
    errors: dict = {}
    summary: list[ErrorEntry] = []
    extra_rows = 0
    shown = answers
    if request.method == "POST":
        sources = case.answer_sources or {}
        fixed = {f.key for f in current.fields if sources.get(f.key, {}).get("locked")}
        # Locked values are shown, not posted: they go back as they are.
        sent = {**{k: answers[k] for k in fixed if k in answers},
                **form_pages.read_fields([f for f in current.fields if f.key not in fixed],
                                         request.POST)}
        # The page cannot hide a field while the person fills it in (no script needed):
        # a field its own page's answers hide is not sent.
        hidden = forms.hidden_keys(definition, {**answers, **sent})
        sent = {k: v for k, v in sent.items() if k not in hidden}
        shown = {**answers, **sent}
        later = "save_later" in request.POST
        adding = request.POST.get("add_row", "")
        try:
            if not later and not adding:
                # Continuing needs this page complete (GOV.UK: each page checked on
                # "continue"); a draft saved for later may be incomplete.
                forms.validate_answers(definition, sent, partial=False, page=page,
                                       context=answers)
            case = services.case_answers_save(actor=request.user, case=case, answers=sent,
                                              page=page, now=timezone.now())
        except forms.AnswersInvalid as exc:
            errors = dict(exc.messages)
        except ApplicationError as exc:
            details = exc.details if isinstance(exc.details, dict) else {}
            errors = {k: v for k, v in details.items() if k != "codes"}
            if not errors:
                summary.append(ErrorEntry(str(exc.message)))
        else:
            if adding:
                extra_rows = 1
                shown = dict(case.answers or {})
            elif later:
                messages.success(request, gettext("草稿已保存。您可以在“我的办件”里继续填写。"))
                return redirect("web:my-cases")
            else:
                following = _next_page(case, page)
                if following is not None:
                    return redirect("web:apply-answers", draft_id=case.pk, page=following)
                return redirect("web:apply-materials", draft_id=case.pk)
    summary = form_pages.error_entries(errors, definition.by_key,
                                       href=lambda key: "#" + form_pages.anchor_id(key)) + summary
    fields = form_pages.field_views(
        current.fields, answers=shown, errors=errors, sources=case.answer_sources or {},
        region_hint=case.region_code, extra_rows=extra_rows,
        materials=[{"id": m.id, "name": m.name} for m in selectors.materials_of(case=case)])
    context = {"case": case, "page": current, "fields": fields, "errors": summary,
               "title": form_pages.page_title(current), "hint": form_pages.page_hint(current),
               "back_url": _previous_url(case, page), **_step_context("answers", case.pk, case)}
    return render(request, "web/cases/apply_answers.html", context,
                  status=422 if summary else 200)


# --- step 4: materials ----------------------------------------------------------------------


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
               **_step_context("materials", case.pk, case)}
    return render(request, "web/cases/apply_materials.html", context,
                  status=422 if summary else 200)


# --- step 5: check your answers, then submit ---------------------------------------------------


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
    structured = selectors.case_answers(case=case, include_empty=True)
    change = {page.key: reverse("web:apply-answers", kwargs={"draft_id": case.pk,
                                                            "page": page.key})
              for page in structured} if _has_form(case) else {}
    return {"case": case, "form": form, "errors": errors, "answers": answers, "rows": rows,
            "missing": missing, "tolerable": tolerable, "structured": structured,
            "change": change, "applicant": _applicant_summary(request.user, case),
            **_step_context("check", case.pk, case)}


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
    if exc.code == "cases.answers-invalid" and _has_form(case):
        definition = forms.definition_for(case.version)

        def page_link(key: str) -> str:
            page = definition.page_of.get(key.split(".")[0], "")
            url = reverse("web:apply-answers", kwargs={"draft_id": case.pk, "page": page})
            return f"{url}#{form_pages.anchor_id(key)}"

        errors += form_pages.error_entries(
            {k: v for k, v in details.items() if k.split(".")[0] in definition.by_key},
            definition.by_key, href=page_link)
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
