"""What each end event of an approval route means: its declared outcome.

An approval route ends in a decision, and the platform must not guess which one from an
element's id ("End_approved" contains "approv"…). Every end event says it in the BPMN,
in one of two ways a modeler can write:

- an attribute in OneWindow's namespace::

      <bpmn:endEvent id="End_ok" name="准予" xmlns:ow="urn:onewindow:bpmn:1" ow:outcome="approve"/>

- an extension property named ``outcome`` (Camunda Modeler: "Extension properties";
  Camunda 7 ``camunda:property``, Camunda 8 ``zeebe:property``)::

      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="outcome" value="deny"/>
      </camunda:properties></bpmn:extensionElements>

Values: ``approve`` (准予), ``deny`` (不予), or ``decision`` — the end event of a route whose
last step records the decision itself (即办件: one 办结 end after 当场决定); then the step's
``decision`` value is the outcome. The check runs at upload, listing every end event that
lacks or misstates its outcome, so a file is fixed in one go.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from lxml import etree

from .errors import RouteInvalid

OW_NS = "urn:onewindow:bpmn:1"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
APPROVE, DENY, DECISION = "approve", "deny", "decision"
OUTCOMES = (APPROVE, DENY, DECISION)
LABELS = {APPROVE: "准予", DENY: "不予", DECISION: "按决定环节的结果"}


class OutcomeMissing(RouteInvalid):
    code = "workflow.end-outcome-missing"


def declared(element: etree._Element, name: str) -> str | None:
    """The value an element declares for ``name``: the attribute ``ow:<name>``, else an
    extension property of that name (Camunda 7 / 8); None when it declares none."""
    value = element.get(f"{{{OW_NS}}}{name}")
    if value is not None:
        return value.strip()
    for prop in element.iter():
        if not isinstance(prop.tag, str) or etree.QName(prop).localname != "property":
            continue
        if (prop.get("name") or "").strip() == name:
            return (prop.get("value") or "").strip()
    return None


def _declared(end_event: etree._Element) -> str | None:
    return declared(end_event, "outcome")


def check_end_outcomes(process: etree._Element, problems) -> dict[str, str]:
    """Every end event of ``process`` → its declared outcome. An end event whose outcome is
    missing or unknown is one ``OutcomeMissing`` added to ``problems`` (bpmn.Problems, the
    upload's one list), with its element id, type and line like every other problem."""
    outcomes: dict[str, str] = {}
    for end in process.iter(f"{{{BPMN_NS}}}endEvent"):
        value = _declared(end)
        if value in OUTCOMES:
            outcomes[end.get("id", "")] = value
            continue
        name = end.get("name") or _("未命名")
        if value:
            wrong = _("结束事件“%(name)s”的 outcome “%(value)s” 无效") % {"name": name,
                                                                       "value": value}
        else:
            wrong = _("结束事件“%(name)s”未声明办理结果（outcome）") % {"name": name}
        problems.add(OutcomeMissing(
            _("%(wrong)s：请声明 approve（准予）、deny（不予）或 decision"
              "（按决定环节的结果），写作属性 ow:outcome（命名空间 %(ow_ns)s）或名为 outcome "
              "的扩展属性。") % {"wrong": wrong, "ow_ns": OW_NS},
            details={"element_id": end.get("id"), "element_type": "endEvent",
                     "line": end.sourceline, "found": value},
        ))
    return outcomes


def outcome_of(outcomes: dict[str, str], end_events: tuple[str, ...] | list[str],
               decision: object) -> str | None:
    """The outcome (approve | deny) of a finished instance, from the end events it reached
    and the decision its last deciding step recorded; None unless they give one answer."""
    results: set[str | None] = set()
    for end in end_events:
        declared = outcomes.get(end)
        if declared == DECISION:
            declared = decision if decision in (APPROVE, DENY) else None  # type: ignore[assignment]
        results.add(declared)
    if len(results) == 1:
        [value] = results
        if value in (APPROVE, DENY):
            return value
    return None
