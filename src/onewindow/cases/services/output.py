"""Unified output (统一出件): the result reaches the applicant at the receiving centre's
output window (identity checked, signature recorded), by mail (dispatched, then
delivered) or in the portal; the applicant chooses the channel. Art. 44: within 10
working days of the decision (``Case.output_due_date``, derived from the log)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.common.redaction import mask_id_number

from .. import actions, lifecycle
from ..codes import ActionKind, CaseStatus, DeliveryChannel
from ..errors import DeliveryInvalid, IdentityNotChecked, InvalidTransition
from ..models import Case
from ._common import lock_case

K = ActionKind
S = CaseStatus

MAX_SIGNATURE_BYTES = 256 * 1024
PNG_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_DETAILS = {
    DeliveryChannel.PICKUP: {"recipient_name", "recipient_id_number", "id_checked",
                             "signature", "paper_receipt"},
    DeliveryChannel.MAIL: {"address", "carrier", "tracking_number", "event"},
    DeliveryChannel.ELECTRONIC: set(),
}


def _field(details: dict, name: str, label: str, limit: int = 200) -> str:
    value = " ".join(str(details.get(name) or "").split())
    if not value:
        message = _("请填写%(label)s。") % {"label": label}
        raise DeliveryInvalid(message, details={name: message})
    if len(value) > limit:
        message = _("%(label)s不能超过 %(limit)s 个字。") % {"label": label, "limit": limit}
        raise DeliveryInvalid(message, details={name: message})
    return value


def _signature(value) -> str:
    text = str(value or "")
    if not text.startswith(PNG_PREFIX):
        message = _("请让领取人在签名板上签名，或在纸质回执上签字后勾选“已签纸质回执”。")
        raise DeliveryInvalid(message, details={"signature": message})
    try:
        raw = base64.b64decode(text[len(PNG_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if not raw.startswith(PNG_MAGIC) or len(raw) > MAX_SIGNATURE_BYTES:
        message = _("签名图片无效（须为 PNG，且不超过 256 KB）。")
        raise DeliveryInvalid(message, details={"signature": message})
    return text


def _mail_dispatched(case: Case) -> bool:
    return case.actions.filter(kind=K.MAIL_DISPATCH).exists()


@transaction.atomic(durable=True)
def case_deliver(*, actor, case, channel: str, expected_version: int | None = None,
                 now: dt.datetime, **details: Any) -> Case:
    """Hand the result to the applicant.

    - ``PICKUP``: ``recipient_name``, ``recipient_id_number``, ``id_checked=True`` and
      ``signature`` (a PNG data URL from the signature pad) or, for a recipient who cannot
      use the pad, ``paper_receipt=True`` (they signed the printed receipt, which the
      window files) → DELIVERED.
    - ``MAIL``: ``address``, ``carrier``, ``tracking_number`` → dispatched; a second call
      with ``event="DELIVERED"`` records the delivery → DELIVERED.
    - ``ELECTRONIC``: the documents are published in the portal → DELIVERED.
    Only the receiving centre's window clerks (else cases.not-found)."""
    locked = lock_case(case)
    actions.guard("deliver", actor=actor, case=locked, expected_version=expected_version)
    if channel not in DeliveryChannel.values:
        message = _("送达方式应为 PICKUP、MAIL 或 ELECTRONIC。")
        raise DeliveryInvalid(message, details={"channel": message})
    unknown = set(details) - _DETAILS[channel]
    if unknown:
        message = _("该送达方式不接受这些信息：%(unknown)s。") % {
            "unknown": "、".join(sorted(unknown))
        }
        raise DeliveryInvalid(message, details={"unknown": sorted(unknown)})
    if channel == DeliveryChannel.PICKUP:
        lifecycle.check(locked, K.HAND_OVER, expected_version=expected_version)
        name = _field(details, "recipient_name", _("领取人姓名"), 100)
        id_number = _field(details, "recipient_id_number", _("领取人证件号码"), 40)
        if details.get("id_checked") is not True:
            message = _("请先核验领取人的身份证件。")
            raise IdentityNotChecked(message, details={"id_checked": message})
        paper_receipt = details.get("paper_receipt") is True
        signature = "" if paper_receipt and not details.get("signature") else _signature(
            details.get("signature"))
        lifecycle.transition(
            locked, K.HAND_OVER, actor=actor, now=now, expected_version=expected_version,
            fields={"delivered_at": now, "delivery_channel": DeliveryChannel.PICKUP},
            data={"channel": channel, "recipient_name": name,
                  "recipient_id_number": mask_id_number(id_number), "id_checked": True,
                  "signature": signature, "paper_receipt": paper_receipt},
        )
    elif channel == DeliveryChannel.MAIL:
        event = str(details.get("event") or "DISPATCHED").upper()
        if event == "DELIVERED":
            lifecycle.check(locked, K.MAIL_DELIVER, expected_version=expected_version)
            if not _mail_dispatched(locked):
                raise InvalidTransition(_("结果尚未寄出，不能登记签收。"))
            lifecycle.transition(locked, K.MAIL_DELIVER, actor=actor, now=now,
                                 expected_version=expected_version,
                                 fields={"delivered_at": now}, data={"channel": channel})
        elif event == "DISPATCHED":
            lifecycle.check(locked, K.MAIL_DISPATCH, expected_version=expected_version)
            if _mail_dispatched(locked):
                raise InvalidTransition(_("结果已经寄出，请登记签收。"))
            address = _field({"address": details.get("address") or locked.delivery_address},
                             "address", _("邮寄地址"), 300)
            carrier = _field(details, "carrier", _("快递公司"), 50)
            tracking = _field(details, "tracking_number", _("快递单号"), 50)
            lifecycle.transition(
                locked, K.MAIL_DISPATCH, actor=actor, now=now,
                expected_version=expected_version,
                fields={"delivery_channel": DeliveryChannel.MAIL, "delivery_address": address},
                data={"channel": channel, "address": address, "carrier": carrier,
                      "tracking_number": tracking},
            )
        else:
            message = _("邮寄事件应为 DISPATCHED 或 DELIVERED。")
            raise DeliveryInvalid(message, details={"event": message})
    else:
        lifecycle.transition(
            locked, K.PUBLISH_ONLINE, actor=actor, now=now, expected_version=expected_version,
            fields={"delivered_at": now, "delivery_channel": DeliveryChannel.ELECTRONIC},
            data={"channel": channel},
        )
    return locked


