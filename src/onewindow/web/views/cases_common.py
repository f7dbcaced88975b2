"""Helpers shared by the case pages of the portal and the workbench: deadlines as dates
with working days left and a colour *and* a text label, error summaries built from
domain errors, downloads with sensible names."""

import datetime as dt
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from onewindow.cases import selectors as case_selectors
from onewindow.cases.codes import CaseStatus, MaterialState
from onewindow.common.errors import ApplicationError
from onewindow.common.ids import is_row_id
from onewindow.common.text import StrOrPromise
from onewindow.workdays import selectors as workdays
from onewindow.workdays.models import DeadlineState

S = CaseStatus

DS = DeadlineState

# The one map from a deadline state to the stylesheet's classes (UI.md: normal, due soon
# 黄, overdue 红, suspended 灰); the words come with the state (DeadlineState's label), so
# a colour never appears without its text. Every page takes its classes from here.
DEADLINE_CSS = {
    DS.NONE: "deadline-normal",
    DS.NORMAL: "deadline-normal",
    DS.DUE_SOON: "deadline-due-soon",
    DS.OVERDUE: "deadline-overdue",
    DS.SUSPENDED: "deadline-suspended",
    DS.DONE: "deadline-normal",
    DS.DONE_LATE: "deadline-overdue",
}


def deadline_css(state: DeadlineState) -> str:
    return DEADLINE_CSS[DeadlineState(state)]


PRESENT_STATES = {MaterialState.RECEIVED, MaterialState.UPLOADED, MaterialState.ACCEPTED,
                  MaterialState.SUPPLIED, MaterialState.SATISFIED_BY_LICENCE}


@dataclass(frozen=True)
class DeadlineView:
    """One deadline as people read it: what it is, the date, working days left."""

    label: str
    date: dt.date
    days_left: int | None
    state: DeadlineState
    hint: StrOrPromise = ""
    note: str = ""  # said instead of the days left (e.g. 按期办结) when the clock is over

    @property
    def css(self) -> str:
        return deadline_css(self.state)

    @property
    def state_label(self) -> str:
        return gettext(str(self.state.label))

    @property
    def left_text(self) -> str:
        if self.note:
            return self.note
        if self.days_left is None:
            return gettext("暂停计时")
        if self.days_left < 0:
            return ngettext("已逾期 %(n)s 个工作日", "已逾期 %(n)s 个工作日",
                            -self.days_left) % {"n": -self.days_left}
        if self.days_left == 0:
            return gettext("今天到期")
        return ngettext("还剩 %(n)s 个工作日", "还剩 %(n)s 个工作日", self.days_left) % {
            "n": self.days_left}


def deadline_view(label: str, date: dt.date | None, *, today: dt.date, hint: StrOrPromise = "",
                  suspended: bool = False) -> DeadlineView | None:
    if date is None:
        return None
    state = workdays.deadline_state(date, today, suspended=suspended)
    left = None if suspended else workdays.working_days_between(today, date)
    return DeadlineView(label, date, left, state, hint)


def case_deadlines(case, *, today: dt.date, has_tolerated: bool = False) -> list[DeadlineView]:
    """The deadlines that matter in the case's current status, soonest first."""
    items: list[DeadlineView | None] = []
    status = case.status
    if status == S.SUBMITTED:
        items.append(deadline_view(
            gettext("受理期限"), case.acceptance_due_date, today=today,
            hint=gettext("窗口须在此日前决定受理、一次性告知补正或不予受理；"
                         "逾期未处理的，自收到材料之日起视为受理。"),
        ))
    # Once accepted, the promised and legal dates are in the time panel (with the
    # day-by-day explanation, web.views.approval_common); only 容缺 is listed here.
    if status in (S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED) and has_tolerated:
        items.append(deadline_view(gettext("容缺材料补齐期限"), case.tolerance_due_date,
                                   today=today, hint=gettext("请在此日前补交容缺受理的材料。")))
    return [d for d in items if d is not None]


