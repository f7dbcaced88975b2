"""Errors of the cases domain, each with a stable code (DESIGN rule 5)."""

from django.core.exceptions import RequestDataTooBig

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


class AnswersInvalid(ValidationFailed):
    """The structured form's answers (ADR 0031): ``details`` maps each field key (inside a
    group ``<group>.<index>.<member>``) to its message and ``details["codes"]`` to its
    per-field code (required, unknown, type, option, length, range, pattern, format,
    hidden, locked, not-own-material, rule)."""

    code = "cases.answers-invalid"


class AnswersTooLarge(ValidationFailed):
    code = "cases.answers-too-large"


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


class UploadBodyTooLarge(RequestDataTooBig):
    """The upload limit was passed while the request body streamed in (raised by
    cases.uploads.UploadLimitHandler from Django's form parsing, before any view runs):
    pages answer Django's 400, the API answers ``error`` (UploadTooLarge) as JSON."""

    def __init__(self, error: UploadTooLarge):
        super().__init__(error.message)
        self.error = error


class SerialExhausted(Conflict):
    code = "cases.serial-exhausted"


# --- Cases II ------------------------------------------------------------------------------


class ExtensionAlreadyUsed(Conflict):
    """Art. 42: a case is extended at most once (a refused request used the chance too)."""

    code = "cases.extension-already-used"


class ExtensionPending(Conflict):
    code = "cases.extension-pending"


class NoExtensionPending(Conflict):
    code = "cases.no-extension-pending"


class ExtensionTooLong(ValidationFailed):
    code = "cases.extension-too-long"


class ExtensionTooLate(Conflict):
    """Art. 42: the extension must be decided within the legal limit, not after it ran out."""

    code = "cases.extension-too-late"


class TolerancePending(Conflict):
    """容缺: the case cannot be approved while tolerated materials are still missing."""

    code = "cases.tolerated-materials-pending"


class SuspensionInvalid(ValidationFailed):
    code = "cases.suspension-invalid"


class DecisionInvalid(ValidationFailed):
    """A decision step without approve / deny / return, or a route that ended without one."""

    code = "cases.decision-invalid"


class DeliveryInvalid(ValidationFailed):
    code = "cases.delivery-invalid"


class IdentityNotChecked(ValidationFailed):
    """Pickup needs the recipient's identity checked at the window."""

    code = "cases.identity-not-checked"


class NotACaseTask(ValidationFailed):
    code = "cases.not-a-case-task"


class ResultLicenceFailed(ValidationFailed):
    """The licence an approved case must produce cannot be issued (ADR 0012)."""

    code = "cases.result-licence-failed"


class InspectionInvalid(ValidationFailed):
    """A 现场核查 record that does not fit the item's checklist; ``details`` maps each point
    key to its message and ``details["codes"]`` to a stable per-point code (ADR 0031)."""

    code = "cases.inspection-invalid"


class InspectionMissing(ValidationFailed):
    """An inspection step completed before its 现场核查 record was saved."""

    code = "cases.inspection-missing"


class InspectionNotFound(NotFound):
    code = "cases.inspection-not-found"


class LicenceDraftInvalid(ValidationFailed):
    """A correction of the licence draft names no field of the type, or has no reason."""

    code = "cases.licence-draft-invalid"
