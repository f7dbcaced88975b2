"""Reads of the cases domain that carry rules: visibility (404 outside scope), masking of
personal data, the front-desk queue with its Art. 32 clock, the applicant's view (my
cases, timeline, what is expected of them) and the public progress page.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext

from onewindow.common import ratelimit
from onewindow.common.errors import TooManyAttempts
from onewindow.common.ids import is_digits
from onewindow.common.pagination import Page, keyset_page
from onewindow.common.redaction import mask_id_number, mask_phone
from onewindow.identity.models import Organisation, Role, RoleAssignment
from onewindow.identity.permissions import (
    can_anywhere,
    can_view_personal_data,
    scope_paths,
    scope_q,
)
from onewindow.workdays import selectors as workdays
from onewindow.workdays.models import DeadlineState

from . import actions as case_actions
from . import deadlines, permissions
from .applications import FormField, application_form
from .codes import ActionKind, CaseStatus, MaterialState
from .errors import CaseInvalid, CaseNotFound, NoReceivingCentre
from .models import Case, CaseAction, CaseFile, CaseMaterial
from .timing import (  # noqa: F401  Cases II reads, part of this module's interface
    DayLine,
    Opinion,
    OutputPage,
    OutputRow,
    SuspensionView,
    Timing,
    case_opinions,
    case_timing,
    output_queue,
    output_queue_page,
)

S = CaseStatus
K = ActionKind

DEFAULT_LIMIT = 50


# --- organisations ------------------------------------------------------------------------


def receiving_centre_for(*, organisation: Organisation) -> Organisation:
    """The service centre that receives applications for ``organisation``'s items: the
    SERVICE_CENTRE whose parent is the nearest ancestor (or the organisation itself) that
    has one. E.g. 威海市市场监督管理局 → 威海市人民政府 → 威海市政务服务中心."""
    if organisation.kind == Organisation.Kind.SERVICE_CENTRE:
        return organisation
    ancestors = [int(part) for part in organisation.path.strip("/").split("/") if part]
    centres = {
        centre.parent_id: centre
        for centre in Organisation.objects.filter(
            kind=Organisation.Kind.SERVICE_CENTRE, is_active=True, parent_id__in=ancestors
        ).order_by("-id")
    }
    for ancestor in reversed(ancestors):
        if ancestor in centres:
            return centres[ancestor]
    raise NoReceivingCentre(
        f"“{organisation.name}”没有对应的政务服务中心，暂不能网上申请。",
        details={"organisation": organisation.pk},
    )


def centre_scope(*, centre: Organisation) -> Organisation:
    """The organisation whose subtree's items a centre's windows receive: the government
    the centre belongs to (威海市政务服务中心 → 威海市人民政府), else the centre itself."""
    return centre.parent if centre.parent_id else centre


def centre_receives(*, centre: Organisation, organisation: Organisation) -> bool:
    """Whether ``organisation``'s items may be registered at ``centre``'s windows."""
    return organisation.path.startswith(centre_scope(centre=centre).path)


def centre_for_clerk(*, actor) -> Organisation | None:
    """The centre a window clerk works at: their own organisation if it is a centre,
    else the first centre they hold WINDOW_CLERK over."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if actor.organisation_id and actor.organisation.is_centre:
        return actor.organisation
    assignment = (
        RoleAssignment.objects.filter(
            account=actor, role=Role.WINDOW_CLERK,
            organisation__kind__in=[Organisation.Kind.SERVICE_CENTRE,
                                    Organisation.Kind.TOWN_CENTRE],
        ).select_related("organisation").order_by("id").first()
    )
    return assignment.organisation if assignment else None


# --- one case ------------------------------------------------------------------------------


def _cases() -> QuerySet[Case]:
    # The route's state (tens of KB of JSON) is read only by the workflow adapter.
    return Case.objects.select_related(
        "implementation", "version", "organisation", "centre", "applicant_person",
        "applicant_legal", "applicant_account", "submitted_by",
    ).defer("workflow_state")


def case_get_for_actor(*, actor, number: str | int) -> Case:
    """A case (by 办件编号, or by id for drafts) if ``actor`` may see it; else
    ``CaseNotFound`` — missing and forbidden look the same."""
    text = str(number).strip().upper()
    qs = _cases()
    case = qs.filter(pk=int(text)).first() if is_digits(text) and len(text) < 20 else (
        qs.filter(number=text).first()
    )
    if case is None or not permissions.can_view_case(actor=actor, case=case):
        raise CaseNotFound("没有找到该办件。", details={"number": str(number)})
    return case


