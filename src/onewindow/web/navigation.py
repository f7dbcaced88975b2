"""The navigation each kind of user sees: only links to what exists and what they may use."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onewindow.cases import selectors as cases
from onewindow.cases.permissions import DELIVER_RESULT
from onewindow.common.text import StrOrPromise
from onewindow.identity import notifications, permissions
from onewindow.workflow.permissions import WORK_AS


@dataclass(frozen=True)
class NavItem:
    label: StrOrPromise
    url: str
    key: str
    badge: int = 0


def portal_items(user) -> list[NavItem]:
    items = [
        NavItem(_("首页"), reverse("web:home"), "home"),
        NavItem(_("办事指南"), reverse("web:items"), "items"),
        NavItem(_("进度查询"), reverse("web:progress"), "progress"),
        NavItem(_("证照核验"), reverse("licences:verify-form"), "verify"),
    ]
    if user.is_authenticated:
        items += [
            NavItem(_("我的办件"), reverse("web:my-cases"), "my-cases"),
            NavItem(_("我的证照"), reverse("licences:wallet"), "licences"),
            NavItem(_("消息"), reverse("web:inbox"), "inbox",
                    badge=notifications.unread_count(account=user)),
            NavItem(_("我的账户"), reverse("web:account"), "account"),
        ]
    return items


def workbench_items(user) -> list[NavItem]:
    items = [NavItem(_("工作台"), reverse("web:workbench"), "workbench")]
    if permissions.can_anywhere(user, "cases.accept_case") or cases.front_desk_read_only(user):
        items.append(NavItem(_("前台受理"), reverse("web:front-desk"), "front-desk"))
    if permissions.can_anywhere(user, "cases.register_walk_in"):
        items.append(NavItem(_("窗口登记"), reverse("web:walk-in"), "walk-in"))
    if any(permissions.can_anywhere(user, action) for action in WORK_AS.values()):
        items.append(NavItem(_("待办事项"), reverse("web:worklist"), "worklist"))
    if permissions.can_anywhere(user, DELIVER_RESULT):
        items.append(NavItem(_("出件窗口"), reverse("web:output-queue"), "output"))
    if permissions.can_anywhere(user, "catalog.edit_item"):
        items.append(NavItem(_("事项管理"), reverse("web:catalog-admin"), "catalog"))
    if any(permissions.can_anywhere(user, a) for a in ("licences.issue", "licences.lookup")):
        items.append(NavItem(_("电子证照"), reverse("licences:staff-home"), "licences"))
    if notifications.can_view_outgoing(viewer=user):
        items.append(NavItem(_("演示短信"), reverse("web:demo-messages"), "demo-messages"))
    items.append(NavItem(_("我的账户"), reverse("web:staff-account"), "account"))
    if permissions.can_anywhere(user, "identity.manage_accounts") or user.is_superuser:
        items.append(NavItem(_("系统管理"), reverse("admin:index"), "admin"))
    items.append(NavItem(_("接口文档"), reverse("api:openapi-view"), "api-docs"))
    return items
