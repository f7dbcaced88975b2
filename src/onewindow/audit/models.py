"""The audit log: append-only rows linked into one sha256 hash chain."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import AuditImmutable

# The prev_hash of the very first row. 64 zeros keep the column shape uniform.
GENESIS_HASH = "0" * 64


class AuditEventQuerySet(models.QuerySet):
    # Bulk paths bypass Model.save()/delete(), so they are closed here too. Raw SQL can
    # still change rows; that is what the hash chain and audit_verify are for.
    def delete(self):
        raise AuditImmutable(_("审计记录只能追加，不能删除。"))

    delete.queryset_only = True

    def update(self, **kwargs):
        raise AuditImmutable(_("审计记录只能追加，不能修改。"))

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditImmutable(_("审计记录只能追加，不能修改。"))

    def bulk_create(self, objs, *args, **kwargs):
        # A bulk insert would skip the chain head lock and fork the chain.
        raise AuditImmutable(_("审计记录只能通过 audit_record 写入。"))


class AuditEvent(models.Model):
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
    prev_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("本条哈希", max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

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
        if not self._state.adding:
            raise AuditImmutable(_("审计记录只能追加，不能修改。"))
        if not self.hash:
            raise AuditImmutable(_("审计记录只能通过 audit_record 写入。"))
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable(_("审计记录只能追加，不能删除。"))


class AuditChainHead(models.Model):
    """The single row naming the end of the chain.

    Appending locks this row (SELECT ... FOR UPDATE) so concurrent writers extend the
    chain one after the other; its count and last hash also reveal a removed last row.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField("最后一条记录编号", null=True, blank=True)
    last_hash = models.CharField("最后一条哈希", max_length=64, default=GENESIS_HASH)
    count = models.BigIntegerField("记录条数", default=0)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"
        default_permissions = ("view",)
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_singleton"),
        ]

    def __str__(self) -> str:
        return f"审计链头（{self.count} 条）"
