"""Who may maintain which catalog items.

Role level: the actions below, granted to 事项管理员 and 系统管理员. Object level: the
implementing organisation must lie in the subtree the role was granted over. Base
catalog entries (基本目录) belong to nobody's subtree, so managing them needs the action
anywhere. ``actor=None`` is the system itself (importers run from the command line) and
passes every check; web views and the API always pass the request's user.
"""

from django.db.models import Q

from onewindow.identity.models import Role
from onewindow.identity.permissions import can, can_anywhere, register_actions, scope_q

EDIT_ITEM = "catalog.edit_item"
PUBLISH_ITEM = "catalog.publish_item"
SUSPEND_ITEM = "catalog.suspend_item"
CANCEL_ITEM = "catalog.cancel_item"
MANAGE_HALL = "catalog.manage_hall_list"
MANAGE_ENTRIES = "catalog.manage_entries"
VIEW_DRAFTS = "catalog.view_drafts"
IMPORT_EXPORT = "catalog.import_export"

_ADMINS = {Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN}

register_actions(
    {
        EDIT_ITEM: _ADMINS,
        PUBLISH_ITEM: _ADMINS,
        SUSPEND_ITEM: _ADMINS,
        CANCEL_ITEM: _ADMINS,
        MANAGE_HALL: _ADMINS | {Role.HALL_MANAGER},
        MANAGE_ENTRIES: _ADMINS,
        VIEW_DRAFTS: _ADMINS,
        IMPORT_EXPORT: _ADMINS,
    }
)


def is_system(actor) -> bool:
    return actor is None


def can_on_implementation(*, actor, action: str, implementation) -> bool:
    if is_system(actor):
        return True
    return can(actor, action, implementation.organisation)


def can_on_organisation(*, actor, action: str, organisation) -> bool:
    if is_system(actor):
        return True
    return can(actor, action, organisation)


def can_edit_item(*, actor, implementation) -> bool:
    return can_on_implementation(actor=actor, action=EDIT_ITEM, implementation=implementation)


def can_publish_item(*, actor, implementation) -> bool:
    return can_on_implementation(actor=actor, action=PUBLISH_ITEM, implementation=implementation)


def can_manage_entries(*, actor) -> bool:
    return is_system(actor) or can_anywhere(actor, MANAGE_ENTRIES)


def implementations_q(*, actor, action: str) -> Q:
    """The queryset twin: implementations whose organisation is in the actor's scope."""
    if is_system(actor):
        return Q()
    return scope_q(actor, action, field="organisation")
