"""What may be done to a case now: ONE row per action, read by the services (to refuse)
and by ``selectors.allowed_actions`` (to offer), so a page never shows a button the
service would refuse, nor hides one it would accept.

Each row names the service it guards (the value ``allowed_actions`` lists and the API
returns), the lifecycle moves it makes (cases.lifecycle.TRANSITIONS: the status must
allow one of them), who may do it (cases.permissions) and any further precondition on the
case (容缺 materials handed in and not yet recorded, no extension used yet …); the facts
they read come from ``cases.reads``, which the services read too. Checks that need the input
(which material, which channel, the reason) or the clock stay in the service.

Two rows may share a service: ``case_supply_materials`` answers a correction request
before acceptance and records 容缺 materials after it; the page words its panel by
``supply_mode``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from onewindow.catalog.codes import HandlingType
from onewindow.common.errors import ApplicationError

from . import lifecycle, permissions, reads
from .codes import ActionKind, CaseStatus, Channel, ExtensionState
from .errors import (
    CaseNotFound,
    ExtensionAlreadyUsed,
    ExtensionPending,
    InvalidTransition,
    MaterialsIncomplete,
    NoExtensionPending,
    NotInstantItem,
)
from .models import Case

K = ActionKind
S = CaseStatus


def _actor_pk(actor):
    return getattr(actor, "pk", None)


def _own_draft(actor, case: Case) -> bool:
    return case.status == S.DRAFT and case.created_by_id is not None and (
        permissions.started_draft(actor, case))


# --- preconditions: None when met, else the error the service raises -----------------------


def _after_acceptance_only_tolerated(actor, case: Case) -> ApplicationError | None:
    if case.status in reads.ACCEPTED_STATES and not reads.tolerated_outstanding(case):
        return InvalidTransition(gettext_lazy("已受理的办件只能补交容缺材料。"))
    return None


def _upload_allowed(actor, case: Case) -> ApplicationError | None:
    if case.status == S.SUBMITTED and not permissions.can_accept_case(actor=actor, case=case):
        return InvalidTransition(
            gettext_lazy("申请已提交，正在等待受理；如需补充材料请等待补正通知。")
        )
    return _after_acceptance_only_tolerated(actor, case)


def _correction_requested(actor, case: Case) -> ApplicationError | None:
    if case.status != S.CORRECTION_REQUESTED:
        return InvalidTransition(gettext_lazy("该办件当前无需补正材料。"))
    return None


def _tolerated_to_record(actor, case: Case) -> ApplicationError | None:
    # Recording the supply writes down what was handed in (on paper or uploaded): offered
    # once something tolerated has come in, not while everything is still awaited.
    if case.status in reads.ACCEPTED_STATES and reads.tolerated_handed_in(case):
        return None
    awaited = reads.tolerated_awaited(case) if case.status in reads.ACCEPTED_STATES else []
    if awaited:
        return MaterialsIncomplete(
            gettext_lazy("请先上传或在窗口提交容缺材料。"),
            details={"materials": {str(m.pk): gettext_lazy("待补交") for m in awaited}},
        )
    return InvalidTransition(gettext_lazy("该办件没有待补交的容缺材料。"))


def _instant_item(actor, case: Case) -> ApplicationError | None:
    if case.version.handling_type != HandlingType.IMMEDIATE:
        return NotInstantItem(gettext_lazy("该事项不是即办件，不能当场作出决定。"))
    if case.status not in (S.SUBMITTED, S.ACCEPTED):
        return InvalidTransition(
            gettext_lazy("办件当前状态为“%(case_status_label)s”，不能当场作出决定。")
            % {"case_status_label": gettext_lazy(str(CaseStatus(case.status).label))}
        )
    return None


def _extension_unused(actor, case: Case) -> ApplicationError | None:
    state, _ = reads.extension_state(case)
    if state == ExtensionState.APPROVED:
        return ExtensionAlreadyUsed(
            gettext_lazy("该办件已延长过一次审批期限，不能再次延长（行政许可法第四十二条）。"))
    if state == ExtensionState.PENDING:
        return ExtensionPending(gettext_lazy("已有待首席代表审批的延期申请。"))
    return None


def _extension_pending(actor, case: Case) -> ApplicationError | None:
    state, request = reads.extension_state(case)
    if state != ExtensionState.PENDING or request is None:
        return NoExtensionPending(gettext_lazy("没有待审批的延期申请。"))
    return None


def mail_dispatched(case: Case) -> bool:
    """The result has left by mail (the one place that reads it from the log)."""
    return case.actions.filter(kind=K.MAIL_DISPATCH).exists()


def _delivery_open(actor, case: Case) -> ApplicationError | None:
    # Choosing how to receive the result belongs to a submitted application, and ends
    # once the result has been mailed.
    if case.status == S.DRAFT:
        return InvalidTransition(gettext_lazy("申请尚未提交，不能选择领取方式。"))
    if mail_dispatched(case):
        return InvalidTransition(gettext_lazy("结果已经寄出，不能再更改领取方式。"))
    return None


def _not_yet_mailed(actor, case: Case) -> ApplicationError | None:
    if mail_dispatched(case):
        return InvalidTransition(gettext_lazy("结果已经寄出，请登记签收。"))
    return None


def _mailed(actor, case: Case) -> ApplicationError | None:
    if not mail_dispatched(case):
        return InvalidTransition(gettext_lazy("结果尚未寄出，不能登记签收。"))
    return None


# --- who -----------------------------------------------------------------------------------


def _desk(actor, case: Case) -> bool:
    return permissions.can_accept_case(actor=actor, case=case)


def _applicant_side(actor, case: Case) -> bool:
    return permissions.can_view_case(actor=actor, case=case) and (
        permissions.can_act_as_applicant(actor=actor, case=case))


def _withdrawer(actor, case: Case) -> bool:
    return permissions.can_view_case(actor=actor, case=case) and (
        permissions.is_applicant(actor=actor, case=case) or _desk(actor, case))


def _paper_receiver(actor, case: Case) -> bool:
    return _desk(actor, case) or (_own_draft(actor, case) and case.channel == Channel.WINDOW)


def _online_drafter(actor, case: Case) -> bool:
    return case.channel == Channel.ONLINE and _actor_pk(actor) is not None and (
        permissions.started_draft(actor, case))


def _window_submitter(actor, case: Case) -> bool:
    return case.channel == Channel.WINDOW and _desk(actor, case)


def _instant_decider(actor, case: Case) -> bool:
    return _desk(actor, case) and permissions.can_decide_instant(actor=actor, case=case)


def _reviewer(actor, case: Case) -> bool:
    return permissions.can_review_case(actor=actor, case=case)


def _extension_approver(actor, case: Case) -> bool:
    return permissions.can_approve_extension(actor=actor, case=case)


def _deliverer(actor, case: Case) -> bool:
    return permissions.can_deliver_result(actor=actor, case=case)


def _delivery_chooser(actor, case: Case) -> bool:
    return permissions.can_act_as_applicant(actor=actor, case=case)


# --- the table -----------------------------------------------------------------------------


Precondition = Callable[[object, Case], ApplicationError | None]


@dataclass(frozen=True)
class Action:
    key: str
    service: str
    kinds: tuple[str, ...]  # the status must allow at least one of these moves
    permitted: Callable[[object, Case], bool]
    precondition: Precondition | None = None
    not_found: str = "没有找到该办件。"


ACTIONS: dict[str, Action] = {a.key: a for a in (
    Action("draft_save", "case_draft_save", (K.SUBMIT,), _own_draft,
           not_found="没有找到该草稿。"),
    Action("submit", "case_submit", (K.SUBMIT,), _online_drafter,
           not_found="没有找到该草稿。"),
    Action("submit_at_window", "case_submit_at_window", (K.SUBMIT,), _window_submitter),
    Action("paper", "case_material_receive_paper", (K.RECEIVE_PAPER,), _paper_receiver,
           _after_acceptance_only_tolerated),
    Action("scan", "case_material_upload", (K.ADD_FILE,), _applicant_side, _upload_allowed),
    Action("accept", "case_accept", (K.ACCEPT,), _desk),
    Action("correction", "case_request_correction", (K.REQUEST_CORRECTION,), _desk),
    Action("reject", "case_reject", (K.REJECT,), _desk),
    Action("decide_instant", "case_decide_instant", (K.ACCEPT, K.APPROVE), _instant_decider,
           _instant_item),
    Action("supply", "case_supply_materials", (K.SUPPLY,), _applicant_side,
           _correction_requested),
    Action("supply_tolerated", "case_supply_materials", (K.SUPPLY_TOLERATED,),
           _applicant_side, _tolerated_to_record),
    Action("withdraw", "case_withdraw", (K.WITHDRAW,), _withdrawer),
    Action("suspend", "case_suspend", (K.SUSPEND,), _reviewer),
    Action("resume", "case_resume", (K.RESUME,), _reviewer),
    Action("extend_request", "case_extend_request", (K.EXTEND_REQUEST,), _reviewer,
           _extension_unused),
    Action("extend_decide", "case_extend_decide", (K.EXTEND_APPROVE,), _extension_approver,
           _extension_pending),
    Action("hand_over", "case_hand_over", (K.HAND_OVER,), _deliverer),
    Action("mail_dispatch", "case_mail_dispatch", (K.MAIL_DISPATCH,), _deliverer,
           _not_yet_mailed),
    Action("mail_deliver", "case_mail_deliver", (K.MAIL_DELIVER,), _deliverer, _mailed),
    Action("publish_online", "case_publish_online", (K.PUBLISH_ONLINE,), _deliverer),
    Action("choose_delivery", "case_delivery_choose", (K.CHOOSE_DELIVERY,),
           _delivery_chooser, _delivery_open),
)}


def refusal(key: str, *, actor, case: Case,
            expected_version: int | None = None) -> ApplicationError | None:
    """Why ``actor`` may not do ``key`` to ``case`` now (None: they may). In the order a
    service reports it: not theirs (not found), a stale page, the status, the
    precondition."""
    action = ACTIONS[key]
    if not action.permitted(actor, case):
        return CaseNotFound(action.not_found)
    if expected_version is not None and expected_version != case.lock_version:
        try:
            lifecycle.check(case, action.kinds[0], expected_version=expected_version)
        except ApplicationError as exc:
            return exc
    movable = [kind for kind in action.kinds if lifecycle.can_move(case, kind)]
    if not movable:
        try:
            lifecycle.check(case, action.kinds[0])
        except ApplicationError as exc:
            return exc
    return action.precondition(actor, case) if action.precondition else None


def guard(key: str, *, actor, case: Case, expected_version: int | None = None) -> None:
    """Raise the stable error unless ``actor`` may do ``key`` now (services call this on
    the locked row before their own input checks)."""
    error = refusal(key, actor=actor, case=case, expected_version=expected_version)
    if error is not None:
        raise error


def allowed_keys(*, actor, case: Case) -> list[str]:
    return [key for key in ACTIONS if refusal(key, actor=actor, case=case) is None]


def allowed_services(*, actor, case: Case) -> list[str]:
    """The services ``actor`` may call on ``case`` now (``allowed_actions``)."""
    return list(dict.fromkeys(ACTIONS[key].service
                              for key in allowed_keys(actor=actor, case=case)))


def supply_key(case: Case) -> str:
    """Which supply row applies: after acceptance only 容缺 materials are supplied."""
    return "supply_tolerated" if case.status in reads.ACCEPTED_STATES else "supply"