NEXT_STEPS: dict[str, StrOrPromise] = {
    S.DRAFT: _("申请还没有提交。填写完申请表、上传必要材料并核对无误后提交，"
               "窗口才会开始审核。"),
    S.SUBMITTED: _("窗口工作人员审核您的材料，在受理期限前作出受理、一次性告知补正"
                   "或不予受理的决定，结果会发到您的消息和手机短信。"),
    S.CORRECTION_REQUESTED: _("受理计时已暂停。您补正全部内容并点“提交补正材料”后，"
                              "申请回到窗口重新审核，受理期限重新计算。"),
    S.ACCEPTED: _("申请已受理，正在审批。办结后会通知您领取结果。"),
    S.REJECTED: _("办理已结束。如对不予受理决定不服，"
                  "可按决定书所列途径申请行政复议或提起行政诉讼。"),
    S.WITHDRAWN: _("申请已撤回，办理结束。需要时可以重新申请。"),
    S.IN_REVIEW: _("申请已受理，正在部门审批。办结后会通知您领取结果。"),
    S.SUSPENDED: _("审批进入特别程序（如检验、专家评审），所需时间不计入办理时限；"
                   "程序结束后继续审批，期限相应顺延。"),
    S.APPROVED: _("已办结，准予许可。办理结果将在 10 个工作日内按您选择的方式送达。"),
    S.DENIED: _("已办结，不予许可。如不服，可按决定书所列途径申请行政复议或提起行政诉讼。"),
    S.DELIVERED: _("已办结，办理结果已送达。"),
}


def next_step_text(status: str) -> StrOrPromise:
    return NEXT_STEPS.get(status, "")


# --- errors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorEntry:
    text: str
    href: str = ""


def form_errors(form, *, prefix_text: bool = True) -> list[ErrorEntry]:
    """Error-summary entries of a Django form, each linking to its field."""
    if form is None:
        return []
    entries = []
    for field in form:
        # Radio buttons and check-box lists have no single id: link to the first option.
        anchor = field.id_for_label or f"{field.auto_id}_0"
        for error in field.errors:
            text = f"{field.label}：{error}" if prefix_text else str(error)
            entries.append(ErrorEntry(text, f"#{anchor}"))
    entries += [ErrorEntry(str(error)) for error in form.non_field_errors()]
    return entries


def add_domain_errors(form, exc: ApplicationError, *, aliases: dict[str, str] | None = None
                      ) -> bool:
    """Put the field messages of a domain error next to the form's fields. Returns True
    if at least one message found a field (otherwise show ``exc.message`` on its own)."""
    details = exc.details if isinstance(exc.details, dict) else {}
    aliases = aliases or {}
    placed = False
    for key, value in details.items():
        name = aliases.get(key, key)
        if form is not None and name in form.fields and isinstance(value, str):
            if value not in form.errors.get(name, []):
                form.add_error(name, value)
            placed = True
    return placed


def error_message(exc: ApplicationError) -> str:
    return str(exc.message)


def material_errors(exc: ApplicationError) -> dict[int, str]:
    """Per-material messages of a domain error (``details["materials"]`` or
    ``details["tolerated"]`` keyed by CaseMaterial id)."""
    details = exc.details if isinstance(exc.details, dict) else {}
    result: dict[int, str] = {}
    for key in ("materials", "tolerated"):
        value = details.get(key)
        if isinstance(value, dict):
            for pk, message in value.items():
                if is_row_id(str(pk)):
                    result[int(pk)] = str(message)
    return result


# --- downloads --------------------------------------------------------------------------------


def pdf_download(pdf) -> HttpResponse:
    """A rendered notice as a download named after the item and the case number."""
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, pdf.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def file_download(record) -> FileResponse:
    """An uploaded material file, always as an attachment (never rendered inline from
    our origin), with the type the upload check sniffed."""
    response = FileResponse(record.file.open("rb"), content_type=record.content_type)
    name = case_selectors.file_download_name(record)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def file_preview(record) -> FileResponse:
    """A PDF or image shown in the browser (clerks check materials without downloading).
    The type comes from the upload check's sniffing, never from the uploader; the
    response is sandboxed (no scripts, no same-origin access, even if a PDF carries
    JavaScript) and never re-sniffed. Anything else is downloaded as before."""
    from onewindow.cases.uploads import preview_kind

    kind = preview_kind(record.content_type)
    if kind is None:
        return file_download(record)
    response = FileResponse(record.file.open("rb"), content_type=kind.content_type)
    name = case_selectors.file_download_name(record)
    response["Content-Disposition"] = content_disposition_header(False, name) or "inline"
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def page_query(request, **changes: Any) -> str:
    """The current query string with ``changes`` applied (filters stay in the URL)."""
    query = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


# --- who may use a page ------------------------------------------------------------------


def citizen_required(view):
    """Portal pages of one's own cases: log in first; staff use the workbench instead."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url="web:citizen-login")
        if user.kind == "STAFF":
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def distinct_ids(forms: dict) -> dict:
    """Several action forms share one page (accept, refuse, withdraw …): give each its own
    element ids (``id_<action>_<field>``), so labels, help texts and the error summary's
    links point into the right form. Call before any field is rendered or checked."""
    for name, form in forms.items():
        form.auto_id = f"id_{name}_%s"
    return forms
