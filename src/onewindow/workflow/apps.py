"""workflow (engines layer) owns BPMN approval routes executed with SpiffWorkflow and the
worklist. May import registries, identity and the kernel.
"""

from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "onewindow.workflow"
    label = "workflow"
    default_auto_field = "django.db.models.BigAutoField"
