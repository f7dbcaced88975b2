"""Events the workflow publishes (through onewindow.events.services.publish).

The aggregate is (subject_type, subject_id), e.g. ("cases.case", case id). Every payload
carries ``{"subject_type", "subject_id"}`` and:

``workflow.task.ready`` — ``{"work_item_id", "task_name", "task_label", "role",
"organisation_id", "due_date"}``: a task arrived in a worklist (notify the handlers).
``workflow.task.completed`` — ``{"work_item_id", "task_name", "decision", "actor_id"}``.
``workflow.task.returned`` — ``{"work_item_id", "task_name", "reason", "actor_id"}`` (退回).
``workflow.process.finished`` — ``{"decision", "end_events", "cancelled"}``: the route
reached its end (or was cancelled); the case decides what that means.
"""

TASK_READY = "workflow.task.ready"
TASK_COMPLETED = "workflow.task.completed"
TASK_RETURNED = "workflow.task.returned"
PROCESS_FINISHED = "workflow.process.finished"
