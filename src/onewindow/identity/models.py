"""People, accounts, the organisation tree and scoped roles."""

from typing import TYPE_CHECKING, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from .validators import (
    validate_credit_code,
    validate_id_number,
    validate_mobile,
    validate_region_code,
)

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class Level(models.IntegerChoices):
    """行使层级 (GB/T 39046 A.2)."""

    NATIONAL = 1, "国家级"
    PROVINCE = 2, "省级"
    CITY = 3, "市级"
    COUNTY = 4, "县级"
    TOWN = 5, "镇(乡、街道)级"
    VILLAGE = 6, "村(社区)级"


class Organisation(models.Model):
    if TYPE_CHECKING:  # what Django adds to the class, declared for the type checker
        parent_id: int | None
        windows: "RelatedManager[Window]"

        def get_kind_display(self) -> str: ...

    class Kind(models.TextChoices):
        GOVERNMENT = "GOVERNMENT", gettext_noop("人民政府")
        DEPARTMENT = "DEPARTMENT", gettext_noop("政府部门")
        SERVICE_CENTRE = "SERVICE_CENTRE", gettext_noop("政务服务中心")
        TOWN_CENTRE = "TOWN_CENTRE", gettext_noop("镇(街道)便民服务中心")
        VILLAGE_STATION = "VILLAGE_STATION", gettext_noop("村(社区)便民服务站")
        PUBLIC_SERVICE = "PUBLIC_SERVICE", gettext_noop("公共服务单位")
        OTHER = "OTHER", gettext_noop("其他组织")

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name="上级机构",
    )
    # Materialised path ("/1/4/9/") so "this organisation and everything under it" is one
    # indexed prefix query; maintained by the services, never typed in.
    path = models.CharField("路径", max_length=255, db_index=True, editable=False, default="")
    name = models.CharField("机构名称", max_length=200)
    short_name = models.CharField("简称", max_length=60, blank=True)
    kind = models.CharField("机构类型", max_length=20, choices=Kind.choices)
    region_code = models.CharField(
        "行政区划代码", max_length=6, validators=[validate_region_code]
    )
    level = models.PositiveSmallIntegerField("行使层级", choices=Level.choices)
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, null=True, blank=True, unique=True,
        validators=[validate_credit_code],
    )
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=6), name="organisation_level_1_6"
            ),
            models.CheckConstraint(
                condition=~Q(kind="DEPARTMENT") | Q(credit_code__isnull=False),
                name="department_has_credit_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_centre(self) -> bool:
        return self.kind in {self.Kind.SERVICE_CENTRE, self.Kind.TOWN_CENTRE}

    def is_within(self, other: "Organisation") -> bool:
        """True if self is ``other`` or lies anywhere under it."""
        return self.path.startswith(other.path)


class Window(models.Model):
    """A service window (窗口) of a government service centre."""

    centre = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="windows", verbose_name="所属中心"
    )
    number = models.CharField("窗口号", max_length=10)
    name = models.CharField("窗口名称", max_length=100)
    domain = models.CharField("业务领域", max_length=100, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "窗口"
        verbose_name_plural = "窗口"
        ordering = ["centre", "number"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "number"], name="window_number_per_centre")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class NaturalPerson(models.Model):
    """自然人: identified by the resident ID number."""

    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField(
        "居民身份证号码", max_length=18, unique=True, validators=[validate_id_number]
    )
    phone = models.CharField("手机号码", max_length=11, blank=True, validators=[validate_mobile])
    address = models.CharField("联系地址", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "自然人"
        verbose_name_plural = "自然人"
        indexes = [models.Index(fields=["phone"], name="person_phone_idx")]

    def __str__(self) -> str:
        return self.name


class LegalPerson(models.Model):
    """法人和其他组织: identified by the unified social credit code."""

    class Kind(models.TextChoices):
        # Codes follow 服务对象 (GB/T 39046 A.4).
        ENTERPRISE = "2", gettext_noop("企业法人")
        INSTITUTION = "3", gettext_noop("事业法人")
        SOCIAL_ORGANISATION = "4", gettext_noop("社会组织法人")
        AUTHORITY = "5", gettext_noop("行政机关")
        OTHER = "6", gettext_noop("其他组织")

    name = models.CharField("名称", max_length=200)
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code]
    )
    kind = models.CharField("主体类型", max_length=2, choices=Kind.choices, default=Kind.ENTERPRISE)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    address = models.CharField("住所", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "法人及其他组织"
        verbose_name_plural = "法人及其他组织"

    def __str__(self) -> str:
        return self.name


class AccountManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username, password=None, **extra):
        if not username:
            raise ValueError("username is required")
        account = self.model(username=username, **extra)
        account.set_password(password)
        account.save(using=self._db)
        return account

    def create_superuser(self, username, password=None, **extra):
        extra.setdefault("kind", Account.Kind.STAFF)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(username, password, **extra)


