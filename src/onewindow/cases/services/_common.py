"""Helpers shared by the case services (not part of the public API)."""

import datetime as dt
from typing import Any, cast

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.codes import ImplementationStatus, LimitUnit
from onewindow.common.text import StrOrPromise

from .. import deadlines
from ..codes import CaseStatus
from ..errors import CaseNotFound, ItemNotAvailable, ReasonRequired
from ..models import Case

DEFAULT_REMEDIES = (
    "申请人如对本决定不服，可以自收到本决定书之日起六十日内依照《中华人民共和国行政复议法》"
    "向有管辖权的行政复议机关申请行政复议，或者自收到本决定书之日起六个月内依照"
    "《中华人民共和国行政诉讼法》直接向人民法院提起行政诉讼。"
)

MAX_REASON = 2000


def remedies_text() -> str:
    return getattr(settings, "ONEWINDOW_CASES_REMEDIES_TEXT", "") or DEFAULT_REMEDIES


REASON_LABEL = _("理由")


def require_reason(reason: str | None, *, field: str = "reason",
                   label: StrOrPromise = REASON_LABEL) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(
            _("请填写%(label)s。") % {"label": label},
            details={field: _("请填写%(label)s。") % {"label": label}},
        )
    if len(reason) > MAX_REASON:
        message = _("%(label)s不能超过 %(max_reason)s 个字。") % {
            "label": label,
            "max_reason": MAX_REASON,
        }
        raise ReasonRequired(message, details={field: message})
    return reason


_RELATED = ("implementation", "version", "organisation", "centre", "applicant_person",
            "applicant_legal", "applicant_account")


_KEPT = tuple(name for name in _RELATED if name != "implementation")


def case_queryset():
    return Case.objects.select_related(*_RELATED)


def lock_case(case: Case) -> Case:
    """The case row, re-read and locked for the rest of the transaction. Callers resolve
    the case first (``selectors.access_case``); the guard then checks the locked row.

    The lock makes a second actor wait and then see the first one's result; the
    ``lock_version`` check in ``transition`` is what turns a stale page into a conflict.

    The case's row is read again with its item (whose status decides whether the case
    may still move on: an item suspended meanwhile stops it). The version (never changed
    once published), organisations and applicants the caller loaded with ``case`` in the
    same request are kept where the locked row still points at them, so the lock is a
    two-table read instead of an eight-table join.
    """
    locked = (Case.objects.select_related("implementation").select_for_update(of=("self",))
              .filter(pk=case.pk).first())
    if locked is None:
        raise CaseNotFound(_("没有找到该办件。"))
    for name in _KEPT:
        field = cast("models.ForeignKey", Case._meta.get_field(name))
        if field.is_cached(case) and (
                getattr(locked, field.attname) == getattr(case, field.attname)):
            field.set_cached_value(locked, field.get_cached_value(case))
    deadlines.remember_steps(locked)
    return locked


def lock_case_id(case_id: int) -> Case:
    """``lock_case`` by id, for the system's own paths (a workflow step names its subject
    by id, sweeps walk ids)."""
    found = case_queryset().select_for_update(of=("self",)).filter(pk=case_id).first()
    if found is None:
        raise CaseNotFound(_("没有找到该办件。"))
    deadlines.remember_steps(found)
    return found


def ensure_item_active(case: Case) -> None:
    if case.implementation.status != ImplementationStatus.ACTIVE:
        raise ItemNotAvailable(
            _("该事项已暂停或取消办理，暂不能受理。"),
            details={"implementation": case.implementation.code},
        )


def limit_text(amount: int | None, unit: str) -> str:
    if amount is None or not unit:
        return ""
    if amount == 0:
        return "即办"
    return f"{amount} 个{LimitUnit(unit).label}" if unit == LimitUnit.WORKING_DAY else (
        f"{amount} {LimitUnit(unit).label}"
    )


def applicant_label(case: Case) -> str:
    if case.applicant_legal_id:
        return case.applicant_legal.name
    return case.applicant_person.name


def notice_base(case: Case, *, now: dt.datetime, actor_label: str) -> dict[str, Any]:
    """The facts every notice prints, frozen into the action row that issues it."""
    version = case.version
    return {
        "centre": case.centre.name,
        "organisation": case.organisation.name,
        "item": version.name,
        "implementation_code": case.implementation.code,
        "version": version.number,
        "applicant": applicant_label(case),
        "date": deadlines.local_date(now).isoformat(),
        "issued_by": actor_label,
        "legal_limit": limit_text(version.legal_limit_amount, version.legal_limit_unit),
        "promised_limit": limit_text(version.promised_limit_amount, version.promised_limit_unit),
    }


def preview_deadlines(case: Case, kind: str, *, now: dt.datetime,
                      data: dict | None = None) -> deadlines.Deadlines:
    """The deadlines the case will have once ``kind`` is appended (for notice snapshots)."""
    steps = [*deadlines.steps_of(case), deadlines.Step(kind, now, data or {})]
    return deadlines.compute(version=case.version, steps=steps)


def iso(value) -> str | None:
    return value.isoformat() if value else None


def status_is(case: Case, *statuses: str) -> bool:
    return case.status in statuses


__all__ = ["CaseStatus"]
