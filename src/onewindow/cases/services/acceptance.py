"""One-window acceptance (一窗受理): accept (optionally 容缺), refuse, request corrections
(一次性告知), decide 即办件 on the spot, and the Art. 32 deemed-acceptance sweep."""

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.codes import HandlingType, MaterialRequirement
from onewindow.common.actors import Actor
from onewindow.common.text import StrOrPromise
from onewindow.workdays import selectors as workdays

from .. import actions, deadlines, lifecycle, selectors
from ..codes import AcceptanceBasis, ActionKind, CaseStatus, MaterialState
from ..errors import (
    CaseInvalid,
    MaterialsIncomplete,
    ToleranceNotAllowed,
)
from ..models import Case, CaseMaterial
from . import decision, review
from ._common import (
    ensure_item_active,
    iso,
    lock_case,
    lock_case_id,
    notice_base,
    preview_deadlines,
    remedies_text,
    require_reason,
)

logger = logging.getLogger(__name__)

K = ActionKind
S = CaseStatus
MAX_SUPPLY_DAYS = 60
MAX_CORRECTION_ITEMS = 100

_PRESENT = (MaterialState.RECEIVED, MaterialState.UPLOADED, MaterialState.ACCEPTED,
            MaterialState.SUPPLIED, MaterialState.SATISFIED_BY_LICENCE)


def _lock_for_desk(case: Case, actor: Actor, key: str, expected_version: int | None) -> Case:
    locked = lock_case(case)
    actions.guard(key, actor=actor, case=locked, expected_version=expected_version)
    return locked


def _label(actor) -> str:
    return lifecycle.actor_label(actor)


# --- accept -------------------------------------------------------------------------------


def _check_materials(case: Case, tolerated: list[int], supply_days: int | None
                     ) -> tuple[list[CaseMaterial], list[CaseMaterial], int | None]:
    """(materials to mark ACCEPTED, materials to mark TOLERATED, working days to supply
    them) or raise. Without ``supply_days`` the catalog's 容缺 period applies; a clerk may
    shorten it, never lengthen it."""
    materials = list(case.materials.select_related("material"))
    by_id = {m.pk: m for m in materials}
    tolerated_ids = list(dict.fromkeys(int(pk) for pk in tolerated or []))
    errors: dict[str, StrOrPromise] = {}
    for pk in tolerated_ids:
        material = by_id.get(pk)
        if material is None:
            errors[str(pk)] = _("该办件没有这项材料。")
        elif not material.tolerance_allowed:
            errors[str(pk)] = _("“%(material_name)s”不在可容缺材料范围内。") % {
                "material_name": material.name
            }
        elif material.state in _PRESENT:
            errors[str(pk)] = _("“%(material_name)s”已提交，无需容缺。") % {
                "material_name": material.name
            }
    if errors:
        raise ToleranceNotAllowed(
            _("容缺受理有误：%(errors)s") % {"errors": next(iter(errors.values()))},
            details={"tolerated": errors},
        )
    missing = [
        m for m in materials
        if m.requirement == MaterialRequirement.REQUIRED and m.state not in _PRESENT
        and m.pk not in tolerated_ids
    ]
    if missing:
        names = "、".join(m.name for m in missing)
        raise MaterialsIncomplete(
            _("必要材料不齐全：%(names)s。请一次性告知补正，或对可容缺材料容缺受理。")
            % {"names": names},
            details={"materials": {str(m.pk): _("未提交或需补正") for m in missing}},
        )
    tolerated_materials = [by_id[pk] for pk in tolerated_ids]
    allowed_days = selectors.tolerance_supply_days(*tolerated_materials)
    present = [m for m in materials if m.state in _PRESENT]
    if not tolerated_ids:
        return present, tolerated_materials, None
    if supply_days is None:
        # The catalog's period is the default, so the guide, the clerk's form and the
        # notice all name the same number.
        supply_days = allowed_days
    if not (supply_days and 1 <= int(supply_days) <= MAX_SUPPLY_DAYS):
        message = _("容缺受理须设定补齐期限（1–%(max_supply_days)s 个工作日）。") % {
            "max_supply_days": MAX_SUPPLY_DAYS
        }
        raise ToleranceNotAllowed(message, details={"supply_days": message})
    if allowed_days and int(supply_days) > allowed_days:
        message = _("补齐期限不能超过事项规定的 %(allowed_days)s 个工作日。") % {
            "allowed_days": allowed_days
        }
        raise ToleranceNotAllowed(message, details={"supply_days": message})
    return present, tolerated_materials, int(supply_days)


