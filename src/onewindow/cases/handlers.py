"""Outbox handlers: tell the applicant about each step (in-app inbox + SMS).

They run inside the delivery transaction (ADR 0007) and call the non-durable
``identity.notifications.notify``, idempotent per (case, action seq): a retried event
never shows or sends twice.
"""

from django.urls import NoReverseMatch, reverse

from onewindow.events.registry import handler
from onewindow.identity.models import Account
from onewindow.identity.notifications import notify
from onewindow.workdays.events import NOTICE_LOADED

from . import events
from .codes import CaseStatus
from .models import Case, CaseAction
from .services.review import recompute_provisional_deadlines

PORTAL_CASE_URL_NAME = "web:portal-case"


def case_link(number: str) -> str:
    """The portal page of a case, if the web app has mounted it."""
    try:
        return reverse(PORTAL_CASE_URL_NAME, kwargs={"number": number})
    except NoReverseMatch:
        return ""


def _date(value) -> str:
    return f"{value:%Y年%m月%d日}" if value else ""


def _message(case: Case, action: CaseAction) -> tuple[str, str] | None:
    item = case.version.name
    number = case.number
    status = action.to_status
    kind = action.kind
    if kind == "SUBMIT":
        return ("申请已提交", f"您申请的“{item}”已提交，办件编号 {number}，"
                f"查询码 {case.query_code}。窗口将在 {_date(case.acceptance_due_date)} 前受理。")
    if kind == "ACCEPT":
        extra = ""
        if case.tolerance_due_date:
            extra = f"请于 {_date(case.tolerance_due_date)} 前补交容缺材料。"
        return ("申请已受理", f"您申请的“{item}”（{number}）已受理，承诺于 "
                f"{_date(case.promised_due_date)} 前办结。{extra}")
    if kind == "DEEM_ACCEPT":
        return ("申请视为已受理", f"您申请的“{item}”（{number}）依照行政许可法第三十二条"
                f"自收到申请材料之日起视为受理，承诺于 {_date(case.promised_due_date)} 前办结。")
    if kind == "REQUEST_CORRECTION":
        count = len(action.data.get("items", []))
        return ("请补正申请材料", f"您申请的“{item}”（{number}）需要补正 {count} 项内容，"
                "请登录查看补正告知书并按要求补正。")
    if kind == "REJECT":
        return ("申请不予受理", f"您申请的“{item}”（{number}）不予受理，理由：{action.reason}"
                " 详见不予受理决定书。")
    if kind in ("APPROVE", "DENY"):
        outcome = "准予许可" if status == CaseStatus.APPROVED else "不予许可"
        return (f"办理结果：{outcome}", f"您申请的“{item}”（{number}）已办结：{outcome}。")
    if kind == "WITHDRAW":
        return ("申请已撤回", f"您申请的“{item}”（{number}）已撤回。")
    if kind in ("SUPPLY", "SUPPLY_TOLERATED"):
        return ("补正材料已收到", f"您为“{item}”（{number}）补交的材料已收到。")
    return _message_ii(case, action, item, number)


def _message_ii(case: Case, action: CaseAction, item: str, number: str
                ) -> tuple[str, str] | None:
    kind = action.kind
    data = action.data or {}
    if kind == "SUSPEND":
        return ("办件进入特别程序", f"您申请的“{item}”（{number}）需要进行"
                f"{data.get('procedure_label', '特别程序')}，预计需要 {data.get('expected_days')} "
                "个工作日，所需时间不计入办理时限，详见特别程序告知书。")
    if kind == "RESUME":
        return ("办件恢复计时", f"您申请的“{item}”（{number}）特别程序已结束，恢复计时，"
                f"承诺于 {_date(case.promised_due_date)} 前办结。")
    if kind == "EXTEND_APPROVE":
        return ("办理期限延长", f"您申请的“{item}”（{number}）经负责人批准延长办理期限 "
                f"{data.get('days')} 个工作日，理由详见延长审批期限告知书，"
                f"新的办结期限为 {_date(case.promised_due_date)}。")
    if kind == "OUTPUT_READY":
        if case.delivery_channel == "MAIL":
            return ("办理结果待寄出", f"您申请的“{item}”（{number}）的办理结果将邮寄给您。")
        if case.delivery_channel == "ELECTRONIC":
            return None  # PUBLISH_ONLINE follows in the same transaction
        return ("请领取办理结果", f"您申请的“{item}”（{number}）的办理结果已到"
                f"{case.centre.name}出件窗口，请携带身份证件领取。")
    if kind == "MAIL_DISPATCH":
        return ("办理结果已寄出", f"您申请的“{item}”（{number}）的办理结果已交"
                f"{data.get('carrier', '')}寄出，快递单号 {data.get('tracking_number', '')}。")
    if kind in ("HAND_OVER", "MAIL_DELIVER"):
        return ("办理结果已送达", f"您申请的“{item}”（{number}）的办理结果已送达。")
    if kind == "PUBLISH_ONLINE":
        return ("办理结果已网上送达", f"您申请的“{item}”（{number}）的办理结果已发布，"
                "请登录查看和下载决定书。")
    return None


