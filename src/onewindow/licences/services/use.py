"""Using licences: share links, department lookups and the usage log (用证记录)."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import audit_record
from onewindow.common.actors import Actor
from onewindow.common.errors import ValidationFailed
from onewindow.identity.models import Organisation

from .. import permissions
from ..errors import (
    InvalidTransition,
    LicenceNotFound,
    PurposeRequired,
    ShareNotFound,
)
from ..models import (
    HolderCodeType,
    Licence,
    LicenceShare,
    LicenceUsage,
)
from .common import MAX_SHARE_HOURS, LicencePermissionDenied, Status, masked_holder_code

# --- sharing and use ---------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedShare:
    share: LicenceShare
    token: str  # shown once, only a hash is stored


def _hash_token(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


@transaction.atomic(durable=True)
def licence_share(
    *, actor: Actor, licence: Licence, purpose: str, valid_hours: int = 72, now: dt.datetime
) -> IssuedShare:
    """A link the holder gives someone (a bank, a landlord …) for a stated purpose."""
    today = timezone.localdate(now)
    if not permissions.is_holder(actor, licence, today=today):
        raise LicenceNotFound(_("未找到该证照。"))
    purpose = (purpose or "").strip()
    if not purpose:
        raise PurposeRequired(_("分享证照须说明用途。"))
    if not 1 <= int(valid_hours) <= MAX_SHARE_HOURS:
        raise ValidationFailed(_("分享有效期应在 1 小时到 30 天之间。"),
                               code="licences.invalid-share-hours")
    if licence.state_on(today) != "valid":
        raise InvalidTransition(_("只有有效的证照才能分享。"))
    token = secrets.token_urlsafe(24)
    share = LicenceShare.objects.create(
        licence=licence, token_hash=_hash_token(token), purpose=purpose[:200],
        created_by=actor, created_at=now, expires_at=now + dt.timedelta(hours=int(valid_hours)),
    )
    audit_record(
        actor=actor, action="licences.share.created", subject_type="licences.licence",
        subject_id=str(licence.pk),
        after={"identifier": licence.identifier, "share": share.pk,
               "purpose": share.purpose, "expires_at": share.expires_at},
        now=now,
    )
    return IssuedShare(share=share, token=token)


@transaction.atomic(durable=True)
def share_revoke(*, actor: Actor, share: LicenceShare, now: dt.datetime) -> LicenceShare:
    if share.created_by_id != getattr(actor, "pk", None):
        raise ShareNotFound(_("未找到该分享链接。"))
    updated = LicenceShare.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
        revoked_at=now
    )
    if updated:
        audit_record(
            actor=actor, action="licences.share.revoked", subject_type="licences.licence",
            subject_id=str(share.licence_id), after={"share": share.pk}, now=now,
        )
    share.refresh_from_db()
    return share


def share_peek(*, token: str, now: dt.datetime) -> LicenceShare:
    """The open share behind ``token``, without showing the licence or logging a use (a
    chat app's link preview fetches the link too: that is not a view)."""
    share = (
        LicenceShare.objects.select_related("licence", "licence__signing_key")
        .filter(token_hash=_hash_token(token))
        .first()
    )
    if share is None or not share.is_open(now):
        raise ShareNotFound(_("分享链接不存在或已失效。"))
    return share


@transaction.atomic(durable=True)
def share_open(*, token: str, now: dt.datetime) -> LicenceShare:
    """Someone chose to view a shared licence: log the use (用证记录) and return the
    share."""
    share = share_peek(token=token, now=now)
    LicenceShare.objects.filter(pk=share.pk).update(view_count=F("view_count") + 1)
    LicenceUsage.objects.create(
        licence=share.licence, kind=LicenceUsage.Kind.SHARE_VIEW, used_at=now,
        user_label="分享链接访问者", purpose=share.purpose, share=share,
    )
    return share


@transaction.atomic(durable=True)
def licence_lookup(
    *, actor: Actor, holder_code: str, purpose: str, type_code: str = "", now: dt.datetime
) -> list[Licence]:
    """A department looks up a holder's licences: role ``licences.lookup`` and a purpose
    are required; every licence shown is logged in the holder's 用证记录."""
    if not permissions.can_lookup_licences(actor=actor):
        raise LicencePermissionDenied(_("无权查询证照。"))
    purpose = (purpose or "").strip()
    if len(purpose) < 2:
        raise PurposeRequired(_("查询证照须说明用途（例如办件编号或事由）。"))
    code = (holder_code or "").strip().upper()
    code_type = _code_type_of(code)
    queryset = (
        Licence.objects.filter(holder_code_type=code_type, holder_code=code)
        .exclude(status=Status.SUPERSEDED)
        .select_related("signing_key", "licence_type")
        .order_by("-issue_date", "-id")
    )
    if type_code:
        queryset = queryset.filter(type_code=type_code.strip().upper())
    found = list(queryset[:200])
    organisation = actor.organisation
    label = organisation.name if organisation else actor.name
    LicenceUsage.objects.bulk_create(
        LicenceUsage(
            licence=licence, kind=LicenceUsage.Kind.DEPARTMENT_LOOKUP, used_at=now,
            actor=actor, organisation=organisation, user_label=f"{label}（{actor.name}）",
            purpose=purpose[:200],
        )
        for licence in found
    )
    audit_record(
        actor=actor, action="licences.lookup", subject_type="licences.holder",
        subject_id=masked_holder_code(code_type, code),
        after={"purpose": purpose[:200], "type_code": type_code, "found": len(found)},
        now=now,
    )
    return found


def _code_type_of(code: str) -> str:
    from stdnum.cn import ric

    if len(code) == 18 and ric.is_valid(code):
        return HolderCodeType.ID_CARD
    if len(code) == 18 and code.isalnum():
        return HolderCodeType.CREDIT_CODE
    raise ValidationFailed(_("请输入 18 位身份证号码或统一社会信用代码。"),
                           code="licences.invalid-holder-code")


@transaction.atomic(durable=True)
def licence_usage_record(
    *, actor: Actor | None, licence: Licence, purpose: str, case_number: str = "",
    organisation: Organisation | None = None, now: dt.datetime,
) -> LicenceUsage:
    """Log that a case used a licence instead of a paper material (免证办). For the cases
    side, inside its submission transaction."""
    return licence_usage_record_inner(actor=actor, licence=licence, purpose=purpose,
                                      case_number=case_number, organisation=organisation, now=now)


def licence_usage_record_inner(
    *, actor: Actor | None, licence: Licence, purpose: str, case_number: str = "",
    organisation: Organisation | None = None, now: dt.datetime,
) -> LicenceUsage:
    """The body of ``licence_usage_record``, in the caller's transaction."""
    purpose = (purpose or "").strip()
    if not purpose:
        raise PurposeRequired(_("用证须说明用途。"))
    organisation = organisation or getattr(actor, "organisation", None)
    label = organisation.name if organisation else "一网通办平台"
    usage = LicenceUsage.objects.create(
        licence=licence, kind=LicenceUsage.Kind.CASE_MATERIAL, used_at=now,
        actor=actor, organisation=organisation, user_label=label, purpose=purpose[:200],
        case_number=(case_number or "")[:64],
    )
    audit_record(
        actor=actor, action="licences.licence.used", subject_type="licences.licence",
        subject_id=str(licence.pk),
        after={"identifier": licence.identifier, "purpose": usage.purpose,
               "case_number": usage.case_number}, now=now,
    )
    return usage
