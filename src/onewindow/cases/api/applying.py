"""Applying: start and save a draft, submit an application (once per idempotency key)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Status

from onewindow.common.schemas import errors

from .. import selectors, services
from ..errors import CaseInvalid
from .base import detail, legal_person, router
from .schemas import CaseOut, DraftIn, DraftSaveIn, SubmitIn


@router.post("/drafts", operation_id="case_draft_create",
             response={201: CaseOut, **errors(401, 403, 422)})
def case_draft_create(request, body: DraftIn):
    """Start a draft application for an item (form prefilled from the account)."""
    now = timezone.now()
    case = services.case_draft_save(
        actor=request.auth, implementation_code=body.implementation_code,
        form_data=body.form_data,
        applicant_legal=legal_person(request, body.applicant_legal_credit_code),
        now=now,
    )
    return Status(201, detail(request, str(case.pk), now))


@router.put("/drafts/{draft_id}", operation_id="case_draft_save",
            response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_draft_save(request, draft_id: int, body: DraftSaveIn):
    now = timezone.now()
    draft = selectors.access_case(actor=request.auth, ref=draft_id)
    case = services.case_draft_save(
        actor=request.auth, case=draft, form_data=body.form_data,
        applicant_legal=legal_person(request, body.applicant_legal_credit_code), now=now,
    )
    return detail(request, str(case.pk), now)



@router.post("", operation_id="case_submit",
             response={201: CaseOut, 200: CaseOut, **errors(401, 403, 404, 409, 422)})
def case_submit(request, body: SubmitIn):
    """Submit a draft (``draft_id``) or a new application in one step. Needs an
    idempotency key (body ``idempotency_key`` or header ``Idempotency-Key``): repeating
    the request returns the same case (200) and never a second number."""
    key = body.idempotency_key or request.headers.get("Idempotency-Key", "")
    if not key.strip():
        message = _("请提供幂等键（Idempotency-Key），以免重复提交。")
        raise CaseInvalid(message, details={"idempotency_key": message})
    now = timezone.now()
    existing = selectors.submitted_with_key(actor=request.auth, key=key)
    draft = (selectors.access_case(actor=request.auth, ref=body.draft_id)
             if body.draft_id is not None else None)
    case = services.case_submit(
        actor=request.auth, idempotency_key=key, case=draft,
        implementation_code=body.implementation_code, form_data=body.form_data,
        applicant_legal=legal_person(request, body.applicant_legal_credit_code),
        expected_version=body.version, now=now,
    )
    return Status(200 if existing else 201, detail(request, case.number, now))