def submitted_with_key(*, actor, key: str) -> Case | None:
    """The case ``actor`` already submitted with idempotency key ``key``, if any."""
    key = (key or "").strip()
    if not key or not getattr(actor, "pk", None):
        return None
    return Case.objects.filter(submitted_by=actor, idempotency_key=key).first()


@dataclass(frozen=True)
class ApplicantView:
    name: str
    id_number: str
    phone: str
    legal_name: str
    legal_credit_code: str
    masked: bool


def applicant_view(*, viewer, case: Case) -> ApplicantView:
    person = case.applicant_person
    legal = case.applicant_legal
    clear = can_view_personal_data(viewer, person) and (
        permissions.is_applicant(actor=viewer, case=case)
        or permissions.can_view_case(actor=viewer, case=case)
    )
    return ApplicantView(
        name=person.name,
        id_number=person.id_number if clear else mask_id_number(person.id_number),
        phone=person.phone if clear else mask_phone(person.phone),
        legal_name=legal.name if legal else "",
        legal_credit_code=legal.credit_code if legal else "",
        masked=not clear,
    )


@dataclass(frozen=True)
class FileView:
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    correction_round: int
    url: str

    @property
    def previewable(self) -> bool:
        """A PDF or an image (as sniffed at upload) that a browser can show inline."""
        from .uploads import preview_kind

        return preview_kind(self.content_type) is not None


@dataclass(frozen=True)
class MaterialView:
    id: int
    position: int
    name: str
    requirement: str
    requirement_label: str
    tolerance_allowed: bool
    state: str
    state_label: str
    paper_received: bool
    original_seen: bool
    trust_grade: str
    problem: str
    files: list[FileView]
    licence_identifier: str = ""  # 免证办: the electronic licence that supplied it
    supply_days: int | None = None  # 容缺: working days to supply it after acceptance


def _file_view(f: CaseFile) -> FileView:
    return FileView(f.pk, f.original_name, f.content_type, f.size, f.sha256, f.uploaded_at,
                    f.correction_round, "")


def tolerance_supply_days(*materials: CaseMaterial) -> int | None:
    """容缺: the working days the catalog gives to supply these materials after acceptance
    (the shortest when several are tolerated together); None if none may be tolerated."""
    days = [m.material.supply_days if m.material_id else
            (settings.ONEWINDOW_TOLERANCE_SUPPLY_DAYS if m.tolerance_allowed else None)
            for m in materials]
    known = [d for d in days if d]
    return min(known) if known else None


def materials_of(*, case: Case) -> list[MaterialView]:
    from onewindow.catalog.codes import MaterialRequirement, label

    materials = case.materials.order_by("position").select_related("material").prefetch_related(
        Prefetch("files", CaseFile.objects.order_by("uploaded_at", "id"))
    )
    licences: dict[int, str] = {}
    if any(m.state == MaterialState.SATISFIED_BY_LICENCE for m in materials):
        for data in case.actions.filter(kind=ActionKind.SUBMIT).values_list("data", flat=True):
            for used in (data or {}).get("licences", []):
                licences[used.get("material")] = used.get("identifier", "")
    return [
        MaterialView(
            id=m.pk, position=m.position, name=m.name, requirement=m.requirement,
            requirement_label=label(MaterialRequirement, m.requirement),
            tolerance_allowed=m.tolerance_allowed, state=m.state,
            state_label=MaterialState(m.state).label, paper_received=m.paper_received,
            original_seen=m.original_seen, trust_grade=m.trust_grade, problem=m.problem,
            files=[_file_view(f) for f in m.files.all()],
            licence_identifier=licences.get(m.pk, ""),
            supply_days=tolerance_supply_days(m),
        )
        for m in materials
    ]


def file_download_name(record: CaseFile) -> str:
    """材料名称-办件编号.ext (UI.md: a sensible name), not the uploader's "scan.pdf"."""
    name = record.original_name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    material = record.case_material.name if record.case_material_id else "材料"
    number = record.case.number or f"草稿{record.case_id}"
    stem = re.sub(r'[\\/:*?"<>|\s]+', "", f"{material}-{number}")[:120]
    return f"{stem}.{extension}" if extension.isalnum() and len(extension) <= 5 else stem


