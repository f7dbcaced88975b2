"""catalog (registries layer) owns the service-item catalog (事项库): base entries,
implementation lists, materials, versions and guides. May import identity and the
kernel.
"""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "onewindow.catalog"
    label = "catalog"
    default_auto_field = "django.db.models.BigAutoField"
