"""What the approval pages share with the staff and citizen case pages: the time of a
case as people read it (the promised and legal due dates with a colour *and* words,
working days used / left / suspended, the extension, and day by day what moved the date,
from cases.selectors.case_timing), the opinions of the approval steps, the decision and
the delivery (统一出件) of the result, and the Art. 44 output clock.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext, gettext_lazy

from onewindow.cases import selectors, services
from onewindow.cases.codes import (
    ActionKind,
    CaseStatus,
    DayLineKind,
    DeliveryChannel,
    ExtensionState,
    SuspensionProcedure,
)
from onewindow.common.text import StrOrPromise
from onewindow.workdays import selectors as workdays
from onewindow.workdays.models import DeadlineState

from ..forms_approval import ExtendDecideForm, ExtendRequestForm, ResumeForm, SuspendForm
from .cases_common import DeadlineView, deadline_css, deadline_view

S = CaseStatus
K = ActionKind
DS = DeadlineState


def _due_view(label: str, date: dt.date | None, *, today: dt.date, hint: StrOrPromise,
              timing) -> DeadlineView | None:
    if date is None:
        return None
    if timing.state in (DS.DONE, DS.DONE_LATE):
        state = workdays.deadline_state(date, today, finished_on=timing.decision_date or date)
        late = state == DS.DONE_LATE
        return DeadlineView(label, date, None, state, hint,
                            note=gettext("超过此日办结") if late else gettext("在此日前办结"))
    if timing.suspended:
        return DeadlineView(label, date, None, DS.SUSPENDED, hint,
                            note=gettext("特别程序暂停计时，日期待程序结束后顺延"))
    return deadline_view(label, date, today=today, hint=hint)


def case_time_panel(case, timing, *, today: dt.date) -> dict | None:
    """The time panel's content, or None before the clock starts (not yet accepted)."""
    if timing is None or timing.start_date is None:
        return None
    if timing.promised_due_date is None and timing.legal_due_date is None:
        return None
    deadlines = [d for d in (
        _due_view(gettext("承诺办结日期"), timing.promised_due_date, today=today, timing=timing,
                  hint=gettext("承诺时限 %(limit)s，本中心承诺在此日前办结。")
                  % {"limit": timing.promised_limit}),
        _due_view(gettext("法定办结日期"), timing.legal_due_date, today=today, timing=timing,
                  hint=gettext("法定时限 %(limit)s，法律规定的最后期限。")
                  % {"limit": timing.legal_limit}),
    ) if d is not None]
    left = timing.working_days_left
    running = timing.running
    return {
        "deadlines": deadlines,
        "state_label": timing.state_label,
        "state_css": deadline_css(timing.state),
        "used": timing.working_days_used,
        "left": left if running else None,
        "overdue": -left if running and left is not None and left < 0 else 0,
        "suspended": timing.working_days_suspended,
        "suspended_now": timing.suspended,
        "suspended_css": deadline_css(DS.SUSPENDED),
        "suspensions": timing.suspensions,
        "extension": extension_text(timing),
        "provisional": timing.provisional,
        "start_date": timing.start_date,
        "lines": [{"date": line.date, "kind": line.kind, "text": day_line_text(line),
                   "is_due": line.is_due or line.is_legal_due,
                   "provisional": line.provisional}
                  for line in timing.explanation],
    }


# The day-by-day lines in other languages, by kind; cases.timing writes the Chinese.
DAY_LINES = {
    DayLineKind.COUNTED: gettext_lazy("%(weekday)s，计第 %(n)s 天"),
    DayLineKind.ADJUSTED_WORKDAY: gettext_lazy("%(weekday)s，调休上班，计第 %(n)s 天"),
    DayLineKind.EXTENDED: gettext_lazy("%(weekday)s，延长期限，计第 %(n)s 天"),
    DayLineKind.OVERDUE: gettext_lazy("%(weekday)s，已超过办结期限，计第 %(n)s 天"),
    DayLineKind.WEEKEND: gettext_lazy("%(weekday)s，休息日，不计"),
    DayLineKind.HOLIDAY: gettext_lazy("%(weekday)s，%(holiday)s放假，不计"),
    DayLineKind.SUSPENDED: gettext_lazy("%(weekday)s，特别程序期间，不计入办理时限"),
    DayLineKind.CARRIED: gettext_lazy("%(weekday)s，期限末日为休息日，顺延至此，计第 %(n)s 天"),
}


