"""The action log of a case as lines people read (portal and workbench)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TimelineRow:
    seq: int
    label: str
    occurred_at: object
    actor: str
    is_system: bool
    reason: str
    lines: list[str]
    notice: str


def _names(items) -> str:
    return "、".join(str(item.get("name", "")) for item in items or [] if item.get("name"))


def _lines(kind: str, details: dict) -> list[str]:
    lines: list[str] = []
    if kind == "REQUEST_CORRECTION":
        lines.append(f"第 {details.get('round', 1)} 次补正告知：")
        lines += [f"{item.get('name', '')}：{item.get('problem', '')}"
                  for item in details.get("items", [])]
    elif kind in ("ACCEPT", "DEEM_ACCEPT"):
        tolerated = _names(details.get("tolerated"))
        if tolerated:
            lines.append(f"容缺受理：{tolerated}，须在 {details.get('supply_days')} 个工作日内补交")
    elif kind == "RECEIVE_PAPER":
        seen = "已核验原件" if details.get("original_seen") else "未核验原件"
        lines.append(f"收到纸质材料：{_names(details.get('materials'))}（{seen}）")
    elif kind == "ADD_FILE":
        material = (details.get("material") or {}).get("name", "")
        file = (details.get("file") or {}).get("name", "")
        lines.append(f"{material}：{file}")
    elif kind == "SUBMIT":
        if details.get("number"):
            lines.append(f"办件编号 {details['number']}")
        if details.get("proxy"):
            lines.append("帮办代办：由窗口工作人员代为提交")
    elif kind in ("SUPPLY", "SUPPLY_TOLERATED"):
        names = _names(details.get("materials"))
        if names:
            lines.append(f"补交材料：{names}")
        pending = _names(details.get("pending"))
        if pending:
            lines.append(f"仍待补交：{pending}")
    else:
        lines += _review_lines(kind, details)
    return [line for line in lines if line.strip("：")]


DECISION_WORDS = {"approve": "准予", "deny": "不予许可", "return": "退回"}


def _review_lines(kind: str, details: dict) -> list[str]:
    """Cases II: the approval steps, special procedures, extension and delivery."""
    lines: list[str] = []
    if kind == "ROUTE_START" and details.get("route_name"):
        lines.append(f"审批路线：{details['route_name']}")
    elif kind in ("TASK_COMPLETE", "RETURN"):
        step = details.get("task_label", "")
        if details.get("organisation"):
            step = f"{step}（{details['organisation']}）"
        decision = DECISION_WORDS.get(details.get("decision") or "", "")
        lines.append(f"环节：{step}" + (f"，{decision}" if decision else ""))
        if details.get("reasons"):
            lines.append(f"不予许可的理由：{details['reasons']}")
        if details.get("back_to"):
            lines.append(f"退回至：{'、'.join(details['back_to'])}")
        elif details.get("next"):
            lines.append(f"转至：{'、'.join(details['next'])}")
    elif kind == "SUSPEND":
        lines.append(f"{details.get('procedure_label', '特别程序')}，预计 "
                     f"{details.get('expected_days', '')} 个工作日"
                     + (f"（至 {details['expected_end_date']}）"
                        if details.get("expected_end_date") else "")
                     + "，期间不计入办理时限")
    elif kind == "RESUME" and details.get("dates_moved") is False:
        # The procedure began after the due dates had lapsed: nothing was left to stop.
        lines.append(f"特别程序 {details['suspended_working_days']} 个工作日；"
                     "办结期限在程序开始前已届满，不再顺延")
    elif kind == "RESUME" and details.get("suspended_working_days") is not None:
        lines.append(f"暂停计时 {details['suspended_working_days']} 个工作日，期限相应顺延")
    elif kind in ("EXTEND_REQUEST", "EXTEND_APPROVE", "EXTEND_REFUSE") and details.get("days"):
        lines.append(f"延长 {details['days']} 个工作日")
    elif kind == "MAIL_DISPATCH" and details.get("tracking_number"):
        lines.append(f"{details.get('carrier', '')} 运单号 {details['tracking_number']}")
    elif kind == "HAND_OVER" and details.get("id_checked"):
        lines.append("已核验领取人身份证件，领取人已签名")
    elif kind in ("APPROVE", "DENY") and details.get("output_due_date"):
        lines.append(f"办理结果须于 {details['output_due_date']} 前送达")
    return lines


NOTICE_NAMES = {"acceptance": "受理通知书", "rejection": "不予受理决定书",
                "correction": "补正材料通知书", "decision": "许可决定书",
                "suspension": "特别程序告知书", "extension": "延长审批期限告知书"}


def timeline_rows(entries) -> list[TimelineRow]:
    """Newest first: people want to see what happened last."""
    rows = [
        TimelineRow(seq=e.seq, label=e.label, occurred_at=e.occurred_at,
                    actor="系统" if e.is_system else e.actor_label, is_system=e.is_system,
                    reason=e.reason, lines=_lines(e.kind, e.details or {}),
                    notice=NOTICE_NAMES.get(e.notice, ""))
        for e in entries
    ]
    return list(reversed(rows))
