"""The front-desk queue and the staff and applicant case lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from onewindow.common.pagination import Page, keyset_page, keyset_page_of_union
from onewindow.identity.models import Organisation
from onewindow.identity.permissions import (
    can_anywhere,
    scope_paths,
    scope_q,
)

from .. import permissions
from ..codes import CaseStatus
from ..errors import CaseInvalid
from ..models import Case
from .case import _cases
from .clock import AcceptanceClock, acceptance_clock

S = CaseStatus

DEFAULT_LIMIT = 50


# --- the front-desk queue and staff lists ----------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    """One line of a queue or list; applicant data masked unless the viewer may see it."""

    case: Case
    number: str
    item_name: str
    organisation_name: str
    centre_name: str
    applicant_name: str
    applicant_legal_name: str
    status: str
    status_label: str
    channel: str
    proxy: bool
    received_at: dt.datetime | None
    correction_rounds: int
    handling_type: str
    clock: AcceptanceClock
    promised_due_date: dt.date | None
    lock_version: int


def _row(case: Case, today: dt.date) -> CaseRow:
    return CaseRow(
        case=case, number=case.number or "", item_name=case.version.name,
        organisation_name=case.organisation.name, centre_name=case.centre.name,
        applicant_name=case.applicant_person.name,
        applicant_legal_name=case.applicant_legal.name if case.applicant_legal_id else "",
        status=case.status, status_label=str(CaseStatus(case.status).label), channel=case.channel,
        proxy=case.proxy, received_at=case.received_at,
        correction_rounds=case.correction_rounds, handling_type=case.version.handling_type,
        clock=acceptance_clock(case, today=today), promised_due_date=case.promised_due_date,
        lock_version=case.lock_version,
    )


@dataclass(frozen=True)
class CaseFilters:
    organisation_id: int | None = None  # implementing organisation (the "domain")
    centre_id: int | None = None
    statuses: tuple[str, ...] = ()
    implementation_code: str = ""
    received_after: dt.datetime | None = None
    received_before: dt.datetime | None = None


def parse_statuses(value: str | list[str] | None) -> tuple[str, ...]:
    if not value:
        return ()
    parts = value.split(",") if isinstance(value, str) else list(value)
    statuses = tuple(p.strip().upper() for p in parts if p and p.strip())
    unknown = [s for s in statuses if s not in CaseStatus.values]
    if unknown:
        message = _("未知的办件状态：%(unknown)s。") % {"unknown": '、'.join(unknown)}
        raise CaseInvalid(message, details={"status": message})
    return statuses


def _apply(qs: QuerySet[Case], filters: CaseFilters) -> QuerySet[Case]:
    if filters.organisation_id:
        qs = qs.filter(organisation_id=filters.organisation_id)
    if filters.centre_id:
        qs = qs.filter(centre_id=filters.centre_id)
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    if filters.implementation_code:
        qs = qs.filter(implementation__code=filters.implementation_code.strip().upper())
    if filters.received_after:
        qs = qs.filter(received_at__gte=filters.received_after)
    if filters.received_before:
        qs = qs.filter(received_at__lt=filters.received_before)
    return qs


_CENTRE_KINDS = (Organisation.Kind.SERVICE_CENTRE, Organisation.Kind.TOWN_CENTRE,
                 Organisation.Kind.VILLAGE_STATION)


def front_desk_read_only(actor) -> bool:
    """Staff who watch a front desk without acting at it: a city-wide 电子监察 may view
    the cases of the service centres under them but accepts none."""
    if can_anywhere(actor, permissions.ACCEPT_CASE):
        return False
    paths = scope_paths(actor, permissions.VIEW_CASE)
    if not paths:
        return False
    under = Q()
    for path in paths:
        under |= Q(path__startswith=path)
    return Organisation.objects.filter(under, kind__in=_CENTRE_KINDS).exists()


def front_desk_scope_q(actor) -> Q:
    """The cases of the actor's front desk: those they may accept, or, for staff who only
    watch, the cases received by the centres they may view."""
    if front_desk_read_only(actor):
        return scope_q(actor, permissions.VIEW_CASE, field="centre")
    return permissions.staff_q(actor, permissions.ACCEPT_CASE)


def front_desk_queue(
    *, actor, today: dt.date, filters: CaseFilters | None = None, cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page:
    """Submitted cases waiting at the front desk of the actor's centre(s), oldest first
    (无差别受理: every item; ``filters.organisation_id`` narrows to one department's items).
    Items are ``CaseRow`` with the Art. 32 clock. Keyset-paginated, no COUNT."""
    filters = filters or CaseFilters()
    if not filters.statuses:
        filters = CaseFilters(**{**filters.__dict__, "statuses": (S.SUBMITTED,)})
    qs = _cases().filter(front_desk_scope_q(actor))
    qs = _apply(qs.exclude(status=S.DRAFT), filters)
    page = keyset_page(qs, order=["received_at", "id"], cursor=cursor, limit=limit)
    return Page(items=[_row(c, today) for c in page.items], next_cursor=page.next_cursor)


def staff_case_list(
    *, actor, today: dt.date, filters: CaseFilters | None = None, cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page:
    """Every non-draft case in the actor's front-desk or back-office scope, newest
    receipt first, with the same filters as the queue."""
    qs = _cases().filter(permissions.staff_q(actor)).exclude(status=S.DRAFT)
    qs = _apply(qs, filters or CaseFilters())
    page = keyset_page(qs, order=["-received_at", "-id"], cursor=cursor, limit=limit)
    return Page(items=[_row(c, today) for c in page.items], next_cursor=page.next_cursor)


def my_cases(*, actor, today: dt.date, include_drafts: bool = True,
             filters: CaseFilters | None = None, cursor: str | None = None,
             limit: int = 20) -> Page:
    """The applicant's own cases (as person, account or enterprise agent), newest first.
    Items are ``CaseRow``; use ``expected_of_applicant`` on a case for the next step.

    Read as a UNION of one index scan per way of being the applicant (docs/decisions/0030):
    the page costs the same for a citizen with old cases in a table of millions."""
    qs = _cases()
    if not include_drafts:
        qs = qs.exclude(status=S.DRAFT)
    else:
        qs = qs.filter(~Q(status=S.DRAFT) | Q(created_by=actor))
    qs = _apply(qs, filters or CaseFilters())
    page = keyset_page_of_union(qs, permissions.applicant_branches(actor), order=["-id"],
                                cursor=cursor, limit=limit)
    return Page(items=[_row(c, today) for c in page.items], next_cursor=page.next_cursor)


def case_list(*, actor, scope: str, today: dt.date, filters: CaseFilters | None = None,
              cursor: str | None = None, limit: int = DEFAULT_LIMIT) -> Page:
    """``scope``: "mine" (applicant), "queue" (front desk), "staff" (all in scope)."""
    if scope == "mine":
        return my_cases(actor=actor, today=today, filters=filters, cursor=cursor, limit=limit)
    if scope == "queue":
        return front_desk_queue(actor=actor, today=today, filters=filters, cursor=cursor,
                                limit=limit)
    if scope == "staff":
        return staff_case_list(actor=actor, today=today, filters=filters, cursor=cursor,
                               limit=limit)
    raise CaseInvalid(_("scope 应为 mine、queue 或 staff。"), details={"scope": scope})