def day_line_text(line) -> str:
    """One line of the explanation in the reader's language: Chinese readers get the
    domain's own sentence, others one built from the line's facts."""
    template = DAY_LINES.get(line.kind)
    if get_language().startswith("zh") or template is None:
        return line.label
    text = template % {"weekday": date_format(line.date, "l"), "n": line.counted,
                       # The seven statutory holidays have English names in the catalogue.
                       "holiday": gettext(line.holiday) if line.holiday
                       else gettext("法定节假日")}
    if line.provisional:
        text += gettext("（放假通知未发布，调休待定）")
    if line.is_due:
        text += gettext("（办结期限）")
    if line.is_legal_due and not line.is_due:
        text += gettext("（法定办结期限）")
    return text


def extension_text(timing) -> str:
    state = timing.extension_state
    if state == ExtensionState.PENDING:
        return gettext("承办人申请延期 %(asked)s 个工作日，待首席代表批准"
                       "（本事项最多可延长 %(allowed)s 个工作日）。") % {
            "asked": timing.extension_requested_days,
            "allowed": timing.allowed_extension_days}
    if state == ExtensionState.APPROVED:
        return gettext("已批准延期 %(n)s 个工作日（行政许可法第四十二条）。") % {
            "n": timing.extension_days}
    if state == ExtensionState.REFUSED:
        return gettext("延期申请（%(n)s 个工作日）未获批准，期限不变。") % {
            "n": timing.extension_requested_days}
    return ""


def opinions_of(case) -> list:
    return selectors.case_opinions(case)


# Lazy: the module is imported once, the page is read in its reader's language.
ART_44 = gettext_lazy("决定之日起 10 个工作日内送达（行政许可法第四十四条）。")


def output_clock(row, *, today: dt.date) -> DeadlineView | None:
    """The Art. 44 clock of an output queue row (its colour as the selector computed)."""
    if row.output_due_date is None:
        return None
    return DeadlineView(gettext("送达期限"), row.output_due_date, row.working_days_left,
                        row.colour, ART_44)


def case_output_clock(case, *, today: dt.date) -> DeadlineView | None:
    """The same clock on one case (the output window's case page)."""
    if case.output_due_date is None:
        return None
    if case.status == S.DELIVERED:
        delivered = localtime(case.delivered_at).date() if case.delivered_at else None
        state = workdays.deadline_state(case.output_due_date, today,
                                        finished_on=delivered or case.output_due_date)
        return DeadlineView(gettext("送达期限"), case.output_due_date, None, state, ART_44,
                            note=gettext("超期送达") if state == DS.DONE_LATE
                            else gettext("已按时送达"))
    return deadline_view(gettext("送达期限"), case.output_due_date, today=today, hint=ART_44)


def delivery_view(case) -> dict | None:
    """The decision and how the result reaches the applicant, once the case is decided;
    None before."""
    if case.status not in (S.APPROVED, S.DENIED, S.DELIVERED):
        return None
    approval = case.actions.filter(kind=K.APPROVE).order_by("-seq").first()
    approved = approval is not None
    dispatch = case.actions.filter(kind=K.MAIL_DISPATCH).order_by("-seq").first()
    delivered = case.actions.filter(
        kind__in=[K.HAND_OVER, K.MAIL_DELIVER, K.PUBLISH_ONLINE]).order_by("-seq").first()
    if delivered is not None:
        how = {K.HAND_OVER: gettext("已在统一出件窗口当面领取"),
               K.MAIL_DELIVER: gettext("邮件已签收"),
               K.PUBLISH_ONLINE: gettext("已网上送达，可在本页下载")}[delivered.kind]
        state = gettext("%(how)s（%(day)s）") % {
            "how": how, "day": date_format(delivered.occurred_at, gettext("Y年n月j日"))}
    elif dispatch is not None:
        data = dispatch.data or {}
        state = gettext("已于 %(day)s 交%(carrier)s寄出，运单号 %(tracking)s") % {
            "day": date_format(dispatch.occurred_at, gettext("Y年n月j日")),
            "carrier": data.get("carrier", ""), "tracking": data.get("tracking_number", "")}
    else:
        state = gettext("等待送达")
    return {
        "approved": approved,
        "decision_label": gettext("准予许可") if approved else gettext("不予许可"),
        "channel": case.delivery_channel,
        "channel_label": DeliveryChannel(case.delivery_channel).label,
        "address": case.delivery_address,
        "state": state,
        "delivered": case.status == S.DELIVERED,
        "dispatched": dispatch is not None,
        "output_due_date": case.output_due_date,
        # The licence the approval produced (its 证照标识), linked from the case pages.
        "licence": str((approval.data or {}).get("licence") or "") if approval else "",
        "licence_name": case.version.result_name,
    }


