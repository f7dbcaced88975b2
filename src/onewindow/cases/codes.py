"""Code tables of cases (DESIGN rule 8: UPPER_CASE values, Chinese labels)."""

from django.db import models


class CaseStatus(models.TextChoices):
    """The denormalised status of a case; only ``lifecycle.transition`` assigns it.

    Cases I covers intake and acceptance; Cases II adds review states (IN_REVIEW …) and
    reuses APPROVED / DENIED for every decision, not only 即办件.
    """

    DRAFT = "DRAFT", "草稿"
    SUBMITTED = "SUBMITTED", "待受理"
    CORRECTION_REQUESTED = "CORRECTION_REQUESTED", "待补正"
    ACCEPTED = "ACCEPTED", "已受理"
    REJECTED = "REJECTED", "不予受理"
    WITHDRAWN = "WITHDRAWN", "已撤回"
    IN_REVIEW = "IN_REVIEW", "审查中"
    SUSPENDED = "SUSPENDED", "特别程序（暂停计时）"
    APPROVED = "APPROVED", "准予许可"
    DENIED = "DENIED", "不予许可"
    DELIVERED = "DELIVERED", "已送达"


# Statuses after which the case is closed (办结 / not accepted / withdrawn).
FINAL_STATUSES = frozenset(
    {CaseStatus.REJECTED, CaseStatus.WITHDRAWN, CaseStatus.APPROVED, CaseStatus.DENIED,
     CaseStatus.DELIVERED}
)
# Decided (办结): the result is on its way to the applicant or has reached them.
DECIDED_STATUSES = frozenset({CaseStatus.APPROVED, CaseStatus.DENIED, CaseStatus.DELIVERED})


class ActionKind(models.TextChoices):
    """Kinds of rows in the append-only action log (DESIGN rule 3)."""

    CREATE = "CREATE", "创建申请草稿"
    SUBMIT = "SUBMIT", "提交申请"
    ADD_FILE = "ADD_FILE", "上传材料"
    RECEIVE_PAPER = "RECEIVE_PAPER", "收取纸质材料"
    REQUEST_CORRECTION = "REQUEST_CORRECTION", "一次性告知补正"
    SUPPLY = "SUPPLY", "补正材料"
    ACCEPT = "ACCEPT", "受理"
    DEEM_ACCEPT = "DEEM_ACCEPT", "视为受理"
    REJECT = "REJECT", "不予受理"
    SUPPLY_TOLERATED = "SUPPLY_TOLERATED", "补齐容缺材料"
    WITHDRAW = "WITHDRAW", "撤回申请"
    APPROVE = "APPROVE", "准予许可"
    DENY = "DENY", "不予许可"
    ROUTE_START = "ROUTE_START", "转入审批"
    TASK_COMPLETE = "TASK_COMPLETE", "办理意见"
    RETURN = "RETURN", "退回"
    SUSPEND = "SUSPEND", "特别程序（暂停计时）"
    RESUME = "RESUME", "恢复计时"
    EXTEND_REQUEST = "EXTEND_REQUEST", "申请延期"
    EXTEND_APPROVE = "EXTEND_APPROVE", "批准延期"
    EXTEND_REFUSE = "EXTEND_REFUSE", "不批准延期"
    OUTPUT_READY = "OUTPUT_READY", "结果待出件"
    HAND_OVER = "HAND_OVER", "窗口领取"
    MAIL_DISPATCH = "MAIL_DISPATCH", "邮寄发出"
    MAIL_DELIVER = "MAIL_DELIVER", "邮件签收"
    PUBLISH_ONLINE = "PUBLISH_ONLINE", "网上送达"
    CHOOSE_DELIVERY = "CHOOSE_DELIVERY", "选择领取方式"


class SuspensionProcedure(models.TextChoices):
    """行政许可法第四十五条 special procedures (and 容缺) whose time is not counted."""

    HEARING = "HEARING", "听证"
    TENDER = "TENDER", "招标"
    AUCTION = "AUCTION", "拍卖"
    INSPECTION = "INSPECTION", "检验"
    TESTING = "TESTING", "检测"
    QUARANTINE = "QUARANTINE", "检疫"
    APPRAISAL = "APPRAISAL", "鉴定"
    EXPERT_REVIEW = "EXPERT_REVIEW", "专家评审"
    ITEM_PROCEDURE = "ITEM_PROCEDURE", "事项特别程序"
    TOLERANCE = "TOLERANCE", "等待容缺材料"


class DeliveryChannel(models.TextChoices):
    """统一出件: how the result reaches the applicant."""

    PICKUP = "PICKUP", "窗口领取"
    MAIL = "MAIL", "邮寄送达"
    ELECTRONIC = "ELECTRONIC", "网上送达"


class Channel(models.TextChoices):
    ONLINE = "ONLINE", "网上申请"
    WINDOW = "WINDOW", "窗口申请"


class AcceptanceBasis(models.TextChoices):
    ACCEPTED = "ACCEPTED", "窗口受理"
    DEEMED = "DEEMED", "逾期视为受理（行政许可法第三十二条）"


class MaterialState(models.TextChoices):
    MISSING = "MISSING", "未提交"
    RECEIVED = "RECEIVED", "已收纸质材料"
    UPLOADED = "UPLOADED", "已上传"
    ACCEPTED = "ACCEPTED", "审核通过"
    DEFECTIVE = "DEFECTIVE", "需补正"
    TOLERATED = "TOLERATED", "容缺待补"
    SUPPLIED = "SUPPLIED", "已补交"
    # Reserved for Cases III (免证办: the licence library supplies the material).
    SATISFIED_BY_LICENCE = "SATISFIED_BY_LICENCE", "电子证照免提交"


# Material states that count as "the applicant has provided it".
PRESENT_STATES = frozenset(
    {
        MaterialState.RECEIVED, MaterialState.UPLOADED, MaterialState.ACCEPTED,
        MaterialState.SUPPLIED, MaterialState.SATISFIED_BY_LICENCE,
    }
)


class TrustGrade(models.TextChoices):
    """How far a material can be relied on without further checks."""

    A = "A", "A 电子证照库调取"
    B = "B", "B 窗口核验原件"
    C = "C", "C 上传复印件"
    D = "D", "D 申请人声明"


class ExtensionState(models.TextChoices):
    """Where the Art. 42 extension of a case stands (derived from the action log)."""

    NONE = "NONE", "未申请延期"
    PENDING = "PENDING", "延期待批准"
    APPROVED = "APPROVED", "已批准延期"
    REFUSED = "REFUSED", "延期未获批准"