def file_for_actor(*, actor, file_id: int) -> CaseFile:
    """An uploaded file, if ``actor`` may see its case (404 otherwise)."""
    record = CaseFile.objects.select_related("case", "case__centre", "case__organisation",
                                             "case_material").filter(pk=file_id).first()
    if record is None or not permissions.can_view_case(actor=actor, case=record.case):
        raise CaseNotFound("没有找到该文件。")
    return record


# --- the Art. 32 clock ----------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptanceClock:
    """Where a submitted case stands against 行政许可法 Art. 32."""

    received_date: dt.date | None
    working_days_elapsed: int
    acceptance_due_date: dt.date | None  # last working day to accept/refuse/ask
    deemed_on: dt.date | None  # the sweep deems it accepted on this (6th) working day
    working_days_left: int | None
    # NORMAL | DUE_SOON | OVERDUE while waiting; SUSPENDED during 补正; DONE / DONE_LATE
    # once the window decided; NONE before submission.
    state: DeadlineState

    @property
    def state_label(self) -> str:
        return self.state.label

    @property
    def waiting(self) -> bool:
        """The Art. 32 clock applies now: the window has not decided yet."""
        return self.state in (DeadlineState.NORMAL, DeadlineState.DUE_SOON,
                              DeadlineState.OVERDUE, DeadlineState.SUSPENDED)

    @property
    def stopped(self) -> bool:
        """Stopped for 补正: it restarts when the applicant supplies."""
        return self.state == DeadlineState.SUSPENDED


