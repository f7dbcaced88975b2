"""Unified output (统一出件): one route per delivery act (hand-over at the window, mail
dispatched, mail delivered, online publication), the applicant's choice of channel and
the output window's queue. ``POST /{ref}/deliver`` (one body for every channel) stays for
the clients written against it, as a deprecated route over the same services."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.common.schemas import errors

from .. import selectors, services
from ..codes import DeliveryChannel
from ..deadlines import local_date
from ..errors import DeliveryInvalid
from .base import detail, router
from .schemas import (
    CaseOut,
    DeliverIn,
    DeliveryActIn,
    DeliveryChoiceIn,
    HandOverIn,
    MailDispatchIn,
    OutputPageOut,
)


@router.post("/{ref}/hand-over", operation_id="case_hand_over",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_hand_over(request, ref: str, body: HandOverIn):
    """窗口领取: the recipient's name and ID number, ``id_checked: true`` once the clerk saw
    the ID, and a signature (PNG data URL) or ``paper_receipt: true`` → DELIVERED."""
    now = timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    case = services.case_hand_over(
        actor=request.auth, case=case, recipient_name=body.recipient_name,
        recipient_id_number=body.recipient_id_number, id_checked=body.id_checked,
        signature=body.signature, paper_receipt=body.paper_receipt,
        expected_version=body.version, now=now)
    return detail(request, case.number, now)


@router.post("/{ref}/mail-dispatch", operation_id="case_mail_dispatch",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_mail_dispatch(request, ref: str, body: MailDispatchIn):
    """邮寄发出: carrier and tracking number (address: the applicant's unless given); the
    case waits for ``mail-delivered``."""
    now = timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    case = services.case_mail_dispatch(
        actor=request.auth, case=case, carrier=body.carrier,
        tracking_number=body.tracking_number, address=body.address,
        expected_version=body.version, now=now)
    return detail(request, case.number, now)


@router.post("/{ref}/mail-delivered", operation_id="case_mail_deliver",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_mail_deliver(request, ref: str, body: DeliveryActIn):
    """邮件签收: the mailed result was received → DELIVERED."""
    now = timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    case = services.case_mail_deliver(actor=request.auth, case=case,
                                      expected_version=body.version, now=now)
    return detail(request, case.number, now)


@router.post("/{ref}/publish-online", operation_id="case_publish_online",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_publish_online(request, ref: str, body: DeliveryActIn):
    """网上送达: the result documents are published in the applicant's portal → DELIVERED."""
    now = timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    case = services.case_publish_online(actor=request.auth, case=case,
                                        expected_version=body.version, now=now)
    return detail(request, case.number, now)


_DELIVER_FIELDS: dict[str, set[str]] = {
    DeliveryChannel.PICKUP: {"recipient_name", "recipient_id_number", "id_checked",
                             "signature", "paper_receipt"},
    DeliveryChannel.MAIL: {"address", "carrier", "tracking_number", "event"},
    DeliveryChannel.ELECTRONIC: set(),
}


def _deliver_by_channel(request, case, body: DeliverIn, now):
    """The deprecated one-body route, read as the delivery act it names."""
    if body.channel not in DeliveryChannel.values:
        message = _("送达方式应为 PICKUP、MAIL 或 ELECTRONIC。")
        raise DeliveryInvalid(message, details={"channel": message})
    given = {k for k, v in body.dict().items() if k not in ("channel", "version")
             and v is not None}
    unknown = given - _DELIVER_FIELDS[body.channel]
    if unknown:
        message = _("该送达方式不接受这些信息：%(unknown)s。") % {
            "unknown": "、".join(sorted(unknown))
        }
        raise DeliveryInvalid(message, details={"unknown": sorted(unknown)})
    act = {"actor": request.auth, "case": case, "expected_version": body.version, "now": now}
    if body.channel == DeliveryChannel.PICKUP:
        return services.case_hand_over(
            **act, recipient_name=body.recipient_name or "",
            recipient_id_number=body.recipient_id_number or "",
            id_checked=body.id_checked is True, signature=body.signature or "",
            paper_receipt=body.paper_receipt is True)
    if body.channel == DeliveryChannel.ELECTRONIC:
        return services.case_publish_online(**act)
    event = (body.event or "DISPATCHED").upper()
    if event == "DELIVERED":
        return services.case_mail_deliver(**act)
    if event != "DISPATCHED":
        message = _("邮寄事件应为 DISPATCHED 或 DELIVERED。")
        raise DeliveryInvalid(message, details={"event": message})
    return services.case_mail_dispatch(**act, carrier=body.carrier or "",
                                       tracking_number=body.tracking_number or "",
                                       address=body.address or "")


@router.post("/{ref}/deliver", operation_id="case_deliver", deprecated=True,
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_deliver(request, ref: str, body: DeliverIn):
    """Deprecated: use ``hand-over``, ``mail-dispatch``, ``mail-delivered`` or
    ``publish-online``. PICKUP (recipient_name, recipient_id_number, id_checked, and a
    signature or ``paper_receipt: true``), MAIL (address, carrier, tracking_number; then
    ``event=DELIVERED``) or ELECTRONIC."""
    now = timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    case = _deliver_by_channel(request, case, body, now)
    return detail(request, case.number, now)


@router.post("/{ref}/delivery-choice", operation_id="case_delivery_choose",
             response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_delivery_choose(request, ref: str, body: DeliveryChoiceIn):
    """The applicant chooses how to receive the result: PICKUP, MAIL (with address),
    ELECTRONIC."""
    now = timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    case = services.case_delivery_choose(actor=request.auth, case=case,
                                         channel=body.channel, address=body.address, now=now)
    return detail(request, case.number, now)



@router.get("/output-queue", operation_id="output_queue",
            response={200: OutputPageOut, **errors(401, 422)})
def output_queue(request, cursor: str | None = None, limit: int = 50):
    """Decided cases waiting at my output window(s), soonest Art. 44 deadline first, a page
    at a time (``next_cursor``), with the number waiting in all."""
    page = selectors.output_queue_page(actor=request.auth, today=local_date(timezone.now()),
                                       cursor=cursor, limit=limit)
    return {"items": [{k: v for k, v in row.__dict__.items()
                       if k not in ("case", "delivery_address")} for row in page.rows],
            "next_cursor": page.next_cursor, "total": page.total}
