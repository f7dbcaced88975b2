"""Cases (办件): the case row with its denormalised status and deadlines, the append-only
action log they are derived from, the materials with their files, and the daily serial
counter behind case numbers.

Every hot table carries ``region_code`` (行政区划 of the implementing organisation) so a
region-sharded deployment keeps a case and all its rows on one shard.
"""

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q

from .codes import (
    AcceptanceBasis,
    ActionKind,
    CaseStatus,
    Channel,
    DeliveryChannel,
    MaterialState,
    TrustGrade,
)

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

    from onewindow.licences.models import Licence


class AppendOnly(Exception):
    """Raised when code tries to change or delete a row of the action log."""


class Case(models.Model):
    if TYPE_CHECKING:  # what Django adds to the class, declared for the type checker
        implementation_id: int
        organisation_id: int
        centre_id: int
        applicant_person_id: int
        applicant_legal_id: int | None
        applicant_account_id: int | None
        created_by_id: int | None
        actions: "RelatedManager[CaseAction]"
        materials: "RelatedManager[CaseMaterial]"
        files: "RelatedManager[CaseFile]"

    number = models.CharField(
        "办件编号", max_length=48, unique=True, null=True, blank=True,
        help_text="实施编码 + yyyyMMdd + 4 位当日流水号；提交时生成，草稿没有编号。",
    )
    query_code = models.CharField("查询码", max_length=8)
    implementation = models.ForeignKey(
        "catalog.Implementation", on_delete=models.PROTECT, related_name="cases",
        verbose_name="实施清单",
    )
    version = models.ForeignKey(
        "catalog.ImplementationVersion", on_delete=models.PROTECT, related_name="cases",
        verbose_name="申请时的事项版本",
    )
    organisation = models.ForeignKey(
        "identity.Organisation", on_delete=models.PROTECT, related_name="cases",
        verbose_name="实施主体",
    )
    centre = models.ForeignKey(
        "identity.Organisation", on_delete=models.PROTECT, related_name="received_cases",
        verbose_name="受理中心",
    )
    region_code = models.CharField("行政区划代码", max_length=6)
    applicant_person = models.ForeignKey(
        "identity.NaturalPerson", on_delete=models.PROTECT, related_name="cases",
        verbose_name="申请人（自然人或经办人）",
    )
    applicant_legal = models.ForeignKey(
        "identity.LegalPerson", null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases", verbose_name="申请单位",
    )
    applicant_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases", verbose_name="申请人账户",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="创建人",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="提交人",
    )
    channel = models.CharField("申请渠道", max_length=8, choices=Channel.choices)
    proxy = models.BooleanField("帮办代办", default=False)
    status = models.CharField(
        "状态", max_length=24, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    form_data = models.JSONField("申请表", default=dict, blank=True)
    # The item's structured form (issue 13, ADR 0031): typed answers by field key, and
    # where each prefilled value came from ({key: {"source": ..., "locked": bool}}).
    answers = models.JSONField("表单答案", default=dict, blank=True)
    answer_sources = models.JSONField("答案来源", default=dict, blank=True)

    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    received_at = models.DateTimeField(
        "收件时间", null=True, blank=True, help_text="提交或最近一次补正齐全的时间。"
    )
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    acceptance_basis = models.CharField(
        "受理方式", max_length=10, choices=AcceptanceBasis.choices, blank=True
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    acceptance_due_date = models.DateField("受理期限（第三十二条）", null=True, blank=True)
    promised_due_date = models.DateField("承诺办结日期", null=True, blank=True)
    legal_due_date = models.DateField("法定办结日期", null=True, blank=True)
    tolerance_due_date = models.DateField("容缺材料补齐期限", null=True, blank=True)
    deadlines_provisional = models.BooleanField(
        "期限为暂定", default=False, help_text="计算用到了尚未公布放假安排的年份。"
    )
    correction_rounds = models.PositiveSmallIntegerField("补正次数", default=0)

    # Cases II: the approval route (SpiffWorkflow state, through workflow.subjects), the
    # decision and the unified output (统一出件).
    workflow_state = models.TextField("审批流程状态", blank=True, editable=False)
    workflow_state_version = models.PositiveIntegerField("流程状态版本", default=0)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    output_due_date = models.DateField(
        "出件期限（第四十四条）", null=True, blank=True,
        help_text="决定之日起 10 个工作日内向申请人颁发、送达。",
    )
    delivery_channel = models.CharField(
        "结果领取方式", max_length=12, choices=DeliveryChannel.choices,
        default=DeliveryChannel.PICKUP,
    )
    delivery_address = models.TextField("邮寄地址", blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    # Optimistic concurrency: every change is UPDATE … WHERE lock_version = n.
    lock_version = models.PositiveIntegerField("版本", default=0)
    action_count = models.PositiveIntegerField("操作记录数", default=0)
    idempotency_key = models.CharField("幂等键", max_length=64, blank=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="case_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="DRAFT") | Q(number__isnull=False, received_at__isnull=False),
                name="case_submitted_has_number",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | ~Q(acceptance_basis=""),
                name="case_acceptance_has_basis",
            ),
            models.CheckConstraint(
                condition=Q(delivery_channel__in=DeliveryChannel.values),
                name="case_delivery_channel_known",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["APPROVED", "DENIED", "DELIVERED"])
                | Q(decided_at__isnull=False, closed_at__isnull=False),
                name="case_decided_has_time",
            ),
            # Idempotent submission: one case per (submitter, key), whoever retries.
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"], condition=~Q(idempotency_key=""),
                name="case_idempotency_key_unique",
            ),
        ]
        indexes = [
            # Front-desk queue: a centre's cases of one status, oldest first.
            models.Index(fields=["centre", "status", "received_at", "id"],
                         name="case_queue_centre"),
            # Back-office lists by implementing organisation.
            models.Index(fields=["organisation", "status", "received_at", "id"],
                         name="case_queue_org"),
            models.Index(fields=["applicant_account", "id"], name="case_applicant_account"),
            models.Index(fields=["applicant_person", "id"], name="case_applicant_person"),
            models.Index(fields=["applicant_legal", "id"], name="case_applicant_legal"),
            # The Art. 32 sweep.
            models.Index(fields=["status", "acceptance_due_date"], name="case_deemed_sweep"),
            # Supervision's sweeps (电子监察): running cases past or near their promised or
            # legal date, found by range on the date within each status.
            models.Index(fields=["status", "promised_due_date"], name="case_promised_sweep"),
            models.Index(fields=["status", "legal_due_date"], name="case_legal_sweep"),
            # The output window (统一出件): a centre's decided cases by Art. 44 due date.
            models.Index(fields=["centre", "status", "output_due_date", "id"],
                         name="case_output_queue"),
        ]

    def __str__(self) -> str:
        return self.number or f"草稿 #{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == CaseStatus.DRAFT


