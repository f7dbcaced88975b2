"""Drafts: an online applicant's draft (form prefilled from the account) and a walk-in
applicant registered at the window."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import audit_record
from onewindow.catalog import forms
from onewindow.catalog.codes import ImplementationStatus
from onewindow.catalog.models import Implementation
from onewindow.common.actors import Actor
from onewindow.common.ids import short_code
from onewindow.identity import services as identity_services
from onewindow.identity.errors import InvalidIdentifier
from onewindow.identity.models import Account, LegalPerson, NaturalPerson, Organisation
from onewindow.identity.permissions import can_act_for
from onewindow.identity.selectors import person_find_by_id_number

from ... import actions, lifecycle, permissions, selectors
from ... import answers as answers_mod
from ...applications import application_form, clean_form, initial_data
from ...codes import ActionKind, CaseStatus, Channel, MaterialState
from ...errors import (
    CaseInvalid,
    CaseNotFound,
    ItemNotAvailable,
)
from ...models import Case, CaseMaterial
from .._common import lock_case

K = ActionKind
S = CaseStatus


def _published(implementation_code: str) -> Implementation:
    implementation = (
        Implementation.objects.select_related("organisation", "current_version", "entry")
        .filter(code=(implementation_code or "").strip().upper()).first()
    )
    if implementation is None or implementation.current_version_id is None:
        raise ItemNotAvailable(_("没有找到可申请的事项。"),
                               details={"implementation_code": implementation_code})
    if implementation.status != ImplementationStatus.ACTIVE:
        raise ItemNotAvailable(_("该事项已暂停或取消办理，暂不能申请。"),
                               details={"implementation_code": implementation.code})
    return implementation


def _check_legal(actor, applicant_legal: LegalPerson | None) -> None:
    if applicant_legal is not None and not can_act_for(actor, applicant_legal):
        message = _("您没有代表该单位办理业务的授权。")
        raise CaseInvalid(message, details={"applicant_legal": message})


def _answers_at_start(*, version, person, legal, account, given: Any, full: bool,
                      now: dt.datetime) -> tuple[dict, dict]:
    """The answers a draft starts with: what the sources give (免填, recorded in
    ``answer_sources``), then what was sent (the window clerk's page), checked in full
    when ``full`` (a walk-in registration is the whole form on one page)."""
    if not version.form:
        if given:  # the generic form has only file references: no materials exist yet
            raise answers_mod.invalid(forms.AnswersInvalid(
                {key: _("登记时还没有材料，请在材料收取后引用。") for key in given},
                dict.fromkeys(given, "not-own-material")))
        return {}, {}
    definition = forms.definition_for(version)
    prefilled, sources = answers_mod.prefill(definition, person=person, legal=legal,
                                             account=account, on_date=timezone.localdate(now))
    if given is None and not full:
        return prefilled, sources
    answers_mod.check_size(given)
    locked = {k: r["value"] for k, r in sources.items() if r["locked"]}
    sent = dict(given) if isinstance(given, dict) else given
    if isinstance(sent, dict):
        # What the clerk left empty is filled from the sources (免填).
        given_values = {k: v for k, v in sent.items() if not forms.is_empty(v)}
        sent = {**{k: v for k, v in prefilled.items() if k not in given_values},
                **given_values}
    try:
        cleaned = forms.validate_answers(definition, sent, partial=not full, locked=locked,
                                         material_ids=set())
    except forms.AnswersInvalid as exc:
        raise answers_mod.invalid(exc) from None
    return cleaned, sources


def _create_draft(
    *, actor, implementation: Implementation, centre: Organisation, person: NaturalPerson,
    applicant_account, applicant_legal, form_data, channel: str, now: dt.datetime,
    answers: Any = None, full_answers: bool = False,
) -> Case:
    version = implementation.current_version
    fields = application_form(version=version, person=person, legal_person=applicant_legal)
    data = {**initial_data(fields), **clean_form(fields, form_data, partial=True)}
    typed, sources = _answers_at_start(version=version, person=person, legal=applicant_legal,
                                       account=applicant_account, given=answers,
                                       full=full_answers, now=now)
    case = Case.objects.create(
        query_code=short_code(8), implementation=implementation, version=version,
        organisation=implementation.organisation, centre=centre,
        region_code=implementation.organisation.region_code, applicant_person=person,
        applicant_legal=applicant_legal, applicant_account=applicant_account,
        created_by=actor if getattr(actor, "pk", None) else None, channel=channel,
        status=S.DRAFT, form_data=data, answers=typed, answer_sources=sources,
        created_at=now, updated_at=now,
    )
    CaseMaterial.objects.bulk_create(
        CaseMaterial(
            case=case, region_code=case.region_code, material=material,
            position=material.position, name=material.name, requirement=material.requirement,
            tolerance_allowed=material.tolerance_allowed, state=MaterialState.MISSING,
            updated_at=now,
        )
        for material in version.materials.order_by("position")
    )
    lifecycle.start(case, actor=actor, now=now, data={
        "implementation_code": implementation.code, "version": version.number,
        "channel": channel, "centre_id": centre.pk,
    })
    return case


@transaction.atomic(durable=True)
def case_draft_save(
    *, actor: Actor, implementation_code: str | None = None, case: Case | None = None,
    form_data: dict[str, Any] | None = None, applicant_legal: LegalPerson | None = None,
    now: dt.datetime,
) -> Case:
    """Start a draft application (give ``implementation_code``) or save an open one
    (give ``case``). Citizens apply for themselves; an agent may name the enterprise they
    act for (``applicant_legal``). Required fields may still be empty in a draft."""
    return _case_draft_save_inner(actor=actor, implementation_code=implementation_code,
                                  case=case, form_data=form_data,
                                  applicant_legal=applicant_legal, now=now)


def _case_draft_save_inner(*, actor, implementation_code=None, case=None, form_data=None,
                           applicant_legal=None, now: dt.datetime) -> Case:
    if case is None:
        if actor is None or actor.kind == Account.Kind.STAFF or actor.person_id is None:
            raise CaseInvalid(_("请使用个人或企业经办人账户在线申请。"))
        implementation = _published(implementation_code or "")
        _check_legal(actor, applicant_legal)
        centre = selectors.receiving_centre_for(organisation=implementation.organisation)
        return _create_draft(
            actor=actor, implementation=implementation, centre=centre, person=actor.person,
            applicant_account=actor, applicant_legal=applicant_legal, form_data=form_data,
            channel=Channel.ONLINE, now=now,
        )
    locked = lock_case(case)
    actions.guard("draft_save", actor=actor, case=locked)
    if applicant_legal is not None and applicant_legal.pk != locked.applicant_legal_id:
        _check_legal(actor, applicant_legal)
        locked.applicant_legal = applicant_legal
    fields = application_form(version=locked.version, person=locked.applicant_person,
                              legal_person=locked.applicant_legal)
    if form_data is not None:
        locked.form_data = clean_form(fields, form_data, partial=True)
    locked.updated_at = now
    locked.save(update_fields=["form_data", "applicant_legal", "updated_at"])
    audit_record(actor=actor, action="cases.case.draft_saved", subject_type="cases.case",
                 subject_id=str(locked.pk), after={"fields": sorted(locked.form_data)}, now=now)
    return locked


def _find_or_register_person(*, actor, id_number: str, name: str, phone: str, address: str,
                             now: dt.datetime) -> NaturalPerson:
    person = person_find_by_id_number(id_number=id_number or "")
    if person is not None:
        if name and name.strip() != person.name:
            message = _("姓名与身份证号码登记信息不一致，请核对证件。")
            raise CaseInvalid(message, details={"name": message})
        return person
    if not (name or "").strip():
        message = _("该身份证号码尚未登记，请填写申请人姓名。")
        raise CaseInvalid(message, details={"name": message})
    try:
        return identity_services.person_register_inner(actor=actor, name=name, id_number=id_number,
                                                       phone=phone, address=address, now=now)
    except InvalidIdentifier as exc:
        raise CaseInvalid(str(exc.message), details=exc.details) from exc


def _find_or_register_legal(*, actor, credit_code: str, name: str,
                            now: dt.datetime) -> LegalPerson | None:
    if not (credit_code or "").strip():
        return None
    code = credit_code.strip().upper()
    legal = LegalPerson.objects.filter(credit_code=code).first()
    if legal is not None:
        return legal
    if not (name or "").strip():
        message = _("该统一社会信用代码尚未登记，请填写单位名称。")
        raise CaseInvalid(message, details={"legal_name": message})
    try:
        return identity_services.legal_person_register_inner(actor=actor, name=name,
                                                             credit_code=code, now=now)
    except InvalidIdentifier as exc:
        raise CaseInvalid(str(exc.message), details=exc.details) from exc


@transaction.atomic(durable=True)
def case_register_walk_in(
    *, actor: Actor, implementation_code: str, id_number: str, name: str = "", phone: str = "",
    address: str = "", legal_credit_code: str = "", legal_name: str = "",
    form_data: dict[str, Any] | None = None, centre: Organisation | None = None,
    answers: dict[str, Any] | None = None, now: dt.datetime,
) -> Case:
    """A window clerk starts a case for a walk-in applicant: the person is found by ID
    number or registered, the enterprise likewise by credit code. The case is a DRAFT of
    channel WINDOW at the clerk's centre (``centre`` or the clerk's own); record paper
    materials and scans, then ``case_submit_at_window``. ``answers``: the item's structured
    form filled in on the clerk's one page, prefilled from the applicant's records and
    checked in full (ADR 0031)."""
    centre = centre or selectors.centre_for_clerk(actor=actor)
    if centre is None or not permissions.can_register_walk_in(actor=actor, centre=centre):
        raise CaseNotFound(_("没有找到可办理的受理中心。"))
    implementation = _published(implementation_code)
    if not selectors.centre_receives(centre=centre, organisation=implementation.organisation):
        message = _("“%(organisation_name)s”的事项不在本中心受理。") % {
            "organisation_name": implementation.organisation.name
        }
        raise CaseInvalid(message, details={"implementation": message})
    person = _find_or_register_person(actor=actor, id_number=id_number, name=name,
                                      phone=phone, address=address, now=now)
    legal = _find_or_register_legal(actor=actor, credit_code=legal_credit_code,
                                    name=legal_name, now=now)
    account = Account.objects.filter(person=person, is_active=True).first()
    return _create_draft(
        actor=actor, implementation=implementation, centre=centre, person=person,
        applicant_account=account, applicant_legal=legal, form_data=form_data,
        channel=Channel.WINDOW, answers=answers, full_answers=answers is not None, now=now,
    )
