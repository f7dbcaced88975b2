"""The electronic licence library (电子证照库): types, licences with their seal, versions
and annotations, issuing organisations' signing keys, share links and the usage log.

Expiry is not a stored status: a VALID licence whose 有效期截止日期 has passed is expired
on that date (``Licence.state_on``), so no nightly job has to run for the answer to be right.
"""

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class HolderKind(models.TextChoices):
    PERSON = "PERSON", gettext_noop("自然人")
    LEGAL_PERSON = "LEGAL_PERSON", gettext_noop("法人和其他组织")


class HolderCodeType(models.TextChoices):
    """持证主体代码类型 (GB/T 36903)."""

    ID_CARD = "111", gettext_noop("居民身份证")
    CREDIT_CODE = "001", gettext_noop("统一社会信用代码")


HOLDER_CODE_TYPE_FOR_KIND = {
    HolderKind.PERSON: HolderCodeType.ID_CARD,
    HolderKind.LEGAL_PERSON: HolderCodeType.CREDIT_CODE,
}


class LicenceType(models.Model):
    """A kind of licence, defined once and issued by one or more organisations.

    ``field_schema`` lists the type-specific 照面信息 fields:
    ``[{"name": "business_scope", "label": "经营范围", "type": "text", "required": true}]``
    with type one of text, date, integer, boolean.
    """

    code = models.CharField("证照类型代码", max_length=21, unique=True)
    name = models.CharField("证照名称", max_length=100)
    issuers = models.ManyToManyField(
        "identity.Organisation", related_name="licence_types", verbose_name="颁发机构",
    )
    holder_kind = models.CharField("持证主体类别", max_length=12, choices=HolderKind.choices)
    validity_months = models.PositiveIntegerField(
        "默认有效期（月）", null=True, blank=True, help_text="留空表示长期有效。",
    )
    field_schema = models.JSONField("照面字段", default=list, blank=True)
    display_template = models.CharField(
        "展示模板", max_length=200, default="licences/pdf/licence.html",
    )
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "证照类型"
        verbose_name_plural = "证照类型"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def holder_code_type(self) -> str:
        return HOLDER_CODE_TYPE_FOR_KIND[self.holder_kind]


