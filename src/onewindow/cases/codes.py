"""Code tables of cases (DESIGN rule 8: UPPER_CASE values, Chinese labels)."""

from django.db import models
from django.utils.translation import gettext_noop

# The one name of a case wherever other apps refer to it: audit rows, events, workflow
# work items (subject_type), outbox aggregates.
SUBJECT_TYPE = "cases.case"

class CaseStatus(models.TextChoices):
    """The denormalised status of a case; only ``lifecycle.transition`` assigns it.

    Cases I covers intake and acceptance; Cases II adds review states (IN_REVIEW …) and
    reuses APPROVED / DENIED for every decision, not only 即办件.
    """

    DRAFT = "DRAFT", gettext_noop("草稿")
    SUBMITTED = "SUBMITTED", gettext_noop("待受理")
    CORRECTION_REQUESTED = "CORRECTION_REQUESTED", gettext_noop("待补正")
    ACCEPTED = "ACCEPTED", gettext_noop("已受理")
    REJECTED = "REJECTED", gettext_noop("不予受理")
    WITHDRAWN = "WITHDRAWN", gettext_noop("已撤回")
    IN_REVIEW = "IN_REVIEW", gettext_noop("审查中")
    SUSPENDED = "SUSPENDED", gettext_noop("特别程序（暂停计时）")
    APPROVED = "APPROVED", gettext_noop("准予许可")
    DENIED = "DENIED", gettext_noop("不予许可")
    DELIVERED = "DELIVERED", gettext_noop("已送达")


# Statuses after which the case is closed (办结 / not accepted / withdrawn).
FINAL_STATUSES = frozenset(
    {CaseStatus.REJECTED, CaseStatus.WITHDRAWN, CaseStatus.APPROVED, CaseStatus.DENIED,
     CaseStatus.DELIVERED}
)
# Decided (办结): the result is on its way to the applicant or has reached them.
DECIDED_STATUSES = frozenset({CaseStatus.APPROVED, CaseStatus.DENIED, CaseStatus.DELIVERED})


class ActionKind(models.TextChoices):
    """Kinds of rows in the append-only action log (DESIGN rule 3)."""

    CREATE = "CREATE", gettext_noop("创建申请草稿")
    SUBMIT = "SUBMIT", gettext_noop("提交申请")
    ADD_FILE = "ADD_FILE", gettext_noop("上传材料")
    RECEIVE_PAPER = "RECEIVE_PAPER", gettext_noop("收取纸质材料")
    REQUEST_CORRECTION = "REQUEST_CORRECTION", gettext_noop("一次性告知补正")
    SUPPLY = "SUPPLY", gettext_noop("补正材料")
    ACCEPT = "ACCEPT", gettext_noop("受理")
    DEEM_ACCEPT = "DEEM_ACCEPT", gettext_noop("视为受理")
    REJECT = "REJECT", gettext_noop("不予受理")
    SUPPLY_TOLERATED = "SUPPLY_TOLERATED", gettext_noop("补齐容缺材料")
    WITHDRAW = "WITHDRAW", gettext_noop("撤回申请")
    APPROVE = "APPROVE", gettext_noop("准予许可")
    DENY = "DENY", gettext_noop("不予许可")
    ROUTE_START = "ROUTE_START", gettext_noop("转入审批")
    TASK_COMPLETE = "TASK_COMPLETE", gettext_noop("办理意见")
    RETURN = "RETURN", gettext_noop("退回")
    SUSPEND = "SUSPEND", gettext_noop("特别程序（暂停计时）")
    RESUME = "RESUME", gettext_noop("恢复计时")
    EXTEND_REQUEST = "EXTEND_REQUEST", gettext_noop("申请延期")
    EXTEND_APPROVE = "EXTEND_APPROVE", gettext_noop("批准延期")
    EXTEND_REFUSE = "EXTEND_REFUSE", gettext_noop("不批准延期")
    OUTPUT_READY = "OUTPUT_READY", gettext_noop("结果待出件")
    HAND_OVER = "HAND_OVER", gettext_noop("窗口领取")
    MAIL_DISPATCH = "MAIL_DISPATCH", gettext_noop("邮寄发出")
    MAIL_DELIVER = "MAIL_DELIVER", gettext_noop("邮件签收")
    PUBLISH_ONLINE = "PUBLISH_ONLINE", gettext_noop("网上送达")
    CHOOSE_DELIVERY = "CHOOSE_DELIVERY", gettext_noop("选择领取方式")
    INSPECTION_RECORD = "INSPECTION_RECORD", gettext_noop("现场核查")
    LICENCE_CORRECT = "LICENCE_CORRECT", gettext_noop("更正证照信息")


