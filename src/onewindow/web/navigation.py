"""The navigation each kind of user sees: only links to what exists and what they may use."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onewindow.identity import permissions


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    key: str


def portal_items(user) -> list[NavItem]:
    items = [NavItem(_("首页"), reverse("web:home"), "home")]
    if user.is_authenticated:
        items.append(NavItem(_("我的账户"), reverse("web:account"), "account"))
    return items


def workbench_items(user) -> list[NavItem]:
    items = [NavItem(_("工作台"), reverse("web:workbench"), "workbench")]
    items.append(NavItem(_("我的账户"), reverse("web:staff-account"), "account"))
    if permissions.can_anywhere(user, "identity.manage_accounts") or user.is_superuser:
        items.append(NavItem(_("系统管理"), reverse("admin:index"), "admin"))
    items.append(NavItem(_("接口文档"), reverse("api:openapi-view"), "api-docs"))
    return items
