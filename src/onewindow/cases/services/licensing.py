"""电子证照 × 办件: the licence a case produces when it is approved, and 免证办 at
submission. Both functions are non-durable (``*_inner``): they run inside the caller's
transaction, so the licence or the usage log commits or rolls back with the case.

Issuing on approval (``issue_result_licence_inner``)
----------------------------------------------------
- The licence type is the one whose 证照类型代码 the case's catalog version names in
  ``result_licence_type``; an item without one produces no licence (``None``).
- Holder: the type's holder kind decides. A type for legal persons goes to the case's
  applicant enterprise (``applicant_legal``) if the case has one; every other case goes to
  the natural person who applied (``applicant_person``). A legal-person type on a case
  without an enterprise therefore fails (the library refuses an ID number as holder).
- 照面信息 (issue 13): the licence draft (``cases.licence_draft``): the version's
  ``licence_mapping`` over the case's answers and the decision, the chief's corrections;
  a field the mapping leaves out (or empty) follows the rule before forms —
- 照面信息 before forms: each field of the type's ``field_schema`` is taken from the
  case's application form (``case.form_data``) by the field's ``name``; a field spec may
  name a differently called form field in ``"form_field"`` (e.g. ``{"name": "business_scope",
  "form_field": "application_content"}``), used when the form has no field of the type's
  own name. Fields the form does not carry stay empty; the library then checks required
  fields and formats as for any other issue.
- Issuer: the implementing organisation of the case, which must be one of the type's
  issuing organisations.
- The licence records ``case_number=case.number``, which makes issuing idempotent: a
  retried approval returns the licence issued the first time.
- The licence is issued by the platform (``actor=None`` towards the library): the
  approval decision, recorded with its actor in the case's action log, is the authority;
  the clerk who decides a 即办件 at the window needs no licence-issuing role.

Choice: if the licence cannot be issued (unknown or inactive type, the organisation may
not issue it, a required field is missing or malformed, wrong holder kind), the function
raises ``ResultLicenceFailed`` (``cases.result-licence-failed``, HTTP 422, the library's
reason in the message and its field problems in ``details``). The approving transaction
then rolls back: an approval never succeeds without the licence it promises.

The case's action log is append-only and its action kinds belong to the lifecycle, so the
licence identifier is returned to the caller, which records it in the data of the
approval action it appends; the licence itself links back through its 办件编号.

免证办 at submission (``satisfy_materials_from_licences_inner``)
------------------------------------------------------------------
Each material of the case whose catalog material names a ``licence_type_code`` is
satisfied from the library when the applicant (chosen as for issuing: the enterprise for
a legal-person type, else the natural person) holds a licence of that type valid on the
submission date: state ``SATISFIED_BY_LICENCE``, trust grade A, no upload needed, and the
use is logged in the holder's 用证记录 ("办件 <number> 免提交 <material>") on behalf of the
implementing organisation. Types the library does not know are skipped.
"""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from onewindow.common.errors import ApplicationError
from onewindow.licences import selectors as licence_selectors
from onewindow.licences import services as licence_services
from onewindow.licences.models import HolderKind, Licence, LicenceType

from .. import deadlines
from ..codes import MaterialState, TrustGrade
from ..errors import ResultLicenceFailed
from ..licence_draft import fields_from_form, licence_draft
from ..models import Case, CaseMaterial

# --- holders and fields ---------------------------------------------------------------------


def _holder(case: Case, licence_type: LicenceType) -> dict:
    if licence_type.holder_kind == HolderKind.LEGAL_PERSON and case.applicant_legal_id:
        return {"holder_legal": case.applicant_legal}
    return {"holder_person": case.applicant_person}


# --- issuing on approval ---------------------------------------------------------------------


def _fail(licence_type_name: str, reason: str, *, details=None) -> ResultLicenceFailed:
    return ResultLicenceFailed(
        _("无法签发审批结果“%(licence_type_name)s”：%(reason)s办件未能办结，请核对后重试。")
        % {"licence_type_name": licence_type_name, "reason": reason},
        details=details,
    )


