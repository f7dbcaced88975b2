"""The applicant's side of a case (portal, 掌上办 first): my cases, the case page (status
in words, what happens next, deadlines, what the applicant must do, the timeline and the
notices), supplying corrections, withdrawing, the inbox and the public progress page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from onewindow.cases import notices, selectors, services
from onewindow.cases.codes import CaseStatus
from onewindow.cases.errors import CaseNotFound
from onewindow.common import ratelimit
from onewindow.common.errors import ApplicationError, TooManyAttempts
from onewindow.common.ids import is_row_id
from onewindow.common.pagination import InvalidCursor
from onewindow.common.redaction import mask_id_number, mask_phone
from onewindow.identity import notifications

from ..forms_approval import DeliveryChoiceForm
from ..forms_cases import ProgressForm, SupplyForm, UploadForm, WithdrawForm
from ..ui import first_page
from .approval_common import case_panels
from .cases_apply import material_rows, upload_limits
from .cases_common import (
    ErrorEntry,
    add_domain_errors,
    case_deadlines,
    citizen_required,
    deadline_css,
    file_download,
    file_preview,
    form_errors,
    material_errors,
    next_step_text,
    page_query,
    pdf_download,
)
from .cases_timeline import timeline_rows

S = CaseStatus
MY_CASES_PAGE = 20
INBOX_PAGE = 20


def _cursor(request) -> str | None:
    return request.GET.get("cursor") or None


# --- my cases --------------------------------------------------------------------------------


@citizen_required
def my_cases(request):
    today = timezone.localdate()
    try:
        page = selectors.my_cases(actor=request.user, today=today, cursor=_cursor(request),
                                  limit=MY_CASES_PAGE)
    except InvalidCursor:
        return first_page(request)
    rows = []
    for row in page.items:
        expected = selectors.expected_of_applicant(case=row.case)
        ref = row.number or row.case.pk
        url = (reverse("web:apply-form", kwargs={"draft_id": row.case.pk})
               if row.status == S.DRAFT else reverse("web:my-case", kwargs={"number": ref}))
        rows.append({"row": row, "expected": expected, "url": url,
                     "draft": row.status == S.DRAFT})
    context = {
        "rows": rows, "nav_active": "my-cases",
        "next_url": page_query(request, cursor=page.next_cursor) if page.next_cursor else "",
        "first_url": reverse("web:my-cases") if _cursor(request) else "",
    }
    return render(request, "web/cases/my_cases.html", context)


# --- one case ----------------------------------------------------------------------------------


def _own_case(request, number: str):
    try:
        return selectors.access_case(actor=request.user, ref=number)
    except CaseNotFound as exc:
        raise Http404 from exc


def portal_case_context(request, case, *, upload_errors=None, errors=None, supply_form=None,
                        delivery_form=None) -> dict:
    """Everything the applicant's case page shows (one place, so an action that fails
    re-renders the same page with its message)."""
    today = timezone.localdate()
    expected = selectors.expected_of_applicant(case=case)
    allowed = set(selectors.allowed_actions(actor=request.user, case=case))
    flagged = {item["material_id"] for item in expected.items if item.get("material_id")}
    rows = material_rows(case, errors=upload_errors)
    to_supply = [r for r in rows if r["m"].id in flagged]
    other_items = [item for item in expected.items if not item.get("material_id")]
    person = case.applicant_person
    tolerated_pending = case.status in (S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED) and bool(flagged)
    panels = case_panels(case, today=today, with_opinions=False)
    clock = selectors.acceptance_clock(case, today=today)
    return {
        "case": case, "expected": expected, "allowed": allowed,
        "status_label": CaseStatus(case.status).label,
        "next_step": next_step_text(case.status),
        "deadlines": case_deadlines(case, today=today, has_tolerated=tolerated_pending),
        "clock": clock, "clock_css": deadline_css(clock.state),
        "rows": rows, "to_supply": to_supply, "other_items": other_items,
        "can_upload": "case_material_upload" in allowed,
        "can_supply": "case_supply_materials" in allowed,
        "can_withdraw": "case_withdraw" in allowed,
        "tolerated_pending": tolerated_pending,
        # What the supply button records: 容缺 materials after acceptance, else corrections.
        "supply_mode": selectors.supply_mode(case=case),
        "supply_form": supply_form or SupplyForm(initial={"expected_version": case.lock_version}),
        "timeline": timeline_rows(selectors.timeline(case=case)),
        "notices": selectors.notices_of(case=case) if case.number else [],
        "applicant": {"name": person.name, "id_number": mask_id_number(person.id_number),
                      "phone": mask_phone(person.phone), "legal": case.applicant_legal},
        "limits": upload_limits(), "errors": errors or [], "nav_active": "my-cases",
        # Cases II: time panel, decision and delivery, and how to receive the result.
        **panels,
        # Until the result has been mailed (the selector allows it until delivery).
        "can_choose_delivery": "case_delivery_choose" in allowed
        and not (panels["delivery"] or {}).get("dispatched"),
        "delivery_form": delivery_form or DeliveryChoiceForm(initial={
            "expected_version": case.lock_version, "channel": case.delivery_channel,
            "address": case.delivery_address}),
    }


@citizen_required
def my_case(request, number: str):
    case = _own_case(request, number)
    if case.status == S.DRAFT and case.channel == "ONLINE" and (
        case.created_by_id == request.user.pk
    ):
        return redirect("web:apply-form", draft_id=case.pk)
    return render(request, "web/cases/my_case.html", portal_case_context(request, case))


@citizen_required
def my_case_upload(request, number: str):
    case = _own_case(request, number)
    if request.method != "POST":
        return redirect("web:my-case", number=number)
    form = UploadForm(request.POST, request.FILES)
    upload_errors: dict[int, str] = {}
    if form.is_valid():
        material_id = form.cleaned_data["material_id"]
        upload = form.cleaned_data["file"]
        try:
            services.case_material_upload(actor=request.user, case=case,
                                          material_id=material_id, stream=upload,
                                          filename=upload.name or "", now=timezone.now())
        except ApplicationError as exc:
            upload_errors[material_id] = str(exc.message)
        else:
            messages.success(request, gettext("已上传“%(name)s”。全部补齐后请点“提交补正材料”。")
                             % {"name": upload.name})
            url = reverse("web:my-case", kwargs={"number": number})
            return redirect(f"{url}#material-{material_id}")
    else:
        raw = form.data.get("material_id", "")
        message = next(iter(form.errors.get("file", [])), gettext("请选择要上传的文件。"))
        if is_row_id(str(raw)):
            upload_errors[int(raw)] = str(message)
    case.refresh_from_db()
    context = portal_case_context(request, case, upload_errors=upload_errors)
    context["errors"] = [ErrorEntry(f"{r['m'].name}：{r['error']}", f"#file-{r['m'].id}")
                         for r in context["rows"] if r["error"]] or [
        ErrorEntry(gettext("上传没有完成，请重新选择文件。"))]
    return render(request, "web/cases/my_case.html", context, status=422)


@citizen_required
def my_case_supply(request, number: str):
    case = _own_case(request, number)
    if request.method != "POST":
        return redirect("web:my-case", number=number)
    form = SupplyForm(request.POST)
    errors: list[ErrorEntry] = []
    upload_errors: dict[int, str] = {}
    if form.is_valid():
        try:
            services.case_supply_materials(
                actor=request.user, case=case, note=form.cleaned_data.get("note", ""),
                expected_version=form.cleaned_data.get("expected_version"), now=timezone.now(),
            )
        except ApplicationError as exc:
            upload_errors = material_errors(exc)
            errors.append(ErrorEntry(str(exc.message), "#supply" if not upload_errors else
                                     f"#file-{next(iter(upload_errors))}"))
        else:
            messages.success(request, gettext("补正材料已提交，申请回到窗口重新审核，"
                                              "受理期限重新计算。"))
            return redirect("web:my-case", number=number)
    else:
        errors += form_errors(form)
    case.refresh_from_db()
    context = portal_case_context(request, case, upload_errors=upload_errors, errors=errors,
                                  supply_form=form)
    return render(request, "web/cases/my_case.html", context, status=422)


@citizen_required
def my_case_withdraw(request, number: str):
    """Withdraw with a reason, in two steps: the reason, then a page that states the
    consequence and asks to confirm."""
    case = _own_case(request, number)
    allowed = selectors.allowed_actions(actor=request.user, case=case)
    if "case_withdraw" not in allowed:
        messages.error(request, gettext("该申请当前不能撤回。"))
        return redirect("web:my-case", number=number)
    form = WithdrawForm(request.POST or None, initial={"expected_version": case.lock_version})
    confirming = False
    error = ""
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("confirm") != "yes":
            confirming = True
        else:
            try:
                services.case_withdraw(
                    actor=request.user, case=case, reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data.get("expected_version"),
                    now=timezone.now(),
                )
            except ApplicationError as exc:
                if not add_domain_errors(form, exc):
                    error = str(exc.message)
            else:
                messages.success(request, gettext("申请已撤回。"))
                return redirect("web:my-case", number=number)
    errors = form_errors(form) + ([ErrorEntry(error)] if error else [])
    context = {"case": case, "form": form, "confirming": confirming, "errors": errors,
               "nav_active": "my-cases"}
    return render(request, "web/cases/my_case_withdraw.html", context,
                  status=422 if errors else 200)


# --- downloads (applicants and staff: the selectors apply each one's scope) -----------------------


@login_required
def case_notice(request, number: str, seq: int):
    try:
        case = selectors.access_case(actor=request.user, ref=number)
        pdf = notices.render_notice(case=case, seq=seq)
    except CaseNotFound as exc:
        raise Http404 from exc
    except ApplicationError:
        # The PDF could not be made now: say so on the case page instead of a bare error.
        messages.error(request, gettext("文书暂时无法生成，请稍后再试。参考编号：%(ref)s")
                       % {"ref": request.request_id})
        page = "web:staff-case" if request.user.kind == "STAFF" else "web:my-case"
        return redirect(page, number=number)
    return pdf_download(pdf)


@login_required
def case_file(request, file_id: int):
    try:
        record = selectors.access_case_file(actor=request.user, file_id=file_id)
    except CaseNotFound as exc:
        raise Http404 from exc
    return file_download(record)


@login_required
def case_file_preview(request, file_id: int):
    try:
        record = selectors.access_case_file(actor=request.user, file_id=file_id)
    except CaseNotFound as exc:
        raise Http404 from exc
    return file_preview(record)


# --- inbox -----------------------------------------------------------------------------------


@login_required
def inbox(request):
    if request.method == "POST":
        raw = request.POST.get("message", "")
        ids = [int(raw)] if is_row_id(raw) else None
        notifications.mark_read(account=request.user, message_ids=ids, now=timezone.now())
        return redirect(reverse("web:inbox") + (f"?cursor={_cursor(request)}"
                                                if _cursor(request) else ""))
    try:
        page = notifications.inbox(account=request.user, cursor=_cursor(request),
                                   limit=INBOX_PAGE)
    except InvalidCursor:
        return first_page(request)
    context = {
        "items": page.items, "nav_active": "inbox",
        "unread": sum(1 for m in page.items if m.read_at is None),
        "next_url": page_query(request, cursor=page.next_cursor) if page.next_cursor else "",
        "first_url": reverse("web:inbox") if _cursor(request) else "",
        "base": "web/workbench_base.html" if request.user.kind == "STAFF"
        else "web/portal_base.html",
    }
    return render(request, "web/cases/inbox.html", context)


# --- public progress (no login, no personal data) ---------------------------------------------


def progress(request):
    # The lookup is a POST: the query code is a secret and stays out of URLs, logs and
    # browser history. A GET carrying both (the QR code of notices printed before this
    # change) still works for one release; access logs record paths without queries.
    # The QR code of new notices carries the code in the fragment, which never reaches a
    # server: the page's script moves it into the form and posts it.
    if request.method == "POST":
        data, asked = request.POST, True
    else:
        data = request.GET
        asked = "code" in request.GET
    form = ProgressForm(data if asked else None,
                        initial={"number": request.GET.get("number", "")[:48]})
    result = None
    error = ""
    status = 200
    if asked and form.is_valid():
        try:
            result = selectors.public_progress_guarded(
                number=form.cleaned_data["number"], query_code=form.cleaned_data["code"],
                client=ratelimit.client_address(request))
        except (CaseNotFound, TooManyAttempts) as exc:
            error = str(exc.message)
            status = exc.http_status
    errors = form_errors(form) + ([ErrorEntry(error, "#id_number")] if error else [])
    context = {"form": form, "result": result, "errors": errors, "nav_active": "progress"}
    response = render(request, "web/cases/progress.html", context,
                      status=status if error else 422 if errors else 200)
    # The query code is a secret of the applicant: keep the answer out of shared caches.
    # Referrers stay within the site ("no-referrer" would make the browser send
    # "Origin: null" with the lookup form, which the CSRF check rightly refuses); the code
    # is posted, so no address carries it anyway.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response
