"""Unified output (统一出件): the result reaches the applicant at the receiving centre's
output window (``case_hand_over``: identity checked, signature recorded), by mail
(``case_mail_dispatch``, then ``case_mail_deliver``) or in the portal
(``case_publish_online``) — one service per delivery act; the applicant chooses the
channel (``case_delivery_choose``). Art. 44: within 10 working days of the decision
(``Case.output_due_date``, derived from the log)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.common.actors import Actor
from onewindow.common.redaction import mask_id_number
from onewindow.common.text import StrOrPromise

from .. import actions, lifecycle
from ..codes import ActionKind, CaseStatus, DeliveryChannel
from ..errors import DeliveryInvalid, IdentityNotChecked
from ..models import Case
from ._common import lock_case

K = ActionKind
S = CaseStatus

MAX_SIGNATURE_BYTES = 256 * 1024
PNG_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _field(value: str | None, name: str, label: StrOrPromise, limit: int = 200) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        message = _("请填写%(label)s。") % {"label": label}
        raise DeliveryInvalid(message, details={name: message})
    if len(text) > limit:
        message = _("%(label)s不能超过 %(limit)s 个字。") % {"label": label, "limit": limit}
        raise DeliveryInvalid(message, details={name: message})
    return text


def _signature(value: str | None) -> str:
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


def _locked_for(key: str, *, actor: Actor, case: Case, expected_version: int | None) -> Case:
    # Only the receiving centre's window clerks (else cases.not-found); then a stale page,
    # the status, and the act's own precondition (cases.actions).
    locked = lock_case(case)
    actions.guard(key, actor=actor, case=locked, expected_version=expected_version)
    return locked


@transaction.atomic(durable=True)
def case_hand_over(*, actor: Actor, case: Case, recipient_name: str, recipient_id_number: str,
                   id_checked: bool, signature: str = "", paper_receipt: bool = False,
                   expected_version: int | None = None, now: dt.datetime) -> Case:
    """The result is handed over at the output window → DELIVERED. The clerk checked the
    recipient's ID (``id_checked``); the recipient signs on the pad (``signature``, a PNG
    data URL) or, if they cannot use it, the printed receipt (``paper_receipt``, filed by
    the window). The action keeps the ID number masked."""
    locked = _locked_for("hand_over", actor=actor, case=case,
                         expected_version=expected_version)
    name = _field(recipient_name, "recipient_name", _("领取人姓名"), 100)
    id_number = _field(recipient_id_number, "recipient_id_number", _("领取人证件号码"), 40)
    if id_checked is not True:
        message = _("请先核验领取人的身份证件。")
        raise IdentityNotChecked(message, details={"id_checked": message})
    paper_receipt = paper_receipt is True
    signature = "" if paper_receipt and not signature else _signature(signature)
    lifecycle.transition(
        locked, K.HAND_OVER, actor=actor, now=now, expected_version=expected_version,
        fields={"delivered_at": now, "delivery_channel": DeliveryChannel.PICKUP},
        data={"channel": DeliveryChannel.PICKUP, "recipient_name": name,
              "recipient_id_number": mask_id_number(id_number), "id_checked": True,
              "signature": signature, "paper_receipt": paper_receipt},
    )
    return locked


@transaction.atomic(durable=True)
def case_mail_dispatch(*, actor: Actor, case: Case, carrier: str, tracking_number: str,
                       address: str = "", expected_version: int | None = None,
                       now: dt.datetime) -> Case:
    """The result is mailed (to ``address``, or the address the applicant chose) with
    ``carrier`` and ``tracking_number``; the case stays decided until the delivery is
    recorded (``case_mail_deliver``). Once only."""
    locked = _locked_for("mail_dispatch", actor=actor, case=case,
                         expected_version=expected_version)
    address = _field(address or locked.delivery_address, "address", _("邮寄地址"), 300)
    carrier = _field(carrier, "carrier", _("快递公司"), 50)
    tracking = _field(tracking_number, "tracking_number", _("快递单号"), 50)
    lifecycle.transition(
        locked, K.MAIL_DISPATCH, actor=actor, now=now, expected_version=expected_version,
        fields={"delivery_channel": DeliveryChannel.MAIL, "delivery_address": address},
        data={"channel": DeliveryChannel.MAIL, "address": address, "carrier": carrier,
              "tracking_number": tracking},
    )
    return locked


@transaction.atomic(durable=True)
def case_mail_deliver(*, actor: Actor, case: Case, expected_version: int | None = None,
                      now: dt.datetime) -> Case:
    """The mailed result was received (签收) → DELIVERED. Only after ``case_mail_dispatch``."""
    locked = _locked_for("mail_deliver", actor=actor, case=case,
                         expected_version=expected_version)
    lifecycle.transition(locked, K.MAIL_DELIVER, actor=actor, now=now,
                         expected_version=expected_version, fields={"delivered_at": now},
                         data={"channel": DeliveryChannel.MAIL})
    return locked


@transaction.atomic(durable=True)
def case_publish_online(*, actor: Actor, case: Case, expected_version: int | None = None,
                        now: dt.datetime) -> Case:
    """The result documents are published in the applicant's portal → DELIVERED."""
    locked = _locked_for("publish_online", actor=actor, case=case,
                         expected_version=expected_version)
    lifecycle.transition(
        locked, K.PUBLISH_ONLINE, actor=actor, now=now, expected_version=expected_version,
        fields={"delivered_at": now, "delivery_channel": DeliveryChannel.ELECTRONIC},
        data={"channel": DeliveryChannel.ELECTRONIC},
    )
    return locked


@transaction.atomic(durable=True)
def case_delivery_choose(*, actor: Actor, case: Case, channel: str, address: str = "",
                         now: dt.datetime) -> Case:
    """The applicant (or the window for them) chooses how to receive the result: at the
    window, by mail (with the address) or online. Possible until the result has left."""
    locked = lock_case(case)
    actions.guard("choose_delivery", actor=actor, case=locked)
    if channel not in DeliveryChannel.values:
        message = _("领取方式应为 PICKUP、MAIL 或 ELECTRONIC。")
        raise DeliveryInvalid(message, details={"channel": message})
    mail = channel == DeliveryChannel.MAIL
    address = _field(address, "address", _("邮寄地址"), 300) if mail else ""
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