class CaseAction(models.Model):
    """One act on a case. Rows are only ever appended (see ``save``/``delete``)."""

    if TYPE_CHECKING:
        case_id: int
        actor_id: int | None

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="actions",
                             verbose_name="办件")
    region_code = models.CharField("行政区划代码", max_length=6)
    seq = models.PositiveIntegerField("序号")
    kind = models.CharField("操作", max_length=24, choices=ActionKind.choices)
    from_status = models.CharField("原状态", max_length=24, blank=True)
    to_status = models.CharField("新状态", max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="操作人（空为系统）",
    )
    actor_label = models.CharField("操作人", max_length=100)
    occurred_at = models.DateTimeField("时间")
    reason = models.TextField("理由", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = "办件操作记录"
        verbose_name_plural = "办件操作记录"
        ordering = ["case", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="case_action_seq_unique"),
        ]
        indexes = [models.Index(fields=["kind", "occurred_at"], name="case_action_kind_at")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("办件操作记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("办件操作记录只能追加，不能删除。")


class CaseMaterial(models.Model):
    """One material of the item's list on one case, with its check state."""

    if TYPE_CHECKING:
        material_id: int | None
        # Set on the materials services.licensing satisfies from a licence (免证办).
        licence: "Licence"
        files: "RelatedManager[CaseFile]"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials",
                             verbose_name="办件")
    region_code = models.CharField("行政区划代码", max_length=6)
    material = models.ForeignKey(
        "catalog.Material", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="事项材料",
    )
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("材料名称", max_length=300)
    requirement = models.CharField("材料必要性", max_length=12)
    tolerance_allowed = models.BooleanField("可容缺", default=False)
    state = models.CharField("状态", max_length=24, choices=MaterialState.choices,
                             default=MaterialState.MISSING)
    paper_received = models.BooleanField("已收纸质材料", default=False)
    original_seen = models.BooleanField("已核验原件", default=False)
    trust_grade = models.CharField("可信等级", max_length=1, choices=TrustGrade.choices,
                                   blank=True)
    problem = models.TextField("补正要求", blank=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "办件材料"
        verbose_name_plural = "办件材料"
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"],
                                    name="case_material_position_unique"),
            models.CheckConstraint(condition=Q(state__in=MaterialState.values),
                                   name="case_material_state_known"),
        ]

    def __str__(self) -> str:
        return self.name


