"""Who may upload routes and who may work on which tasks.

Routes: 事项管理员 and 系统管理员 over the implementing organisation (``actor=None`` is the
system itself, e.g. an importer). Tasks: the actor must hold the task's role (from its
lane) over the work item's organisation or an ancestor of it; the worklist applies the
same rule as a queryset filter, so a task of another department is simply not found.
"""

from django.db.models import Q

from onewindow.identity.models import Organisation, Role
from onewindow.identity.permissions import can, can_anywhere, register_actions, scope_paths

UPLOAD_ROUTE = "workflow.upload_route"
VIEW_ROUTE = "workflow.view_route"
WORK_AS = {
    Role.WINDOW_CLERK.value: "workflow.work_as_window_clerk",
    Role.HANDLER.value: "workflow.work_as_handler",
    Role.CHIEF_REPRESENTATIVE.value: "workflow.work_as_chief_representative",
}

register_actions(
    {
        UPLOAD_ROUTE: {Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN},
        VIEW_ROUTE: {Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN, Role.SUPERVISOR,
                     Role.WINDOW_CLERK, Role.HANDLER, Role.CHIEF_REPRESENTATIVE},
        **{action: {role} for role, action in WORK_AS.items()},
    }
)


def can_upload_route(*, actor, version) -> bool:
    if actor is None:
        return True
    return can(actor, UPLOAD_ROUTE, version.implementation.organisation)


def can_view_routes(*, actor) -> bool:
    return actor is None or can_anywhere(actor, VIEW_ROUTE)


def can_work_on(*, actor, work_item) -> bool:
    if actor is None:  # the system itself (e.g. the cases app closing a 即办 step)
        return True
    action = WORK_AS.get(work_item.role)
    return action is not None and can(actor, action, work_item.organisation)


def _outermost(paths: list[str]) -> list[str]:
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def work_items_q(*, actor) -> Q:
    """Work items whose role the actor holds over their organisation (queryset twin of
    can_work_on). Organisations are matched through an id subquery so the worklist index
    (organisation, role, status, due_date) is used."""
    condition = Q(pk__in=[])
    for role, action in WORK_AS.items():
        paths = _outermost(scope_paths(actor, action))
        if not paths:
            continue
        in_scope = Q()
        for path in paths:
            in_scope |= Q(path__startswith=path)
        organisations = Organisation.objects.filter(in_scope).values("id")
        condition |= Q(role=role, organisation_id__in=organisations)
    return condition
