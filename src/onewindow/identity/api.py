"""Identity endpoints: bearer tokens and "who am I"."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from onewindow.common.errors import TooManyAttempts
from onewindow.common.ratelimit import client_address
from onewindow.common.schemas import errors

from . import selectors, services
from .errors import AccountLocked, InvalidCredentials, InvalidToken

router = Router(tags=["identity"])


class TokenRequest(Schema):
    username: str
    password: str


class TokenOut(Schema):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_at: dt.datetime


class RoleOut(Schema):
    role: str
    role_name: str
    organisation_id: int
    organisation_name: str


class MeOut(Schema):
    username: str
    kind: str
    name: str
    id_number: str | None
    phone: str | None
    organisation: str | None
    roles: list[RoleOut]


@router.post("/token", operation_id="auth_token", auth=None,
             response={200: TokenOut,
                       **errors(422, InvalidCredentials, AccountLocked, TooManyAttempts)})
def auth_token(request, body: TokenRequest):
    """Exchange a username (or, for citizens, an ID number or phone) and password for a
    bearer token. Failures are throttled and lock the account like the login pages do:
    429 too-many-attempts for this address, 423 when the account is locked."""
    now = timezone.now()
    account = services.login_check(identifier=body.username, password=body.password,
                                   portal="any", client=client_address(request), now=now)
    issued = services.token_issue(actor=account, now=now)
    return TokenOut(access_token=issued.secret, expires_at=issued.token.expires_at)


@router.delete("/token", operation_id="auth_token_revoke",
               response={204: None, **errors(401, 403, 422)})
def auth_token_revoke(request):
    """Revoke the bearer token used for this request."""
    token = getattr(request.auth, "_api_token", None)
    if token is None:
        raise InvalidToken(_("只能撤销以令牌方式登录时使用的令牌。"))
    services.token_revoke(actor=request.auth, token=token, now=timezone.now())
    return Status(204, None)


@router.get("/me", operation_id="auth_me",
            response={200: MeOut, **errors(401)})
def auth_me(request):
    account = request.auth
    person = (
        selectors.person_view(viewer=account, person=account.person)
        if account.person_id else None
    )
    return MeOut(
        username=account.username,
        kind=account.kind,
        name=account.name,
        id_number=person.id_number if person else None,
        phone=person.phone if person else None,
        organisation=account.organisation.name if account.organisation_id else None,
        roles=[
            RoleOut(role=a.role, role_name=a.get_role_display(), organisation_id=a.organisation_id,
                    organisation_name=a.organisation.name)
            for a in selectors.role_assignments(account=account)
        ],
    )
