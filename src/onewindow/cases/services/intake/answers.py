"""The structured form's answers of a draft (ADR 0031), saved page by page."""

import datetime as dt
from typing import Any

from django.db import transaction

from onewindow.audit.services import audit_record
from onewindow.catalog import forms
from onewindow.common.actors import Actor

from ... import actions
from ... import answers as case_answers
from ...models import Case
from .._common import lock_case


@transaction.atomic(durable=True)
def case_answers_save(*, actor: Actor, case: Case, answers: Any, page: str | None = None,
                      now: dt.datetime) -> Case:
    """Save a draft's answers: one page's (``page``: that page's answers are replaced) or
    all of them. Required fields may still be empty and cross-field rules wait for the
    submission; everything else is checked now (unknown keys, types, options, a field
    hidden by its condition, lengths, ranges, formats, locked prefilled values, a file that
    is not a material of this case): ``cases.answers-invalid`` with the problems by field
    key, nothing written. More than 256 KB: ``cases.answers-too-large``."""
    case_answers.check_size(answers)
    locked = lock_case(case)
    actions.guard("draft_save", actor=actor, case=locked)
    definition = forms.definition_for(locked.version)
    if page is not None and definition.page(page) is None:
        raise case_answers.invalid(forms.AnswersInvalid({"page": forms.UNKNOWN_PAGE_MESSAGE},
                                                        {"page": "unknown"}))
    fixed = case_answers.locked_values(locked)
    material_ids = set(locked.materials.values_list("pk", flat=True))
    try:
        cleaned = forms.validate_answers(definition, answers, partial=True, page=page,
                                         context=locked.answers, locked=fixed,
                                         material_ids=material_ids)
    except forms.AnswersInvalid as exc:
        raise case_answers.invalid(exc) from None
    locked.answers = case_answers.merge(definition, stored=locked.answers or {},
                                        cleaned=cleaned, page=page, locked=fixed)
    locked.updated_at = now
    locked.save(update_fields=["answers", "updated_at"])
    # Which fields, never their values (personal data stays in the case row).
    audit_record(actor=actor, action="cases.case.answers_saved", subject_type="cases.case",
                 subject_id=str(locked.pk),
                 after={"page": page, "fields": sorted(cleaned)}, now=now)
    return locked