def _accept(*, actor, case: Case, tolerated: list[int], supply_days: int | None, note: str,
            expected_version: int | None, now: dt.datetime):
    lifecycle.check(case, K.ACCEPT, expected_version=expected_version)
    ensure_item_active(case)
    present, missing, supply_days = _check_materials(case, tolerated, supply_days)
    data: dict[str, Any] = {
        "basis": AcceptanceBasis.ACCEPTED,
        "tolerated": [{"id": m.pk, "name": m.name} for m in missing],
        "supply_days": supply_days,
    }
    preview = preview_deadlines(case, K.ACCEPT, now=now, data=data)
    data["notice"] = {
        **notice_base(case, now=now, actor_label=_label(actor)),
        "kind": "acceptance", "basis": AcceptanceBasis.ACCEPTED,
        "accepted_date": iso(preview.start_date),
        "promised_due_date": iso(preview.promised_due_date),
        "legal_due_date": iso(preview.legal_due_date),
        "tolerance_due_date": iso(preview.tolerance_due_date),
        "materials": [m.name for m in present],
        "tolerated": [m.name for m in missing],
        "supply_days": supply_days,
        "note": note,
    }
    # The materials first, then the move with its action, outbox and audit rows.
    CaseMaterial.objects.filter(pk__in=[m.pk for m in present]).update(
        state=MaterialState.ACCEPTED, updated_at=now
    )
    CaseMaterial.objects.filter(pk__in=[m.pk for m in missing]).update(
        state=MaterialState.TOLERATED, problem="", updated_at=now
    )
    action = lifecycle.transition(
        case, K.ACCEPT, actor=actor, now=now, reason=note, expected_version=expected_version,
        fields={"accepted_at": now, "acceptance_basis": AcceptanceBasis.ACCEPTED}, data=data,
    )
    if case.version.handling_type != HandlingType.IMMEDIATE:
        review.start_review(case, actor=actor, now=now)
    return action


@transaction.atomic(durable=True)
def case_accept(
    *, actor: Actor, case: Case, tolerated: list[int] | None = None,
    supply_days: int | None = None, note: str = "", expected_version: int | None = None,
    now: dt.datetime,
) -> Case:
    """受理. Every REQUIRED material must be present, except those listed in
    ``tolerated`` (CaseMaterial ids), which the catalog must mark 可容缺; then
    ``supply_days`` (working days) is the deadline to supply them. Deadlines run from now.
    Issues the 受理通知书 (see cases.notices)."""
    locked = _lock_for_desk(case, actor, "accept", expected_version)
    _accept(actor=actor, case=locked, tolerated=list(tolerated or []),
            supply_days=supply_days, note=(note or "").strip(),
            expected_version=expected_version, now=now)
    return locked


# --- refuse -------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def case_reject(*, actor: Actor, case: Case, reason: str,
                expected_version: int | None = None, now: dt.datetime) -> Case:
    """不予受理 with a mandatory reason; the decision tells the applicant their remedies
    (行政复议 within 60 days / 行政诉讼 within 6 months, setting
    ``ONEWINDOW_CASES_REMEDIES_TEXT``)."""
    reason = require_reason(reason, label=_("不予受理的理由"))
    locked = _lock_for_desk(case, actor, "reject", expected_version)
    data = {"notice": {**notice_base(locked, now=now, actor_label=_label(actor)),
                       "kind": "rejection", "reason": reason, "remedies": remedies_text()}}
    lifecycle.transition(locked, K.REJECT, actor=actor, now=now, reason=reason,
                         expected_version=expected_version, fields={"closed_at": now},
                         data=data)
    return locked


# --- corrections --------------------------------------------------------------------------