class Account(AbstractBaseUser, PermissionsMixin):
    if TYPE_CHECKING:
        person_id: int | None
        # identity.permissions keeps the actor's (role, organisation path) pairs here.
        _scope_cache: list[tuple[str, str]]

    class Kind(models.TextChoices):
        CITIZEN = "CITIZEN", gettext_noop("个人用户")
        AGENT = "AGENT", gettext_noop("企业经办人")
        STAFF = "STAFF", gettext_noop("工作人员")

    username = models.CharField("用户名", max_length=64, unique=True)
    kind = models.CharField("账户类型", max_length=10, choices=Kind.choices)
    display_name = models.CharField("显示名称", max_length=100, blank=True)
    person = models.OneToOneField(
        NaturalPerson, null=True, blank=True, on_delete=models.PROTECT, related_name="account",
        verbose_name="实名信息",
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="staff",
        verbose_name="所在机构",
    )
    is_active = models.BooleanField("启用", default=True)
    is_staff = models.BooleanField("可进入管理后台", default=False)
    date_joined = models.DateTimeField("注册时间", default=timezone.now)
    failed_logins = models.PositiveIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    objects = AccountManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "账户"
        verbose_name_plural = "账户"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="STAFF") | Q(person__isnull=False),
                name="citizen_and_agent_are_real_name",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def name(self) -> str:
        if self.person_id:
            return self.person.name
        return self.display_name or self.username

    @property
    def is_staff_member(self) -> bool:
        return self.kind == self.Kind.STAFF


def authorisation_in_force_q(today, prefix: str = "") -> Q:
    """THE rule for "this authorisation is in force on ``today``": not revoked, and not past
    its ``valid_until`` date (the last day it may be used). ``prefix`` reaches it through a
    relation, e.g. ``"agents__"`` from LegalPerson. Every check of an agent's right to act
    for an enterprise uses this one rule."""
    return Q(**{f"{prefix}revoked_at__isnull": True}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": today})
    )


class AgentAuthorizationQuerySet(models.QuerySet["AgentAuthorization"]):
    def in_force(self, today=None):
        """Authorisations usable on ``today`` (default: today in the site's time zone)."""
        return self.filter(authorisation_in_force_q(today or timezone.localdate()))


