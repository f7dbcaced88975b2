"""Routes declare what each end event means (workflow/outcomes.py). Routes stored before
that declared nothing and were read by guessing from end event ids; this migration makes
that guess once, for those rows only, so running cases finish as they would have. New
uploads must declare their outcomes."""

from django.db import migrations, models
from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def _legacy_outcome(end_id: str) -> str:
    lowered = end_id.lower()
    if "approv" in lowered and "den" not in lowered:
        return "approve"
    if "den" in lowered and "approv" not in lowered:
        return "deny"
    return "decision"


def declare_existing(apps, schema_editor):
    Route = apps.get_model("workflow", "RouteDefinition")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    for route in Route.objects.filter(end_outcomes={}).iterator():
        root = etree.fromstring(route.bpmn_xml.encode("utf-8"), parser)
        ends = root.xpath("//bpmn:process[@id=$id]//bpmn:endEvent/@id",
                          namespaces={"bpmn": BPMN_NS}, id=route.process_id)
        route.end_outcomes = {end: _legacy_outcome(end) for end in ends}
        route.save(update_fields=["end_outcomes"])


class Migration(migrations.Migration):

    dependencies = [
        ("workflow", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="routedefinition",
            name="end_outcomes",
            field=models.JSONField(default=dict, verbose_name="结束事件的办理结果"),
        ),
        migrations.RunPython(declare_existing, migrations.RunPython.noop),
    ]
