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
    return [line for line in lines if line.strip("：")]


NOTICE_NAMES = {"acceptance": "受理通知书", "rejection": "不予受理决定书",
                "correction": "补正材料通知书", "decision": "许可决定书"}


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
