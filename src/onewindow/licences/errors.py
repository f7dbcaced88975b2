"""Errors of the licence library, each with a stable code."""

from onewindow.common.errors import ApplicationError, Conflict, NotFound, ValidationFailed

from .identifiers import InvalidIdentifier

__all__ = [
    "HolderMismatch",
    "InvalidFields",
    "InvalidIdentifier",
    "InvalidTransition",
    "IssuerNotAllowed",
    "LicenceConflict",
    "LicenceNotFound",
    "LicenceTypeNotFound",
    "PurposeRequired",
    "ReasonTooLong",
    "ShareNotFound",
    "SigningUnavailable",
]


class LicenceNotFound(NotFound):
    """Missing and not visible to the caller look the same."""

    code = "licences.not-found"


class LicenceTypeNotFound(NotFound):
    code = "licences.type-not-found"


class ShareNotFound(NotFound):
    code = "licences.share-not-found"


class InvalidFields(ValidationFailed):
    code = "licences.invalid-fields"


class HolderMismatch(ValidationFailed):
    code = "licences.holder-mismatch"


class IssuerNotAllowed(ValidationFailed):
    code = "licences.issuer-not-allowed"


class PurposeRequired(ValidationFailed):
    code = "licences.purpose-required"


class ReasonTooLong(ValidationFailed):
    code = "licences.reason-too-long"


class InvalidTransition(Conflict):
    code = "licences.invalid-transition"


class LicenceConflict(Conflict):
    code = "licences.conflict"


class SigningUnavailable(ApplicationError):
    code = "licences.signing-unavailable"
    http_status = 500
