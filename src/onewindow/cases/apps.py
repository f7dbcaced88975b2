"""cases (core layer) owns cases (办件): application, acceptance, approval, time limits and
delivery. May import workflow, registries, identity and the kernel.

Cases I: drafts, uploads, submission (online and at the window) with case numbers,
one-window acceptance (accept / 容缺 / refuse / 一次性告知补正 / 即办), withdrawal, the
Art. 32 deemed-acceptance sweep, notices (PDF), applicant notifications and the API.

Cases II: the approval route of each case on the workflow engine (subject type "cases.case",
state on the case row), opinions and decisions, 退回, Art. 45 suspensions, the Art. 42
extension, deadlines with their day-by-day explanation, decision documents and unified
output (统一出件) with the Art. 44 clock.
"""

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "onewindow.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "办件"

    def ready(self):
        from onewindow.events.schedule import register_periodic
        from onewindow.workflow.subjects import register_subject

        from . import handlers, permissions  # noqa: F401  registers actions and handlers
        from .services.review import SUBJECT_TYPE, CaseWorkflowAdapter
        from .tasks import DEEMED_ACCEPTANCE_EVERY_SECONDS, deem_accepted_task

        register_periodic(deem_accepted_task, DEEMED_ACCEPTANCE_EVERY_SECONDS)
        register_subject(SUBJECT_TYPE, CaseWorkflowAdapter())
