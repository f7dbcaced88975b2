"""Reading cases: the lists, one case, its timeline, its time limits and the review opinions."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query

from onewindow.common.schemas import errors

from .. import permissions, selectors
from ..deadlines import local_date
from ..errors import CaseNotFound
from .base import detail, router, row_out
from .schemas import CaseOut, CasePageOut, ListQuery, OpinionOut, TimelineOut, TimingOut


@router.get("", operation_id="case_list",
            response={200: CasePageOut, **errors(401, 422)})
def case_list(request, query: Query[ListQuery]):
    """The applicant's own cases (``scope=mine``, default for citizens) or, for staff, the
    front-desk queue (``scope=queue``: submitted cases, oldest first) or every case in
    scope (``scope=staff``, default for staff). Filters: org, centre, status (comma
    separated), item (实施编码), received_after / received_before. Keyset pagination."""
    actor = request.auth
    scope = query.scope or ("staff" if actor.is_staff_member else "mine")
    filters = selectors.CaseFilters(
        organisation_id=query.org, centre_id=query.centre,
        statuses=selectors.parse_statuses(query.status), implementation_code=query.item or "",
        received_after=query.received_after, received_before=query.received_before,
    )
    page = selectors.case_list(actor=actor, scope=scope, today=local_date(timezone.now()),
                               filters=filters, cursor=query.cursor, limit=query.limit)
    return {"items": [row_out(r) for r in page.items], "next_cursor": page.next_cursor}


@router.get("/{ref}", operation_id="case_get",
            response={200: CaseOut, **errors(401, 404)})
def case_get(request, ref: str):
    """One case with materials, deadlines, the Art. 32 clock, what the applicant must do,
    the notices issued and the actions allowed now. Applicant data masked unless the
    caller may see it."""
    return detail(request, ref)


@router.get("/{ref}/timeline", operation_id="case_timeline",
            response={200: list[TimelineOut], **errors(401, 404)})
def case_timeline(request, ref: str):
    """Every action on the case, oldest first (system actions marked)."""
    case = selectors.access_case(actor=request.auth, ref=ref)
    return [
        {"seq": e.seq, "kind": e.kind, "label": e.label, "occurred_at": e.occurred_at,
         "actor": e.actor_label, "is_system": e.is_system, "from_status": e.from_status,
         "to_status": e.to_status, "reason": e.reason, "details": e.details,
         "notice": e.notice}
        for e in selectors.timeline(case=case)
    ]


@router.get("/{ref}/timing", operation_id="case_timing",
            response={200: TimingOut, **errors(401, 404)})
def case_timing(request, ref: str):
    """Due dates, working days used / left / suspended, the extension, the Art. 44 output
    deadline, and day by day why the case is due when it is."""
    case = selectors.access_case(actor=request.auth, ref=ref)
    timing = selectors.case_timing(case, today=local_date(timezone.now()))
    return {**timing.__dict__,
            "suspensions": [s.__dict__ for s in timing.suspensions],
            "explanation": [line.__dict__ for line in timing.explanation]}


@router.get("/{ref}/opinions", operation_id="case_opinions",
            response={200: list[OpinionOut], **errors(401, 404)})
def case_opinions(request, ref: str):
    """Review opinions (internal: staff of the case's scope only; others get 404)."""
    case = selectors.access_case(actor=request.auth, ref=ref)
    if not permissions.can_read_opinions(actor=request.auth, case=case):
        raise CaseNotFound(_("没有找到该办件。"))
    return [{**o.__dict__, "actor": o.actor_label} for o in selectors.case_opinions(case)]