def acceptance_clock(case: Case, *, today: dt.date) -> AcceptanceClock:
    received = deadlines.local_date(case.received_at) if case.received_at else None
    due = case.acceptance_due_date
    if received is None:
        return AcceptanceClock(None, 0, None, None, None, DeadlineState.NONE)
    calendar = workdays.get_calendar()
    elapsed = max(calendar.working_days_between(received, today), 0)
    left = deemed = None
    if case.status == S.CORRECTION_REQUESTED:
        state = DeadlineState.SUSPENDED  # the Art. 32 clock stops until the supply
    elif case.status != S.SUBMITTED or due is None:
        decided = case.accepted_at or case.closed_at
        state = workdays.deadline_state(
            due, today, finished_on=deadlines.local_date(decided) if decided else today)
    else:
        left = calendar.working_days_between(today, due)
        deemed = calendar.next_working_day(due)
        state = workdays.deadline_state(due, today, calendar=calendar)
    return AcceptanceClock(received, elapsed, due, deemed, left, state)


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
        status=case.status, status_label=CaseStatus(case.status).label, channel=case.channel,
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
        message = f"未知的办件状态：{'、'.join(unknown)}。"
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
    Items are ``CaseRow``; use ``expected_of_applicant`` on a case for the next step."""
    qs = _cases().filter(permissions.applicant_q(actor))
    if not include_drafts:
        qs = qs.exclude(status=S.DRAFT)
    else:
        qs = qs.filter(~Q(status=S.DRAFT) | Q(created_by=actor))
    qs = _apply(qs, filters or CaseFilters())
    page = keyset_page(qs, order=["-id"], cursor=cursor, limit=limit)
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
    raise CaseInvalid("scope 应为 mine、queue 或 staff。", details={"scope": scope})


# --- timeline and what the applicant must do ---------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    kind: str
    label: str
    occurred_at: dt.datetime
    actor_label: str
    is_system: bool
    from_status: str
    to_status: str
    reason: str
    details: dict[str, Any]
    notice: str  # notice kind issued with this action ("" if none)


_PUBLIC_DETAIL_KEYS = ("round", "items", "tolerated", "supply_days", "proxy", "channel",
                       "materials", "basis", "deemed_from", "file", "material", "all_supplied",
                       "pending", "original_seen", "number",
                       # Cases II (no personal data: recipient and address stay out)
                       "task_label", "organisation", "decision", "reasons",
                       "back_to", "next", "procedure", "procedure_label", "expected_days",
                       "expected_end_date", "suspended_working_days", "dates_moved", "days",
                       "max_days",
                       "carrier", "tracking_number", "id_checked", "output_due_date",
                       "route_name", "licence")


def timeline(*, case: Case) -> list[TimelineEntry]:
    """Every action on the case, oldest first (call ``case_get_for_actor`` first)."""
    entries = []
    for action in CaseAction.objects.filter(case=case).order_by("seq"):
        data = action.data or {}
        details = {k: data[k] for k in _PUBLIC_DETAIL_KEYS if k in data}
        if action.kind in (ActionKind.TASK_COMPLETE, ActionKind.RETURN):
            # A step's own vote is the back office's business (staff read it with the
            # opinions); the timeline shows that the step was done and where it went.
            details.pop("decision", None)
            details.pop("reasons", None)
        if "file" in details:
            details["file"] = {k: details["file"].get(k) for k in ("name", "content_type",
                                                                     "size")}
        entries.append(TimelineEntry(
            seq=action.seq, kind=action.kind, label=ActionKind(action.kind).label,
            occurred_at=action.occurred_at, actor_label=action.actor_label,
            is_system=action.actor_id is None and action.actor_label == "系统",
            from_status=action.from_status, to_status=action.to_status,
            reason=action.reason, details=details,
            notice=(data.get("notice") or {}).get("kind", ""),
        ))
    return entries


@dataclass(frozen=True)
class Expectation:
    """What the applicant must do next, in one sentence, with the items and the date."""

    summary: str
    action_needed: bool
    items: list[dict[str, Any]] = field(default_factory=list)
    due_date: dt.date | None = None


def _day(date: dt.date) -> str:
    return date_format(date, gettext("Y年n月j日"))


def expected_of_applicant(*, case: Case) -> Expectation:
    """Said in the reader's language (the pages and the API show it as it is)."""
    status = case.status
    if status == S.DRAFT:
        return Expectation(gettext("请完善申请表、上传必要材料后提交申请。"), True)
    if status == S.SUBMITTED:
        return Expectation(
            gettext("申请已提交，等待窗口受理；%(centre)s将在 %(day)s 前作出受理决定。")
            % {"centre": case.centre.name, "day": _day(case.acceptance_due_date)}
            if case.acceptance_due_date else gettext("申请已提交，等待窗口受理。"),
            False, due_date=case.acceptance_due_date,
        )
    if status == S.CORRECTION_REQUESTED:
        items = [
            {"material_id": m.pk, "name": m.name, "problem": m.problem, "state": m.state}
            for m in case.materials.filter(~Q(problem="")).order_by("position")
        ]
        last = case.actions.filter(kind=K.REQUEST_CORRECTION).order_by("-seq").first()
        for item in (last.data.get("items", []) if last else []):
            if item.get("material_id") is None:
                items.append({"material_id": None, "name": item["name"],
                              "problem": item["problem"], "state": ""})
        due = (last.data or {}).get("supply_due_date") if last else None
        due_date = dt.date.fromisoformat(due) if due else None
        return Expectation(
            (gettext("请按补正告知书（第 %(round)s 次）补正以下 %(n)s 项内容（补正期限："
                     "%(due)s），补正完成后点“提交补正”。")
             % {"round": case.correction_rounds, "n": len(items),
                "due": date_format(due_date, gettext("Y年n月j日"))}
             if due_date else
             gettext("请按补正告知书（第 %(round)s 次）补正以下 %(n)s 项内容，"
                     "补正完成后点“提交补正”。") % {"round": case.correction_rounds,
                                                 "n": len(items)}),
            True, items=items, due_date=due_date,
        )
    if status in (S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED):
        pending = list(case.materials.filter(state=MaterialState.TOLERATED)
                       .order_by("position").values("id", "name"))
        if pending:
            return Expectation(
                gettext("已容缺受理，请在 %(day)s 前补交以下材料。")
                % {"day": _day(case.tolerance_due_date)}
                if case.tolerance_due_date else gettext("已容缺受理，请尽快补交以下材料。"),
                True, items=[{"material_id": p["id"], "name": p["name"]} for p in pending],
                due_date=case.tolerance_due_date,
            )
        if status == S.SUSPENDED:
            return Expectation(
                gettext("办件处于特别程序（听证、检验、专家评审等），所需时间不计入办理时限，"
                        "详见特别程序告知书；结束后恢复计时。"),
                False, due_date=case.promised_due_date,
            )
        return Expectation(
            gettext("已受理，承诺于 %(day)s 前办结，无需您操作。")
            % {"day": _day(case.promised_due_date)}
            if case.promised_due_date else gettext("已受理，无需您操作。"),
            False, due_date=case.promised_due_date,
        )
    if status in (S.APPROVED, S.DENIED):
        outcome = (gettext("已准予许可") if status == S.APPROVED
                   else gettext("不予许可，理由和救济途径见决定书"))
        if case.delivery_channel == "MAIL":
            how = gettext("结果将邮寄送达，寄出后可查询快递单号。")
        elif case.delivery_channel == "ELECTRONIC":
            how = gettext("结果已在网上送达，可在办件详情中下载决定书。")
        else:
            how = gettext("请携带身份证件到%(centre)s出件窗口领取办理结果。") % {
                "centre": case.centre.name}
        return Expectation(gettext("%(outcome)s；%(how)s") % {"outcome": outcome, "how": how},
                           case.delivery_channel == "PICKUP",
                           due_date=case.output_due_date)
    summaries = {
        S.REJECTED: gettext("申请不予受理，理由和救济途径见不予受理决定书。"),
        S.WITHDRAWN: gettext("申请已撤回。"),
        S.DELIVERED: gettext("已办结，办理结果已送达。"),
    }
    return Expectation(summaries.get(status, gettext(CaseStatus(status).label)), False)


