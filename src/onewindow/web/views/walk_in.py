"""Walk-in registration at the window (窗口登记) and the demo message box (演示短信)."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from onewindow.cases import selectors as cases
from onewindow.cases import services
from onewindow.catalog import forms
from onewindow.catalog import selectors as catalog
from onewindow.common.errors import ApplicationError
from onewindow.common.pagination import InvalidCursor
from onewindow.common.redaction import mask_id_number, mask_phone
from onewindow.identity import notifications
from onewindow.identity import selectors as identity

from .. import form_pages
from ..forms_cases import WalkInForm
from ..ui import first_page, run_action, staff_required
from .cases_common import form_errors, page_query

ITEM_CHOICES = 50
MESSAGES_PAGE = 50


def _match(id_number: str):
    person = identity.person_find_by_id_number(id_number=id_number)
    if person is None:
        return None
    return {"name": person.name, "id_number": mask_id_number(person.id_number),
            "phone": mask_phone(person.phone)}


def _item_form(code: str, items) -> forms.FormDefinition | None:
    """The chosen item's own structured form (ADR 0031), if it has one."""
    if not code or code not in {i.code for i in items}:
        return None
    try:
        definition = catalog.item_form(code=code).definition
    except ApplicationError:
        return None
    return None if definition.generic else definition


def _answers(definition: forms.FormDefinition | None, post) -> dict | None:
    """The whole form as the clerk filled it in, fields hidden by its conditions left out."""
    if definition is None:
        return None
    sent = form_pages.read_fields(definition.fields, post)
    hidden = forms.hidden_keys(definition, sent)
    return {k: v for k, v in sent.items() if k not in hidden}


def _register(request, data, answers=None):
    form_data = {k: v for k, v in {
        "contact_name": data.get("name"), "contact_phone": data.get("phone"),
        "contact_address": data.get("address"),
        "application_content": data.get("application_content"),
    }.items() if v}
    return services.case_register_walk_in(
        actor=request.user, implementation_code=data["implementation_code"],
        id_number=data["id_number"], name=data.get("name", ""), phone=data.get("phone", ""),
        address=data.get("address", ""), legal_credit_code=data.get("legal_credit_code", ""),
        legal_name=data.get("legal_name", ""), form_data=form_data, answers=answers,
        now=timezone.now(),
    )


@staff_required
def walk_in(request):
    """Find the applicant by ID number (a match is shown masked) or register them, choose
    the item and start the case; paper, scans and submission follow on the case file."""
    params = request.POST if request.method == "POST" else request.GET
    item_q = " ".join(str(params.get("item_q", "")).split())[:100]
    centre = cases.centre_for_clerk(actor=request.user)
    items, more = [], False
    if centre is not None:
        items, more = catalog.implementation_choices(
            organisation=cases.centre_scope(centre=centre), q=item_q, limit=ITEM_CHOICES)
    form = WalkInForm(request.POST or None, items=items, initial={"item_q": item_q})
    code = str(params.get("implementation_code", "") or "")
    definition = _item_form(code, items)
    # The item's form is on the page once it was drawn for this item (a hidden marker).
    drawn = request.POST.get("answers_for") == code and definition is not None
    answer_errors: dict = {}

    def page(*, looked_up: bool = False, errors=(), notice: str = ""):
        # The applicant found so far, whatever else the form still lacks.
        id_number = (form.cleaned_data.get("id_number")
                     if form.is_bound and "id_number" not in form.errors else None)
        context = {"form": form, "match": _match(id_number) if id_number else None,
                   "looked_up": looked_up, "errors": list(errors), "centre": centre,
                   "item_q": item_q, "item_count": len(items), "more_items": more,
                   "nav_active": "walk-in", "notice": notice,
                   **_form_context(definition, code, request, answer_errors,
                                   region=centre.region_code if centre else "")}
        return render(request, "web/cases/walk_in.html", context)

    if request.method != "POST":
        return page()
    if "find_item" in request.POST or "add_row" in request.POST:
        # Narrowing the item list keeps what was typed and shows no errors yet.
        form.is_valid()
        form.errors.clear()
        return page()
    if definition is not None and not drawn and "register" in request.POST:
        # The item has a form of its own: show it on this page before registering.
        form.is_valid()
        form.errors.clear()
        return page(notice=gettext("该事项有专用申请表，请在下方填写后再登记。"))
    if "lookup" in request.POST:
        form.is_valid()
        for name in [n for n in form.errors if n != "id_number"]:
            del form.errors[name]
        response = page(looked_up=True, errors=form_errors(form))
        response.status_code = 422 if form.errors else 200
        return response
    answers = _answers(definition, request.POST) if drawn else None

    def failed(outcome):
        error = outcome.error
        if error is not None and error.code == "cases.answers-invalid" and definition:
            details = error.details if isinstance(error.details, dict) else {}
            answer_errors.update({k: v for k, v in details.items() if k != "codes"})
            entries = form_pages.error_entries(
                answer_errors, definition.by_key,
                href=lambda key: "#" + form_pages.anchor_id(key))
            return page(errors=[e for e in outcome.errors if e.text != outcome.message]
                        + entries)
        return page(errors=outcome.errors)

    return run_action(
        request, form, lambda data: _register(request, data, answers),
        done=gettext("已登记。请勾选收到的纸质材料、上传扫描件，然后代申请人提交。"),
        success=lambda case: reverse("web:staff-case", args=[case.pk]),
        page=failed, aliases={"implementation": "implementation_code"})


def _form_context(definition, code: str, request, errors: dict, *, region: str) -> dict:
    if definition is None:
        return {"item_fields": [], "answers_for": ""}
    posted = request.POST if request.POST.get("answers_for") == code else {}
    answers = form_pages.read_fields(definition.fields, posted) if posted else {}
    pages = [{"title": form_pages.page_title(p), "conditional": bool(p.show_if),
              "fields": form_pages.field_views(p.fields, answers=answers, errors=errors,
                                               sources={}, region_hint=region,
                                               extra_rows=1 if "add_row" in request.POST
                                               else 0)}
             for p in definition.pages]
    return {"item_fields": pages, "answers_for": code}


@staff_required
def demo_messages(request):
    """What the demo SMS / e-mail gateway 'sent', newest first, numbers masked."""
    if not notifications.can_view_outgoing(viewer=request.user):
        raise Http404
    channel = request.GET.get("channel") or None
    if channel not in (None, "SMS", "EMAIL"):
        channel = None
    try:
        page = notifications.outgoing_messages(viewer=request.user, channel=channel,
                                               cursor=request.GET.get("cursor") or None,
                                               limit=MESSAGES_PAGE)
    except InvalidCursor:
        return first_page(request)
    context = {
        "items": page.items, "channel": channel or "", "nav_active": "demo-messages",
        "next_url": page_query(request, cursor=page.next_cursor) if page.next_cursor else "",
        "first_url": page_query(request, cursor=None) if request.GET.get("cursor") else "",
    }
    return render(request, "web/cases/demo_messages.html", context)