class AgentAuthorization(models.Model):
    """An account authorised to act for an enterprise or other legal person."""

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="authorizations", verbose_name="经办人"
    )
    legal_person = models.ForeignKey(
        LegalPerson, on_delete=models.PROTECT, related_name="agents", verbose_name="委托单位"
    )
    granted_at = models.DateTimeField("授权时间")
    valid_until = models.DateField("授权有效期至", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    if TYPE_CHECKING:  # as_manager() gives the manager the queryset's methods (in_force)
        objects: ClassVar[AgentAuthorizationQuerySet]
    else:
        objects = AgentAuthorizationQuerySet.as_manager()

    class Meta:
        verbose_name = "经办授权"
        verbose_name_plural = "经办授权"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "legal_person"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_authorization",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} → {self.legal_person}"


class Role(models.TextChoices):
    WINDOW_CLERK = "WINDOW_CLERK", gettext_noop("综合受理")
    HANDLER = "HANDLER", gettext_noop("承办人")
    CHIEF_REPRESENTATIVE = "CHIEF_REPRESENTATIVE", gettext_noop("首席代表")
    SUPERVISOR = "SUPERVISOR", gettext_noop("电子监察")
    CATALOG_ADMIN = "CATALOG_ADMIN", gettext_noop("事项管理员")
    HALL_MANAGER = "HALL_MANAGER", gettext_noop("大厅管理员")
    HOTLINE_AGENT = "HOTLINE_AGENT", gettext_noop("12345话务员")
    SYSTEM_ADMIN = "SYSTEM_ADMIN", gettext_noop("系统管理员")


class RoleAssignment(models.Model):
    """A role held over an organisation and everything under it."""

    if TYPE_CHECKING:
        organisation_id: int

        def get_role_display(self) -> str: ...

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="roles", verbose_name="账户"
    )
    role = models.CharField("角色", max_length=24, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="role_assignments",
        verbose_name="授权范围（机构及其下级）",
    )
    granted_at = models.DateTimeField("授权时间", default=timezone.now)

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "role", "organisation"], name="role_once_per_scope"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.organisation}"


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a hash of the token is stored."""

    if TYPE_CHECKING:
        account_id: int

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="账户"
    )
    key_hash = models.CharField("令牌摘要", max_length=64, unique=True)
    prefix = models.CharField("令牌前缀", max_length=8)
    created_at = models.DateTimeField("签发时间")
    expires_at = models.DateTimeField("过期时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        indexes = [models.Index(fields=["account", "expires_at"], name="token_account_idx")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.account})"


# --- notifications: the in-app inbox and outgoing SMS / e-mail -----------------------------
# (identity/notifications.py writes these; identity/messaging.py holds the backends.)


class InboxMessage(models.Model):
    """A message in an account's in-app inbox (站内信). One per (account, dedupe_key), so a
    retried event never shows twice."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="inbox_messages", verbose_name="账户"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    link = models.CharField("链接", max_length=500, blank=True)
    dedupe_key = models.CharField("去重键", max_length=200)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        constraints = [
            models.UniqueConstraint(fields=["account", "dedupe_key"], name="inbox_dedupe"),
        ]
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="inbox_account_recent"),
            models.Index(fields=["account", "read_at"], name="inbox_account_unread"),
        ]

    def __str__(self) -> str:
        return self.title


class OutgoingMessage(models.Model):
    """An SMS or e-mail sent (or to be sent) to a person. The recipient is kept in clear
    for sending; pages show it masked. The demo SMS backend only records rows here."""

    if TYPE_CHECKING:
        def get_channel_display(self) -> str: ...

    class Channel(models.TextChoices):
        SMS = "SMS", gettext_noop("短信")
        EMAIL = "EMAIL", gettext_noop("电子邮件")

    class Status(models.TextChoices):
        PENDING = "PENDING", gettext_noop("待发送")
        SENT = "SENT", gettext_noop("已发送")
        FAILED = "FAILED", gettext_noop("发送失败")

    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="outgoing_messages", verbose_name="账户",
    )
    # The organisation on whose behalf it was sent (a case's receiving centre): the demo
    # page shows a clerk only the messages of the organisations in the clerk's scope.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="发送机构",
    )
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    recipient = models.CharField("接收号码或地址", max_length=254)
    subject = models.CharField("主题", max_length=200, blank=True)
    body = models.TextField("内容")
    dedupe_key = models.CharField("去重键", max_length=200)
    backend = models.CharField("发送通道", max_length=200, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices,
                              default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    provider_id = models.CharField("通道回执", max_length=100, blank=True)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信与邮件"
        verbose_name_plural = "短信与邮件"
        constraints = [
            models.UniqueConstraint(fields=["account", "channel", "dedupe_key"],
                                    name="outgoing_dedupe"),
        ]
        indexes = [
            models.Index(fields=["channel", "-created_at", "-id"], name="outgoing_recent"),
            models.Index(fields=["status", "created_at"], name="outgoing_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.subject or self.body[:20]}"
