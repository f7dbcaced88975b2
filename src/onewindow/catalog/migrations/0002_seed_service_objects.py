"""服务对象 (GB/T 39046 A.4) is a closed national table: seeded here, not by the demo."""

from django.db import migrations

SERVICE_OBJECTS = [
    ("1", "自然人"),
    ("2", "企业法人"),
    ("3", "事业法人"),
    ("4", "社会组织法人"),
    ("5", "行政机关"),
    ("6", "其他组织"),
]


def seed(apps, schema_editor):
    ServiceObject = apps.get_model("catalog", "ServiceObject")
    for code, name in SERVICE_OBJECTS:
        ServiceObject.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
