"""Public progress lookup by case number and query code (throttled)."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from onewindow.common import ratelimit
from onewindow.common.errors import TooManyAttempts

from .. import deadlines
from ..codes import ActionKind, CaseStatus
from ..errors import CaseNotFound
from ..models import Case

S = CaseStatus
K = ActionKind


# --- public progress ----------------------------------------------------------------------


@dataclass(frozen=True)
class PublicProgress:
    """Status only, for anyone holding the number and the query code: no personal data."""

    number: str
    item_name: str
    organisation_name: str
    centre_name: str
    status: str
    status_label: str
    submitted_date: dt.date | None
    accepted_date: dt.date | None
    promised_due_date: dt.date | None
    closed_date: dt.date | None
    steps: list[tuple[str, dt.date]]


_PUBLIC_STEPS = {K.SUBMIT, K.REQUEST_CORRECTION, K.SUPPLY, K.ACCEPT, K.DEEM_ACCEPT, K.REJECT,
                 K.WITHDRAW, K.APPROVE, K.DENY, K.SUSPEND, K.RESUME, K.EXTEND_APPROVE,
                 K.MAIL_DISPATCH, K.HAND_OVER, K.MAIL_DELIVER, K.PUBLISH_ONLINE}


def public_progress(*, number: str, query_code: str) -> PublicProgress:
    number = (number or "").strip().upper()
    code = (query_code or "").strip().upper()
    case = (
        Case.objects.select_related("version", "organisation", "centre")
        .filter(number=number).exclude(status=S.DRAFT).first()
        if number else None
    )
    # Compare in constant time, and fail the same way for a wrong number or code.
    if case is None or not hmac.compare_digest(case.query_code.encode(), code.encode()):
        raise CaseNotFound(_("办件编号或查询码不正确。"))
    steps = [
        (str(ActionKind(kind).label), deadlines.local_date(at))
        for kind, at in case.actions.filter(kind__in=_PUBLIC_STEPS)
        .order_by("seq").values_list("kind", "occurred_at")
    ]

    def day(value):
        return deadlines.local_date(value) if value else None

    return PublicProgress(
        number=case.number, item_name=case.version.name,
        organisation_name=case.organisation.name, centre_name=case.centre.name,
        status=case.status, status_label=str(CaseStatus(case.status).label),
        submitted_date=day(case.submitted_at), accepted_date=day(case.accepted_at),
        promised_due_date=case.promised_due_date, closed_date=day(case.closed_at),
        steps=steps,
    )


# --- forms -------------------------------------------------------------------------------


# Wrong 办件编号/查询码 pairs allowed per client address before lookups pause: enough for
# typing mistakes, far too few to guess an 8-character query code.
PROGRESS_MISSES_ALLOWED = 10
PROGRESS_WINDOW_SECONDS = 15 * 60


def public_progress_guarded(*, number: str, query_code: str, client: str) -> PublicProgress:
    """``public_progress`` for anonymous callers (the page and the API): after ten misses
    from ``client`` in 15 minutes, every lookup from it is refused with
    ``too-many-attempts`` (429) until the window ends. From an unknown address, ten misses
    on one 办件编号 pause lookups of that number."""
    # Without the client's address the misses count against the 办件编号 tried, never in
    # one bucket every unknown caller shares (ADR 0026).
    scope, who = ("progress", client) if client != ratelimit.UNKNOWN else (
        "progress-number", (number or "").strip().upper())
    if ratelimit.exceeded(scope, who, limit=PROGRESS_MISSES_ALLOWED):
        raise TooManyAttempts(_("查询次数过多，请 15 分钟后再试，或携带身份证件到窗口查询。"))
    try:
        return public_progress(number=number, query_code=query_code)
    except CaseNotFound:
        ratelimit.count(scope, who, window_seconds=PROGRESS_WINDOW_SECONDS)
        raise
