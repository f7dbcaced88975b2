"""Every write of the identity domain. Keyword-only, ``actor`` and ``now`` passed in.

Public services are ``transaction.atomic(durable=True)``. Those that others compose
inside their own transaction (a walk-in case registers its applicant, importers and the
demo create organisations and accounts) have a non-durable ``*_inner`` body."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import audit_record

from . import selectors
from .errors import (
    AccountLocked,
    AlreadyRegistered,
    InvalidCredentials,
    InvalidIdentifier,
    InvalidToken,
)
from .models import (
    Account,
    AgentAuthorization,
    ApiToken,
    LegalPerson,
    NaturalPerson,
    Organisation,
    Role,
    RoleAssignment,
    Window,
)
from .permissions import forget_scopes
from .validators import (
    credit_code_problem,
    id_number_problem,
    normalize_credit_code,
    normalize_id_number,
)


def _masked_person(person: NaturalPerson) -> dict:
    from onewindow.common.redaction import mask_id_number, mask_phone

    return {"name": person.name, "id_number": mask_id_number(person.id_number),
            "phone": mask_phone(person.phone)}


# --- organisations ----------------------------------------------------------------------


@transaction.atomic(durable=True)
def organisation_create(
    *, actor, name: str, kind: str, region_code: str, level: int,
    parent: Organisation | None = None, credit_code: str | None = None, short_name: str = "",
    address: str = "", phone: str = "", now: dt.datetime,
) -> Organisation:
    return organisation_create_inner(actor=actor, name=name, kind=kind, region_code=region_code,
                                     level=level, parent=parent, credit_code=credit_code,
                                     short_name=short_name, address=address, phone=phone, now=now)


def organisation_create_inner(
    *, actor, name: str, kind: str, region_code: str, level: int,
    parent: Organisation | None = None, credit_code: str | None = None, short_name: str = "",
    address: str = "", phone: str = "", now: dt.datetime,
) -> Organisation:
    """The body of ``organisation_create``, in the caller's transaction."""
    if credit_code:
        credit_code = normalize_credit_code(credit_code)
        problem = credit_code_problem(credit_code)
        if problem:
            raise InvalidIdentifier(problem, details={"field": "credit_code"})
    organisation = Organisation(
        parent=parent, name=name, kind=kind, region_code=region_code, level=level,
        credit_code=credit_code or None, short_name=short_name, address=address, phone=phone,
        created_at=now,
    )
    organisation.full_clean(exclude=["path"])
    organisation.save()
    # The path needs the primary key, so it is set right after the insert.
    prefix = parent.path if parent else "/"
    organisation.path = f"{prefix}{organisation.pk}/"
    organisation.save(update_fields=["path"])
    audit_record(
        actor=actor, action="identity.organisation.created", subject_type="identity.organisation",
        subject_id=str(organisation.pk),
        after={"name": name, "kind": kind, "region_code": region_code, "level": level,
               "credit_code": organisation.credit_code, "parent": parent.pk if parent else None},
        now=now,
    )
    return organisation


@transaction.atomic(durable=True)
def window_create(
    *, actor, centre: Organisation, number: str, name: str, domain: str = "", now: dt.datetime
) -> Window:
    return window_create_inner(actor=actor, centre=centre, number=number, name=name, domain=domain,
                               now=now)


def window_create_inner(
    *, actor, centre: Organisation, number: str, name: str, domain: str = "", now: dt.datetime
) -> Window:
    """The body of ``window_create``, in the caller's transaction."""
    if not centre.is_centre:
        raise InvalidIdentifier(_("窗口只能设在政务服务中心或便民服务中心。"),
                                code="identity.window-needs-centre")
    window = Window(centre=centre, number=number, name=name, domain=domain)
    window.full_clean()
    window.save()
    audit_record(
        actor=actor, action="identity.window.created", subject_type="identity.window",
        subject_id=str(window.pk),
        after={"centre": centre.pk, "number": number, "name": name, "domain": domain}, now=now,
    )
    return window