class SigningKey(models.Model):
    """An issuing organisation's key for its electronic seal (电子印章).

    One active key per organisation; rotation retires the old one (``retired_at``), which
    stays published in the JWKS so licences it sealed keep verifying. Licences point at
    their key with PROTECT, so a key in use can never be deleted. The private key is only
    stored sealed with AES-256-GCM (see ``signing.seal_private_key``).
    """

    if TYPE_CHECKING:
        organisation_id: int

    class Algorithm(models.TextChoices):
        ED25519 = "Ed25519", "Ed25519"
        SM2 = "SM2", gettext_noop("SM2/SM3（国密）")

    organisation = models.ForeignKey(
        "identity.Organisation", on_delete=models.PROTECT, related_name="licence_signing_keys",
        verbose_name="机构",
    )
    kid = models.CharField("密钥标识", max_length=64, unique=True)
    algorithm = models.CharField("算法", max_length=10, choices=Algorithm.choices)
    public_key = models.BinaryField("公钥")
    private_key_sealed = models.BinaryField("私钥（加密保存）")
    created_at = models.DateTimeField("启用时间")
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "签章密钥"
        verbose_name_plural = "签章密钥"
        ordering = ["organisation", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(retired_at__isnull=True),
                name="licences_one_active_key_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kid} ({self.algorithm})"

    @property
    def is_active(self) -> bool:
        return self.retired_at is None


class SerialCounter(models.Model):
    """The last 流水号 handed out per licence type and issuer (locked row, never MAX+1)."""

    if TYPE_CHECKING:
        licence_type_id: int
        issuer_id: int

    licence_type = models.ForeignKey(LicenceType, on_delete=models.CASCADE)
    issuer = models.ForeignKey("identity.Organisation", on_delete=models.CASCADE)
    last_value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "证照流水号"
        verbose_name_plural = "证照流水号"
        constraints = [
            models.UniqueConstraint(fields=["licence_type", "issuer"], name="licences_one_counter")
        ]

    def __str__(self) -> str:
        return f"{self.licence_type_id}/{self.issuer_id}: {self.last_value}"


class Licence(models.Model):
    """One version of one licence. GB/T 36903 metadata is copied at issue and sealed."""

    if TYPE_CHECKING:  # what Django adds to the class, declared for the type checker
        issuer_id: int
        annotations: "RelatedManager[LicenceAnnotation]"
        usages: "RelatedManager[LicenceUsage]"

        def get_status_display(self) -> str: ...

    class Status(models.TextChoices):
        VALID = "VALID", gettext_noop("有效")
        REVOKED = "REVOKED", gettext_noop("已注销")
        SUPERSEDED = "SUPERSEDED", gettext_noop("已换发（被新版本取代）")

    class Origin(models.TextChoices):
        CASE = "CASE", gettext_noop("办件审批")
        MANUAL = "MANUAL", gettext_noop("人工签发")
        IMPORT = "IMPORT", gettext_noop("存量导入")

    identifier = models.CharField("证照标识", max_length=100, unique=True)
    licence_type = models.ForeignKey(
        LicenceType, on_delete=models.PROTECT, related_name="licences", verbose_name="证照类型",
    )
    serial = models.CharField("流水号", max_length=20)
    version = models.PositiveSmallIntegerField("版本号", default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version",
        verbose_name="上一版本",
    )
    name = models.CharField("证照名称", max_length=100)
    type_code = models.CharField("证照类型代码", max_length=21)
    number = models.CharField("证照编号", max_length=100)
    issuer = models.ForeignKey(
        "identity.Organisation", on_delete=models.PROTECT, related_name="issued_licences",
        verbose_name="颁发机构",
    )
    issuer_name = models.CharField("颁发机构名称", max_length=200)
    issuer_code = models.CharField("颁发机构代码", max_length=18)
    issue_date = models.DateField("颁发日期")
    holder_name = models.CharField("持证主体", max_length=200)
    holder_code = models.CharField("持证主体代码", max_length=18)
    holder_code_type = models.CharField(
        "持证主体代码类型", max_length=3, choices=HolderCodeType.choices,
    )
    valid_from = models.DateField("有效期起始日期")
    valid_until = models.DateField("有效期截止日期", null=True, blank=True)
    fields = models.JSONField("照面信息", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.VALID)
    status_reason = models.CharField("状态原因", max_length=500, blank=True)
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    origin = models.CharField("来源", max_length=6, choices=Origin.choices)
    case_number = models.CharField("办件编号", max_length=64, blank=True, default="")
    payload_sha256 = models.CharField("规范化载荷摘要", max_length=43)
    signing_key = models.ForeignKey(
        SigningKey, on_delete=models.PROTECT, related_name="licences", verbose_name="签章密钥",
    )
    seal_signature = models.CharField("签章值", max_length=200)
    issued_at = models.DateTimeField("入库时间")
    issued_by = models.ForeignKey(
        "identity.Account", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="签发人",
    )

    class Meta:
        verbose_name = "电子证照"
        verbose_name_plural = "电子证照"
        indexes = [
            models.Index(
                fields=["holder_code_type", "holder_code", "type_code", "status"],
                name="licence_holder_idx",
            ),
            models.Index(fields=["issuer", "status", "-issue_date"], name="licence_issuer_idx"),
            models.Index(fields=["case_number"], name="licence_case_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["licence_type", "case_number"], condition=~Q(case_number=""),
                name="licences_one_per_case_and_type",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="licence_validity_ordered",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1, version__lte=999), name="licence_version_1_999"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["VALID", "REVOKED", "SUPERSEDED"]),
                name="licence_status_known",
            ),
            models.CheckConstraint(
                condition=Q(holder_code_type__in=["111", "001"]), name="licence_holder_code_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"

    def state_on(self, on_date: dt.date) -> str:
        """valid / revoked / expired / not_yet_valid on ``on_date`` (superseded counts as
        revoked: the holder was given a newer version)."""
        if self.status != self.Status.VALID:
            return "revoked"
        if self.valid_until is not None and on_date > self.valid_until:
            return "expired"
        if on_date < self.valid_from:
            return "not_yet_valid"
        return "valid"

    def canonical_payload(self) -> dict:
        """The GB/T 36903 metadata and 照面信息 that the seal covers (signing module doc)."""
        return {
            "证照名称": self.name,
            "证照类型代码": self.type_code,
            "证照编号": self.number,
            "证照标识": self.identifier,
            "颁发机构": self.issuer_name,
            "颁发机构代码": self.issuer_code,
            "颁发日期": _iso(self.issue_date),
            "持证主体": self.holder_name,
            "持证主体代码": self.holder_code,
            "持证主体代码类型": self.holder_code_type,
            "有效期起始日期": _iso(self.valid_from),
            "有效期截止日期": _iso(self.valid_until),
            "照面信息": self.fields or {},
        }


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class LicenceAnnotation(models.Model):
    """加注: a dated note added to a licence after issue, sealed on its own."""

    if TYPE_CHECKING:
        licence_id: int

    licence = models.ForeignKey(
        Licence, on_delete=models.PROTECT, related_name="annotations", verbose_name="证照",
    )
    seq = models.PositiveSmallIntegerField("序号")
    text = models.CharField("加注内容", max_length=500)
    annotation_date = models.DateField("加注日期")
    annotated_at = models.DateTimeField("加注时间")
    annotated_by = models.ForeignKey(
        "identity.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="加注人",
    )
    payload_sha256 = models.CharField("规范化载荷摘要", max_length=43)
    signing_key = models.ForeignKey(
        SigningKey, on_delete=models.PROTECT, related_name="annotations", verbose_name="签章密钥",
    )
    seal_signature = models.CharField("签章值", max_length=200)

    class Meta:
        verbose_name = "证照加注"
        verbose_name_plural = "证照加注"
        ordering = ["licence", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["licence", "seq"], name="licences_annotation_seq")
        ]

    def __str__(self) -> str:
        return f"{self.licence_id}#{self.seq}"

    def seal_id(self, identifier: str) -> str:
        return f"{identifier}#{self.seq}"

    def canonical_payload(self, identifier: str) -> dict:
        return {
            "证照标识": identifier,
            "加注序号": self.seq,
            "加注内容": self.text,
            "加注日期": _iso(self.annotation_date),
        }