@transaction.atomic(durable=True)
def case_delivery_choose(*, actor, case, channel: str, address: str = "",
                         now: dt.datetime) -> Case:
    """The applicant (or the window for them) chooses how to receive the result: at the
    window, by mail (with the address) or online. Possible until the result has left."""
    locked = lock_case(case)
    actions.guard("choose_delivery", actor=actor, case=locked)
    if channel not in DeliveryChannel.values:
        message = _("领取方式应为 PICKUP、MAIL 或 ELECTRONIC。")
        raise DeliveryInvalid(message, details={"channel": message})
    address = " ".join((address or "").split())
    if channel == DeliveryChannel.MAIL:
        address = _field({"address": address}, "address", _("邮寄地址"), 300)
    else:
        address = ""
    lifecycle.transition(
        locked, K.CHOOSE_DELIVERY, actor=actor, now=now,
        fields={"delivery_channel": channel, "delivery_address": address},
        data={"channel": channel, "address": address},
    )
    if channel == DeliveryChannel.ELECTRONIC and locked.status in (S.APPROVED, S.DENIED):
        # Already decided and waiting at the output window: publish it now, as a decision
        # made after the choice would have been.
        lifecycle.transition(
            locked, K.PUBLISH_ONLINE, actor=None, now=now, fields={"delivered_at": now},
            data={"channel": DeliveryChannel.ELECTRONIC},
        )
    return locked
