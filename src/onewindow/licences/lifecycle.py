"""The lifecycle of a licence: one table of status moves, run by the kernel mechanism
(common.lifecycle). Nothing else assigns ``Licence.status`` or ``status_reason``; each
move appends a ``LicenceAction`` (who, when, from, to, why), audits and publishes.

    注销 REVOKE      VALID → REVOKED
    换发 SUPERSEDE   VALID → SUPERSEDED (a newer version was issued)

Expiry is not a move: a VALID licence past its 有效期截止日期 is expired by date.
"""

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import audit_record
from onewindow.common.lifecycle import Lifecycle, Move
from onewindow.events.services import publish

from . import events
from .errors import InvalidTransition, LicenceConflict, ReasonTooLong
from .models import Licence, LicenceAction

Status = Licence.Status
Kind = LicenceAction.Kind
SUBJECT_TYPE = "licences.licence"
# The reason is kept whole in the log and, as the latest one, in ``status_reason``.
_REASON_LENGTH = Licence.status_reason.field.max_length
if _REASON_LENGTH is None:  # the column is bounded, and a reason is refused, never cut
    raise ImproperlyConfigured("Licence.status_reason needs a max_length")
REASON_MAX_CHARS: int = _REASON_LENGTH

TRANSITIONS: dict[str, Move] = {
    Kind.REVOKE: Move(frozenset({Status.VALID}), Status.REVOKED, events.LICENCE_REVOKED),
    Kind.SUPERSEDE: Move(frozenset({Status.VALID}), Status.SUPERSEDED,
                         events.LICENCE_SUPERSEDED),
}


def _refusal(licence: Licence, kind: str) -> str:
    target = TRANSITIONS[kind].target
    return f"证照当前状态为{licence.get_status_display()}，不能变更为{Status(target).label}。"


LIFECYCLE = Lifecycle(
    model=Licence, moves=TRANSITIONS, subject_type=SUBJECT_TYPE, conflict=LicenceConflict,
    invalid_transition=InvalidTransition, audit=audit_record, publish=publish,
    audit_prefix="licences.licence", stamp_field="status_changed_at",
    action_model=LicenceAction, action_subject="licence", action_kind="kind",
    payload=lambda licence, _action: {
        "identifier": licence.identifier, "type_code": licence.type_code,
        "issuer_code": licence.issuer_code},
    refusal=_refusal, settable=frozenset({"status_reason"}),
    conflict_message="证照状态已被他人变更，请刷新后重试。",
)


def check(licence: Licence, kind: str) -> None:
    """Raise ``InvalidTransition`` unless the table allows ``kind`` from the licence's
    status (for services that must know before they build anything)."""
    LIFECYCLE.check(licence, kind)


def can(licence: Licence, kind: str) -> bool:
    return LIFECYCLE.can(licence, kind)


def can_annotate(licence: Licence) -> bool:
    """An annotation (加注) issues the licence again with the note and supersedes this
    one, so it is allowed exactly when the licence may be superseded."""
    return LIFECYCLE.can(licence, Kind.SUPERSEDE)


def transition(licence: Licence, kind: str, *, actor, reason: str, now, payload=None):
    """Move ``licence`` by ``kind`` (the caller holds its row lock); the reason is kept in
    the log and, as the latest one, in ``status_reason`` for the pages. A reason longer
    than the column is refused (``ReasonTooLong``), never cut."""
    if len(reason) > REASON_MAX_CHARS:
        message = _("理由不能超过 %(reason_max_chars)s 个字（现为 %(reason_count)s 个字）。") % {
            "reason_max_chars": REASON_MAX_CHARS,
            "reason_count": len(reason),
        }
        raise ReasonTooLong(message, details={"reason": message,
                                              "max_length": REASON_MAX_CHARS})
    return LIFECYCLE.transition(
        licence, kind, actor=actor, now=now, reason=reason,
        fields={"status_reason": reason},
        after={"identifier": licence.identifier},
        payload={"reason": reason, **(payload or {})},
    )