# --- persons ----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def person_register(
    *, actor, name: str, id_number: str, phone: str = "", address: str = "", now: dt.datetime
) -> NaturalPerson:
    """Record a natural person (at the window or on sign-up); the ID number is checked."""
    return person_register_inner(actor=actor, name=name, id_number=id_number, phone=phone,
                                 address=address, now=now)


def person_register_inner(
    *, actor, name: str, id_number: str, phone: str = "", address: str = "", now: dt.datetime
) -> NaturalPerson:
    """The body of ``person_register``, in the caller's transaction."""
    id_number = normalize_id_number(id_number)
    problem = id_number_problem(id_number)
    if problem:
        raise InvalidIdentifier(problem, details={"field": "id_number"})
    if NaturalPerson.objects.filter(id_number=id_number).exists():
        raise AlreadyRegistered(_("该身份证号码已登记。"), details={"field": "id_number"})
    person = NaturalPerson(name=name.strip(), id_number=id_number, phone=phone, address=address,
                           created_at=now)
    person.full_clean()
    person.save()
    audit_record(
        actor=actor, action="identity.person.registered", subject_type="identity.person",
        subject_id=str(person.pk), after=_masked_person(person), now=now,
    )
    return person


@transaction.atomic(durable=True)
def legal_person_register(
    *, actor, name: str, credit_code: str, kind: str = LegalPerson.Kind.ENTERPRISE,
    legal_representative: str = "", address: str = "", now: dt.datetime,
) -> LegalPerson:
    return legal_person_register_inner(actor=actor, name=name, credit_code=credit_code, kind=kind,
                                       legal_representative=legal_representative, address=address,
                                       now=now)


def legal_person_register_inner(
    *, actor, name: str, credit_code: str, kind: str = LegalPerson.Kind.ENTERPRISE,
    legal_representative: str = "", address: str = "", now: dt.datetime,
) -> LegalPerson:
    """The body of ``legal_person_register``, in the caller's transaction."""
    credit_code = normalize_credit_code(credit_code)
    problem = credit_code_problem(credit_code)
    if problem:
        raise InvalidIdentifier(problem, details={"field": "credit_code"})
    if LegalPerson.objects.filter(credit_code=credit_code).exists():
        raise AlreadyRegistered(_("该统一社会信用代码已登记。"), details={"field": "credit_code"})
    legal_person = LegalPerson(name=name.strip(), credit_code=credit_code, kind=kind,
                               legal_representative=legal_representative, address=address,
                               created_at=now)
    legal_person.full_clean()
    legal_person.save()
    audit_record(
        actor=actor, action="identity.legal_person.registered",
        subject_type="identity.legal_person", subject_id=str(legal_person.pk),
        after={"name": legal_person.name, "credit_code": credit_code, "kind": kind}, now=now,
    )
    return legal_person


# --- accounts ---------------------------------------------------------------------------


@transaction.atomic(durable=True)
def account_create(
    *, actor, username: str, password: str, kind: str, person: NaturalPerson | None = None,
    organisation: Organisation | None = None, display_name: str = "", is_staff: bool = False,
    now: dt.datetime,
) -> Account:
    return account_create_inner(actor=actor, username=username, password=password, kind=kind,
                                person=person, organisation=organisation, display_name=display_name,
                                is_staff=is_staff, now=now)


def account_create_inner(
    *, actor, username: str, password: str, kind: str, person: NaturalPerson | None = None,
    organisation: Organisation | None = None, display_name: str = "", is_staff: bool = False,
    now: dt.datetime,
) -> Account:
    """The body of ``account_create``, in the caller's transaction."""
    if kind != Account.Kind.STAFF and person is None:
        raise InvalidIdentifier(_("个人和企业经办人账户须实名（关联身份证）。"),
                                code="identity.real-name-required")
    if Account.objects.filter(username=username).exists():
        raise AlreadyRegistered(_("用户名已被使用。"), details={"field": "username"})
    account = Account(username=username, kind=kind, person=person, organisation=organisation,
                      display_name=display_name, is_staff=is_staff, date_joined=now)
    account.set_password(password)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        raise AlreadyRegistered(_("该实名信息已开通账户。")) from exc
    audit_record(
        actor=actor, action="identity.account.created", subject_type="identity.account",
        subject_id=str(account.pk),
        after={"username": username, "kind": kind,
               "organisation": organisation.pk if organisation else None},
        now=now,
    )
    return account


