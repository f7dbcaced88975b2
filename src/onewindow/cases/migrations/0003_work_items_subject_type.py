"""A case has one subject-type string everywhere ("cases.case", as in audit rows and
events); work items written under the old short name "case" take the new one."""

from django.db import migrations


def rename(apps, schema_editor):
    WorkItem = apps.get_model("workflow", "WorkItem")
    WorkItem.objects.filter(subject_type="case").update(subject_type="cases.case")


def rename_back(apps, schema_editor):
    WorkItem = apps.get_model("workflow", "WorkItem")
    WorkItem.objects.filter(subject_type="cases.case").update(subject_type="case")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0002_cases_ii"),
        ("workflow", "0002_route_end_outcomes"),
    ]

    operations = [
        migrations.RunPython(rename, rename_back),
    ]
