"""The outbox: events stored in the writer's transaction, and one delivery row per
(event, handler) that tracks getting the event to that handler exactly once."""

from typing import TYPE_CHECKING

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class OutboxEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    name = models.CharField("事件名称", max_length=100)
    payload = models.JSONField("事件内容", default=dict, encoder=DjangoJSONEncoder)
    aggregate_type = models.CharField("对象类型", max_length=100, blank=True)
    aggregate_id = models.CharField("对象标识", max_length=64, blank=True)
    occurred_at = models.DateTimeField("发生时间")
    request_id = models.CharField("请求标识", max_length=64, blank=True)

    class Meta:
        verbose_name = "领域事件"
        verbose_name_plural = "领域事件"
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["aggregate_type", "aggregate_id"], name="outbox_aggregate_idx"),
            models.Index(fields=["occurred_at"], name="outbox_occurred_at_idx"),
            models.Index(fields=["name", "occurred_at"], name="outbox_name_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}"


class EventDelivery(models.Model):
    if TYPE_CHECKING:  # what Django adds to the class, declared for the type checker
        event_id: int

        def get_status_display(self) -> str: ...

    class Status(models.TextChoices):
        PENDING = "PENDING", "待投递"
        RUNNING = "RUNNING", "投递中"
        SUCCEEDED = "SUCCEEDED", "已完成"
        # Gave up after the maximum attempts; an administrator looks at last_error and
        # retries once the cause is fixed.
        FAILED = "FAILED", "投递失败"

    id = models.BigAutoField(primary_key=True)
    event = models.ForeignKey(
        OutboxEvent, on_delete=models.PROTECT, related_name="deliveries", verbose_name="事件"
    )
    handler = models.CharField("处理程序", max_length=255)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间")
    last_error = models.TextField("最近错误", blank=True)
    succeeded_at = models.DateTimeField("完成时间", null=True, blank=True)
    # The worker (``WorkerLease.worker_id``) whose claim made the row RUNNING; blank when
    # a process without a lease (tests, a shell) claimed it.
    worker_id = models.CharField("执行进程", max_length=64, blank=True)
    # Set from the services' ``now`` (not auto_now) so a stale RUNNING row is judged on
    # the same clock that claimed it.
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "事件投递"
        verbose_name_plural = "事件投递"
        default_permissions = ("view",)
        permissions = [("retry_delivery", "可重试失败的事件投递")]
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="delivery_event_handler"),
            models.CheckConstraint(
                condition=models.Q(status__in=["PENDING", "RUNNING", "SUCCEEDED", "FAILED"]),
                name="delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="SUCCEEDED") | models.Q(succeeded_at__isnull=False),
                name="delivery_succeeded_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.handler} ({self.get_status_display()})"


class WorkerLease(models.Model):
    """A live ``onewindow worker`` process: it renews ``renewed_at`` every few seconds.

    A lease not renewed for ``ONEWINDOW_WORKER_LEASE_SECONDS`` belongs to a process that
    died (``kill -9``, a lost host): the sweeper reclaims the deliveries it was running and
    marks its background-task rows failed, instead of waiting for a long stale timeout.
    """

    worker_id = models.CharField("进程标识", max_length=64, primary_key=True)
    hostname = models.CharField("主机", max_length=255, blank=True)
    pid = models.PositiveIntegerField("进程号", null=True, blank=True)
    started_at = models.DateTimeField("启动时间")
    renewed_at = models.DateTimeField("最近续约时间")

    class Meta:
        verbose_name = "后台进程租约"
        verbose_name_plural = "后台进程租约"
        default_permissions = ("view",)
        indexes = [models.Index(fields=["renewed_at"], name="worker_lease_renewed_idx")]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
