"""Signed checkpoints replace the chain head: writers no longer lock one row (0027)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_payload_hash")]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("seq", models.PositiveBigIntegerField(primary_key=True, serialize=False,
                                                       verbose_name="检查点序号")),
                ("first_id", models.BigIntegerField(unique=True, verbose_name="首条记录编号")),
                ("last_id", models.BigIntegerField(unique=True, verbose_name="末条记录编号")),
                ("tree_size", models.PositiveIntegerField(verbose_name="叶子数")),
                ("gaps", models.JSONField(blank=True, default=list, verbose_name="空缺编号")),
                ("merkle_root", models.CharField(max_length=64, verbose_name="默克尔根")),
                ("prev_hash", models.CharField(max_length=64, verbose_name="前一检查点哈希")),
                ("hash", models.CharField(max_length=64, unique=True, verbose_name="检查点哈希")),
                ("sealed_at", models.DateTimeField(verbose_name="封存时间")),
                ("key_id", models.CharField(max_length=16, verbose_name="签名密钥标识")),
                ("signature", models.CharField(max_length=128, verbose_name="签名")),
            ],
            options={
                "verbose_name": "审计检查点",
                "verbose_name_plural": "审计检查点",
                "default_permissions": ("view",),
                "constraints": [models.CheckConstraint(
                    condition=models.Q(("last_id__gte", models.F("first_id"))),
                    name="audit_checkpoint_range")],
            },
        ),
        migrations.RemoveConstraint(model_name="auditchainhead",
                                    name="audit_chain_head_singleton"),
        migrations.DeleteModel(name="AuditChainHead"),
        migrations.RemoveField(model_name="auditevent", name="hash"),
        migrations.RemoveField(model_name="auditevent", name="prev_hash"),
    ]
