"""Errors of the cases domain, each with a stable code (DESIGN rule 5)."""

from onewindow.common.errors import Conflict, NotFound, ValidationFailed

CONFLICT_MESSAGE = "该办件刚被其他人处理，请刷新后查看。"


class CaseNotFound(NotFound):
    code = "cases.not-found"


class CaseConflict(Conflict):
    """Someone else changed the case first (optimistic lock_version check)."""

    code = "cases.conflict"

    def __init__(self, message: str = CONFLICT_MESSAGE, **kwargs):
        super().__init__(message, **kwargs)


class InvalidTransition(Conflict):
    """The lifecycle table does not allow this action in the case's current status."""

    code = "cases.invalid-transition"


class CaseInvalid(ValidationFailed):
    """A business rule of intake or acceptance is broken; ``details`` maps fields to
    Chinese messages."""

    code = "cases.invalid"


class ReasonRequired(ValidationFailed):
    code = "cases.reason-required"


class MaterialsIncomplete(ValidationFailed):
    code = "cases.materials-incomplete"


class ToleranceNotAllowed(ValidationFailed):
    code = "cases.tolerance-not-allowed"


class NotInstantItem(ValidationFailed):
    code = "cases.not-instant-item"


class ItemNotAvailable(ValidationFailed):
    code = "cases.item-not-available"


class NoReceivingCentre(ValidationFailed):
    code = "cases.no-receiving-centre"


class UploadRejected(ValidationFailed):
    code = "cases.upload-rejected"


class UploadTooLarge(UploadRejected):
    code = "cases.upload-too-large"


class SerialExhausted(Conflict):
    code = "cases.serial-exhausted"
