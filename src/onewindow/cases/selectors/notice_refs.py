"""The notices a case has issued."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ..errors import CaseNotFound
from ..models import Case, CaseAction

# --- notices ---------------------------------------------------------------------------------


NOTICE_TITLES = {
    "acceptance": "受理通知书",
    "rejection": "不予受理决定书",
    "correction": "补正材料通知书",
    "decision": "行政许可决定书",
    "suspension": "特别程序告知书",
    "extension": "延长审批期限告知书",
}


@dataclass(frozen=True)
class NoticeRef:
    seq: int
    kind: str
    title: str
    issued_at: dt.datetime
    filename: str


def notices_of(*, case: Case) -> list[NoticeRef]:
    """The notices issued on the case (each rendered on demand by cases.notices)."""
    refs = []
    for action in case.actions.order_by("seq"):
        notice = (action.data or {}).get("notice")
        if not notice:
            continue
        title = NOTICE_TITLES[notice["kind"]]
        if notice["kind"] == "decision":
            title = "准予行政许可决定书" if notice.get("approved") else "不予行政许可决定书"
        if notice["kind"] == "acceptance" and notice.get("tolerated"):
            title = "容缺受理通知书"
        if notice["kind"] == "correction":
            title = f"补正材料通知书（第{notice.get('round', 1)}次）"
        refs.append(NoticeRef(action.seq, notice["kind"], title, action.occurred_at,
                              f"{notice['item']}-{case.number}-{title}.pdf"))
    return refs


def notice_action(*, case: Case, seq: int) -> CaseAction:
    action = case.actions.filter(seq=seq).first()
    if action is None or not (action.data or {}).get("notice"):
        raise CaseNotFound(_("没有找到该文书。"))
    return action
