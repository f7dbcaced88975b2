"""Submission (online and at the window, once per idempotency key; materials the
applicant's electronic licences supply are satisfied then, 免证办, see ``licensing``)
and withdrawal."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from onewindow.catalog import forms
from onewindow.catalog.codes import MaterialRequirement
from onewindow.common.actors import Actor
from onewindow.common.errors import ApplicationError
from onewindow.identity.models import LegalPerson

from ... import actions, lifecycle, numbering, permissions
from ... import answers as answers_mod
from ...applications import application_form, clean_form
from ...codes import ActionKind, CaseStatus, MaterialState
from ...errors import (
    CaseInvalid,
    MaterialsIncomplete,
)
from ...models import Case, CaseMaterial
from .._common import ensure_item_active, lock_case, require_reason
from ..licensing import case_materials, satisfy_materials_from_licences_inner
from .drafts import _case_draft_save_inner

K = ActionKind
S = CaseStatus


MAX_IDEMPOTENCY_KEY = 64


def _clean_key(key: str | None) -> str:
    key = (key or "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY:
        message = _("幂等键不能超过 %(max_idempotency_key)s 个字符。") % {
            "max_idempotency_key": MAX_IDEMPOTENCY_KEY
        }
        raise CaseInvalid(message, details={"idempotency_key": message})
    return key


def _existing(actor, key: str) -> Case | None:
    if not key or not getattr(actor, "pk", None):
        return None
    return Case.objects.filter(submitted_by=actor, idempotency_key=key).first()


def _missing_required(materials: list[CaseMaterial]) -> list[CaseMaterial]:
    # A 可容缺 material may be missing at submission: the window then accepts with 容缺
    # (the applicant supplies it within the catalog's period) or asks for it.
    return [
        m for m in materials
        if m.requirement == MaterialRequirement.REQUIRED and not m.tolerance_allowed
        and m.state in (MaterialState.MISSING, MaterialState.DEFECTIVE)
    ]


def _full_answers(case: Case, materials: list[CaseMaterial]) -> dict[str, Any]:
    """The answers as submitted: those of fields hidden by a condition dropped, the rest
    checked in full (required fields, cross-field rules) in Python, no query of its own
    for a version with its own form (ADR 0028 ceilings)."""
    stored = case.answers or {}
    if not case.version.form and not stored:
        return {}  # the generic form has no required field: nothing to check
    definition = (forms.parse_definition(case.version.form) if case.version.form
                  else forms.generic_definition(materials))
    visible = forms.visible_answers(definition, stored)
    try:
        return forms.validate_answers(definition, visible, partial=False,
                                      locked=answers_mod.locked_values(case),
                                      material_ids={m.pk for m in materials})
    except forms.AnswersInvalid as exc:
        raise answers_mod.invalid(exc) from None


def _submit(*, actor, case: Case, key: str, proxy: bool, window: bool,
            expected_version: int | None, now: dt.datetime) -> Case:
    ensure_item_active(case)
    fields = application_form(version=case.version, person=case.applicant_person,
                              legal_person=case.applicant_legal)
    form = clean_form(fields, case.form_data, partial=False)
    # Stale page or wrong status: say so before anything is allocated or logged.
    lifecycle.check(case, K.SUBMIT, expected_version=expected_version)
    # Read once (the case row is locked, so they cannot change meanwhile): the answers'
    # file references, 免证办, the completeness check and the action row all use this list.
    materials = case_materials(case)
    answers = _full_answers(case, materials)
    # The number first: 免证办 logs the use of each licence under it. If a check below
    # fails, the whole submission (number, materials, usage log) rolls back.
    number = numbering.allocate(implementation=case.implementation, now=now)
    case.number = number
    from_licences = satisfy_materials_from_licences_inner(case=case, actor=actor, now=now,
                                                          materials=materials)
    if not window:
        missing = _missing_required(materials)
        if missing:
            names = "、".join(m.name for m in missing)
            raise MaterialsIncomplete(
                _("请先上传必要材料：%(names)s。") % {"names": names},
                details={"materials": {str(m.pk): _("请上传该材料。") for m in missing}},
            )
    lifecycle.transition(
        case, K.SUBMIT, actor=actor, now=now, expected_version=expected_version,
        fields={"number": number, "submitted_at": now, "received_at": now,
                "submitted_by": actor if getattr(actor, "pk", None) else None,
                "idempotency_key": key, "proxy": proxy, "form_data": form,
                "answers": answers},
        data={"number": number, "channel": case.channel, "proxy": proxy,
              "version": case.version.number,
              "materials": [{"id": m.pk, "name": m.name, "state": m.state}
                            for m in materials],
              "licences": [{"material": m.pk, "name": m.name,
                            "identifier": m.licence.identifier}
                           for m in from_licences]},
    )
    return case


def _submit_idempotent(inner, *, actor, key: str):
    """Run ``inner`` in its own durable transaction; if a request with the same
    idempotency key submitted first (a double tap, a retry after a timeout, a race), return
    the case that request created.

    The key is not looked up first: a repeated request finds its draft already submitted
    (a conflict) or the key taken (the unique constraint), rolls back and then reads the
    earlier case, so a first submission, by far the common one, costs no extra read."""
    try:
        with transaction.atomic(durable=True):
            return inner()
    except (IntegrityError, ApplicationError):
        # The twin request (a double tap, a retry after a timeout) may have submitted the
        # same draft first: then this one finds the draft already moved on (a conflict) or
        # the key taken. Either way the applicant's submission happened: return it.
        existing = _existing(actor, key)
        if existing is None:
            raise
        return existing


def case_submit(
    *, actor: Actor, idempotency_key: str, case: Case | None = None,
    implementation_code: str | None = None, form_data: dict[str, Any] | None = None,
    applicant_legal: LegalPerson | None = None, expected_version: int | None = None,
    now: dt.datetime,
) -> Case:
    """Submit online: a draft (``case``) or, in one step, a new application
    (``implementation_code`` + ``form_data``). Gives the case its number (实施编码 +
    yyyyMMdd + serial) and starts the Art. 32 clock. Every REQUIRED material must have a
    file. Repeating the call with the same ``idempotency_key`` returns the same case and
    never allocates a second number."""
    key = _clean_key(idempotency_key)

    def inner() -> Case:
        if case is None:
            draft = _case_draft_save_inner(
                actor=actor, implementation_code=implementation_code, form_data=form_data,
                applicant_legal=applicant_legal, now=now,
            )
        else:
            draft = lock_case(case)
            actions.guard("submit", actor=actor, case=draft, expected_version=expected_version)
            if form_data is not None:
                draft.form_data = {**draft.form_data, **form_data}
        return _submit(actor=actor, case=draft, key=key, proxy=False, window=False,
                       expected_version=expected_version, now=now)

    return _submit_idempotent(inner, actor=actor, key=key)


def case_submit_at_window(
    *, actor: Actor, case: Case, proxy: bool = True, idempotency_key: str = "",
    form_data: dict[str, Any] | None = None, expected_version: int | None = None,
    now: dt.datetime,
) -> Case:
    """The clerk submits a walk-in case on the applicant's behalf (``proxy``: 帮办代办 —
    the clerk filled in and submitted for the applicant; recorded on the case and in the
    action). Missing paper is allowed here: the clerk then requests corrections or
    accepts with 容缺."""
    key = _clean_key(idempotency_key)

    def inner() -> Case:
        draft = lock_case(case)
        actions.guard("submit_at_window", actor=actor, case=draft,
                      expected_version=expected_version)
        if form_data is not None:
            draft.form_data = {**draft.form_data, **form_data}
        return _submit(actor=actor, case=draft, key=key, proxy=proxy, window=True,
                       expected_version=expected_version, now=now)

    return _submit_idempotent(inner, actor=actor, key=key)


@transaction.atomic(durable=True)
def case_withdraw(*, actor: Actor, case: Case, reason: str,
                  expected_version: int | None = None, now: dt.datetime) -> Case:
    """The applicant withdraws before a decision (a clerk may record it at the window)."""
    reason = require_reason(reason, label=_("撤回理由"))
    locked = lock_case(case)
    actions.guard("withdraw", actor=actor, case=locked, expected_version=expected_version)
    lifecycle.transition(
        locked, K.WITHDRAW, actor=actor, now=now, reason=reason,
        expected_version=expected_version, fields={"closed_at": now},
        data={"by_applicant": permissions.is_applicant(actor=actor, case=locked)},
    )
    return locked
