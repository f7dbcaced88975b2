"""Code tables of the catalog: GB/T 39046-2020 附录A (A.1–A.7) and the project's own.

Values of the national tables are the national codes (so exchange files and 基本编码 agree);
the project's own tables use UPPER_CASE values (DESIGN rule 8).
"""

from django.db import models
from django.utils.translation import gettext_noop


class ItemType(models.TextChoices):
    """事项类型 (A.1)."""

    LICENSING = "01", gettext_noop("行政许可")
    PENALTY = "02", gettext_noop("行政处罚")
    COERCION = "03", gettext_noop("行政强制")
    LEVY = "04", gettext_noop("行政征收")
    BENEFIT = "05", gettext_noop("行政给付")
    INSPECTION = "06", gettext_noop("行政检查")
    CONFIRMATION = "07", gettext_noop("行政确认")
    REWARD = "08", gettext_noop("行政奖励")
    ADJUDICATION = "09", gettext_noop("行政裁决")
    OTHER_POWER = "10", gettext_noop("其他行政权力")
    PUBLIC_SERVICE = "20", gettext_noop("公共服务")


class ExerciseLevel(models.TextChoices):
    """行使层级 (A.2). A base entry may be 分级管理; an implementation has one level."""

    NATIONAL = "1", gettext_noop("国家级")
    PROVINCE = "2", gettext_noop("省级")
    CITY = "3", gettext_noop("市级")
    COUNTY = "4", gettext_noop("县级")
    TOWN = "5", gettext_noop("镇(乡、街道)级")
    VILLAGE = "6", gettext_noop("村(社区)级")
    TIERED = "7", gettext_noop("分级管理")


IMPLEMENTATION_LEVELS = ("1", "2", "3", "4", "5", "6")


class SubjectNature(models.TextChoices):
    """实施主体性质 (A.3)."""

    STATUTORY = "1", gettext_noop("法定机关")
    AUTHORISED = "2", gettext_noop("授权组织")
    ENTRUSTED = "3", gettext_noop("受委托组织")
    OTHER = "9", gettext_noop("其他")


class ServiceObjectCode(models.TextChoices):
    """服务对象 (A.4); rows of the ServiceObject table carry these codes."""

    NATURAL_PERSON = "1", gettext_noop("自然人")
    ENTERPRISE = "2", gettext_noop("企业法人")
    INSTITUTION = "3", gettext_noop("事业法人")
    SOCIAL_ORGANISATION = "4", gettext_noop("社会组织法人")
    AUTHORITY = "5", gettext_noop("行政机关")
    OTHER = "6", gettext_noop("其他组织")


class HandlingForm(models.TextChoices):
    """办理形式 (A.5)."""

    WINDOW = "1", gettext_noop("窗口办理")
    ONLINE_PC = "2", gettext_noop("电脑端网上办理")
    ONLINE_MOBILE = "3", gettext_noop("移动端办理")
    COURIER = "4", gettext_noop("快递申请")
    OTHER = "9", gettext_noop("其他")


class HandlingType(models.TextChoices):
    """办件类型 (A.6)."""

    IMMEDIATE = "1", gettext_noop("即办件")
    PROMISED = "2", gettext_noop("承诺件")
    OTHER = "9", gettext_noop("其他")


class SpecialProcedureKind(models.TextChoices):
    """特别程序种类 (A.7)."""

    EXTENSION = "1", gettext_noop("延长审批")
    OTHER = "2", gettext_noop("除延长审批之外")


class LimitUnit(models.TextChoices):
    WORKING_DAY = "WORKING_DAY", gettext_noop("工作日")
    NATURAL_DAY = "NATURAL_DAY", gettext_noop("自然日")
    HOUR = "HOUR", gettext_noop("小时")


class OnlineDepth(models.TextChoices):
    """网办深度."""

    FULLY_ONLINE = "FULLY_ONLINE", gettext_noop("全程网办")
    AT_MOST_ONCE = "AT_MOST_ONCE", gettext_noop("最多跑一次")
    MULTIPLE_VISITS = "MULTIPLE_VISITS", gettext_noop("需多次到场")


class CrossRegionScope(models.TextChoices):
    """通办范围."""

    NATIONWIDE = "NATIONWIDE", gettext_noop("全国通办")
    CROSS_PROVINCE = "CROSS_PROVINCE", gettext_noop("跨省通办")
    CROSS_CITY = "CROSS_CITY", gettext_noop("跨市通办")
    CROSS_COUNTY = "CROSS_COUNTY", gettext_noop("跨县通办")
    NONE = "NONE", gettext_noop("不通办")


class ResultKind(models.TextChoices):
    """审批结果类型."""

    LICENCE = "LICENCE", gettext_noop("证照")
    APPROVAL_DOCUMENT = "APPROVAL_DOCUMENT", gettext_noop("批文")
    OTHER = "OTHER", gettext_noop("其他")


class MaterialRequirement(models.TextChoices):
    REQUIRED = "REQUIRED", gettext_noop("必要")
    OPTIONAL = "OPTIONAL", gettext_noop("非必要")
    CONDITIONAL = "CONDITIONAL", gettext_noop("视情况提交")


class MaterialMedium(models.TextChoices):
    PAPER = "PAPER", gettext_noop("纸质")
    ELECTRONIC = "ELECTRONIC", gettext_noop("电子")
    BOTH = "BOTH", gettext_noop("纸质和电子")


class MaterialSource(models.TextChoices):
    APPLICANT = "APPLICANT", gettext_noop("申请人自备")
    AGENCY = "AGENCY", gettext_noop("政府部门核发")
    OTHER = "OTHER", gettext_noop("其他")


class ImplementationStatus(models.TextChoices):
    ACTIVE = "ACTIVE", gettext_noop("在用")
    SUSPENDED = "SUSPENDED", gettext_noop("暂停")
    CANCELLED = "CANCELLED", gettext_noop("取消")


class VersionStatus(models.TextChoices):
    DRAFT = "DRAFT", gettext_noop("草稿")
    PUBLISHED = "PUBLISHED", gettext_noop("已发布")
    SUPERSEDED = "SUPERSEDED", gettext_noop("已被替代")


class Operation(models.TextChoices):
    """事项操作 (the 实施清单 maintenance operations)."""

    CREATE = "CREATE", gettext_noop("新增")
    CHANGE = "CHANGE", gettext_noop("变更")
    SUSPEND = "SUSPEND", gettext_noop("暂停")
    RESUME = "RESUME", gettext_noop("恢复")
    CANCEL = "CANCEL", gettext_noop("取消")
    HALL = "HALL", gettext_noop("进驻调整")


class ThemeAudience(models.TextChoices):
    INDIVIDUAL = "INDIVIDUAL", gettext_noop("个人")
    ENTERPRISE = "ENTERPRISE", gettext_noop("法人")
    GENERAL = "GENERAL", gettext_noop("通用")


def label(choices: type[models.Choices], value: str) -> str:
    """The Chinese label of a code, or the code itself when the table does not know it."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value
