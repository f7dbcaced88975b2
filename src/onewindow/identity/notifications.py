"""Notifying people: an in-app inbox always, SMS and e-mail through pluggable backends
(identity.messaging). Apps above identity call ``notify`` from their outbox handlers.

``notify`` is NOT durable: it joins the caller's transaction (an outbox handler's), so
the inbox row commits exactly once with the delivery. SMS/e-mail rows are written in the
same transaction as PENDING and sent after commit; each (account, channel, dedupe_key)
exists once, so a retried event never sends twice. ``dispatch_pending`` retries rows
whose send was lost (process killed between commit and send).
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from onewindow.common.pagination import Page, keyset_page
from onewindow.common.redaction import mask_phone, redact_text

from . import messaging
from .models import Account, InboxMessage, Organisation, OutgoingMessage, Role
from .permissions import register_actions, scope_paths, scope_q

logger = logging.getLogger(__name__)

VIEW_OUTGOING = "identity.view_outgoing_messages"
register_actions({VIEW_OUTGOING: {Role.SYSTEM_ADMIN, Role.HALL_MANAGER, Role.WINDOW_CLERK,
                                  Role.SUPERVISOR}})

CHANNELS = ("inbox", "sms", "email")
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class NotifyResult:
    inbox: InboxMessage | None
    outgoing: list[OutgoingMessage]


def _once(model, lookup: dict, defaults: dict):
    """get-or-create that survives a concurrent insert (savepoint + unique constraint)."""
    found = model.objects.filter(**lookup).first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            return model.objects.create(**lookup, **defaults), True
    except IntegrityError:
        return model.objects.get(**lookup), False


def notify(
    *, account: Account, title: str, body: str, link: str = "", dedupe_key: str,
    channels: tuple[str, ...] = ("inbox", "sms"), email: str = "",
    organisation: Organisation | None = None, now: dt.datetime,
) -> NotifyResult:
    """Tell ``account`` something. Idempotent per (account, dedupe_key) and channel.

    "sms" goes to the account's real-name phone, "email" to ``email`` (accounts have no
    e-mail address of their own yet); a channel without an address is skipped.
    ``organisation`` sends it on that organisation's behalf (whose staff see it on the
    demo SMS page).
    """
    unknown = set(channels) - set(CHANNELS)
    if unknown:
        raise ValueError(f"unknown channels {sorted(unknown)}")
    if not dedupe_key:
        raise ValueError("notify needs a dedupe_key")
    title, body = title[:200], body
    inbox = None
    if "inbox" in channels:
        inbox, _ = _once(InboxMessage, {"account": account, "dedupe_key": dedupe_key},
                         {"title": title, "body": body, "link": link[:500], "created_at": now})
    targets = []
    person = account.person if account.person_id else None
    if "sms" in channels and person is not None and person.phone:
        targets.append((OutgoingMessage.Channel.SMS, person.phone))
    if "email" in channels and email:
        targets.append((OutgoingMessage.Channel.EMAIL, email))
    outgoing = []
    for channel, recipient in targets:
        message, created = _once(
            OutgoingMessage,
            {"account": account, "channel": channel, "dedupe_key": dedupe_key},
            {"recipient": recipient, "subject": title, "body": _sms_text(title, body, channel),
             "backend": messaging.backend_name(channel), "organisation": organisation,
             "created_at": now},
        )
        outgoing.append(message)
        if created:
            message_id = message.pk
            transaction.on_commit(lambda message_id=message_id: _dispatch_safely(message_id))
    return NotifyResult(inbox=inbox, outgoing=outgoing)


def _sms_text(title: str, body: str, channel: str) -> str:
    if channel == OutgoingMessage.Channel.SMS:
        return f"【一网通办】{body}"[:500]
    return body


def _dispatch_safely(message_id: int) -> None:
    try:
        dispatch(message_id=message_id, now=timezone.now())
    except Exception:
        logger.warning("sending message %s failed; dispatch_pending retries it", message_id,
                       exc_info=True)


def dispatch(*, message_id: int, now: dt.datetime) -> bool:
    """Send one PENDING message through its backend; True if sent now.

    The claim (attempts + 1 while still PENDING) and the outcome are separate short
    writes, outside any caller transaction, so a slow gateway holds no locks.
    """
    claimed = OutgoingMessage.objects.filter(
        pk=message_id, status=OutgoingMessage.Status.PENDING, attempts__lt=MAX_ATTEMPTS
    ).update(attempts=F("attempts") + 1)
    if not claimed:
        return False
    message = OutgoingMessage.objects.get(pk=message_id)
    try:
        receipt = messaging.backend_for(message.channel).send(
            recipient=message.recipient, subject=message.subject, body=message.body,
            reference=str(message.pk),
        )
    except Exception as exc:
        final = message.attempts >= MAX_ATTEMPTS
        OutgoingMessage.objects.filter(pk=message_id).update(
            status=OutgoingMessage.Status.FAILED if final else OutgoingMessage.Status.PENDING,
            error=redact_text(f"{type(exc).__name__}: {exc}")[:2000],
        )
        raise
    OutgoingMessage.objects.filter(pk=message_id).update(
        status=OutgoingMessage.Status.SENT, sent_at=now, provider_id=receipt[:100], error=""
    )
    return True


def dispatch_pending(*, now: dt.datetime, older_than_seconds: int = 60, limit: int = 200) -> int:
    """Send PENDING messages whose after-commit send was lost; safe to run anywhere."""
    ids = list(
        OutgoingMessage.objects.filter(
            status=OutgoingMessage.Status.PENDING, attempts__lt=MAX_ATTEMPTS,
            created_at__lte=now - dt.timedelta(seconds=older_than_seconds),
        ).order_by("created_at", "id").values_list("id", flat=True)[:limit]
    )
    sent = 0
    for message_id in ids:
        try:
            sent += dispatch(message_id=message_id, now=now)
        except Exception:
            logger.warning("retry of message %s failed", message_id, exc_info=True)
    return sent


# --- the inbox --------------------------------------------------------------------------


def inbox(*, account: Account, unread_only: bool = False, cursor: str | None = None,
          limit: int = 20) -> Page:
    """The account's inbox, newest first (keyset-paginated)."""
    qs = InboxMessage.objects.filter(account=account)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return keyset_page(qs, order=["-created_at", "-id"], cursor=cursor, limit=limit)


