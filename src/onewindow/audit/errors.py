"""Errors of the audit log."""

from onewindow.common.errors import ApplicationError


class AuditImmutable(ApplicationError):
    """Audit rows are evidence: once written they are never changed or removed."""

    code = "audit.immutable"
    http_status = 409


class AuditKeyMissing(ApplicationError):
    """The checkpoint signing key (a file outside the database) is not there."""

    code = "audit.key-missing"
    http_status = 500


class AuditRowNotSealed(ApplicationError):
    """An inclusion proof was asked for a row no checkpoint covers (yet)."""

    code = "audit.row-not-sealed"
    http_status = 404
