"""Errors of the identity domain, each with a stable code."""

from onewindow.common.errors import ApplicationError, Conflict, NotFound, ValidationFailed


class InvalidCredentials(ApplicationError):
    code = "identity.invalid-credentials"
    http_status = 401


class AccountLocked(ApplicationError):
    code = "identity.account-locked"
    http_status = 423


class InvalidToken(ApplicationError):
    code = "identity.invalid-token"
    http_status = 401


class InvalidIdentifier(ValidationFailed):
    code = "identity.invalid-identifier"


class AlreadyRegistered(Conflict):
    code = "identity.already-registered"


class OrganisationNotFound(NotFound):
    code = "identity.organisation-not-found"
