"""The audit log: append-only rows, each with its payload hash, sealed after commit into
a chain of signed checkpoints (docs/decisions/0027)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import AuditImmutable

# The prev_hash of the very first checkpoint. 64 zeros keep the column shape uniform.
GENESIS_HASH = "0" * 64


class AuditQuerySet(models.QuerySet):
    # Bulk paths bypass Model.save()/delete(), so they are closed here too. Raw SQL is
    # refused by a trigger on PostgreSQL; what gets past it (a superuser) is what the
    # signed checkpoints and audit_verify are for.
    def delete(self):
        raise AuditImmutable(_("审计记录只能追加，不能删除。"))

    delete.queryset_only = True

    def update(self, **kwargs):
        raise AuditImmutable(_("审计记录只能追加，不能修改。"))

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditImmutable(_("审计记录只能追加，不能修改。"))

    def bulk_create(self, objs, *args, **kwargs):
        # Every row's hash is computed by its one writer (audit_record or the sealer).
        raise AuditImmutable(_("审计记录只能通过 audit_record 写入。"))


class AppendOnly(models.Model):
    """Rows that are evidence: inserted once, never changed or deleted."""

    objects = AuditQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutable(_("审计记录只能追加，不能修改。"))
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable(_("审计记录只能追加，不能删除。"))


class AuditEvent(AppendOnly):
    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField("发生时间")
    # Accounts are deactivated, never deleted; PROTECT keeps the evidence pointing at a
    # real account, and actor_label keeps the name as it was at the time.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人",
    )
    actor_label = models.CharField("操作人名称", max_length=150)
    action = models.CharField("操作", max_length=100)
    subject_type = models.CharField("对象类型", max_length=100)
    subject_id = models.CharField("对象标识", max_length=64)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    request_id = models.CharField("请求标识", max_length=64, blank=True)
    payload_hash = models.CharField("内容哈希", max_length=64)
    # When the row was written (the process clock, not the business ``now``): the sealer
    # declares a missing id lost once a later row is this old (see sealing.py).
    recorded_at = models.DateTimeField("写入时间", auto_now_add=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        # Nobody adds, changes or deletes audit rows through permissions; only viewing
        # is a grantable right.
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="audit_subject_idx"),
            models.Index(fields=["occurred_at"], name="audit_occurred_at_idx"),
            models.Index(fields=["action", "occurred_at"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.subject_type}:{self.subject_id}"

    def save(self, *args, **kwargs):
        if self._state.adding and not self.payload_hash:
            raise AuditImmutable(_("审计记录只能通过 audit_record 写入。"))
        super().save(*args, **kwargs)


class AuditCheckpoint(AppendOnly):
    """One sealed batch: the audit rows ``first_id``..``last_id`` except ``gaps`` (ids no
    transaction ever committed), closed by their Merkle root and chained to the previous
    checkpoint by ``prev_hash``. ``hash`` is SHA-256 over the canonical statement
    (``sealing.statement_of``), which ``signature`` (Ed25519) signs; the same statement
    is exported to the checkpoint storage as one file."""

    seq = models.PositiveBigIntegerField("检查点序号", primary_key=True)
    first_id = models.BigIntegerField("首条记录编号", unique=True)
    last_id = models.BigIntegerField("末条记录编号", unique=True)
    tree_size = models.PositiveIntegerField("叶子数")
    gaps = models.JSONField("空缺编号", default=list, blank=True)
    merkle_root = models.CharField("默克尔根", max_length=64)
    prev_hash = models.CharField("前一检查点哈希", max_length=64)
    hash = models.CharField("检查点哈希", max_length=64, unique=True)
    sealed_at = models.DateTimeField("封存时间")
    key_id = models.CharField("签名密钥标识", max_length=16)
    signature = models.CharField("签名", max_length=128)

    class Meta:
        verbose_name = "审计检查点"
        verbose_name_plural = "审计检查点"
        default_permissions = ("view",)
        constraints = [
            models.CheckConstraint(condition=models.Q(last_id__gte=models.F("first_id")),
                                   name="audit_checkpoint_range"),
        ]

    def __str__(self) -> str:
        return f"检查点 {self.seq}（#{self.first_id}–#{self.last_id}）"
