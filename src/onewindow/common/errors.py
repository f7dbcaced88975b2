"""The base error every domain raises for a broken business rule.

Each subclass carries a stable ``code`` (``<app>.<what>``) that API clients and pages
can rely on; the message is for people and is translated: raise sites mark it with
``gettext_lazy`` (scripts/i18n_error_messages.py keeps them marked), so ``message`` and
the texts inside ``details`` may be lazy until ``as_dict()`` or ``str()`` renders them
in the active language.
"""

from typing import Any

from django.utils.functional import Promise

from .text import StrOrPromise


class ApplicationError(Exception):
    code = "application.error"
    http_status = 400

    def __init__(self, message: StrOrPromise = "", *, code: str | None = None,
                 details: Any = None):
        super().__init__(message or self.code)
        self.message: StrOrPromise = message or self.code
        if code:
            self.code = code
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        """The error as plain JSON values (for the API, audit rows and logs): lazy
        translations become str in the active language."""
        return {"code": self.code, "message": str(self.message),
                "details": plain(self.details)}


def plain(value: Any) -> Any:
    """``value`` with every lazy translation inside dicts, lists and tuples made str."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


class NotFound(ApplicationError):
    """Missing and forbidden look the same to the caller (DESIGN rule 6)."""

    code = "not-found"
    http_status = 404


class PermissionDenied(ApplicationError):
    code = "permission-denied"
    http_status = 403


class Conflict(ApplicationError):
    """Someone else changed the object first; reload and try again."""

    code = "conflict"
    http_status = 409


class ValidationFailed(ApplicationError):
    code = "validation-failed"
    http_status = 422


class TooManyAttempts(ApplicationError):
    """A guessable public lookup was tried too often from one address; wait and retry."""

    code = "too-many-attempts"
    http_status = 429
