"""The error body every API route answers with, and a helper to declare it.

Routes list each error status they can answer in ``response=`` so the committed OpenAPI
document tells a client what to expect (DESIGN rule 12): ``response={200: CaseOut,
**errors(401, 404, 409, 422)}``.
"""

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """``{"code", "message", "details"}``: ``code`` is stable (``cases.not-found``),
    ``message`` is for people, ``details`` names the fields at fault when there are any."""

    code: str
    message: str
    details: Any = None


# The statuses the API's exception handlers can produce (onewindow.api.urls).
ERROR_STATUSES = frozenset({400, 401, 403, 404, 409, 422, 423, 429, 500})


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    unknown = set(statuses) - ERROR_STATUSES
    if unknown:
        raise ValueError(f"not an error status of this API: {sorted(unknown)}")
    return dict.fromkeys(sorted(statuses), ErrorOut)
