"""Errors of the audit log."""

from onewindow.common.errors import ApplicationError


class AuditImmutable(ApplicationError):
    """Audit rows are evidence: once written they are never changed or removed."""

    code = "audit.immutable"
    http_status = 409


class AuditChainHeadMissing(ApplicationError):
    """The chain head is gone while audit rows exist: someone tampered with the table."""

    code = "audit.chain-head-missing"
    http_status = 500