def _clean_items(case: Case, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not items:
        message = _("请列出需要补正的全部材料及问题（一次性告知）。")
        raise CaseInvalid(message, details={"items": message})
    if len(items) > MAX_CORRECTION_ITEMS:
        raise CaseInvalid(_("补正事项过多。"), details={"items": _("补正事项过多。")})
    materials = {m.pk: m for m in case.materials.all()}
    cleaned: list[dict[str, Any]] = []
    errors: dict[str, StrOrPromise] = {}
    seen: set[int] = set()
    for index, item in enumerate(items):
        problem = " ".join(str(item.get("problem") or "").split())
        material_id = item.get("material_id")
        if not problem:
            errors[f"items.{index}.problem"] = _("请写明需要补正的问题。")
        elif len(problem) > 500:
            errors[f"items.{index}.problem"] = _("补正说明不能超过 500 个字。")
        if material_id in (None, ""):
            name = " ".join(str(item.get("name") or "").split())
            if not name:
                errors[f"items.{index}.name"] = _("请写明需要补正的内容名称。")
            cleaned.append({"material_id": None, "name": name[:300], "problem": problem})
            continue
        material = materials.get(int(material_id))
        if material is None:
            errors[f"items.{index}.material_id"] = _("该办件没有这项材料。")
        elif material.pk in seen:
            errors[f"items.{index}.material_id"] = _("“%(material_name)s”重复列出。") % {
                "material_name": material.name
            }
        else:
            seen.add(material.pk)
            cleaned.append({"material_id": material.pk, "name": material.name,
                            "problem": problem})
    if errors:
        raise CaseInvalid(
            _("补正清单有误：%(errors)s") % {"errors": next(iter(errors.values()))}, details=errors
        )
    return cleaned


def correction_days() -> int:
    """Default working days an applicant gets to supply corrections (setting)."""
    return int(getattr(settings, "ONEWINDOW_CASES_CORRECTION_DAYS", 20))


def _supply_due(supply_days: int | None, *, now: dt.datetime) -> tuple[int, dt.date]:
    days = correction_days() if supply_days in (None, "") else supply_days
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_SUPPLY_DAYS:
        message = _("补正期限应为 1–%(max_supply_days)s 个工作日。") % {
            "max_supply_days": MAX_SUPPLY_DAYS
        }
        raise CaseInvalid(message, details={"supply_days": message})
    return days, workdays.add_working_days(deadlines.local_date(now), days)


def _add_other_materials(case: Case, cleaned: list[dict[str, Any]], *, now: dt.datetime):
    """An item that is not on the catalog's list becomes a material of this case, so the
    applicant can upload it online like any other (the item promises zero visits)."""
    others = [item for item in cleaned if item["material_id"] is None]
    if not others:
        return
    last = case.materials.order_by("-position").values_list("position", flat=True).first()
    for offset, item in enumerate(others, start=1):
        material = CaseMaterial.objects.create(
            case=case, region_code=case.region_code, material=None,
            position=(last or 0) + offset, name=item["name"],
            # Not REQUIRED: the item may be answered by a corrected form or a note instead
            # of a file, so it never blocks supplying or accepting by itself.
            requirement=MaterialRequirement.OPTIONAL, state=MaterialState.MISSING,
            problem=item["problem"], updated_at=now,
        )
        item["material_id"] = material.pk
        item["added"] = True


@transaction.atomic(durable=True)
def case_request_correction(
    *, actor: Actor, case: Case, items: list[dict[str, Any]], note: str = "",
    supply_days: int | None = None, expected_version: int | None = None, now: dt.datetime,
) -> Case:
    """补正告知 (一次性告知): list ALL missing or defective materials at once, each
    ``{"material_id": CaseMaterial id | None, "name": str (when no material), "problem":
    str}``. The Art. 32 clock stops; the applicant supplies them within ``supply_days``
    working days (补正期限; default ``ONEWINDOW_CASES_CORRECTION_DAYS``) and the case
    returns to the queue. An item without a material becomes an extra material of the
    case that the applicant can upload. Each round is numbered and kept."""
    locked = _lock_for_desk(case, actor, "correction", expected_version)
    cleaned = _clean_items(locked, items)
    days, due = _supply_due(supply_days, now=now)
    _add_other_materials(locked, cleaned, now=now)
    round_number = locked.correction_rounds + 1
    data = {
        "round": round_number, "items": cleaned,
        "supply_days": days, "supply_due_date": due.isoformat(),
        "notice": {**notice_base(locked, now=now, actor_label=_label(actor)),
                   "kind": "correction", "round": round_number, "items": cleaned,
                   "supply_days": days, "supply_due_date": due.isoformat(),
                   "note": (note or "").strip()},
    }
    materials = {m.pk: m for m in locked.materials.all()}
    with_files = set(locked.files.values_list("case_material_id", flat=True))
    for item in cleaned:
        if item["material_id"] is None:
            continue
        material = materials[item["material_id"]]
        has_something = material.state in _PRESENT or material.pk in with_files
        material.state = MaterialState.DEFECTIVE if has_something else MaterialState.MISSING
        material.problem = item["problem"]
        material.updated_at = now
        material.save(update_fields=["state", "problem", "updated_at"])
    lifecycle.transition(locked, K.REQUEST_CORRECTION, actor=actor, now=now,
                         reason=(note or "").strip(), expected_version=expected_version,
                         fields={"correction_rounds": round_number}, data=data)
    return locked


# --- 即办件 -------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def case_decide_instant(
    *, actor: Actor, case: Case, approve: bool, reason: str = "",
    expected_version: int | None = None, now: dt.datetime,
) -> Case:
    """即办件: accept (if not yet) and decide on the spot. Needs ``cases.decide_instant``
    over the implementing organisation; a denial needs a reason and states remedies."""
    locked = _lock_for_desk(case, actor, "decide_instant", expected_version)
    reason = (reason or "").strip()
    if not approve:
        reason = require_reason(reason, label=_("不予许可的理由"))
    if locked.status == S.SUBMITTED:
        _accept(actor=actor, case=locked, tolerated=[], supply_days=None, note="",
                expected_version=expected_version, now=now)
        expected_version = None
    # The decision document, the licence (issue 6) and the output queue, as for a route.
    decision.decide(locked, approve=approve, reasons=reason, actor=actor, now=now,
                    instant=True, expected_version=expected_version)
    return locked


