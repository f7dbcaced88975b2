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
    APPROVED = "APPROVED", "准予许可"
    DENIED = "DENIED", "不予许可"


# Statuses after which nothing more happens in Cases I.
FINAL_STATUSES = frozenset(
    {CaseStatus.REJECTED, CaseStatus.WITHDRAWN, CaseStatus.APPROVED, CaseStatus.DENIED}
)


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
