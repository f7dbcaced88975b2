"""Errors of the catalog domain, each with a stable code.

``ElementsInvalid.details`` maps field names (``name``, ``legal_limit_amount``,
``materials.2.name`` …) to Chinese messages so a form can show each next to its field.
"""

from onewindow.common.errors import ApplicationError, Conflict, NotFound, ValidationFailed


class ElementsInvalid(ValidationFailed):
    code = "catalog.invalid-elements"


class FormInvalid(ValidationFailed):
    """A version's application form fails ``catalog.forms.check_definition`` (details: where
    → problem), so it cannot be published."""

    code = "catalog.form-invalid"


class InvalidFilter(ValidationFailed):
    code = "catalog.invalid-filter"


class InvalidCode(ValidationFailed):
    code = "catalog.invalid-code"


class ReasonRequired(ValidationFailed):
    code = "catalog.reason-required"


class ItemNotFound(NotFound):
    code = "catalog.item-not-found"


class VersionNotFound(NotFound):
    code = "catalog.version-not-found"


class EntryNotFound(NotFound):
    code = "catalog.entry-not-found"


class OrganisationNotFound(NotFound):
    code = "catalog.organisation-not-found"


class InvalidTransition(Conflict):
    code = "catalog.invalid-transition"


class ItemExists(Conflict):
    code = "catalog.item-exists"


class NoDraft(Conflict):
    code = "catalog.no-draft"


class NoChanges(Conflict):
    code = "catalog.no-changes"


class VersionImmutable(ApplicationError):
    """A programming error: something tried to save a published version in place."""

    code = "catalog.version-immutable"
    http_status = 409


class ItemConflict(Conflict):
    """Someone else changed the item's status first (the conditional UPDATE found none)."""

    code = "catalog.conflict"


class FileRejected(ValidationFailed):
    code = "catalog.file-rejected"


class FileNotFound(NotFound):
    code = "catalog.file-not-found"