class LicenceShare(models.Model):
    """A time-limited link a holder gives to someone for a stated purpose.

    Only a SHA-256 of the link's token is stored; the token is shown once.
    """

    if TYPE_CHECKING:
        licence_id: int
        created_by_id: int

    licence = models.ForeignKey(
        Licence, on_delete=models.PROTECT, related_name="shares", verbose_name="证照",
    )
    token_hash = models.CharField("链接令牌摘要", max_length=64, unique=True)
    purpose = models.CharField("用途", max_length=200)
    created_by = models.ForeignKey(
        "identity.Account", on_delete=models.PROTECT, related_name="+", verbose_name="分享人",
    )
    created_at = models.DateTimeField("分享时间")
    expires_at = models.DateTimeField("失效时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    view_count = models.PositiveIntegerField("查看次数", default=0)

    class Meta:
        verbose_name = "证照分享"
        verbose_name_plural = "证照分享"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="licence_share_expires"
            )
        ]

    def __str__(self) -> str:
        return f"{self.licence_id}: {self.purpose}"

    def is_open(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


class LicenceUsage(models.Model):
    """用证记录: every use of a licence by a department, a shared link or a case."""

    if TYPE_CHECKING:
        licence_id: int

        def get_kind_display(self) -> str: ...

    class Kind(models.TextChoices):
        DEPARTMENT_LOOKUP = "LOOKUP", gettext_noop("部门查证")
        SHARE_VIEW = "SHARE", gettext_noop("分享链接查看")
        CASE_MATERIAL = "CASE", gettext_noop("办件免提交（免证办）")

    licence = models.ForeignKey(
        Licence, on_delete=models.PROTECT, related_name="usages", verbose_name="证照",
    )
    kind = models.CharField("用证方式", max_length=6, choices=Kind.choices)
    used_at = models.DateTimeField("用证时间")
    actor = models.ForeignKey(
        "identity.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="用证人",
    )
    organisation = models.ForeignKey(
        "identity.Organisation", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="用证单位",
    )
    user_label = models.CharField("用证方", max_length=200)
    purpose = models.CharField("用途", max_length=200)
    share = models.ForeignKey(
        LicenceShare, null=True, blank=True, on_delete=models.PROTECT, related_name="usages",
        verbose_name="分享链接",
    )
    case_number = models.CharField("办件编号", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "用证记录"
        verbose_name_plural = "用证记录"
        ordering = ["-used_at", "-id"]
        indexes = [models.Index(fields=["licence", "-used_at"], name="licence_usage_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.licence_id} {self.used_at:%Y-%m-%d}"


class LicenceAction(models.Model):
    """The append-only log of a licence's status moves (注销, 换发): who, when, why.

    ``Licence.status`` and ``status_reason`` are its denormalised latest state, written
    only by the licence lifecycle (licences.lifecycle) together with a row here."""

    if TYPE_CHECKING:
        licence_id: int

        def get_kind_display(self) -> str: ...

    class Kind(models.TextChoices):
        REVOKE = "REVOKE", "注销"
        SUPERSEDE = "SUPERSEDE", "换发"

    licence = models.ForeignKey(
        Licence, on_delete=models.PROTECT, related_name="actions", verbose_name="电子证照",
    )
    kind = models.CharField("操作", max_length=10, choices=Kind.choices)
    from_status = models.CharField("原状态", max_length=10)
    to_status = models.CharField("新状态", max_length=10)
    actor = models.ForeignKey(
        "identity.Account", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="操作人",
    )
    occurred_at = models.DateTimeField("时间")
    reason = models.TextField("理由")

    class Meta:
        verbose_name = "证照状态变更记录"
        verbose_name_plural = "证照状态变更记录"
        ordering = ["licence", "occurred_at", "id"]
        indexes = [
            models.Index(fields=["licence", "occurred_at"], name="licence_action_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["REVOKE", "SUPERSEDE"]), name="licence_action_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.licence_id} {self.get_kind_display()}"
