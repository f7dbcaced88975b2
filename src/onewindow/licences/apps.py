"""licences (registries layer) owns the electronic licence library (电子证照库). May import
identity and the kernel.
"""

from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "onewindow.licences"
    label = "licences"
    default_auto_field = "django.db.models.BigAutoField"
