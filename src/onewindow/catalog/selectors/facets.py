"""What to browse by (departments, themes, service objects, 事项类型, with counts), and
small lookups."""

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from onewindow.identity.models import Organisation

from ..codes import (
    ExerciseLevel,
    ImplementationStatus,
    ItemType,
    label,
)
from ..errors import EntryNotFound
from ..models import (
    CatalogEntry,
    Implementation,
    ServiceObject,
    Theme,
)

# --- browsing facets --------------------------------------------------------------------


@dataclass(frozen=True)
class Facet:
    key: str  # the filter value (organisation id, theme id, code)
    label: str
    count: int


def _public_implementations():
    return Implementation.objects.filter(status=ImplementationStatus.ACTIVE,
                                         current_version__isnull=False)


def department_facets(*, root: Organisation | None = None) -> list[Facet]:
    """Implementing organisations (部门) with their number of published active items."""
    qs = _public_implementations()
    if root is not None:
        qs = qs.filter(organisation__path__startswith=root.path)
    rows = qs.values("organisation_id", "organisation__name").annotate(n=Count("id")).order_by(
        "-n", "organisation__name")
    return [Facet(str(r["organisation_id"]), r["organisation__name"], r["n"]) for r in rows]


def theme_facets(*, audience: str | None = None) -> list[Facet]:
    themes = Theme.objects.filter(is_active=True)
    if audience:
        themes = themes.filter(audience=audience)
    counts = dict(
        _public_implementations().filter(current_version__themes__in=themes)
        .values_list("current_version__themes").annotate(n=Count("id")).order_by()
    )
    return [Facet(str(t.pk), t.name, counts.get(t.pk, 0)) for t in themes]


def service_object_facets() -> list[Facet]:
    counts = dict(
        _public_implementations().values_list("current_version__service_objects__code")
        .annotate(n=Count("id")).order_by()
    )
    return [Facet(o.code, o.name, counts.get(o.code, 0)) for o in ServiceObject.objects.all()]


def item_type_facets() -> list[Facet]:
    counts = dict(
        _public_implementations().values_list("entry__item_type").annotate(n=Count("id"))
        .order_by()
    )
    return [Facet(code, str(lbl), counts.get(code, 0)) for code, lbl in ItemType.choices]


def entry_get(*, basic_code: str) -> CatalogEntry:
    entry = CatalogEntry.objects.filter(basic_code=(basic_code or "").strip()).first()
    if entry is None:
        raise EntryNotFound(_("没有找到该基本目录。"), details={"basic_code": basic_code})
    return entry


def level_label(level: str) -> str:
    return label(ExerciseLevel, level)

