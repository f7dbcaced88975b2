"""Each audit row gets its own payload hash and the time it was written (issue 12, 0027).

Rows written under the old chain (0006) keep their content; their payload hash is computed
here from it, and the first sealer run after the upgrade seals them into checkpoint 1.
Check the old chain with the previous release's ``audit-verify`` before upgrading: its
links are dropped by the next migration.
"""

import datetime as dt
import hashlib
import json

from django.db import migrations, models

CONTENT_FIELDS = ("occurred_at", "actor_id", "actor_label", "action", "subject_type",
                  "subject_id", "before", "after", "request_id")


def _payload_hash(row) -> str:
    # Frozen copy of audit.chain.payload_hash as of this migration.
    document = {name: getattr(row, name) for name in CONTENT_FIELDS}
    document["occurred_at"] = row.occurred_at.astimezone(dt.UTC).isoformat()
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fill(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    rows = AuditEvent.objects.using(schema_editor.connection.alias).order_by("id")
    for row in rows.iterator(chunk_size=2000):
        AuditEvent.objects.using(schema_editor.connection.alias).filter(pk=row.pk).update(
            payload_hash=_payload_hash(row), recorded_at=row.occurred_at)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="payload_hash",
            field=models.CharField(default="", max_length=64, verbose_name="内容哈希"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="recorded_at",
            field=models.DateTimeField(auto_now_add=True, default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
                                       verbose_name="写入时间"),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