# --- Art. 32 -----------------------------------------------------------------------------


def case_deem_accepted_inner(*, case_id: int, now: dt.datetime) -> bool:
    """Deem one case accepted if it is still due (non-durable; for handlers and the
    sweep). True if it was deemed accepted now."""
    locked = lock_case_id(case_id)
    today = deadlines.local_date(now)
    if locked.status != S.SUBMITTED or locked.acceptance_due_date is None or (
        locked.acceptance_due_date >= today
    ):
        return False
    received_date = deadlines.local_date(locked.received_at)
    data: dict[str, Any] = {"basis": AcceptanceBasis.DEEMED,
                            "deemed_from": received_date.isoformat(),
                            "acceptance_due_date": locked.acceptance_due_date.isoformat()}
    preview = preview_deadlines(locked, K.DEEM_ACCEPT, now=now, data=data)
    data["notice"] = {
        **notice_base(locked, now=now, actor_label="系统"),
        "kind": "acceptance", "basis": AcceptanceBasis.DEEMED,
        "accepted_date": received_date.isoformat(),
        "promised_due_date": iso(preview.promised_due_date),
        "legal_due_date": iso(preview.legal_due_date),
        "tolerance_due_date": None,
        "materials": [m.name for m in locked.materials.all() if m.state in _PRESENT],
        "tolerated": [], "note": "",
    }
    lifecycle.transition(
        locked, K.DEEM_ACCEPT, actor=None, now=now,
        reason="自收到申请材料之日起五个工作日内未告知补正、未作出受理或不予受理决定，"
               "依照《中华人民共和国行政许可法》第三十二条，自收到申请材料之日起即为受理。",
        fields={"accepted_at": locked.received_at, "acceptance_basis": AcceptanceBasis.DEEMED},
        data=data,
    )
    if locked.version.handling_type != HandlingType.IMMEDIATE:
        review.start_review(locked, actor=None, now=now)
    return True


def cases_deem_accepted(*, now: dt.datetime, limit: int = 500) -> list[str]:
    """The Art. 32 sweep (system actor): every SUBMITTED case whose 5-working-day
    acceptance deadline has passed is deemed accepted as of its receipt date. Each case in
    its own durable transaction, so one failure does not stop the others; safe to run on
    several workers at once. Returns the numbers deemed accepted."""
    today = deadlines.local_date(now)
    ids = list(
        Case.objects.filter(status=S.SUBMITTED, acceptance_due_date__lt=today)
        .order_by("acceptance_due_date", "id").values_list("id", flat=True)[:limit]
    )
    done: list[str] = []
    for case_id in ids:
        try:
            with transaction.atomic(durable=True):
                if case_deem_accepted_inner(case_id=case_id, now=now):
                    done.append(Case.objects.values_list("number", flat=True).get(pk=case_id))
        except Exception:
            logger.exception("deemed acceptance of case %s failed", case_id)
    return done