@transaction.atomic(durable=True)
def role_grant(*, actor, account: Account, role: str, organisation: Organisation,
               now: dt.datetime) -> RoleAssignment:
    return role_grant_inner(actor=actor, account=account, role=role, organisation=organisation,
                            now=now)


def role_grant_inner(*, actor, account: Account, role: str, organisation: Organisation,
               now: dt.datetime) -> RoleAssignment:
    """The body of ``role_grant``, in the caller's transaction."""
    if account.kind != Account.Kind.STAFF:
        raise InvalidIdentifier(
            _("只有工作人员账户可以授予角色。"), code="identity.role-needs-staff"
        )
    if role not in Role.values:
        raise InvalidIdentifier(_("未知角色。"), code="identity.unknown-role")
    assignment, created = RoleAssignment.objects.get_or_create(
        account=account, role=role, organisation=organisation, defaults={"granted_at": now}
    )
    if created:
        audit_record(
            actor=actor, action="identity.role.granted", subject_type="identity.account",
            subject_id=str(account.pk), after={"role": role, "organisation": organisation.pk},
            now=now,
        )
    forget_scopes(account)
    return assignment


@transaction.atomic(durable=True)
def role_revoke(*, actor, assignment: RoleAssignment, now: dt.datetime) -> None:
    before = {"role": assignment.role, "organisation": assignment.organisation_id}
    account = assignment.account
    assignment.delete()
    audit_record(
        actor=actor, action="identity.role.revoked", subject_type="identity.account",
        subject_id=str(account.pk), before=before, now=now,
    )
    forget_scopes(account)


@transaction.atomic(durable=True)
def authorization_grant(*, actor, account: Account, legal_person: LegalPerson,
                        valid_until: dt.date | None = None,
                        now: dt.datetime) -> AgentAuthorization:
    return authorization_grant_inner(actor=actor, account=account, legal_person=legal_person,
                                     valid_until=valid_until, now=now)


def authorization_grant_inner(*, actor, account: Account, legal_person: LegalPerson,
                        valid_until: dt.date | None = None,
                        now: dt.datetime) -> AgentAuthorization:
    """The body of ``authorization_grant``, in the caller's transaction."""
    if account.kind != Account.Kind.AGENT:
        raise InvalidIdentifier(_("只有企业经办人账户可以获得单位授权。"),
                                code="identity.authorization-needs-agent")
    current = (AgentAuthorization.objects.select_for_update()
               .filter(account=account, legal_person=legal_person, revoked_at__isnull=True)
               .first())
    if current is not None and current.valid_until == valid_until:
        return current  # granted again as it stands: nothing changes
    if current is not None:
        # A renewal (or a new end date): the old grant ends now and stays in the record,
        # so an expired authorisation can be renewed and its history is kept.
        AgentAuthorization.objects.filter(pk=current.pk).update(revoked_at=now)
    authorization = AgentAuthorization.objects.create(
        account=account, legal_person=legal_person, granted_at=now, valid_until=valid_until)
    audit_record(
        actor=actor, action="identity.authorization.granted",
        subject_type="identity.account", subject_id=str(account.pk),
        after={"legal_person": legal_person.pk, "valid_until": valid_until,
               "replaces": current.pk if current else None}, now=now,
    )
    return authorization


# --- login and lock-out -----------------------------------------------------------------


