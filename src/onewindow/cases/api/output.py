"""Unified output (统一出件): delivering the result, the applicant's choice of channel and
the output window's queue."""

from django.utils import timezone

from onewindow.common.schemas import errors

from .. import selectors, services
from ..deadlines import local_date
from .base import case_in_scope, detail, router
from .schemas import CaseOut, DeliverIn, DeliveryChoiceIn, OutputPageOut


@router.post("/{ref}/deliver", operation_id="case_deliver",
             response={200: CaseOut, **errors(401, 404, 409, 422)})
def case_deliver(request, ref: str, body: DeliverIn):
    """统一出件: PICKUP (recipient_name, recipient_id_number, id_checked, and a signature as
    a PNG data URL or ``paper_receipt: true``), MAIL (address, carrier, tracking_number;
    then ``event=DELIVERED``) or ELECTRONIC."""
    now = timezone.now()
    details = {k: v for k, v in body.dict().items()
               if k not in ("channel", "version") and v is not None}
    case = services.case_deliver(actor=request.auth, case=case_in_scope(request, ref),
                                 channel=body.channel, expected_version=body.version, now=now,
                                 **details)
    return detail(request, case.number, now)


@router.post("/{ref}/delivery-choice", operation_id="case_delivery_choose",
             response={200: CaseOut, **errors(401, 404, 409, 422)})
def case_delivery_choose(request, ref: str, body: DeliveryChoiceIn):
    """The applicant chooses how to receive the result: PICKUP, MAIL (with address),
    ELECTRONIC."""
    now = timezone.now()
    case = services.case_delivery_choose(actor=request.auth, case=case_in_scope(request, ref),
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
