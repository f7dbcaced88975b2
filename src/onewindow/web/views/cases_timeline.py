"""The action log of a case as lines people read (portal and workbench)."""

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_lazy

from onewindow.common.text import StrOrPromise


@dataclass(frozen=True)
class TimelineRow:
    seq: int
    label: str
    occurred_at: object
    actor: str
    is_system: bool
    reason: str
    lines: list[str]
    notice: StrOrPromise


def _names(items) -> str:
    return gettext("、").join(str(item.get("name", "")) for item in items or [] if item.get("name"))


def _lines(kind: str, details: dict) -> list[str]:
    lines: list[str] = []
    if kind == "REQUEST_CORRECTION":
        lines.append(gettext("第 %(round)s 次补正告知：") % {"round": details.get("round", 1)})
        lines += [gettext("%(name)s：%(problem)s") % {"name": item.get("name", ""),
                                                    "problem": item.get("problem", "")}
                  for item in details.get("items", [])]
    elif kind in ("ACCEPT", "DEEM_ACCEPT"):
        tolerated = _names(details.get("tolerated"))
        if tolerated:
            lines.append(gettext("容缺受理：%(names)s，须在 %(days)s 个工作日内补交")
                         % {"names": tolerated, "days": details.get("supply_days")})
    elif kind == "RECEIVE_PAPER":
        seen = gettext("已核验原件") if details.get("original_seen") else gettext("未核验原件")
        lines.append(gettext("收到纸质材料：%(names)s（%(seen)s）")
                     % {"names": _names(details.get("materials")), "seen": seen})
    elif kind == "ADD_FILE":
        material = (details.get("material") or {}).get("name", "")
        file = (details.get("file") or {}).get("name", "")
        lines.append(gettext("%(name)s：%(problem)s") % {"name": material, "problem": file})
    elif kind == "SUBMIT":
        if details.get("number"):
            lines.append(gettext("办件编号 %(number)s") % {"number": details["number"]})
        if details.get("proxy"):
            lines.append(gettext("帮办代办：由窗口工作人员代为提交"))
    elif kind in ("SUPPLY", "SUPPLY_TOLERATED"):
        names = _names(details.get("materials"))
        if names:
            lines.append(gettext("补交材料：%(names)s") % {"names": names})
        pending = _names(details.get("pending"))
        if pending:
            lines.append(gettext("仍待补交：%(names)s") % {"names": pending})
    else:
        lines += _review_lines(kind, details)
    return [line for line in lines if line.strip("：: ")]


def _joined(names) -> str:
    return gettext("、").join(gettext(name) for name in names)


DECISION_WORDS = {"approve": gettext_lazy("准予"), "deny": gettext_lazy("不予许可"),
                  "return": gettext_lazy("退回")}


def _review_lines(kind: str, details: dict) -> list[str]:
    """Cases II: the approval steps, special procedures, extension and delivery."""
    lines: list[str] = []
    if kind == "ROUTE_START" and details.get("route_name"):
        lines.append(gettext("审批路线：%(name)s") % {"name": details["route_name"]})
    elif kind in ("TASK_COMPLETE", "RETURN"):
        # A step's label is a route's word: in the reader's language where the catalogue
        # has it (the default route's 审查/决定), as written otherwise (task.html does too).
        step = details.get("task_label", "")
        step = gettext(step) if step else step
        if details.get("organisation"):
            step = gettext("%(step)s（%(organisation)s）") % {
                "step": step, "organisation": details["organisation"]}
        decision = DECISION_WORDS.get(details.get("decision") or "", "")
        lines.append(gettext("环节：%(step)s，%(decision)s") % {"step": step, "decision": decision}
                     if decision else gettext("环节：%(step)s") % {"step": step})
        if details.get("reasons"):
            lines.append(gettext("不予许可的理由：%(reasons)s") % {"reasons": details["reasons"]})
        if details.get("back_to"):
            lines.append(gettext("退回至：%(steps)s") % {"steps": _joined(details["back_to"])})
        elif details.get("next"):
            lines.append(gettext("转至：%(steps)s") % {"steps": _joined(details["next"])})
    elif kind == "SUSPEND":
        words = {"procedure": gettext(details.get("procedure_label") or "特别程序"),
                 "days": details.get("expected_days", ""),
                 "end": details.get("expected_end_date", "")}
        if words["end"]:
            text = gettext("%(procedure)s，预计 %(days)s 个工作日（至 %(end)s），"
                           "期间不计入办理时限")
        else:
            text = gettext("%(procedure)s，预计 %(days)s 个工作日，期间不计入办理时限")
        lines.append(text % words)
    elif kind == "RESUME" and details.get("dates_moved") is False:
        # The procedure began after the due dates had lapsed: nothing was left to stop.
        lines.append(gettext("特别程序 %(n)s 个工作日；办结期限在程序开始前已届满，不再顺延")
                     % {"n": details["suspended_working_days"]})
    elif kind == "RESUME" and details.get("suspended_working_days") is not None:
        lines.append(gettext("暂停计时 %(n)s 个工作日，期限相应顺延")
                     % {"n": details["suspended_working_days"]})
    elif kind in ("EXTEND_REQUEST", "EXTEND_APPROVE", "EXTEND_REFUSE") and details.get("days"):
        lines.append(gettext("延长 %(n)s 个工作日") % {"n": details["days"]})
    elif kind == "MAIL_DISPATCH" and details.get("tracking_number"):
        lines.append(gettext("%(carrier)s 运单号 %(tracking)s") % {
            "carrier": details.get("carrier", ""), "tracking": details["tracking_number"]})
    elif kind == "HAND_OVER" and details.get("id_checked"):
        lines.append(gettext("已核验领取人身份证件，领取人已签名"))
    elif kind in ("APPROVE", "DENY") and details.get("output_due_date"):
        lines.append(gettext("办理结果须于 %(day)s 前送达") % {"day": details["output_due_date"]})
    return lines


# Pages name a notice in the reader's language; the notice itself is printed in Chinese.
NOTICE_NAMES = {"acceptance": gettext_lazy("受理通知书"),
                "rejection": gettext_lazy("不予受理决定书"),
                "correction": gettext_lazy("补正材料通知书"),
                "decision": gettext_lazy("许可决定书"),
                "suspension": gettext_lazy("特别程序告知书"),
                "extension": gettext_lazy("延长审批期限告知书")}


def timeline_rows(entries) -> list[TimelineRow]:
    """Newest first: people want to see what happened last."""
    rows = [
        TimelineRow(seq=e.seq, label=gettext(e.label), occurred_at=e.occurred_at,
                    actor=gettext("系统") if e.is_system else e.actor_label, is_system=e.is_system,
                    reason=e.reason, lines=_lines(e.kind, e.details or {}),
                    notice=NOTICE_NAMES.get(e.notice, ""))
        for e in entries
    ]
    return list(reversed(rows))
