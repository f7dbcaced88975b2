"""Reads with rules: worklists (scope, deadline colour, keyset pages), access to one work
item (``access_work_item``) and to a version's route (``access_route_version``), routes of
a version, and which organisation a joint-review lane names.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, F, Q, When
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import ImplementationVersion
from onewindow.common.actors import Actor
from onewindow.common.errors import ValidationFailed
from onewindow.common.pagination import decode_cursor, encode_cursor
from onewindow.common.text import StrOrPromise
from onewindow.identity.models import Organisation
from onewindow.workdays.models import DeadlineState
from onewindow.workdays.selectors import deadline_bands, deadline_state, get_calendar

from . import bpmn, defaults, outcomes
from .errors import RouteNotFound, UnknownDepartment, WorkItemNotFound
from .models import RouteDefinition, WorkItem
from .permissions import can_upload_route, can_view_routes, can_work_on, work_items_q

DS = DeadlineState
# The states a worklist filters by; NORMAL also takes the items without a step deadline
# (nothing urgent about them), so the three filters together cover every item.
DEADLINE_FILTERS = (DS.NORMAL, DS.DUE_SOON, DS.OVERDUE)
SORTS = ("due_date", "-due_date", "created_at", "-created_at")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


# --- deadlines ------------------------------------------------------------------------------


def _deadline_q(states: Iterable[str], today: dt.date, calendar) -> Q:
    """The deadline states as due_date ranges (workdays.deadline_bands), so the filter uses
    the index."""
    bands = deadline_bands(today, calendar=calendar)
    parts: dict[str, Q] = {
        DS.OVERDUE: Q(due_date__lt=bands.overdue_before),
        DS.DUE_SOON: Q(due_date__gte=bands.overdue_before, due_date__lt=bands.soon_before),
        DS.NORMAL: Q(due_date__gte=bands.soon_before) | Q(due_date__isnull=True),
    }
    condition = Q(pk__in=[])
    for state in states:
        condition |= parts[state]
    return condition


# --- the worklist ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WorklistRow:
    item: WorkItem
    deadline_status: DeadlineState
    working_days_left: int | None  # negative when overdue; None without a deadline

    @property
    def deadline_label(self) -> str:
        return str(self.deadline_status.label)


@dataclass(frozen=True)
class WorklistPage:
    rows: list[WorklistRow]
    next_cursor: str | None


def _invalid(message: StrOrPromise, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code)


def _order(sort: str) -> list:
    if sort == "due_date":
        return [F("due_date").asc(nulls_last=True), "id"]
    if sort == "-due_date":
        return [F("due_date").desc(nulls_last=True), "-id"]
    if sort == "created_at":
        return ["created_at", "id"]
    return ["-created_at", "-id"]


def _after(sort: str, values: list) -> Q:
    field = sort.lstrip("-")
    descending = sort.startswith("-")
    value, last_id = values
    if field == "due_date":
        if value is not None:
            value = dt.date.fromisoformat(value)
    elif field == "created_at":
        value = dt.datetime.fromisoformat(value)
    greater, id_after = ("lt", Q(id__lt=last_id)) if descending else ("gt", Q(id__gt=last_id))
    if value is None:  # only rows without a deadline remain (they sort last)
        return Q(due_date__isnull=True) & id_after
    condition = Q(**{f"{field}__{greater}": value}) | (Q(**{field: value}) & id_after)
    if field == "due_date":
        condition |= Q(due_date__isnull=True)
    return condition


def _cursor_values(sort: str, cursor: str) -> list:
    values = decode_cursor(cursor)
    if len(values) != 3 or values[0] != sort or not isinstance(values[2], int):
        raise _invalid(_("分页游标无效。"), "pagination.invalid-cursor")
    try:
        _after(sort, values[1:])
    except (TypeError, ValueError):
        raise _invalid(_("分页游标无效。"), "pagination.invalid-cursor") from None
    return values[1:]


def worklist(*, actor: Actor, sort: str = "due_date", statuses: Iterable[str] = ("READY",),
             deadline: Iterable[str] | None = None, cursor: str | None = None,
             limit: int = DEFAULT_LIMIT, today: dt.date) -> WorklistPage:
    """The actor's work items (by default READY ones) in every organisation where the
    actor holds the item's role, ordered by ``sort`` (due_date first by default, items
    without a deadline last), optionally only some deadline colours, one keyset page.
    """
    if sort not in SORTS:
        raise _invalid(
            _("排序方式须为 %(sorts)s 之一。") % {"sorts": ", ".join(SORTS)},
            "workflow.invalid-sort",
        )
    statuses = list(statuses) or ["READY"]
    if set(statuses) - set(WorkItem.Status.values):
        raise _invalid(_("任务状态无效。"), "workflow.invalid-status")
    if not 1 <= limit <= MAX_LIMIT:
        raise _invalid(
            _("每页条数须在 1 到 %(max_limit)s 之间。") % {"max_limit": MAX_LIMIT},
            "pagination.invalid-limit",
        )
    calendar = get_calendar()
    queryset = WorkItem.objects.filter(work_items_q(actor=actor), status__in=statuses)
    if deadline:
        deadline = list(deadline)
        if set(deadline) - set(DEADLINE_FILTERS):
            raise _invalid(_("期限状态须为 NORMAL、DUE_SOON 或 OVERDUE。"),
                           "workflow.invalid-deadline-status")
        queryset = queryset.filter(_deadline_q(deadline, today, calendar))
    if cursor:
        queryset = queryset.filter(_after(sort, _cursor_values(sort, cursor)))
    items = list(queryset.select_related("organisation").order_by(*_order(sort))[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        value = getattr(last, sort.lstrip("-"))
        next_cursor = encode_cursor([sort, value.isoformat() if value else None, last.pk])
    rows = [_row(item, today, calendar) for item in items]
    return WorklistPage(rows=rows, next_cursor=next_cursor)


def _row(item: WorkItem, today: dt.date, calendar) -> WorklistRow:
    left = None
    if item.due_date is not None:
        left = calendar.working_days_between(today, item.due_date)
        if item.due_date < today:
            left = min(left, -1)
    return WorklistRow(
        item=item,
        deadline_status=deadline_state(item.due_date, today, calendar=calendar),
        working_days_left=left,
    )


def access_work_item(*, actor: Actor | None, work_item_id: int) -> WorkItem:
    """One work item (any status) if ``actor`` holds its role over its organisation;
    otherwise ``WorkItemNotFound`` (404) — missing and forbidden look the same."""
    item = (WorkItem.objects.select_related("organisation", "completed_by")
            .filter(pk=work_item_id).first())
    if item is None or not can_work_on(actor=actor, work_item=item):
        raise WorkItemNotFound(_("未找到该待办任务。"))
    return item


def work_item_row(*, item: WorkItem, today: dt.date) -> WorklistRow:
    return _row(item, today, get_calendar())


def work_items_of_subject(*, subject_type: str, subject_id: str):
    """The history of a subject's tasks, oldest first (for the case page)."""
    return (WorkItem.objects.filter(subject_type=subject_type, subject_id=str(subject_id))
            .select_related("organisation", "completed_by").order_by("created_at", "id"))


