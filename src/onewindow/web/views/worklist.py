"""待办事项: the ready tasks of a handler or chief representative in their organisation
scope (workflow.selectors.worklist), soonest deadline first by default, filterable by
deadline colour, one keyset page at a time ("more"). Each row names its case; a case
whose clock is stopped (特别程序) shows grey with the words 暂停计时.
"""

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from onewindow.cases import selectors as case_selectors
from onewindow.cases.codes import SUBJECT_TYPE as CASE_SUBJECT_TYPE
from onewindow.cases.codes import CaseStatus
from onewindow.cases.models import Case
from onewindow.common.errors import ValidationFailed
from onewindow.common.ids import is_row_id
from onewindow.identity import permissions as identity_permissions
from onewindow.workdays.models import DeadlineState
from onewindow.workflow import selectors as workflow
from onewindow.workflow.permissions import WORK_AS

from ..forms_approval import WorklistFilterForm
from ..ui import first_page, staff_required
from .cases_common import ErrorEntry, deadline_css, form_errors, page_query

PAGE = 50
SUBJECT = CASE_SUBJECT_TYPE


def can_use_worklist(user) -> bool:
    """Anyone who may work on tasks of some role somewhere (handlers, chief
    representatives, window clerks authorised for a department's 即办 steps)."""
    return any(identity_permissions.can_anywhere(user, action) for action in WORK_AS.values())


@dataclass(frozen=True)
class TaskRow:
    item: object
    case: Case | None
    state: DeadlineState
    label: str
    days_left: int | None

    @property
    def css(self) -> str:
        return deadline_css(self.state)

    @property
    def left_text(self) -> str:
        if self.state == DeadlineState.SUSPENDED:
            return gettext("暂停计时")
        if self.days_left is None:
            return gettext("无环节期限")
        if self.days_left < 0:
            return gettext("逾期 %(n)s 个工作日") % {"n": -self.days_left}
        if self.days_left == 0:
            return gettext("今天到期")
        return ngettext("剩 %(n)s 个工作日", "剩 %(n)s 个工作日", self.days_left) % {
            "n": self.days_left}


def cases_by_subject(items) -> dict[str, Case]:
    """The cases the work items belong to (subject ids are case ids), in one query."""
    ids = {int(i.subject_id) for i in items
           if i.subject_type == SUBJECT and is_row_id(str(i.subject_id))}
    found = Case.objects.filter(pk__in=ids).select_related(
        "version", "organisation", "applicant_person", "applicant_legal")
    return {str(case.pk): case for case in found}


def task_row(row, case: Case | None) -> TaskRow:
    if case is not None and case.status == CaseStatus.SUSPENDED:
        return TaskRow(row.item, case, DeadlineState.SUSPENDED, gettext("特别程序"), None)
    return TaskRow(row.item, case, row.deadline_status, gettext(row.deadline_label),
                   row.working_days_left)


@staff_required
def worklist(request):
    if not can_use_worklist(request.user):
        raise Http404
    today = timezone.localdate()
    form = WorklistFilterForm(request.GET or None)
    errors: list[ErrorEntry] = []
    sort, deadline = "due_date", None
    if request.GET and form.is_valid():
        sort = form.cleaned_data.get("sort") or "due_date"
        if form.cleaned_data.get("deadline"):
            deadline = [form.cleaned_data["deadline"]]
    elif request.GET:
        errors = form_errors(form)
    try:
        page = workflow.worklist(actor=request.user, sort=sort, deadline=deadline,
                                 cursor=request.GET.get("cursor") or None, limit=PAGE,
                                 today=today)
    except ValidationFailed:  # a stale or edited cursor: start again from the first page
        if request.GET.get("cursor"):
            return first_page(request)
        raise
    cases = cases_by_subject([r.item for r in page.rows])
    rows = [task_row(r, cases.get(str(r.item.subject_id))) for r in page.rows]
    context = {
        "form": form, "errors": errors, "rows": rows, "sort": sort,
        "nav_active": "worklist",
        # Art. 42 extension requests waiting for this chief representative.
        "extensions": case_selectors.extension_requests_pending(actor=request.user),
        "next_url": page_query(request, cursor=page.next_cursor) if page.next_cursor else "",
        "first_url": page_query(request, cursor=None) if request.GET.get("cursor") else "",
        "sort_due_url": page_query(request, cursor=None,
                                   sort="-due_date" if sort == "due_date" else "due_date"),
        "sort_arrived_url": page_query(
            request, cursor=None, sort="-created_at" if sort == "created_at" else "created_at"),
    }
    return render(request, "web/approval/worklist.html", context)
