"""Errors of approval routes and the worklist, each with a stable code.

Upload errors (422) carry ``details`` = {"element_id": …, "element_type": …, "line": …,
and for conditions "expression": …} so a modeler user can find the element.
"""

from onewindow.common.errors import Conflict, NotFound, ValidationFailed


class RouteInvalid(ValidationFailed):
    """The file is not BPMN 2.0 XML we can read (syntax, schema, structure)."""

    code = "workflow.invalid-bpmn"


class ScriptTaskRefused(RouteInvalid):
    code = "workflow.script-task-refused"


class CodeRefused(RouteInvalid):
    """Listeners, Java classes, script conditions, service tasks: code we never run."""

    code = "workflow.code-refused"


class UnsupportedElement(RouteInvalid):
    code = "workflow.unsupported-element"


class UnknownLane(RouteInvalid):
    code = "workflow.unknown-lane"


class UnknownDepartment(RouteInvalid):
    code = "workflow.unknown-department"


class UnsafeExpression(RouteInvalid):
    code = "workflow.unsafe-expression"


class ExpressionFailed(ValidationFailed):
    """A gateway condition could not be evaluated on the data given (missing item …)."""

    code = "workflow.expression-failed"


class NoRouteMatched(ValidationFailed):
    """No outgoing condition of a gateway holds for the data given."""

    code = "workflow.no-route-matched"


class InvalidTaskData(ValidationFailed):
    code = "workflow.invalid-task-data"


class InvalidState(ValidationFailed):
    """Stored instance state that cannot be read (corrupted or from an unknown format)."""

    code = "workflow.invalid-state"


class VersionClosed(ValidationFailed):
    code = "workflow.version-superseded"


class TaskNotReady(Conflict):
    """The BPMN task is not (or no longer) waiting for a person."""

    code = "workflow.task-not-ready"


class TaskAlreadyCompleted(Conflict):
    code = "workflow.task-already-completed"


class StateChanged(Conflict):
    code = "workflow.state-changed"


class NoPreviousStep(Conflict):
    code = "workflow.no-previous-step"


class AlreadyStarted(Conflict):
    code = "workflow.already-started"


class WorkItemNotFound(NotFound):
    code = "workflow.task-not-found"


class RouteNotFound(NotFound):
    code = "workflow.route-not-found"


class SubjectTypeUnknown(LookupError):
    """Programming error: no adapter registered for a subject type."""
