"""The service-item catalog: base entries (基本目录), implementations (实施清单) and their
immutable versions with materials, plus the small tables used for browsing.

Identity vs content: an ``Implementation`` is the stable thing a case, a licence or a
window refers to (实施编码, implementing organisation, status, hall presence); every
element citizens read lives in an ``ImplementationVersion``. A published version is never
edited: changing it makes a new version, so a case keeps the version it was submitted
under.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .codes import (
    IMPLEMENTATION_LEVELS,
    CrossRegionScope,
    ExerciseLevel,
    HandlingType,
    ImplementationStatus,
    ItemType,
    LimitUnit,
    MaterialMedium,
    MaterialRequirement,
    MaterialSource,
    OnlineDepth,
    Operation,
    ResultKind,
    ServiceObjectCode,
    SubjectNature,
    ThemeAudience,
    VersionStatus,
)
from .elements import MAX_TOLERANCE_SUPPLY_DAYS
from .errors import VersionImmutable
from .material_files import BLANK_FORM, SAMPLE
from .validators import CODE_MAX_LENGTH

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class ServiceObject(models.Model):
    """服务对象 (GB/T 39046 A.4), seeded by a migration."""

    code = models.CharField("代码", max_length=2, unique=True, choices=ServiceObjectCode.choices)
    name = models.CharField("名称", max_length=40)

    class Meta:
        verbose_name = "服务对象"
        verbose_name_plural = "服务对象"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """A browsing theme: a life event of a person or a stage of an enterprise (主题)."""

    name = models.CharField("主题名称", max_length=60, unique=True)
    audience = models.CharField(
        "面向", max_length=12, choices=ThemeAudience.choices, default=ThemeAudience.GENERAL
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "主题"
        verbose_name_plural = "主题"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class CatalogEntry(models.Model):
    """基本目录: what exists, independent of who implements it."""

    basic_code = models.CharField("基本编码", max_length=12, unique=True)
    name = models.CharField("事项名称", max_length=200)
    item_type = models.CharField("事项类型", max_length=2, choices=ItemType.choices)
    exercise_level = models.CharField(
        "行使层级", max_length=1, choices=ExerciseLevel.choices, default=ExerciseLevel.PROVINCE
    )
    legal_basis = models.TextField("设定依据", blank=True)
    main_item_code = models.CharField("主项编码", max_length=12, blank=True)
    main_item_name = models.CharField("主项名称", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "基本目录"
        verbose_name_plural = "基本目录"
        ordering = ["basic_code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(item_type__in=ItemType.values), name="catalog_entry_item_type_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.basic_code} {self.name}"


class Implementation(models.Model):
    """实施清单: an entry implemented by one organisation at one level."""

    if TYPE_CHECKING:  # what Django adds to the class, declared for the type checker
        organisation_id: int
        current_version_id: int | None
        versions: "RelatedManager[ImplementationVersion]"

        def get_status_display(self) -> str: ...

    code = models.CharField("实施编码", max_length=CODE_MAX_LENGTH, unique=True)
    entry = models.ForeignKey(
        CatalogEntry, on_delete=models.PROTECT, related_name="implementations",
        verbose_name="基本目录",
    )
    organisation = models.ForeignKey(
        "identity.Organisation", on_delete=models.PROTECT, related_name="implementations",
        verbose_name="实施主体",
    )
    level = models.CharField(
        "行使层级", max_length=1,
        choices=[(c, ExerciseLevel(c).label) for c in IMPLEMENTATION_LEVELS],
    )
    status = models.CharField(
        "状态", max_length=10, choices=ImplementationStatus.choices,
        default=ImplementationStatus.ACTIVE,
    )
    current_version = models.ForeignKey(
        "ImplementationVersion", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="当前发布版本",
    )
    in_hall = models.BooleanField("进驻政务服务大厅", default=True)
    not_in_hall_reason = models.TextField("不进驻理由（进驻负面清单）", blank=True)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "实施清单"
        verbose_name_plural = "实施清单"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["status", "code"], name="catalog_impl_status_code"),
            models.Index(fields=["organisation", "status"], name="catalog_impl_org_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=IMPLEMENTATION_LEVELS), name="catalog_impl_level_1_6"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ImplementationStatus.values),
                name="catalog_impl_status_known",
            ),
            models.CheckConstraint(
                condition=Q(in_hall=True) | ~Q(not_in_hall_reason=""),
                name="catalog_impl_negative_list_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.code


def _limit_consistent(prefix: str) -> Q:
    amount, unit = f"{prefix}_amount", f"{prefix}_unit"
    return Q(**{f"{amount}__isnull": True, unit: ""}) | Q(
        **{f"{amount}__isnull": False, f"{unit}__in": LimitUnit.values}
    )


class ImplementationVersion(models.Model):
    """All the elements (要素) of an implementation, as of one version."""

    if TYPE_CHECKING:
        implementation_id: int
        materials: "RelatedManager[Material]"

    implementation = models.ForeignKey(
        Implementation, on_delete=models.PROTECT, related_name="versions", verbose_name="实施清单"
    )
    number = models.PositiveIntegerField("版本号")
    status = models.CharField(
        "版本状态", max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    valid_from = models.DateTimeField("生效时间", null=True, blank=True)
    valid_to = models.DateTimeField("失效时间", null=True, blank=True)
    change_reason = models.TextField("变更理由", blank=True)
    content_hash = models.CharField("内容摘要", max_length=64)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="创建人",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="发布人",
    )

    # --- elements ---------------------------------------------------------------------
    name = models.CharField("事项名称", max_length=200)
    short_name = models.CharField("简称", max_length=100, blank=True)
    daily_name = models.CharField("常用名称", max_length=200, blank=True)
    subject_nature = models.CharField(
        "实施主体性质", max_length=1, choices=SubjectNature.choices,
        default=SubjectNature.STATUTORY,
    )
    service_objects = models.ManyToManyField(
        ServiceObject, related_name="versions", blank=True, verbose_name="服务对象"
    )
    themes = models.ManyToManyField(Theme, related_name="versions", blank=True, verbose_name="主题")
    handling_forms = models.JSONField("办理形式", default=list, blank=True)
    handling_type = models.CharField(
        "办件类型", max_length=1, choices=HandlingType.choices, default=HandlingType.PROMISED
    )
    legal_limit_amount = models.PositiveIntegerField("法定办结时限", null=True, blank=True)
    legal_limit_unit = models.CharField(
        "法定时限单位", max_length=12, choices=LimitUnit.choices, blank=True
    )
    legal_limit_note = models.CharField("法定时限说明", max_length=500, blank=True)
    promised_limit_amount = models.PositiveIntegerField("承诺办结时限", null=True, blank=True)
    promised_limit_unit = models.CharField(
        "承诺时限单位", max_length=12, choices=LimitUnit.choices, blank=True
    )
    promised_limit_note = models.CharField("承诺时限说明", max_length=500, blank=True)
    visit_count = models.PositiveSmallIntegerField("到办事现场次数", default=0)
    online_depth = models.CharField(
        "网办深度", max_length=16, choices=OnlineDepth.choices, blank=True
    )
    cross_region_scope = models.CharField(
        "通办范围", max_length=16, choices=CrossRegionScope.choices,
        default=CrossRegionScope.NONE,
    )
    acceptance_conditions = models.TextField("受理条件", blank=True)
    process_description = models.TextField("办理流程", blank=True)
    special_procedures = models.JSONField("特别程序", default=list, blank=True)
    fee_charged = models.BooleanField("是否收费", default=False)
    fees = models.JSONField("收费项目", default=list, blank=True)
    result_name = models.CharField("审批结果名称", max_length=200, blank=True)
    result_kind = models.CharField(
        "审批结果类型", max_length=20, choices=ResultKind.choices, blank=True
    )
    result_licence_type = models.CharField("结果证照类型代码", max_length=64, blank=True)
    # Structured application form (issue 13, docs/decisions/0031): pages of typed fields;
    # empty means the generic form built from the contact fields and the materials list.
    form = models.JSONField("申请表单", default=dict, blank=True)
    # 现场核查要点: the checklist an on-site inspection step walks (ADR 0031).
    inspection_checklist = models.JSONField("现场核查要点", default=list, blank=True)
    # Licence field → source (a form answer, a decision value): what the issued 电子证照
    # carries (ADR 0031).
    licence_mapping = models.JSONField("证照字段映射", default=dict, blank=True)
    location = models.TextField("办理地点", blank=True)
    office_hours = models.TextField("办理时间", blank=True)
    consult_phone = models.CharField("咨询电话", max_length=500, blank=True)
    complaint_phone = models.CharField("监督投诉电话", max_length=500, blank=True)
    joint_departments = models.TextField("联办机构", blank=True)
    intermediary_services = models.TextField("中介服务", blank=True)
    quantity_limit = models.TextField("数量限制", blank=True)
    commitment_allowed = models.BooleanField("可告知承诺", default=False)
    online_platform = models.CharField("网上办理平台", max_length=200, blank=True)
    online_apply_url = models.CharField("网上办理地址", max_length=500, blank=True)
    appointment_url = models.CharField("网上预约地址", max_length=500, blank=True)
    # The laws and rules this implementation applies (实施依据); the 设定依据 that
    # creates the item is the 基本目录's and shared by every implementation.
    implementation_basis = models.TextField("实施依据", blank=True)
    # Names cut by rjieba plus the names themselves, lower-cased; see catalog.search.
    search_text = models.TextField("检索词", blank=True, editable=False)

    class Meta:
        verbose_name = "实施清单版本"
        verbose_name_plural = "实施清单版本"
        ordering = ["implementation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["implementation", "number"], name="catalog_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["implementation"], condition=Q(status="PUBLISHED"),
                name="catalog_one_published_version",
            ),
            models.UniqueConstraint(
                fields=["implementation"], condition=Q(status="DRAFT"),
                name="catalog_one_draft_version",
            ),
            models.CheckConstraint(
                condition=Q(status__in=VersionStatus.values), name="catalog_version_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="DRAFT")
                | Q(valid_from__isnull=False, published_at__isnull=False),
                name="catalog_published_version_has_validity",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="catalog_version_validity_ordered",
            ),
            models.CheckConstraint(
                condition=_limit_consistent("legal_limit"), name="catalog_legal_limit_has_unit"
            ),
            models.CheckConstraint(
                condition=_limit_consistent("promised_limit"),
                name="catalog_promised_limit_has_unit",
            ),
            # 承诺时限 ≤ 法定时限 whenever the two can be compared directly.
            models.CheckConstraint(
                condition=Q(promised_limit_amount__isnull=True)
                | Q(legal_limit_amount__isnull=True)
                | ~Q(promised_limit_unit=F("legal_limit_unit"))
                | Q(promised_limit_amount__lte=F("legal_limit_amount")),
                name="catalog_promised_within_legal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.implementation_id} v{self.number}"

    def save(self, *args, **kwargs):
        # Services move PUBLISHED → SUPERSEDED with queryset updates; any save() of a
        # version loaded as published is an attempt to edit it in place.
        if getattr(self, "_loaded_status", VersionStatus.DRAFT) != VersionStatus.DRAFT:
            raise VersionImmutable(_("已发布的版本不能修改，请创建新版本。"))
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._loaded_status = self.__dict__.get("status", VersionStatus.DRAFT)

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded_status = instance.__dict__.get("status")
        return instance


class Material(models.Model):
    """申请材料 of one version."""

    version = models.ForeignKey(
        ImplementationVersion, on_delete=models.CASCADE, related_name="materials",
        verbose_name="版本",
    )
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("材料名称", max_length=300)
    requirement = models.CharField(
        "材料必要性", max_length=12, choices=MaterialRequirement.choices,
        default=MaterialRequirement.REQUIRED,
    )
    condition = models.TextField("提交条件", blank=True)
    original_count = models.PositiveSmallIntegerField("原件份数", default=1)
    copy_count = models.PositiveSmallIntegerField("复印件份数", default=0)
    medium = models.CharField(
        "材料形式", max_length=12, choices=MaterialMedium.choices, default=MaterialMedium.PAPER
    )
    source = models.CharField(
        "来源渠道", max_length=12, choices=MaterialSource.choices,
        default=MaterialSource.APPLICANT,
    )
    issuing_agency = models.CharField("出具单位", max_length=200, blank=True)
    blank_form = models.FileField(BLANK_FORM.label, upload_to=BLANK_FORM.folder, blank=True)
    sample_file = models.FileField(SAMPLE.label, upload_to=SAMPLE.folder, blank=True)
    tolerance_allowed = models.BooleanField("可容缺", default=False)
    # One number the guide, the applicant's pages, the clerk's form and the acceptance
    # notice all read, so they cannot disagree about how long the applicant has.
    tolerance_supply_days = models.PositiveSmallIntegerField(
        "容缺补交期限（工作日）", null=True, blank=True,
        help_text="可容缺材料在受理后多少个工作日内补交；不填时使用系统默认期限。",
    )
    commitment_allowed = models.BooleanField("可承诺替代", default=False)
    licence_type_code = models.CharField("可替代证照类型代码", max_length=64, blank=True)
    note = models.TextField("填报说明", blank=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="catalog_material_position_unique"
            ),
            models.CheckConstraint(
                condition=~Q(requirement="CONDITIONAL") | ~Q(condition=""),
                name="catalog_conditional_material_has_condition",
            ),
            models.CheckConstraint(
                condition=Q(original_count__gt=0) | Q(copy_count__gt=0)
                | Q(medium="ELECTRONIC"),
                name="catalog_material_paper_has_count",
            ),
            models.CheckConstraint(
                condition=Q(tolerance_supply_days__isnull=True)
                | (Q(tolerance_allowed=True) & Q(tolerance_supply_days__gte=1)
                   & Q(tolerance_supply_days__lte=MAX_TOLERANCE_SUPPLY_DAYS)),
                name="catalog_material_supply_days_tolerated",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Materials belong to their version: only a draft's may change.
        if self.version.status != VersionStatus.DRAFT:
            raise VersionImmutable(_("已发布版本的材料不能修改，请创建新版本。"))
        super().save(*args, **kwargs)

    @property
    def supply_days(self) -> int | None:
        """Working days to supply this material after a 容缺 acceptance: the catalog's
        own period, else the centre-wide default; None when it cannot be tolerated."""
        if not self.tolerance_allowed:
            return None
        return self.tolerance_supply_days or settings.ONEWINDOW_TOLERANCE_SUPPLY_DAYS


class ImplementationAction(models.Model):
    """The append-only log of 新增/变更/暂停/恢复/取消 (DESIGN rule 2)."""

    if TYPE_CHECKING:
        implementation_id: int

        def get_operation_display(self) -> str: ...

    implementation = models.ForeignKey(
        Implementation, on_delete=models.PROTECT, related_name="actions", verbose_name="实施清单"
    )
    operation = models.CharField("操作", max_length=10, choices=Operation.choices)
    from_status = models.CharField("原状态", max_length=10, blank=True)
    to_status = models.CharField("新状态", max_length=10)
    version = models.ForeignKey(
        ImplementationVersion, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="版本",
    )
    reason = models.TextField("理由")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="操作人",
    )
    occurred_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "事项操作记录"
        verbose_name_plural = "事项操作记录"
        ordering = ["implementation", "occurred_at", "id"]
        indexes = [
            models.Index(fields=["implementation", "occurred_at"], name="catalog_action_impl_at"),
        ]

    def __str__(self) -> str:
        return f"{self.implementation_id} {self.get_operation_display()}"
