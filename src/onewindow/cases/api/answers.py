"""The structured form's answers of a case (ADR 0031): save a draft's, read a case's."""

from typing import Any

from django.utils import timezone
from ninja import Schema

from onewindow.common.schemas import errors

from .. import selectors, services
from .base import router


class AnswersIn(Schema):
    """``answers``: an object by field key, the JSON types of ``item_form_schema``.
    ``page``: the key of the page these answers are (its answers are replaced; the other
    pages' stay); without it all answers are replaced."""

    answers: Any
    page: str | None = None


class AnswersOut(Schema):
    """``sources``: for each prefilled key, where its value came from (``source``, e.g.
    ``licence:<type code>.address``; ``licence``: the licence's identifier), the value as
    prefilled (``value``) and whether the applicant may change it (``locked``)."""

    ref: str
    implementation_code: str
    version: int
    answers: dict[str, Any]
    sources: dict[str, Any]


def _out(case) -> dict:
    return {"ref": case.number or str(case.pk), "implementation_code": case.implementation.code,
            "version": case.version.number, "answers": case.answers or {},
            "sources": case.answer_sources or {}}


@router.put("/drafts/{draft_id}/answers", operation_id="case_answers_save",
            response={200: AnswersOut, **errors(401, 403, 404, 409, 422)})
def case_answers_save(request, draft_id: int, body: AnswersIn):
    """Save a draft's answers to the item's form, a page at a time or all at once.
    Checked now: unknown keys, types, options, a field hidden by its condition, lengths,
    ranges, formats, locked prefilled values, file references (a material of this case):
    422 ``cases.answers-invalid`` with ``details`` = {field key: message, "codes": {field
    key: code}} (inside a group ``<group>.<index>.<member>``), nothing stored. Required
    fields and cross-field rules are checked when the case is submitted. More than 256 KB:
    422 ``cases.answers-too-large``."""
    draft = selectors.access_case(actor=request.auth, ref=draft_id)
    case = services.case_answers_save(actor=request.auth, case=draft, answers=body.answers,
                                      page=body.page, now=timezone.now())
    return _out(case)


@router.get("/{ref}/answers", operation_id="case_answers_get",
            response={200: AnswersOut, **errors(401, 403, 404)})
def case_answers_get(request, ref: str):
    """A case's answers to its item's form (the version it was started on) and where the
    prefilled ones came from. For the applicant and the staff who may see the case."""
    return _out(selectors.access_case(actor=request.auth, ref=ref))