class ReviewStance(models.TextChoices):
    """The opinion of a review step (审查意见): what it proposes to the deciding step."""

    AGREE = "agree", gettext_noop("拟同意")
    DISAGREE = "disagree", gettext_noop("拟不同意")
    RETURN = "return", gettext_noop("退回")


class SuspensionProcedure(models.TextChoices):
    """行政许可法第四十五条 special procedures (and 容缺) whose time is not counted."""

    HEARING = "HEARING", gettext_noop("听证")
    TENDER = "TENDER", gettext_noop("招标")
    AUCTION = "AUCTION", gettext_noop("拍卖")
    INSPECTION = "INSPECTION", gettext_noop("检验")
    TESTING = "TESTING", gettext_noop("检测")
    QUARANTINE = "QUARANTINE", gettext_noop("检疫")
    APPRAISAL = "APPRAISAL", gettext_noop("鉴定")
    EXPERT_REVIEW = "EXPERT_REVIEW", gettext_noop("专家评审")
    ITEM_PROCEDURE = "ITEM_PROCEDURE", gettext_noop("事项特别程序")
    TOLERANCE = "TOLERANCE", gettext_noop("等待容缺材料")


class DeliveryChannel(models.TextChoices):
    """统一出件: how the result reaches the applicant."""

    PICKUP = "PICKUP", gettext_noop("窗口领取")
    MAIL = "MAIL", gettext_noop("邮寄送达")
    ELECTRONIC = "ELECTRONIC", gettext_noop("网上送达")


class Channel(models.TextChoices):
    ONLINE = "ONLINE", gettext_noop("网上申请")
    WINDOW = "WINDOW", gettext_noop("窗口申请")


class AcceptanceBasis(models.TextChoices):
    ACCEPTED = "ACCEPTED", gettext_noop("窗口受理")
    DEEMED = "DEEMED", gettext_noop("逾期视为受理（行政许可法第三十二条）")


class MaterialState(models.TextChoices):
    MISSING = "MISSING", gettext_noop("未提交")
    RECEIVED = "RECEIVED", gettext_noop("已收纸质材料")
    UPLOADED = "UPLOADED", gettext_noop("已上传")
    ACCEPTED = "ACCEPTED", gettext_noop("审核通过")
    DEFECTIVE = "DEFECTIVE", gettext_noop("需补正")
    TOLERATED = "TOLERATED", gettext_noop("容缺待补")
    SUPPLIED = "SUPPLIED", gettext_noop("已补交")
    # Reserved for Cases III (免证办: the licence library supplies the material).
    SATISFIED_BY_LICENCE = "SATISFIED_BY_LICENCE", gettext_noop("电子证照免提交")


# Material states that count as "the applicant has provided it".
PRESENT_STATES = frozenset(
    {
        MaterialState.RECEIVED, MaterialState.UPLOADED, MaterialState.ACCEPTED,
        MaterialState.SUPPLIED, MaterialState.SATISFIED_BY_LICENCE,
    }
)


class TrustGrade(models.TextChoices):
    """How far a material can be relied on without further checks."""

    A = "A", gettext_noop("A 电子证照库调取")
    B = "B", gettext_noop("B 窗口核验原件")
    C = "C", gettext_noop("C 上传复印件")
    D = "D", gettext_noop("D 申请人声明")


class ExtensionState(models.TextChoices):
    """Where the Art. 42 extension of a case stands (derived from the action log)."""

    NONE = "NONE", gettext_noop("未申请延期")
    PENDING = "PENDING", gettext_noop("延期待批准")
    APPROVED = "APPROVED", gettext_noop("已批准延期")
    REFUSED = "REFUSED", gettext_noop("延期未获批准")


class DayLineKind(models.TextChoices):
    """What one day of the explanation was for the limit."""

    COUNTED = "COUNTED", "计入"
    ADJUSTED_WORKDAY = "ADJUSTED_WORKDAY", "调休上班，计入"
    WEEKEND = "WEEKEND", "休息日"
    HOLIDAY = "HOLIDAY", "法定节假日"
    SUSPENDED = "SUSPENDED", "特别程序，不计"
    EXTENDED = "EXTENDED", "延长期限（第四十二条）"
    CARRIED = "CARRIED", "期限末日为休息日，顺延"
    OVERDUE = "OVERDUE", "超过期限"