# --- routes ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def _default_route_parts(handling_type: str, joint_departments: str, name: str,
                         inspection: bool) -> tuple[str, bpmn.ParsedRoute]:
    """The generated default route for these version elements, parsed and checked: a pure
    function of its arguments, so each process builds it once per distinct item shape
    instead of on every acceptance."""
    kind, xml = defaults.default_route_xml(
        handling_type=handling_type, joint_departments=joint_departments, name=name,
        inspection=inspection)
    return kind, bpmn.parse_route(xml, require_outcomes=True)


def default_route_for(version) -> RouteDefinition:
    """The generated default route of ``version`` as an unsaved row."""
    kind, parsed = _default_route_parts(
        version.handling_type, version.joint_departments, version.short_name or version.name,
        bool(getattr(version, "inspection_checklist", None)))
    return RouteDefinition(
        version=version, source=RouteDefinition.Source.DEFAULT, kind=kind,
        process_id=parsed.process_id, process_name=parsed.process_name[:255],
        bpmn_xml=parsed.xml, sha256=parsed.sha256, lanes=parsed.lanes_json(),
        tasks=parsed.tasks_json(), uploaded_at=version.created_at,
        end_outcomes=dict(parsed.end_outcomes),
    )


def newest_route(*, version, default: RouteDefinition) -> RouteDefinition | None:
    """In one query: the newest uploaded route of ``version``, else its stored default
    row with ``default``'s content, else None."""
    uploaded = Q(source=RouteDefinition.Source.UPLOADED)
    return (RouteDefinition.objects
            .filter(version=version)
            .filter(uploaded | Q(source=RouteDefinition.Source.DEFAULT, sha256=default.sha256))
            .order_by(Case(When(uploaded, then=0), default=1), "-uploaded_at", "-id")
            .first())


