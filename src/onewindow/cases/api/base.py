"""The cases router and what its routes share: shaping a case into ``CaseOut``. Every route
that names a case reaches it through ``selectors.access_case`` first (404 for missing and
forbidden alike)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router

from onewindow.common.redaction import redact_text
from onewindow.identity.models import LegalPerson

from .. import selectors
from ..deadlines import local_date
from ..errors import CaseInvalid
from .schemas import ClockOut

router = Router(tags=["cases"])


def clock_out(clock) -> dict:
    return {k: getattr(clock, k) for k in ClockOut.model_fields}


def row_out(row) -> dict:
    return {
        "id": row.case.pk, "number": row.number, "item_name": row.item_name,
        "organisation": row.organisation_name, "centre": row.centre_name,
        "applicant_name": row.applicant_name, "applicant_legal_name": row.applicant_legal_name,
        "status": row.status, "status_label": row.status_label, "channel": row.channel,
        "proxy": row.proxy, "received_at": row.received_at,
        "correction_rounds": row.correction_rounds, "handling_type": row.handling_type,
        "promised_due_date": row.promised_due_date, "lock_version": row.lock_version,
        "clock": clock_out(row.clock),
    }


def case_out(request, case, now: dt.datetime) -> dict:
    actor = request.auth
    applicant = selectors.applicant_view(viewer=actor, case=case)
    form = dict(case.form_data or {})
    if applicant.masked:
        form = {k: redact_text(str(v)) for k, v in form.items()}
    expected = selectors.expected_of_applicant(case=case)
    return {
        "id": case.pk, "number": case.number, "status": case.status,
        "query_code": case.query_code if case.number else None,
        "status_label": case.get_status_display(),
        "implementation_code": case.implementation.code, "item_name": case.version.name,
        "version": case.version.number, "handling_type": case.version.handling_type,
        "organisation": case.organisation.name, "centre": case.centre.name,
        "channel": case.channel, "proxy": case.proxy,
        "applicant": applicant.__dict__, "form_data": form, "created_at": case.created_at,
        "submitted_at": case.submitted_at, "received_at": case.received_at,
        "accepted_at": case.accepted_at, "acceptance_basis": case.acceptance_basis,
        "deadlines": {
            "acceptance_due_date": case.acceptance_due_date,
            "promised_due_date": case.promised_due_date,
            "legal_due_date": case.legal_due_date,
            "tolerance_due_date": case.tolerance_due_date,
            "provisional": case.deadlines_provisional,
        },
        "clock": clock_out(selectors.acceptance_clock(case, today=local_date(now))),
        "correction_rounds": case.correction_rounds, "lock_version": case.lock_version,
        "decided_at": case.decided_at, "output_due_date": case.output_due_date,
        "delivery_channel": case.delivery_channel,
        "delivery_channel_label": case.get_delivery_channel_display(),
        "delivery_address": (redact_text(case.delivery_address) if applicant.masked
                             else case.delivery_address),
        "delivered_at": case.delivered_at,
        "materials": [
            {**m.__dict__, "files": [f.__dict__ for f in m.files]}
            for m in selectors.materials_of(case=case)
        ],
        "expected": expected.__dict__,
        "allowed_actions": selectors.allowed_actions(actor=actor, case=case),
        "notices": [n.__dict__ for n in selectors.notices_of(case=case)] if case.number else [],
    }


def legal_person(request, credit_code: str) -> LegalPerson | None:
    code = (credit_code or "").strip().upper()
    if not code:
        return None
    legal = LegalPerson.objects.filter(credit_code=code).first()
    if legal is None:
        message = _("您没有代表该单位办理业务的授权。")
        raise CaseInvalid(message, details={"applicant_legal_credit_code": message})
    return legal


def detail(request, ref: str, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    case = selectors.access_case(actor=request.auth, ref=ref)
    return case_out(request, case, now)

