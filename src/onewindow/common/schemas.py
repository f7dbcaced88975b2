"""The error body every API route answers with, and a helper to declare it.

Routes list each error status they can answer in ``response=`` so the committed OpenAPI
document tells a client what to expect (DESIGN rule 12, ADR 0018): ``response={200:
CaseOut, **errors(401, 403, 404, 409, 422)}``. A status that only one error class
explains may be given as that class (``errors(401, 422, AccountLocked,
TooManyAttempts)``): its ``http_status`` is declared, so the declaration follows the class.
"""

from typing import Any

from ninja import Schema

from .errors import ApplicationError


class ErrorOut(Schema):
    """``{"code", "message", "details"}``: ``code`` is stable (``cases.not-found``),
    ``message`` is for people, ``details`` names the fields at fault when there are any."""

    code: str
    message: str
    details: Any = None


# The statuses the API's exception handlers can produce (onewindow.api.urls).
ERROR_STATUSES = frozenset({400, 401, 403, 404, 409, 422, 423, 429, 500})


def errors(*answers: int | type[ApplicationError]) -> dict[int, type[ErrorOut]]:
    """``{status: ErrorOut}`` for each status given, or each error class's status."""
    statuses = {a if isinstance(a, int) else a.http_status for a in answers}
    unknown = statuses - ERROR_STATUSES
    if unknown:
        raise ValueError(f"not an error status of this API: {sorted(unknown)}")
    return dict.fromkeys(sorted(statuses), ErrorOut)