def access_route_version(*, actor: Actor, code: str, number: int,
                         upload: bool = False) -> ImplementationVersion:
    """An item version (drafts included) whose route ``actor`` may read (staff of the
    route roles) or, with ``upload``, replace (``workflow.upload_route`` over the
    implementing organisation); otherwise ``RouteNotFound`` (404), missing or forbidden."""
    version = (ImplementationVersion.objects
               .select_related("implementation__organisation")
               .filter(implementation__code=(code or "").strip(), number=number).first())
    allowed = version is not None and (
        can_upload_route(actor=actor, version=version) if upload
        else can_view_routes(actor=actor))
    if version is None or not allowed:
        raise RouteNotFound(_("未找到该事项版本。"), details={"code": code, "version": number})
    return version


def route_outcome(*, route_id: int, end_events, decision) -> str | None:
    """approve | deny for a finished instance of route ``route_id``, from the outcomes its
    end events declare (outcomes.py); None when the route does not give one answer."""
    declared = (RouteDefinition.objects.filter(pk=route_id)
                .values_list("end_outcomes", flat=True).first()) or {}
    return outcomes.outcome_of(declared, tuple(end_events), decision)


def route_get(*, version) -> RouteDefinition:
    """The route new cases of ``version`` would run: the newest upload, else the default
    (a stored default row if there is one, else generated and not saved)."""
    candidate = default_route_for(version)
    return newest_route(version=version, default=candidate) or candidate


def route_history(*, version):
    return RouteDefinition.objects.filter(version=version).order_by("-uploaded_at", "-id")


# --- joint review: lane department → organisation --------------------------------------------


def lane_organisation(*, department: str, home: Organisation) -> Organisation:
    """The organisation a lane's department names; ``home`` when it names none.

    Matched on the organisation's name or short name among active organisations; if
    several match, the one in ``home``'s region (行政区划) wins, then the one in the same
    tree as ``home``. None or several left → ``workflow.unknown-department``.
    """
    department = (department or "").strip()
    if not department:
        return home
    candidates = list(Organisation.objects.filter(
        Q(name=department) | Q(short_name=department), is_active=True
    ).order_by("id"))
    if len(candidates) > 1:
        same_region = [o for o in candidates if o.region_code == home.region_code]
        if same_region:
            candidates = same_region
    if len(candidates) > 1:
        root = "/".join(home.path.split("/")[:2]) + "/"
        same_tree = [o for o in candidates if o.path.startswith(root)]
        if same_tree:
            candidates = same_tree
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise UnknownDepartment(
            _("机构库中没有名为“%(department)s”的机构，请使用机构全称或简称。")
            % {"department": department},
            details={"department": department},
        )
    raise UnknownDepartment(
        _("名为“%(department)s”的机构不止一个，请在泳道中写明全称。") % {"department": department},
        details={"department": department, "candidates": [o.pk for o in candidates]},
    )


def task_decides(*, route_id: int, task_name: str) -> bool:
    """Whether ``task_name`` of the route is a deciding step (its ``decision`` chooses the
    way on), as opposed to a step that only gives an opinion."""
    from .bpmn import deciding_tasks

    xml = RouteDefinition.objects.filter(pk=route_id).values_list("bpmn_xml", flat=True).first()
    return bool(xml) and task_name in deciding_tasks(xml)