def _recipients(case: Case) -> list[Account]:
    accounts = []
    if case.applicant_account_id:
        accounts.append(case.applicant_account)
    else:
        own = Account.objects.filter(person_id=case.applicant_person_id, is_active=True).first()
        if own is not None:
            accounts.append(own)
    return accounts


def notify_applicant(event) -> None:
    payload = event.payload
    case = (
        Case.objects.select_related("version", "applicant_account__person", "centre")
        .filter(pk=payload["case_id"]).first()
    )
    if case is None:
        return
    action = case.actions.filter(seq=payload["action_seq"]).first()
    if action is None:
        return
    message = _message(case, action)
    if message is None:
        return
    title, body = message
    for account in _recipients(case):
        notify(account=account, title=title, body=body, link=case_link(case.number),
               dedupe_key=f"cases:{case.pk}:{action.seq}", organisation=case.centre,
               now=event.occurred_at)


@handler(events.CASE_SUBMITTED)
def on_submitted(event) -> None:
    notify_applicant(event)


@handler(events.CASE_ACCEPTED)
def on_accepted(event) -> None:
    notify_applicant(event)


@handler(events.CASE_DEEMED_ACCEPTED)
def on_deemed_accepted(event) -> None:
    notify_applicant(event)


@handler(events.CASE_CORRECTION_REQUESTED)
def on_correction_requested(event) -> None:
    notify_applicant(event)


@handler(events.CASE_REJECTED)
def on_rejected(event) -> None:
    notify_applicant(event)


@handler(events.CASE_DECIDED)
def on_decided(event) -> None:
    notify_applicant(event)


@handler(events.CASE_WITHDRAWN)
def on_withdrawn(event) -> None:
    notify_applicant(event)
    stop_route(event)


def stop_route(event) -> None:
    """A withdrawn case leaves every worklist (idempotent: a finished route is left)."""
    from onewindow.workflow import selectors as workflow_selectors
    from onewindow.workflow import services as workflow_services

    from .services.review import SUBJECT_TYPE

    case_id = str(event.payload["case_id"])
    waiting = workflow_selectors.work_items_of_subject(
        subject_type=SUBJECT_TYPE, subject_id=case_id).filter(status="READY").exists()
    if waiting:
        workflow_services.process_cancel_inner(actor=None, subject_type=SUBJECT_TYPE,
                                               subject_id=case_id, reason="申请人撤回申请",
                                               now=event.occurred_at)


@handler(events.CASE_SUSPENDED)
def on_suspended(event) -> None:
    notify_applicant(event)


@handler(events.CASE_RESUMED)
def on_resumed(event) -> None:
    notify_applicant(event)


@handler(events.CASE_EXTENDED)
def on_extended(event) -> None:
    notify_applicant(event)


@handler(events.CASE_OUTPUT_READY)
def on_output_ready(event) -> None:
    notify_applicant(event)


@handler(events.CASE_MAIL_DISPATCHED)
def on_mail_dispatched(event) -> None:
    notify_applicant(event)


@handler(events.CASE_DELIVERED)
def on_delivered(event) -> None:
    notify_applicant(event)


@handler(events.CASE_MATERIALS_SUPPLIED)
def on_materials_supplied(event) -> None:
    notify_applicant(event)


@handler(NOTICE_LOADED, atomic=False)
def on_holiday_notice_loaded(event) -> None:
    """A year's official holiday notice arrived: due dates that were counted with the
    provisional weekend-only calendar of that year are recomputed from the log (DESIGN
    rule 7), and the open steps follow the case's new date. Case by case in short
    transactions (so not atomic with the delivery); running it twice is harmless."""
    recompute_provisional_deadlines(now=event.occurred_at)
