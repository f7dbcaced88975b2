"""The public progress query: by 办件编号 and 查询码, no login, no personal data."""

from ninja import Query

from onewindow.common.errors import TooManyAttempts
from onewindow.common.ratelimit import client_address
from onewindow.common.schemas import errors

from .. import selectors
from .base import router
from .schemas import ProgressOut, ProgressQuery


@router.post("/progress", operation_id="case_progress_query", auth=None,
             response={200: ProgressOut, **errors(404, 422, TooManyAttempts)})
def case_progress_query(request, body: ProgressQuery):
    """Status only, by 办件编号 + 查询码 (printed on the notices) in the JSON body, so the
    code never appears in a URL or an access log. No personal data. After ten wrong pairs
    from one address in 15 minutes: 429 too-many-attempts."""
    return _progress(request, body)


@router.get("/progress", operation_id="case_progress_public", auth=None, deprecated=True,
            response={200: ProgressOut, **errors(404, 422, TooManyAttempts)})
def case_progress_public(request, query: Query[ProgressQuery]):
    """Deprecated (kept for one release): use ``POST /progress`` with a JSON body. Access
    logs record this path without its query string, so the code is not logged."""
    return _progress(request, query)


def _progress(request, query: ProgressQuery) -> dict:
    progress = selectors.public_progress_guarded(
        number=query.number, query_code=query.code, client=client_address(request))
    return {
        "number": progress.number, "item_name": progress.item_name,
        "organisation": progress.organisation_name, "centre": progress.centre_name,
        "status": progress.status, "status_label": progress.status_label,
        "submitted_date": progress.submitted_date, "accepted_date": progress.accepted_date,
        "promised_due_date": progress.promised_due_date, "closed_date": progress.closed_date,
        "steps": [{"label": label, "date": day} for label, day in progress.steps],
    }
