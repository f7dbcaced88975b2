"""What a decision means for a case, whoever made it (a route's last step or the window for
a 即办件): the APPROVE / DENY move with the decision document's frozen snapshot, the
licence of issue 6 when the item yields one, and the result queued for output
(统一出件). Non-durable helpers called inside the deciding service's transaction."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from .. import deadlines, lifecycle
from ..codes import ActionKind, DeliveryChannel, MaterialState
from ..errors import TolerancePending
from ..models import Case
from . import licensing
from ._common import iso, notice_base, remedies_text

K = ActionKind


def decide(case: Case, *, approve: bool, reasons: str, actor, now: dt.datetime,
           instant: bool, opinions: list[dict] | None = None,
           expected_version: int | None = None) -> None:
    """准予 / 不予: close the case, freeze the decision document, queue the result."""
    kind = K.APPROVE if approve else K.DENY
    if approve and case.materials.filter(state=MaterialState.TOLERATED).exists():
        # 容缺受理 lets review start, not a licence go out without the material.
        raise TolerancePending(_("还有容缺材料未补齐，补齐后才能作出准予决定（可以不予许可）。"))
    accepted = deadlines.local_date(case.accepted_at) if case.accepted_at else None
    data = {"instant": instant, "notice": {
        **notice_base(case, now=now, actor_label=lifecycle.actor_label(actor)),
        "kind": "decision", "approved": approve, "instant": instant, "reason": reasons,
        "result_name": case.version.result_name,
        "accepted_date": iso(accepted),
        "opinions": opinions or [],
        "remedies": "" if approve else remedies_text(),
    }}
    if approve and case.version.result_licence_type:
        # Before the move, so the approval action records the licence it produced; a
        # licence that cannot be issued fails the whole approval (nothing is written).
        lifecycle.check(case, kind, expected_version=expected_version)
        licence = issue_licence(case, actor=actor, now=now)
        identifier = getattr(licence, "identifier", "") if licence is not None else ""
        if identifier:
            data["licence"] = identifier
            data["notice"]["licence"] = identifier
    lifecycle.transition(case, kind, actor=actor, now=now, reason=reasons,
                         expected_version=expected_version,
                         fields={"closed_at": now, "decided_at": now}, data=data)
    queue_output(case, now=now)


def issue_licence(case: Case, *, actor, now: dt.datetime):
    """The item's result licence (电子证照), issued in the approving transaction; None when
    the item produces none. See cases.services.licensing and ADR 0012."""
    return licensing.issue_result_licence_inner(case=case, actor=actor, now=now)


def queue_output(case: Case, *, now: dt.datetime) -> None:
    """The result goes to the receiving centre's output window with the Art. 44 clock; a
    result the applicant chose to receive online is published in the portal at once."""
    lifecycle.transition(
        case, K.OUTPUT_READY, actor=None, now=now,
        data={"channel": case.delivery_channel, "centre": case.centre.name,
              "output_due_date": iso(case.output_due_date)},
    )
    if case.delivery_channel == DeliveryChannel.ELECTRONIC:
        lifecycle.transition(
            case, K.PUBLISH_ONLINE, actor=None, now=now,
            fields={"delivered_at": now},
            data={"channel": DeliveryChannel.ELECTRONIC},
        )