def login_check(*, identifier: str, password: str, portal: str, now: dt.datetime) -> Account:
    """Check a login attempt and keep the failure count; returns the account or raises.

    ``portal`` is "citizen" (ID number, phone or username of a citizen or agent account)
    or "staff" (username of a staff account). After
    ``ONEWINDOW_LOGIN_MAX_FAILURES`` failures in a row the account is locked for
    ``ONEWINDOW_LOGIN_LOCK_MINUTES``; while locked even the right password is refused, so
    guessing cannot continue. The same message is given for an unknown account and a wrong
    password.
    """
    account = selectors.account_for_login(identifier=identifier, portal=portal)
    if account is None:
        # Spend the same time as a real check so the answer does not reveal who exists.
        Account().set_password(password)
        raise InvalidCredentials(_("账号或密码不正确。"))
    with transaction.atomic(durable=True):
        account = Account.objects.select_for_update().get(pk=account.pk)
        if account.locked_until and account.locked_until > now:
            raise AccountLocked(
                _("连续登录失败次数过多，账户已临时锁定，请稍后再试。"),
                details={"locked_until": account.locked_until.isoformat()},
            )
        if account.check_password(password) and account.is_active:
            if account.failed_logins or account.locked_until:
                account.failed_logins = 0
                account.locked_until = None
                account.save(update_fields=["failed_logins", "locked_until"])
            return account
        account.failed_logins = F("failed_logins") + 1
        account.save(update_fields=["failed_logins"])
        account.refresh_from_db(fields=["failed_logins"])
        locked = account.failed_logins >= settings.ONEWINDOW_LOGIN_MAX_FAILURES
        if locked:
            account.locked_until = now + dt.timedelta(minutes=settings.ONEWINDOW_LOGIN_LOCK_MINUTES)
            account.failed_logins = 0
            account.save(update_fields=["locked_until", "failed_logins"])
            audit_record(
                actor=None, action="identity.account.locked", subject_type="identity.account",
                subject_id=str(account.pk),
                after={"locked_until": account.locked_until}, now=now,
            )
    if locked:
        raise AccountLocked(
            _("连续登录失败次数过多，账户已临时锁定，请稍后再试。"),
            details={"locked_until": account.locked_until.isoformat()},
        )
    raise InvalidCredentials(_("账号或密码不正确。"))


@transaction.atomic(durable=True)
def account_unlock(*, actor, account: Account, now: dt.datetime) -> None:
    Account.objects.filter(pk=account.pk).update(failed_logins=0, locked_until=None)
    audit_record(
        actor=actor, action="identity.account.unlocked", subject_type="identity.account",
        subject_id=str(account.pk), now=now,
    )


# --- API tokens -------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once to the caller, never stored


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic(durable=True)
def token_issue(*, actor: Account, now: dt.datetime) -> IssuedToken:
    secret = "ow_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        account=actor, key_hash=_hash_token(secret), prefix=secret[3:11], created_at=now,
        expires_at=now + dt.timedelta(hours=settings.ONEWINDOW_API_TOKEN_HOURS),
    )
    audit_record(
        actor=actor, action="identity.token.issued", subject_type="identity.token",
        subject_id=str(token.pk), after={"prefix": token.prefix, "expires_at": token.expires_at},
        now=now,
    )
    return IssuedToken(token=token, secret=secret)


def token_authenticate(*, secret: str, now: dt.datetime) -> Account:
    """The account behind a bearer token, if the token is known, unexpired and unrevoked."""
    token = (
        ApiToken.objects.select_related("account")
        .filter(key_hash=_hash_token(secret or ""))
        .first()
    )
    if token is None or token.revoked_at or token.expires_at <= now or not token.account.is_active:
        raise InvalidToken(_("访问令牌无效、已过期或已撤销。"))
    # Touch last_used_at at most once a minute so busy clients do not write on every call.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.account._api_token = token
    return token.account


@transaction.atomic(durable=True)
def token_revoke(*, actor: Account, token: ApiToken, now: dt.datetime) -> None:
    if token.account_id != actor.pk and not actor.is_superuser:
        raise InvalidToken(_("访问令牌无效、已过期或已撤销。"))
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if updated:
        audit_record(
            actor=actor, action="identity.token.revoked", subject_type="identity.token",
            subject_id=str(token.pk), now=now,
        )