def case_panels(case, *, today: dt.date, with_opinions: bool = True) -> dict:
    """The Cases II panels of a case page: time, opinions (staff only), delivery."""
    timing = selectors.case_timing(case, today=today) if case.number else None
    return {
        "timing": timing,
        "time": case_time_panel(case, timing, today=today),
        "opinions": opinions_of(case) if with_opinions and case.number else [],
        "delivery": delivery_view(case),
    }


# --- suspend / resume / extension: on the task page and on the staff case page -------------------

REVIEW_ACTIONS = ("suspend", "resume", "extend", "extend_decide")


def suspension_procedures() -> list[tuple[str, str]]:
    return [(value, gettext(str(label))) for value, label in SuspensionProcedure.choices]


def review_forms(case) -> dict:
    version = {"expected_version": case.lock_version}
    return {
        "suspend": SuspendForm(initial=version, procedures=suspension_procedures()),
        "resume": ResumeForm(initial=version),
        "extend": ExtendRequestForm(initial={**version, "days": 10}),
        "extend_decide": ExtendDecideForm(initial=version),
    }


def review_actions(allowed: set[str], timing, *, may_request: bool = True) -> set[str]:
    """Which of suspend / resume / extension request / extension decision to show: what
    the selector allows this actor now, and the extension's state (once per case)."""
    actions: set[str] = set()
    if "case_suspend" in allowed:
        actions.add("suspend")
    if "case_resume" in allowed:
        actions.add("resume")
    extension = timing.extension_state if timing else ExtensionState.NONE
    if may_request and "case_extend_request" in allowed and extension in (
            ExtensionState.NONE, ExtensionState.REFUSED):
        actions.add("extend")
    if "case_extend_decide" in allowed and extension == ExtensionState.PENDING:
        actions.add("extend_decide")
    return actions


def case_review_urls(case) -> dict[str, str]:
    # Every form posts to the page itself (its ``do`` field names the action): errors and
    # confirmations then show at the page's own address.
    url = reverse("web:staff-case", args=[case.number])
    return dict.fromkeys(REVIEW_ACTIONS, url)


def task_review_urls(item) -> dict[str, str]:
    url = reverse("web:task", args=[item.pk])
    return dict.fromkeys(REVIEW_ACTIONS, url)


# --- the review actions' services, shared by the task page and the staff case page -------------

# Added after a conflict on a case page: the page showed an older state of the case.
CONFLICT_TEXT = gettext_lazy("该办件刚被其他人处理，页面上的信息已过期，请刷新页面后再办理。")


@dataclass(frozen=True)
class ReviewAction:
    """One of suspend / resume / extension request / extension decision: its form, the
    one service it calls (``perform(actor, case, cleaned_data, now)``) and what the
    page says when it is done."""

    make_form: Callable
    perform: Callable
    done: StrOrPromise


def _version(data) -> int | None:
    return data.get("expected_version")


REVIEW = {
    "suspend": ReviewAction(
        lambda data: SuspendForm(data, procedures=suspension_procedures()),
        lambda actor, case, d, now: services.case_suspend(
            actor=actor, case=case, procedure=d["procedure"],
            expected_days=d["expected_days"], reason=d["reason"],
            expected_version=_version(d), now=now),
        gettext_lazy("已启动特别程序，办理时限暂停计算；已书面告知申请人所需时间。")),
    "resume": ReviewAction(
        ResumeForm,
        lambda actor, case, d, now: services.case_resume(
            actor=actor, case=case, note=d.get("note", ""), expected_version=_version(d),
            now=now),
        gettext_lazy("特别程序已结束，办理时限恢复计算。")),
    "extend": ReviewAction(
        ExtendRequestForm,
        lambda actor, case, d, now: services.case_extend_request(
            actor=actor, case=case, days=d["days"], reason=d["reason"],
            expected_version=_version(d), now=now),
        gettext_lazy("延期申请已提交首席代表审批。")),
    "extend_decide": ReviewAction(
        ExtendDecideForm,
        lambda actor, case, d, now: services.case_extend_decide(
            actor=actor, case=case, approve=d["approve"], note=d.get("note", ""),
            expected_version=_version(d), now=now),
        gettext_lazy("已对延期申请作出决定，结果已告知申请人。")),
}