def unread_count(*, account: Account) -> int:
    return InboxMessage.objects.filter(account=account, read_at__isnull=True).count()


def mark_read(*, account: Account, message_ids: list[int] | None = None,
              now: dt.datetime) -> int:
    """Mark the given (or all) unread messages of ``account`` read; returns how many."""
    qs = InboxMessage.objects.filter(account=account, read_at__isnull=True)
    if message_ids is not None:
        qs = qs.filter(pk__in=message_ids)
    return qs.update(read_at=now)


# --- the demo SMS page ------------------------------------------------------------------


@dataclass(frozen=True)
class OutgoingView:
    id: int
    channel: str
    channel_label: str
    recipient: str  # masked
    subject: str
    body: str
    status: str
    status_label: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


def can_view_outgoing(*, viewer) -> bool:
    """The page exists only while the demo SMS backend is the configured one (with a
    real gateway the messages went out, and the page would only leak them), and only for
    staff allowed to read it somewhere."""
    return messaging.demo_sms_configured() and bool(scope_paths(viewer, VIEW_OUTGOING))


def outgoing_messages(*, viewer, channel: str | None = None, cursor: str | None = None,
                      limit: int = 50) -> Page:
    """Sent SMS / e-mail, newest first, recipients masked: those sent on behalf of the
    organisations where the viewer may read the demo gateway
    (``identity.view_outgoing_messages``); others see an empty page."""
    if not can_view_outgoing(viewer=viewer):
        return Page(items=[], next_cursor=None)
    qs = OutgoingMessage.objects.filter(scope_q(viewer, VIEW_OUTGOING))
    if channel:
        qs = qs.filter(channel=channel)
    page = keyset_page(qs, order=["-created_at", "-id"], cursor=cursor, limit=limit)
    items = [
        OutgoingView(
            id=m.pk, channel=m.channel, channel_label=m.get_channel_display(),
            recipient=_mask_recipient(m.channel, m.recipient), subject=m.subject,
            body=redact_text(m.body), status=m.status, status_label=m.get_status_display(),
            created_at=m.created_at, sent_at=m.sent_at,
        )
        for m in page.items
    ]
    return Page(items=items, next_cursor=page.next_cursor)


def _mask_recipient(channel: str, recipient: str) -> str:
    if channel == OutgoingMessage.Channel.SMS:
        return mask_phone(recipient)
    name, _, domain = recipient.partition("@")
    return (name[:1] + "***@" + domain) if domain else "***"


__all__ = ["dispatch", "dispatch_pending", "inbox", "mark_read", "notify",
           "outgoing_messages", "unread_count"]