def issue_result_licence_inner(*, case: Case, actor, now: dt.datetime) -> Licence | None:
    """Issue the licence an approved case produces (see the module doc), or ``None`` if
    the item produces none. ``actor`` is the approver (kept for the caller's action log;
    the library is called as the platform). Raises ``ResultLicenceFailed``."""
    code = (case.version.result_licence_type or "").strip()
    if not code:
        return None
    name = case.version.result_name or code
    licence_type = licence_selectors.licence_type_by_code(code=code)
    if licence_type is None:
        raise _fail(name, _("电子证照库中没有启用的证照类型 %(code)s。") % {"code": code},
                    details={"result_licence_type": code})
    issuers = {o.pk for o in licence_type.issuers.all()}
    if case.organisation_id not in issuers:
        raise _fail(
            licence_type.name,
            _("%(organisation_name)s不是%(licence_type_name)s的颁发机构。")
            % {"organisation_name": case.organisation.name, "licence_type_name": licence_type.name},
            details={"organisation": case.organisation.name},
        )
    today = deadlines.local_date(now)
    # The draft the chief saw at 决定: the version's licence mapping over the answers, the
    # old form rule for unmapped fields, the chief's corrections (cases.licence_draft).
    draft = licence_draft(case, on_date=today, licence_type=licence_type)
    fields = draft.values if draft is not None else fields_from_form(licence_type,
                                                                     case.form_data)
    try:
        return licence_services.licence_issue_inner(
            actor=None, licence_type=licence_type, **_holder(case, licence_type),
            fields=fields, issuer=case.organisation, issue_date=today,
            case_number=case.number or "", now=now,
        )
    except ApplicationError as exc:
        details = exc.details if isinstance(exc.details, dict) else None
        reason = str(exc.message).rstrip("。")
        if details:
            reason += "（" + "；".join(str(v).rstrip("。") for v in details.values()) + "）"
        raise _fail(licence_type.name, reason + "。", details=details) from exc


# --- 免证办 -------------------------------------------------------------------------------------


def case_materials(case: Case) -> list[CaseMaterial]:
    """The case's materials with their catalog material, in order (one query)."""
    return list(case.materials.select_related("material").order_by("position"))


def licence_sources(*, case: Case, on_date: dt.date,
                    materials: list[CaseMaterial] | None = None) -> dict[int, Licence]:
    """Which of the case's materials the licence library can supply on ``on_date``:
    {case material id: the holder's valid licence}. A read: pages use it to tell the
    applicant before submission that no upload is needed. ``materials``: the case's
    materials as ``case_materials`` loaded them, if the caller has them already."""
    if materials is None:
        materials = case_materials(case)
    found: dict[int, Licence] = {}
    types: dict[str, LicenceType | None] = {}
    for material in materials:
        code = (getattr(material.material, "licence_type_code", "") or "").strip().upper()
        if not code:
            continue
        if code not in types:
            types[code] = licence_selectors.licence_type_by_code(code=code)
        licence_type = types[code]
        if licence_type is None:
            continue
        licence = licence_selectors.valid_licence_for(
            **_holder(case, licence_type), type_code=licence_type.code, on_date=on_date
        )
        if licence is not None:
            found[material.pk] = licence
    return found


def satisfy_materials_from_licences_inner(
    *, case: Case, actor, now: dt.datetime, materials: list[CaseMaterial] | None = None,
) -> list[CaseMaterial]:
    """免证办 at submission (rule in the module doc). Returns the materials satisfied now,
    each with the licence used as ``material.licence``. Call it once the case has its
    number (the usage log names it). ``materials`` (from ``case_materials``, the case
    row locked) are updated in place, so the caller need not read them again."""
    if materials is None:
        materials = case_materials(case)
    sources = licence_sources(case=case, on_date=deadlines.local_date(now),
                              materials=materials)
    if not sources:
        return []
    satisfied = []
    for material in (m for m in materials if m.pk in sources):
        if material.state == MaterialState.SATISFIED_BY_LICENCE:
            continue
        licence = sources[material.pk]
        material.state = MaterialState.SATISFIED_BY_LICENCE
        material.trust_grade = TrustGrade.A
        material.problem = ""
        material.updated_at = now
        material.save(update_fields=["state", "trust_grade", "problem", "updated_at"])
        licence_services.licence_usage_record_inner(
            actor=actor if getattr(actor, "pk", None) else None, licence=licence,
            purpose=f"办件 {case} 免提交 {material.name}", case_number=case.number or "",
            organisation=case.organisation, now=now,
        )
        material.licence = licence
        satisfied.append(material)
    return satisfied


__all__ = [
    "case_materials",
    "issue_result_licence_inner",
    "licence_sources",
    "satisfy_materials_from_licences_inner",
]
