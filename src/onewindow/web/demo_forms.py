"""Filling a demo item's structured form (ADR 0031) with its sample answers: the browser
tests that drive other pages use it. The forms themselves are catalog.demo_forms."""

from onewindow.catalog.demo_forms import SAMPLE_ANSWERS


def answer_sample(case, *, actor, now):
    """Save the sample answers of ``case``'s demo item into its draft, keeping what was
    prefilled and locked (tests that drive other pages use it)."""
    from onewindow.cases import services as case_services

    basic_code = case.implementation.code[19:31]
    locked = {k for k, record in (case.answer_sources or {}).items() if record.get("locked")}
    answers = {k: v for k, v in SAMPLE_ANSWERS.get(basic_code, {}).items() if k not in locked}
    if not answers:
        return case
    return case_services.case_answers_save(actor=actor, case=case, answers=answers, now=now)