# --- actions allowed now ----------------------------------------------------------------


def allowed_actions(*, actor, case: Case) -> list[str]:
    """Names of the services ``actor`` may call on ``case`` now (pages show only these);
    read from the one table the services' guards use (cases.actions)."""
    return case_actions.allowed_services(actor=actor, case=case)


def supply_mode(*, case: Case) -> str:
    """What ``case_supply_materials`` records now: "correction" (the answer to a 补正
    request, which sends the case back to the acceptance queue) or "tolerated" (容缺
    materials after acceptance, which leave the case where it is)."""
    return ("tolerated" if case_actions.supply_key(case) == "supply_tolerated"
            else "correction")


# --- notices ---------------------------------------------------------------------------------


NOTICE_TITLES = {
    "acceptance": "受理通知书",
    "rejection": "不予受理决定书",
    "correction": "补正材料通知书",
    "decision": "行政许可决定书",
    "suspension": "特别程序告知书",
    "extension": "延长审批期限告知书",
}


@dataclass(frozen=True)
class NoticeRef:
    seq: int
    kind: str
    title: str
    issued_at: dt.datetime
    filename: str


def notices_of(*, case: Case) -> list[NoticeRef]:
    """The notices issued on the case (each rendered on demand by cases.notices)."""
    refs = []
    for action in case.actions.order_by("seq"):
        notice = (action.data or {}).get("notice")
        if not notice:
            continue
        title = NOTICE_TITLES[notice["kind"]]
        if notice["kind"] == "decision":
            title = "准予行政许可决定书" if notice.get("approved") else "不予行政许可决定书"
        if notice["kind"] == "acceptance" and notice.get("tolerated"):
            title = "容缺受理通知书"
        if notice["kind"] == "correction":
            title = f"补正材料通知书（第{notice.get('round', 1)}次）"
        refs.append(NoticeRef(action.seq, notice["kind"], title, action.occurred_at,
                              f"{notice['item']}-{case.number}-{title}.pdf"))
    return refs


def notice_action(*, case: Case, seq: int) -> CaseAction:
    action = case.actions.filter(seq=seq).first()
    if action is None or not (action.data or {}).get("notice"):
        raise CaseNotFound("没有找到该文书。")
    return action


# --- public progress ----------------------------------------------------------------------


@dataclass(frozen=True)
class PublicProgress:
    """Status only, for anyone holding the number and the query code: no personal data."""

    number: str
    item_name: str
    organisation_name: str
    centre_name: str
    status: str
    status_label: str
    submitted_date: dt.date | None
    accepted_date: dt.date | None
    promised_due_date: dt.date | None
    closed_date: dt.date | None
    steps: list[tuple[str, dt.date]]


_PUBLIC_STEPS = {K.SUBMIT, K.REQUEST_CORRECTION, K.SUPPLY, K.ACCEPT, K.DEEM_ACCEPT, K.REJECT,
                 K.WITHDRAW, K.APPROVE, K.DENY, K.SUSPEND, K.RESUME, K.EXTEND_APPROVE,
                 K.MAIL_DISPATCH, K.HAND_OVER, K.MAIL_DELIVER, K.PUBLISH_ONLINE}


