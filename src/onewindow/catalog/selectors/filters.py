"""Browse filters: parsing URL/query parameters into ``ItemFilters`` with Chinese
messages per parameter, and applying them to a queryset."""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from onewindow.common.ids import is_digits
from onewindow.common.text import StrOrPromise
from onewindow.identity.models import Organisation

from .. import search
from ..codes import (
    IMPLEMENTATION_LEVELS,
    ImplementationStatus,
    ItemType,
    ServiceObjectCode,
    VersionStatus,
)
from ..errors import InvalidFilter
from ..models import (
    ImplementationVersion,
    Theme,
)

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
PUBLIC_VERSION_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)


# --- filters ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFilters:
    """Parsed, validated browse filters (build with ``parse_filters``)."""

    organisation: Organisation | None = None
    item_type: str = ""
    level: str = ""
    theme: Theme | None = None
    service_object: str = ""
    q: str = ""
    status: str = ""  # staff lists only

    def as_query(self) -> dict[str, str]:
        """The filters as URL parameters (pages keep filters in the URL)."""
        query = {
            "org": str(self.organisation.pk) if self.organisation else "",
            "type": self.item_type, "level": self.level,
            "theme": str(self.theme.pk) if self.theme else "",
            "service_object": self.service_object, "q": self.q, "status": self.status,
        }
        return {k: v for k, v in query.items() if v}

    @property
    def searching(self) -> bool:
        """Whether ``q`` holds words to search for. A query of punctuation alone
        (“，”, “!!!”, “-”) has none: the list is then the plain browse list."""
        return bool(self.q) and bool(search.query_words(self.q))

    @property
    def q_without_words(self) -> bool:
        """A query was typed but nothing in it can be searched (pages say so)."""
        return bool(self.q) and not self.searching


FILTER_NAMES = ("org", "type", "level", "theme", "service_object", "q", "status")


def parse_filters(raw: Mapping[str, Any] | None, *, allow_status: bool = False) -> ItemFilters:
    """Turn URL/query parameters into ``ItemFilters``; bad values raise ``InvalidFilter``
    whose details map each parameter to a Chinese message."""
    raw = raw or {}
    errors: dict[str, StrOrPromise] = {}

    def text(name: str) -> str:
        value = raw.get(name)
        if value is None:
            return ""
        value = " ".join(str(value).split())
        # A NUL or other control character is never typed by a person (it comes from a
        # crafted URL such as q=%00) and PostgreSQL refuses it in a string.
        if any(unicodedata.category(c) == "Cc" for c in value):
            errors[name] = gettext_lazy("筛选条件中含有无法识别的控制字符，请重新输入。")
            return ""
        return value

    organisation = None
    org = text("org")
    if org:
        if not is_digits(org):
            errors["org"] = gettext_lazy("机构（org）应为机构编号（正整数）。")
        else:
            organisation = Organisation.objects.filter(pk=int(org)).first()
            if organisation is None:
                errors["org"] = gettext_lazy("没有编号为 %(org)s 的机构。") % {"org": org}
    item_type = text("type")
    if item_type and item_type not in ItemType.values:
        errors["type"] = (
            f"事项类型代码“{item_type}”无效，可选：" + "、".join(
                f"{c} {lbl}" for c, lbl in ItemType.choices) + "。"
        )
    level = text("level")
    if level and level not in IMPLEMENTATION_LEVELS:
        errors["level"] = gettext_lazy(
            "行使层级（level）应为 1–6：1 国家级、2 省级、3 市级、4 县级、5 镇级、6 村级。"
        )
    theme = None
    theme_id = text("theme")
    if theme_id:
        if not is_digits(theme_id):
            errors["theme"] = gettext_lazy("主题（theme）应为主题编号（正整数）。")
        else:
            theme = Theme.objects.filter(pk=int(theme_id)).first()
            if theme is None:
                errors["theme"] = gettext_lazy("没有编号为 %(theme_id)s 的主题。") % {
                    "theme_id": theme_id
                }
    service_object = text("service_object")
    if service_object and service_object not in ServiceObjectCode.values:
        errors["service_object"] = gettext_lazy(
            "服务对象代码无效，可选：1 自然人、2 企业法人、3 事业法人、"
            "4 社会组织法人、5 行政机关、6 其他组织。"
        )
    q = text("q")
    if len(q) > search.MAX_QUERY_LENGTH:
        errors["q"] = gettext_lazy("搜索词不能超过 %(search_max_query_length)s 个字。") % {
            "search_max_query_length": search.MAX_QUERY_LENGTH
        }
    status = text("status")
    if status:
        if not allow_status:
            errors["status"] = gettext_lazy("不支持按状态筛选。")
        elif status not in {*ImplementationStatus.values, "DRAFT"}:
            errors["status"] = gettext_lazy("状态应为 ACTIVE、SUSPENDED、CANCELLED 或 DRAFT。")
    unknown = sorted(set(raw) - set(FILTER_NAMES) - {"cursor", "limit", "page"})
    for name in unknown:
        errors[name] = gettext_lazy("不支持的筛选条件。")
    if errors:
        raise InvalidFilter(
            gettext_lazy("筛选条件有误：%(errors)s") % {"errors": next(iter(errors.values()))},
            details=errors,
        )
    return ItemFilters(organisation=organisation, item_type=item_type, level=level, theme=theme,
                       service_object=service_object, q=q, status=status)


def parse_limit(value: Any, default: int = DEFAULT_LIMIT) -> int:
    if value in (None, ""):
        return default
    text = str(value).strip()
    if not is_digits(text) or not 1 <= int(text) <= MAX_LIMIT:
        message = gettext_lazy("每页条数（limit）应为 1 到 %(max_limit)s 之间的整数。") % {
            "max_limit": MAX_LIMIT
        }
        raise InvalidFilter(message, details={"limit": message})
    return int(text)


def _apply_filters(qs, filters: ItemFilters):
    # Subqueries rather than joins: the organisation subtree and a theme's versions are
    # small sets the database resolves first, then it uses the implementation indexes
    # (a LIKE on the joined path would scan every implementation on SQLite).
    if filters.organisation is not None:
        subtree = Organisation.objects.filter(path__startswith=filters.organisation.path)
        qs = qs.filter(organisation_id__in=subtree.values("pk"))
    if filters.item_type:
        qs = qs.filter(entry__item_type=filters.item_type)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.theme is not None:
        tagged = ImplementationVersion.themes.through.objects.filter(theme_id=filters.theme.pk)
        qs = qs.filter(current_version_id__in=tagged.values("implementationversion_id"))
    if filters.service_object:
        qs = qs.filter(current_version__service_objects__code=filters.service_object)
    return qs


