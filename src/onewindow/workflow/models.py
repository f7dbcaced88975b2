"""Approval routes per item version, and the worklist mirror of ready BPMN tasks.

The state of a running instance lives with its subject (the case), not here: a
``WorkItem`` is only the indexed mirror of one READY user task, so worklists are one
index scan by organisation, role, status and deadline instead of a walk through JSON.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop


class RouteDefinition(models.Model):
    """The BPMN 2.0 route of one implementation version (uploaded, or a generated default).

    Rows are append-only: a new upload adds a row and the newest UPLOADED row wins; cases
    already running keep the spec they started with (it is inside their state).
    """

    if TYPE_CHECKING:  # what Django adds to the class, declared for the type checker
        uploaded_by_id: int | None

        def get_source_display(self) -> str: ...

    class Source(models.TextChoices):
        UPLOADED = "UPLOADED", gettext_noop("上传")
        DEFAULT = "DEFAULT", gettext_noop("默认生成")

    version = models.ForeignKey(
        "catalog.ImplementationVersion", on_delete=models.PROTECT, related_name="+",
        verbose_name="实施清单版本",
    )
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    kind = models.CharField("默认路线类型", max_length=10, blank=True)
    process_id = models.CharField("流程标识", max_length=255)
    process_name = models.CharField("流程名称", max_length=255, blank=True)
    bpmn_xml = models.TextField("BPMN 2.0 XML")
    sha256 = models.CharField("XML 摘要", max_length=64)
    lanes = models.JSONField("泳道与角色", default=dict)
    tasks = models.JSONField("用户任务", default=list)
    # End event id → approve | deny | decision, as the BPMN declares it (outcomes.py).
    end_outcomes = models.JSONField("结束事件的办理结果", default=dict)
    file_name = models.CharField("文件名", max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="上传人",
    )
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "审批路线"
        verbose_name_plural = "审批路线"
        ordering = ["version", "-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=["UPLOADED", "DEFAULT"]), name="workflow_route_source_known"
            ),
            # One row per generated default content: route_for may race to create it.
            models.UniqueConstraint(
                fields=["version", "sha256"], condition=Q(source="DEFAULT"),
                name="workflow_route_default_once",
            ),
        ]
        indexes = [
            models.Index(fields=["version", "source", "-uploaded_at", "-id"],
                         name="workflow_route_version_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.process_name or self.process_id} ({self.get_source_display()})"


class WorkItem(models.Model):
    """One READY user task of one subject (a case), in one organisation's worklist."""

    if TYPE_CHECKING:
        organisation_id: int
        completed_by_id: int | None

        def get_status_display(self) -> str: ...

    class Status(models.TextChoices):
        READY = "READY", gettext_noop("待办")
        COMPLETED = "COMPLETED", gettext_noop("已办")
        RETURNED = "RETURNED", gettext_noop("已退回")
        CANCELLED = "CANCELLED", gettext_noop("已撤销")

    subject_type = models.CharField("业务类型", max_length=40)
    subject_id = models.CharField("业务编号", max_length=64)
    task_id = models.UUIDField("流程任务标识")
    task_name = models.CharField("环节标识", max_length=255)
    task_label = models.CharField("环节名称", max_length=255)
    lane = models.CharField("泳道", max_length=255)
    role = models.CharField("角色", max_length=24)
    department = models.CharField("联审部门", max_length=200, blank=True)
    # "" for an approval step; "inspection" (现场核查) as the route declares it.
    kind = models.CharField("环节类型", max_length=20, blank=True, default="")
    organisation = models.ForeignKey(
        "identity.Organisation", on_delete=models.PROTECT, related_name="+",
        verbose_name="办理机构",
    )
    due_date = models.DateField("环节办理期限", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.READY)
    returned_reason = models.TextField("退回理由（来件）", blank=True)
    created_at = models.DateTimeField("到达时间")
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="办理人",
    )
    decision = models.CharField("办理结果", max_length=64, blank=True)
    opinion = models.TextField("办理意见", blank=True)
    data = models.JSONField("提交数据", default=dict, blank=True)

    class Meta:
        verbose_name = "待办任务"
        verbose_name_plural = "待办任务"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["READY", "COMPLETED", "RETURNED", "CANCELLED"]),
                name="workflow_item_status_known",
            ),
            # A task that comes back (退回) keeps its id: one READY row per task at a time.
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "task_id"], condition=Q(status="READY"),
                name="workflow_item_one_ready_per_task",
            ),
            models.CheckConstraint(
                condition=Q(status="READY") | Q(completed_at__isnull=False),
                name="workflow_item_finished_has_time",
            ),
        ]
        indexes = [
            # The worklist: WHERE organisation IN … AND role = … AND status = 'READY'
            # ORDER BY due_date, id.
            models.Index(fields=["organisation", "role", "status", "due_date", "id"],
                         name="workflow_item_worklist"),
            # Wide scopes (a city-level role over hundreds of departments): walk the READY
            # items of a role in deadline order and stop after one page.
            models.Index(fields=["role", "due_date", "id"], condition=Q(status="READY"),
                         name="workflow_item_ready_by_due"),
            models.Index(fields=["subject_type", "subject_id"], name="workflow_item_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.task_label}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY
