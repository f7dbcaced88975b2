"""The portal's service-item pages (掌上办 first): browse and search the published catalog,
and read one service guide (办事指南). No login needed."""

import unicodedata

from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy

from onewindow.cases import selectors as cases
from onewindow.cases.errors import NoReceivingCentre
from onewindow.catalog import selectors
from onewindow.catalog.codes import HandlingForm, ImplementationStatus, ThemeAudience
from onewindow.common.errors import ApplicationError
from onewindow.common.ids import is_digits
from onewindow.identity.models import Organisation

PAGE_SIZE = 20
# Only these reach the selector: a shared link may carry other parameters (e.g. from=…).
FILTERS = ("q", "org", "theme", "service_object", "type", "level")
ONLINE_FORMS = {HandlingForm.ONLINE_PC.value, HandlingForm.ONLINE_MOBILE.value}
THEME_GROUPS = [
    (ThemeAudience.INDIVIDUAL, gettext_lazy("个人办事")),
    (ThemeAudience.ENTERPRISE, gettext_lazy("法人办事")),
    (ThemeAudience.GENERAL, gettext_lazy("其他主题")),
]


def _page_number(raw) -> int:
    text = str(raw or "1")
    return int(text) if is_digits(text) and 0 < int(text) < 100_000 else 1


def _printable(text: str) -> str:
    """``text`` without control characters, to echo a crafted query back safely."""
    return "".join(c for c in text if unicodedata.category(c) != "Cc")


def item_list(request):
    """Search box, facets kept in the URL, keyset pages of published active items."""
    error = None
    details: dict = {}
    page = None
    no_search_words = False
    try:
        filters = selectors.parse_filters(
            {name: request.GET[name] for name in FILTERS if name in request.GET})
        page = selectors.implementation_list(
            filters=filters, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE
        )
        no_search_words = filters.q_without_words
    except ApplicationError as exc:
        error, details = str(exc.message), exc.details if isinstance(exc.details, dict) else {}
    facets = {
        "departments": selectors.department_facets(),
        "themes": [(label, selectors.theme_facets(audience=audience))
                   for audience, label in THEME_GROUPS],
        "service_objects": selectors.service_object_facets(),
        "item_types": [f for f in selectors.item_type_facets() if f.count],
    }
    facets["themes"] = [(label, rows) for label, rows in facets["themes"] if rows]
    chosen = {name: _printable(request.GET.get(name, "")) for name in
              ("q", "org", "theme", "service_object", "type")}
    context = {
        "page": page,
        "error": error,
        "details": details,
        "facets": facets,
        "chosen": chosen,
        "no_search_words": no_search_words,
        "filtering": any(v for k, v in chosen.items() if k != "q"),
        "page_number": _page_number(request.GET.get("page")),
        "nav_active": "items",
    }
    return render(request, "web/catalog/items.html", context, status=400 if error else 200)


def offered_online(guide) -> bool:
    """The current version of an active item that its catalog says is applied for online."""
    return guide.accepting and any(f.code in ONLINE_FORMS for f in guide.handling_forms)


def received_here(guide) -> bool:
    """Whether a service centre on this platform receives applications for the item's
    department. Imported catalogs (the Guangdong items) describe departments that have
    no centre here: their items are applied for on their own region's platform."""
    organisation = Organisation.objects.filter(pk=guide.department.id).first()
    if organisation is None:
        return False
    try:
        cases.receiving_centre_for(organisation=organisation)
    except NoReceivingCentre:
        return False
    return True


def can_apply_online(guide) -> bool:
    """The 在线申办 button: offered online and received by a centre on this platform, so
    the button never leads to a step that fails."""
    return offered_online(guide) and received_here(guide)


def next_step(guide, *, online: bool, elsewhere: bool = False) -> str:
    """What the person should do, in one sentence, at the top of the guide. ``elsewhere``:
    the item is applied for online, but not on this platform."""
    count = len(guide.materials)
    materials = gettext("准备好下面的 %(n)s 项申请材料，") % {"n": count} if count else ""
    if not guide.version.is_current:
        return gettext("这是历史版本，仅供查阅；办理请以现行版本为准。")
    if guide.status.code == ImplementationStatus.SUSPENDED:
        return gettext("该事项暂停办理，暂时不能申请。")
    if elsewhere:
        platform = guide.online_platform or gettext("办理部门所在地的政务服务网")
        return gettext("本平台不受理该事项的申请：请在%(platform)s上申请%(location)s。") % {
            "platform": platform,
            "location": gettext("，或到办理地点的窗口申请") if guide.location else "",
        }
    if online and guide.in_hall:
        how = gettext("可以在网上申请，也可以到办理地点的窗口申请。")
    elif online:
        how = gettext("在网上申请即可，不用到现场。")
    elif guide.location:
        how = gettext("到办理地点的窗口申请。")
    else:
        how = gettext("按下面的说明申请；有疑问请拨打咨询电话。")
    text = materials + how
    return text[:1].upper() + text[1:]  # English starts "apply …" when nothing to prepare


def item_guide(request, code: str):
    """The guide of an item's current version, or of ``?version=N`` (a historic one)."""
    version = request.GET.get("version") or None
    try:
        guide = selectors.guide(code=code, version=version)
    except ApplicationError:
        # Unknown or never published, or a malformed 实施编码 / version in the address.
        return render(request, "web/error.html", {"status": 404, "kind": "not_found"},
                      status=404)
    if guide.status.code == ImplementationStatus.CANCELLED:
        return render(request, "web/catalog/gone.html", {"guide": guide, "nav_active": "items"},
                      status=404)
    offered = offered_online(guide)
    online = offered and received_here(guide)
    elsewhere = offered and not online
    context = {
        "guide": guide,
        "can_apply_online": online,
        "apply_elsewhere": elsewhere,
        "next_step": next_step(guide, online=online, elsewhere=elsewhere),
        "suspended": guide.status.code == ImplementationStatus.SUSPENDED,
        "historic": not guide.version.is_current,
        "nav_active": "items",
    }
    return render(request, "web/catalog/guide.html", context)