def _upload_to(instance: "CaseFile", filename: str) -> str:
    # Never the applicant's file name on disk: it may hold personal data or tricks. The
    # service passes "upload.<sniffed extension>", so only that extension is kept.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    if not extension.isalnum() or len(extension) > 5:
        extension = "bin"
    prefix = f"cases/{instance.region_code or 'x'}/{instance.uploaded_at:%Y/%m}"
    return f"{prefix}/{uuid.uuid4().hex}.{extension}"


class CaseFile(models.Model):
    """An uploaded (or scanned) file of a case material, stored via Django's storage."""

    if TYPE_CHECKING:
        case_id: int
        case_material_id: int

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files",
                             verbose_name="办件")
    region_code = models.CharField("行政区划代码", max_length=6)
    case_material = models.ForeignKey(
        CaseMaterial, on_delete=models.CASCADE, related_name="files", verbose_name="材料"
    )
    file = models.FileField("文件", upload_to=_upload_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("文件类型（按内容识别）", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    correction_round = models.PositiveSmallIntegerField("补正轮次", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="上传人",
    )
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "办件材料文件"
        verbose_name_plural = "办件材料文件"
        ordering = ["case_material", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class CaseNumberCounter(models.Model):
    """The last 4-digit serial handed out per implementation and (local) day."""

    if TYPE_CHECKING:
        implementation_id: int

    # No database constraint: the serial is taken on a second connection (numbering.py).
    implementation = models.ForeignKey(
        "catalog.Implementation", on_delete=models.PROTECT, related_name="+",
        verbose_name="实施清单", db_constraint=False,
    )
    day = models.DateField("日期")
    last_serial = models.PositiveIntegerField("已用流水号", default=0)

    class Meta:
        verbose_name = "办件编号计数器"
        verbose_name_plural = "办件编号计数器"
        constraints = [
            models.UniqueConstraint(fields=["implementation", "day"],
                                    name="case_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.implementation_id} {self.day} {self.last_serial}"


class InspectionResult(models.TextChoices):
    """One point of a 现场核查 checklist."""

    PASS = "pass", "符合"
    FAIL = "fail", "不符合"
    NA = "na", "不适用"


class InspectionRecord(models.Model):
    """现场核查记录: the record an inspection step of the route makes of the item version's
    checklist (ADR 0031), one per case and step; the step cannot be completed without it.
    Written only by ``cases.services.inspection_record_save``, under the case's lock, with
    an action row (INSPECTION_RECORD) and its audit row; while the step is open it may be
    saved again (each save is one more action row)."""

    if TYPE_CHECKING:
        case_id: int
        work_item_id: int

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="inspections",
                             verbose_name="办件")
    region_code = models.CharField("行政区划代码", max_length=6)
    work_item = models.ForeignKey("workflow.WorkItem", on_delete=models.PROTECT,
                                  related_name="+", verbose_name="核查环节")
    task_label = models.CharField("环节名称", max_length=255)
    # The checklist as it stood when recorded: [{"key", "text"}] (the version's, frozen).
    checklist = models.JSONField("核查要点", default=list)
    # {point key: {"result": pass|fail|na, "note": str, "photos": [InspectionPhoto ids]}}
    results = models.JSONField("核查结果", default=dict)
    conclusion = models.TextField("核查结论", blank=True)
    inspected_on = models.DateField("核查日期")
    inspectors = models.CharField("核查人员", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="记录人")
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "现场核查记录"
        verbose_name_plural = "现场核查记录"
        constraints = [
            models.UniqueConstraint(fields=["case", "work_item"],
                                    name="case_inspection_one_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.task_label}"


def _photo_upload_to(instance: "InspectionPhoto", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    if not extension.isalnum() or len(extension) > 5:
        extension = "bin"
    prefix = f"inspections/{instance.region_code or 'x'}/{instance.uploaded_at:%Y/%m}"
    return f"{prefix}/{uuid.uuid4().hex}.{extension}"


class InspectionPhoto(models.Model):
    """A photo taken at a 现场核查 (JPEG or PNG, checked like every upload), stored via
    Django's storage; a record's point names it by id."""

    if TYPE_CHECKING:
        case_id: int
        work_item_id: int

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+",
                             verbose_name="办件")
    region_code = models.CharField("行政区划代码", max_length=6)
    work_item = models.ForeignKey("workflow.WorkItem", on_delete=models.PROTECT,
                                  related_name="+", verbose_name="核查环节")
    point = models.CharField("核查要点", max_length=40)
    file = models.FileField("照片", upload_to=_photo_upload_to, max_length=200)
    content_type = models.CharField("文件类型（按内容识别）", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="拍摄上传人")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "现场核查照片"
        verbose_name_plural = "现场核查照片"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.point}"