def public_progress(*, number: str, query_code: str) -> PublicProgress:
    number = (number or "").strip().upper()
    code = (query_code or "").strip().upper()
    case = (
        Case.objects.select_related("version", "organisation", "centre")
        .filter(number=number).exclude(status=S.DRAFT).first()
        if number else None
    )
    # Compare in constant time, and fail the same way for a wrong number or code.
    if case is None or not hmac.compare_digest(case.query_code.encode(), code.encode()):
        raise CaseNotFound("办件编号或查询码不正确。")
    steps = [
        (ActionKind(kind).label, deadlines.local_date(at))
        for kind, at in case.actions.filter(kind__in=_PUBLIC_STEPS)
        .order_by("seq").values_list("kind", "occurred_at")
    ]

    def day(value):
        return deadlines.local_date(value) if value else None

    return PublicProgress(
        number=case.number, item_name=case.version.name,
        organisation_name=case.organisation.name, centre_name=case.centre.name,
        status=case.status, status_label=CaseStatus(case.status).label,
        submitted_date=day(case.submitted_at), accepted_date=day(case.accepted_at),
        promised_due_date=case.promised_due_date, closed_date=day(case.closed_at),
        steps=steps,
    )


# --- forms -------------------------------------------------------------------------------


# Wrong 办件编号/查询码 pairs allowed per client address before lookups pause: enough for
# typing mistakes, far too few to guess an 8-character query code.
PROGRESS_MISSES_ALLOWED = 10
PROGRESS_WINDOW_SECONDS = 15 * 60


def public_progress_guarded(*, number: str, query_code: str, client: str) -> PublicProgress:
    """``public_progress`` for anonymous callers (the page and the API): after ten misses
    from ``client`` in 15 minutes, every lookup from it is refused with
    ``too-many-attempts`` (429) until the window ends."""
    if ratelimit.exceeded("progress", client, limit=PROGRESS_MISSES_ALLOWED):
        raise TooManyAttempts("查询次数过多，请 15 分钟后再试，或携带身份证件到窗口查询。")
    try:
        return public_progress(number=number, query_code=query_code)
    except CaseNotFound:
        ratelimit.count("progress", client, window_seconds=PROGRESS_WINDOW_SECONDS)
        raise


def application_form_for(*, case: Case) -> list[FormField]:
    """The form fields of a case, with initial values from the applicant."""
    return application_form(version=case.version, person=case.applicant_person,
                            legal_person=case.applicant_legal)


@dataclass(frozen=True)
class PendingExtension:
    number: str
    item_name: str
    organisation: str
    days: int
    reason: str
    requested_by: str
    requested_at: dt.datetime


def extension_requests_pending(*, actor, limit: int = 100) -> list[PendingExtension]:
    """Art. 42 extension requests waiting for ``actor`` (a chief representative of the
    implementing department), oldest first: the latest extension action of the case is
    the request itself."""
    from django.db.models import OuterRef, Subquery

    extension_kinds = [ActionKind.EXTEND_REQUEST, ActionKind.EXTEND_APPROVE,
                       ActionKind.EXTEND_REFUSE]
    latest = CaseAction.objects.filter(case=OuterRef("pk"), kind__in=extension_kinds
                                       ).order_by("-seq")
    cases = (
        Case.objects.filter(permissions.approve_extension_q(actor),
                            status__in=[CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED])
        .annotate(_last_kind=Subquery(latest.values("kind")[:1]),
                  _last_id=Subquery(latest.values("id")[:1]))
        .filter(_last_kind=ActionKind.EXTEND_REQUEST)
        .select_related("version", "organisation")
    )
    rows = list(cases[:limit])
    requests = CaseAction.objects.in_bulk([c._last_id for c in rows])
    result = []
    for case in rows:
        request = requests[case._last_id]
        result.append(PendingExtension(
            number=case.number, item_name=case.version.name,
            organisation=case.organisation.name, days=int(request.data.get("days") or 0),
            reason=request.reason, requested_by=request.actor_label,
            requested_at=request.occurred_at,
        ))
    result.sort(key=lambda row: row.requested_at)
    return result
