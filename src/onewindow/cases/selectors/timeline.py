"""The timeline, what the applicant must do next, and the actions allowed now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext

from .. import actions as case_actions
from ..codes import ActionKind, CaseStatus, MaterialState
from ..models import Case, CaseAction

S = CaseStatus
K = ActionKind


# --- timeline and what the applicant must do ---------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    kind: str
    label: str
    occurred_at: dt.datetime
    actor_label: str
    is_system: bool
    from_status: str
    to_status: str
    reason: str
    details: dict[str, Any]
    notice: str  # notice kind issued with this action ("" if none)


_PUBLIC_DETAIL_KEYS = ("round", "items", "tolerated", "supply_days", "proxy", "channel",
                       "materials", "basis", "deemed_from", "file", "material", "all_supplied",
                       "pending", "original_seen", "number",
                       # Cases II (no personal data: recipient and address stay out)
                       "task_label", "organisation", "decision", "reasons",
                       "back_to", "next", "procedure", "procedure_label", "expected_days",
                       "expected_end_date", "suspended_working_days", "dates_moved", "days",
                       "max_days",
                       "carrier", "tracking_number", "id_checked", "output_due_date",
                       "route_name", "licence")


def timeline(*, case: Case) -> list[TimelineEntry]:
    """Every action on the case, oldest first (call ``access_case`` first)."""
    entries = []
    for action in CaseAction.objects.filter(case=case).order_by("seq"):
        data = action.data or {}
        details = {k: data[k] for k in _PUBLIC_DETAIL_KEYS if k in data}
        if action.kind in (ActionKind.TASK_COMPLETE, ActionKind.RETURN):
            # A step's own vote is the back office's business (staff read it with the
            # opinions); the timeline shows that the step was done and where it went.
            details.pop("decision", None)
            details.pop("reasons", None)
        if "file" in details:
            details["file"] = {k: details["file"].get(k) for k in ("name", "content_type",
                                                                     "size")}
        entries.append(TimelineEntry(
            seq=action.seq, kind=action.kind, label=str(ActionKind(action.kind).label),
            occurred_at=action.occurred_at, actor_label=action.actor_label,
            is_system=action.actor_id is None and action.actor_label == "系统",
            from_status=action.from_status, to_status=action.to_status,
            reason=action.reason, details=details,
            notice=(data.get("notice") or {}).get("kind", ""),
        ))
    return entries


@dataclass(frozen=True)
class Expectation:
    """What the applicant must do next, in one sentence, with the items and the date."""

    summary: str
    action_needed: bool
    items: list[dict[str, Any]] = field(default_factory=list)
    due_date: dt.date | None = None


def _day(date: dt.date) -> str:
    return date_format(date, gettext("Y年n月j日"))


def expected_of_applicant(*, case: Case) -> Expectation:
    """Said in the reader's language (the pages and the API show it as it is)."""
    status = case.status
    if status == S.DRAFT:
        return Expectation(gettext("请完善申请表、上传必要材料后提交申请。"), True)
    if status == S.SUBMITTED:
        return Expectation(
            gettext("申请已提交，等待窗口受理；%(centre)s将在 %(day)s 前作出受理决定。")
            % {"centre": case.centre.name, "day": _day(case.acceptance_due_date)}
            if case.acceptance_due_date else gettext("申请已提交，等待窗口受理。"),
            False, due_date=case.acceptance_due_date,
        )
    if status == S.CORRECTION_REQUESTED:
        items = [
            {"material_id": m.pk, "name": m.name, "problem": m.problem, "state": m.state}
            for m in case.materials.filter(~Q(problem="")).order_by("position")
        ]
        last = case.actions.filter(kind=K.REQUEST_CORRECTION).order_by("-seq").first()
        for item in (last.data.get("items", []) if last else []):
            if item.get("material_id") is None:
                items.append({"material_id": None, "name": item["name"],
                              "problem": item["problem"], "state": ""})
        due = (last.data or {}).get("supply_due_date") if last else None
        due_date = dt.date.fromisoformat(due) if due else None
        return Expectation(
            (gettext("请按补正告知书（第 %(round)s 次）补正以下 %(n)s 项内容（补正期限："
                     "%(due)s），补正完成后点“提交补正”。")
             % {"round": case.correction_rounds, "n": len(items),
                "due": date_format(due_date, gettext("Y年n月j日"))}
             if due_date else
             gettext("请按补正告知书（第 %(round)s 次）补正以下 %(n)s 项内容，"
                     "补正完成后点“提交补正”。") % {"round": case.correction_rounds,
                                                 "n": len(items)}),
            True, items=items, due_date=due_date,
        )
    if status in (S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED):
        pending = list(case.materials.filter(state=MaterialState.TOLERATED)
                       .order_by("position").values("id", "name"))
        if pending:
            return Expectation(
                gettext("已容缺受理，请在 %(day)s 前补交以下材料。")
                % {"day": _day(case.tolerance_due_date)}
                if case.tolerance_due_date else gettext("已容缺受理，请尽快补交以下材料。"),
                True, items=[{"material_id": p["id"], "name": p["name"]} for p in pending],
                due_date=case.tolerance_due_date,
            )
        if status == S.SUSPENDED:
            return Expectation(
                gettext("办件处于特别程序（听证、检验、专家评审等），所需时间不计入办理时限，"
                        "详见特别程序告知书；结束后恢复计时。"),
                False, due_date=case.promised_due_date,
            )
        return Expectation(
            gettext("已受理，承诺于 %(day)s 前办结，无需您操作。")
            % {"day": _day(case.promised_due_date)}
            if case.promised_due_date else gettext("已受理，无需您操作。"),
            False, due_date=case.promised_due_date,
        )
    if status in (S.APPROVED, S.DENIED):
        outcome = (gettext("已准予许可") if status == S.APPROVED
                   else gettext("不予许可，理由和救济途径见决定书"))
        if case.delivery_channel == "MAIL":
            how = gettext("结果将邮寄送达，寄出后可查询快递单号。")
        elif case.delivery_channel == "ELECTRONIC":
            how = gettext("结果已在网上送达，可在办件详情中下载决定书。")
        else:
            how = gettext("请携带身份证件到%(centre)s出件窗口领取办理结果。") % {
                "centre": case.centre.name}
        return Expectation(gettext("%(outcome)s；%(how)s") % {"outcome": outcome, "how": how},
                           case.delivery_channel == "PICKUP",
                           due_date=case.output_due_date)
    summaries = {
        S.REJECTED: gettext("申请不予受理，理由和救济途径见不予受理决定书。"),
        S.WITHDRAWN: gettext("申请已撤回。"),
        S.DELIVERED: gettext("已办结，办理结果已送达。"),
    }
    return Expectation(summaries.get(status, gettext(str(CaseStatus(status).label))), False)


# --- actions allowed now ----------------------------------------------------------------


def allowed_actions(*, actor, case: Case) -> list[str]:
    """Names of the services ``actor`` may call on ``case`` now (pages show only these);
    read from the one table the services' guards use (cases.actions)."""
    return case_actions.allowed_services(actor=actor, case=case)


def supply_mode(*, case: Case) -> str:
    """What ``case_supply_materials`` records now: "correction" (the answer to a 补正
    request, which sends the case back to the acceptance queue) or "tolerated" (容缺
    materials after acceptance, which leave the case where it is)."""
    return ("tolerated" if case_actions.supply_key(case) == "supply_tolerated"
            else "correction")
