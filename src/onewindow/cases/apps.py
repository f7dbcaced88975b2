"""cases (core layer) owns cases (办件): application, acceptance, approval, time limits and
delivery. May import workflow, registries, identity and the kernel.
"""

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "onewindow.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"
