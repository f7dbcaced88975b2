"""Every write of the identity domain. Keyword-only, ``actor`` and ``now`` passed in.

Public services are ``transaction.atomic(durable=True)``. Those that others compose
inside their own transaction (a walk-in case registers its applicant, importers and the
demo create organisations and accounts) have a non-durable ``*_inner`` body."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import audit_record
from onewindow.common import ratelimit
from onewindow.common.actors import Actor
from onewindow.common.errors import TooManyAttempts

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
    *, actor: Actor | None, name: str, kind: str, region_code: str, level: int,
    parent: Organisation | None = None, credit_code: str | None = None, short_name: str = "",
    address: str = "", phone: str = "", now: dt.datetime,
) -> Organisation:
    return organisation_create_inner(actor=actor, name=name, kind=kind, region_code=region_code,
                                     level=level, parent=parent, credit_code=credit_code,
                                     short_name=short_name, address=address, phone=phone, now=now)


def organisation_create_inner(
    *, actor: Actor | None, name: str, kind: str, region_code: str, level: int,
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
    *, actor: Actor | None,
    centre: Organisation, number: str, name: str, domain: str = "", now: dt.datetime
) -> Window:
    return window_create_inner(actor=actor, centre=centre, number=number, name=name, domain=domain,
                               now=now)


def window_create_inner(
    *, actor: Actor | None,
    centre: Organisation, number: str, name: str, domain: str = "", now: dt.datetime
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
    *, actor: Actor | None,
    name: str, id_number: str, phone: str = "", address: str = "", now: dt.datetime
) -> NaturalPerson:
    """Record a natural person (at the window or on sign-up); the ID number is checked."""
    return person_register_inner(actor=actor, name=name, id_number=id_number, phone=phone,
                                 address=address, now=now)


def person_register_inner(
    *, actor: Actor | None,
    name: str, id_number: str, phone: str = "", address: str = "", now: dt.datetime
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
    *, actor: Actor | None, name: str, credit_code: str, kind: str = LegalPerson.Kind.ENTERPRISE,
    legal_representative: str = "", address: str = "", now: dt.datetime,
) -> LegalPerson:
    return legal_person_register_inner(actor=actor, name=name, credit_code=credit_code, kind=kind,
                                       legal_representative=legal_representative, address=address,
                                       now=now)


def legal_person_register_inner(
    *, actor: Actor | None, name: str, credit_code: str, kind: str = LegalPerson.Kind.ENTERPRISE,
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
    *, actor: Actor | None,
    username: str, password: str, kind: str, person: NaturalPerson | None = None,
    organisation: Organisation | None = None, display_name: str = "", is_staff: bool = False,
    now: dt.datetime,
) -> Account:
    return account_create_inner(actor=actor, username=username, password=password, kind=kind,
                                person=person, organisation=organisation, display_name=display_name,
                                is_staff=is_staff, now=now)


def account_create_inner(
    *, actor: Actor | None,
    username: str, password: str, kind: str, person: NaturalPerson | None = None,
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
def role_grant(*, actor: Actor | None, account: Account, role: str, organisation: Organisation,
               now: dt.datetime) -> RoleAssignment:
    return role_grant_inner(actor=actor, account=account, role=role, organisation=organisation,
                            now=now)


def role_grant_inner(*, actor: Actor | None,
                     account: Account, role: str, organisation: Organisation,
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
def role_revoke(*, actor: Actor | None, assignment: RoleAssignment, now: dt.datetime) -> None:
    before = {"role": assignment.role, "organisation": assignment.organisation_id}
    account = assignment.account
    assignment.delete()
    audit_record(
        actor=actor, action="identity.role.revoked", subject_type="identity.account",
        subject_id=str(account.pk), before=before, now=now,
    )
    forget_scopes(account)


@transaction.atomic(durable=True)
def authorization_grant(*, actor: Actor | None, account: Account, legal_person: LegalPerson,
                        valid_until: dt.date | None = None,
                        now: dt.datetime) -> AgentAuthorization:
    return authorization_grant_inner(actor=actor, account=account, legal_person=legal_person,
                                     valid_until=valid_until, now=now)


def authorization_grant_inner(*, actor: Actor | None, account: Account, legal_person: LegalPerson,
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

LOCKED_MESSAGE = _("连续登录失败次数过多，账户已临时锁定，请稍后再试。")
BUSY_MESSAGE = _("登录失败次数过多，请稍后再试。")


def _login_subject(account: Account | None, identifier: str) -> str:
    """Whom the per-account counters count: the account, or for a name that is no account
    the name itself (hashed: it may be an ID number), so unknown names are throttled and
    locked exactly like real ones and the answers do not tell them apart."""
    if account is not None:
        return f"account:{account.pk}"
    digest = hashlib.sha256((identifier or "").strip().upper().encode()).hexdigest()[:32]
    return f"name:{digest}"


def _spend_hash(password: str) -> None:
    # Every answer costs one password hash, so its timing does not tell a locked, a
    # throttled or an unknown account from a wrong password.
    Account().set_password(password)


def _lock_ends(account: Account | None, subject: str, now: dt.datetime) -> dt.datetime | None:
    if account is not None:
        return account.locked_until if account.locked_until and account.locked_until > now \
            else None
    return ratelimit.window_ends_at("login-lock", subject, now=now)


def _lock(account: Account | None, subject: str, now: dt.datetime) -> dt.datetime:
    """Lock for ONEWINDOW_LOGIN_LOCK_MINUTES: the account row (which also stops its tokens
    and sessions, and which an administrator can lift), or the counter of a mere name."""
    minutes = settings.ONEWINDOW_LOGIN_LOCK_MINUTES
    until = now + dt.timedelta(minutes=minutes)
    if account is None:
        ratelimit.count("login-lock", subject, window_seconds=minutes * 60, now=now)
        return until
    with transaction.atomic(durable=True):
        Account.objects.filter(pk=account.pk).update(locked_until=until, failed_logins=0)
        _forget_now_and_on_commit(account.pk)
        audit_record(
            actor=None, action="identity.account.locked", subject_type="identity.account",
            subject_id=str(account.pk), after={"locked_until": until}, now=now,
        )
    return until


def login_check(*, identifier: str, password: str, portal: str, client: str,
                now: dt.datetime) -> Account:
    """Check a login attempt from ``client`` (``ratelimit.client_address``) and count its
    failures; returns the account or raises.

    ``portal`` is "citizen" (ID number, phone or username of a citizen or agent account),
    "staff" (username of a staff account) or "any" (staff first, for the token endpoint).
    Failures are counted in ``common.ratelimit`` over ``ONEWINDOW_LOGIN_LOCK_MINUTES``
    (ADR 0026): ``ONEWINDOW_LOGIN_MAX_FAILURES`` for one account from one address stop that
    address for that account (429), ``ONEWINDOW_LOGIN_ADDRESS_MAX_FAILURES`` from one
    address stop it for every account (429), and ``ONEWINDOW_LOGIN_ACCOUNT_MAX_FAILURES``
    for one account from anywhere lock the account (423), so one address alone cannot lock
    anybody out. While stopped or locked even the right password is refused. Unknown names
    get the same answers, counters and hashing time as real accounts. A ``client`` of
    ``ratelimit.UNKNOWN`` address is counted by the account alone.
    """
    account = selectors.account_for_login(identifier=identifier, portal=portal)
    subject = _login_subject(account, identifier)
    pair = f"{subject}@{client}"
    window = settings.ONEWINDOW_LOGIN_LOCK_MINUTES * 60
    # A client whose address is unknown shares no bucket with the others (ADR 0026):
    # only the account's own limit counts its failures.
    by_address = client != ratelimit.UNKNOWN
    if by_address and (
            ratelimit.exceeded("login-address", client, now=now,
                               limit=settings.ONEWINDOW_LOGIN_ADDRESS_MAX_FAILURES)
            or ratelimit.exceeded("login-pair", pair, now=now,
                                  limit=settings.ONEWINDOW_LOGIN_MAX_FAILURES)):
        _spend_hash(password)
        raise TooManyAttempts(BUSY_MESSAGE)
    if (locked_until := _lock_ends(account, subject, now)) is not None:
        _spend_hash(password)
        raise AccountLocked(LOCKED_MESSAGE, details={"locked_until": locked_until.isoformat()})
    if account is None:
        _spend_hash(password)
    elif account.check_password(password) and account.is_active:
        ratelimit.reset("login-pair", pair)
        ratelimit.reset("login-account", subject)
        if account.failed_logins or account.locked_until:
            Account.objects.filter(pk=account.pk).update(failed_logins=0, locked_until=None)
            account.failed_logins, account.locked_until = 0, None
        return account

    in_pair = 0
    if by_address:
        ratelimit.count("login-address", client, window_seconds=window, now=now)
        in_pair = ratelimit.count("login-pair", pair, window_seconds=window, now=now)
    in_account = ratelimit.count("login-account", subject, window_seconds=window, now=now)
    if account is not None:
        Account.objects.filter(pk=account.pk).update(failed_logins=in_account)
    if in_account >= settings.ONEWINDOW_LOGIN_ACCOUNT_MAX_FAILURES:
        ratelimit.reset("login-account", subject)
        until = _lock(account, subject, now)
        raise AccountLocked(LOCKED_MESSAGE, details={"locked_until": until.isoformat()})
    if in_pair >= settings.ONEWINDOW_LOGIN_MAX_FAILURES:
        raise TooManyAttempts(BUSY_MESSAGE)
    raise InvalidCredentials(_("账号或密码不正确。"))


@transaction.atomic(durable=True)
def account_unlock(*, actor: Actor | None, account: Account, now: dt.datetime) -> None:
    Account.objects.filter(pk=account.pk).update(failed_logins=0, locked_until=None)
    ratelimit.reset("login-account", _login_subject(account, ""))
    _forget_now_and_on_commit(account.pk)  # a cached "locked" account would stay refused
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


def _token_cache_key(key_hash: str) -> str:
    return f"identity:api-token:{key_hash}"


def _token_cache_seconds() -> int:
    return max(0, int(getattr(settings, "ONEWINDOW_API_TOKEN_CACHE_SECONDS", 0)))


def _token_with_account(key_hash: str) -> ApiToken | None:
    """The token row and its account: from Django's cache for a few seconds
    (``ONEWINDOW_API_TOKEN_CACHE_SECONDS``), so a client's burst of calls reads it once.
    Revoking the token, locking or deactivating the account drops the entry at once
    (``forget_account_tokens``); a shared cache makes that reach every server."""
    seconds = _token_cache_seconds()
    if seconds:
        cached = cache.get(_token_cache_key(key_hash))
        if isinstance(cached, ApiToken):
            return cached
    token = ApiToken.objects.select_related("account").filter(key_hash=key_hash).first()
    if token is not None and seconds:
        cache.set(_token_cache_key(key_hash), token, seconds)
    return token


def forget_account_tokens(account_id: int) -> None:
    """Drop the cached tokens of an account (its lock, deactivation or any other change
    that must stop its tokens at once)."""
    if not _token_cache_seconds():
        return
    hashes = ApiToken.objects.filter(account_id=account_id).values_list("key_hash", flat=True)
    cache.delete_many([_token_cache_key(h) for h in hashes])


def _forget_now_and_on_commit(account_id: int) -> None:
    """Forget at once, and again after commit: a request between the two may have cached
    the row as it was before this transaction."""
    forget_account_tokens(account_id)
    transaction.on_commit(lambda: forget_account_tokens(account_id))


# Fields whose change must stop an account's tokens at once.
_TOKEN_STOPPING_FIELDS = frozenset({"is_active", "locked_until", "password"})


def account_saved(sender, instance: Account, update_fields=None, **kwargs) -> None:
    """post_save of Account (connected in apps.py): forget its cached tokens, unless the
    save named only fields that do not stop them (last_login on every sign-in)."""
    if update_fields is not None and not set(update_fields) & _TOKEN_STOPPING_FIELDS:
        return
    forget_account_tokens(instance.pk)


def token_authenticate(*, secret: str, now: dt.datetime) -> Account:
    """The account behind a bearer token, if the token is known, unexpired and unrevoked."""
    key_hash = _hash_token(secret or "")
    token = _token_with_account(key_hash)
    if token is None or token.revoked_at or token.expires_at <= now or not token.account.is_active:
        raise InvalidToken(_("访问令牌无效、已过期或已撤销。"))
    if token.account.locked_until and token.account.locked_until > now:
        # A lock stops the account, not only new logins: tokens issued before it too.
        raise InvalidToken(_("访问令牌无效、已过期或已撤销。"))
    # Touch last_used_at at most once a minute so busy clients do not write on every call.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        if _token_cache_seconds():
            cache.set(_token_cache_key(key_hash), token, _token_cache_seconds())
    token.account._api_token = token
    return token.account


@transaction.atomic(durable=True)
def token_revoke(*, actor: Account, token: ApiToken, now: dt.datetime) -> None:
    if token.account_id != actor.pk and not actor.is_superuser:
        raise InvalidToken(_("访问令牌无效、已过期或已撤销。"))
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    # At once, even if the transaction then fails (a dropped entry is only read again), and
    # after commit, in case a request cached the unrevoked row in between.
    key = _token_cache_key(token.key_hash)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
    if updated:
        audit_record(
            actor=actor, action="identity.token.revoked", subject_type="identity.token",
            subject_id=str(token.pk), now=now,
        )
