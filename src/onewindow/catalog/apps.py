"""catalog (registries layer) owns the service-item catalog (事项库): base entries
(基本目录), implementation lists (实施清单) with immutable versions and materials, the
进驻负面清单, themes and service objects for browsing, service guides (办事指南), Chinese
search, the Guangdong and Excel importers. May import identity and the kernel apps
(common, audit, events).
"""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "onewindow.catalog"
    label = "catalog"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "事项库"

    def ready(self):
        from . import permissions  # noqa: F401  registers the catalog.* actions
