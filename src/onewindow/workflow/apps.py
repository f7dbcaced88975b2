"""workflow (engines layer) owns BPMN approval routes executed with SpiffWorkflow and the
worklist. May import registries, identity and the kernel.

Routes: a BPMN 2.0 file per catalog ImplementationVersion (uploaded from a modeler, or a
generated default for 即办件 / 承诺件 / 联合审查), checked on upload (lanes → roles, no
scripts or code, safe gateway conditions). Instances: SpiffWorkflow state as JSON, stored
by the subject (the case) through an adapter it registers (workflow.subjects). Worklists:
ready user tasks mirrored into WorkItem rows by organisation, role and deadline.
"""

from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "onewindow.workflow"
    label = "workflow"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "审批流程"

    def ready(self):
        from . import permissions  # noqa: F401  registers the permission actions
