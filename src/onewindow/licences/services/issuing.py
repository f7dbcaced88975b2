"""Licence types, issuing, revocation, new versions and annotations."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import audit_record
from onewindow.common.actors import Actor
from onewindow.common.errors import ValidationFailed
from onewindow.events.services import publish
from onewindow.identity.models import LegalPerson, NaturalPerson, Organisation

from .. import events, lifecycle, permissions, signing
from ..errors import (
    HolderMismatch,
    InvalidTransition,
    IssuerNotAllowed,
    LicenceConflict,
)
from ..identifiers import TYPE_CODE_RE, build_identifier
from ..models import (
    HolderCodeType,
    HolderKind,
    Licence,
    LicenceAnnotation,
    LicenceType,
    SerialCounter,
)
from .common import (
    LicencePermissionDenied,
    ReasonRequired,
    Status,
    audit_snapshot,
    clean_fields,
    default_valid_until,
    validate_field_schema,
)
from .keys import seal_licence, signer_for, signing_key_active

# --- licence types -----------------------------------------------------------------------


@transaction.atomic(durable=True)
def licence_type_create(
    *, actor: Actor | None, code: str, name: str, issuers: list[Organisation], holder_kind: str,
    validity_months: int | None = None, field_schema: list[dict] | None = None,
    display_template: str = "", now: dt.datetime,
) -> LicenceType:
    """A licence type (证照类型): its code, the organisations that issue it, the holder
    kind, default validity and 照面 field list."""
    return licence_type_create_inner(actor=actor, code=code, name=name, issuers=issuers,
                                     holder_kind=holder_kind, validity_months=validity_months,
                                     field_schema=field_schema, display_template=display_template,
                                     now=now)


def licence_type_create_inner(
    *, actor: Actor | None, code: str, name: str, issuers: list[Organisation], holder_kind: str,
    validity_months: int | None = None, field_schema: list[dict] | None = None,
    display_template: str = "", now: dt.datetime,
) -> LicenceType:
    """The body of ``licence_type_create``, in the caller's transaction."""
    code = (code or "").strip().upper()
    if not TYPE_CODE_RE.match(code):
        raise ValidationFailed(
            _("证照类型代码应为定义机构的 18 位统一社会信用代码加 3 位顺序号。"),
            code="licences.invalid-type-code",
        )
    if holder_kind not in HolderKind.values:
        raise ValidationFailed(_("持证主体类别无效。"), code="licences.invalid-holder-kind")
    licence_type = LicenceType.objects.create(
        code=code, name=name, holder_kind=holder_kind, validity_months=validity_months,
        field_schema=validate_field_schema(field_schema or []),
        display_template=display_template or "licences/pdf/licence.html", created_at=now,
    )
    licence_type.issuers.set(issuers)
    audit_record(
        actor=actor, action="licences.type.created", subject_type="licences.type",
        subject_id=code,
        after={"name": name, "issuers": [o.credit_code for o in issuers],
               "holder_kind": holder_kind, "validity_months": validity_months},
        now=now,
    )
    return licence_type


# --- issuing -----------------------------------------------------------------------------


def _holder_of(
    licence_type: LicenceType, holder_person: NaturalPerson | None,
    holder_legal: LegalPerson | None,
) -> tuple[str, str, str]:
    if (holder_person is None) == (holder_legal is None):
        raise HolderMismatch(_("请指定一个持证主体（自然人或法人之一）。"))
    if licence_type.holder_kind == HolderKind.PERSON:
        if holder_person is None:
            raise HolderMismatch(
                _("%(licence_type_name)s的持证主体应为自然人。")
                % {"licence_type_name": licence_type.name}
            )
        return holder_person.name, holder_person.id_number, HolderCodeType.ID_CARD
    if holder_legal is None:
        raise HolderMismatch(
            _("%(licence_type_name)s的持证主体应为法人或其他组织。")
            % {"licence_type_name": licence_type.name}
        )
    return holder_legal.name, holder_legal.credit_code, HolderCodeType.CREDIT_CODE


def _issuer_for(actor: Actor | None, licence_type: LicenceType,
                issuer: Organisation | None) -> Organisation:
    allowed: list[Organisation] = list(licence_type.issuers.all())
    # The acting staff member's own organisation; the system and visitors have none.
    home = getattr(actor, "organisation_id", None)
    if issuer is None:
        if len(allowed) == 1:
            issuer = allowed[0]
        elif home is not None and home in {o.pk for o in allowed}:
            issuer = next(o for o in allowed if o.pk == home)
        else:
            raise IssuerNotAllowed(_("请指定颁发机构。"))
    if issuer.pk not in {o.pk for o in allowed}:
        raise IssuerNotAllowed(
            _("%(issuer_name)s不是%(licence_type_name)s的颁发机构。")
            % {"issuer_name": issuer.name, "licence_type_name": licence_type.name}
        )
    if not issuer.credit_code:
        raise IssuerNotAllowed(_("颁发机构缺少统一社会信用代码。"))
    return issuer


def _next_identifier(licence_type: LicenceType, issuer: Organisation) -> tuple[str, str]:
    """(serial, identifier) from the locked counter; skips serials taken by stock imports."""
    SerialCounter.objects.get_or_create(licence_type=licence_type, issuer=issuer)
    counter = SerialCounter.objects.select_for_update().get(
        licence_type=licence_type, issuer=issuer
    )
    while True:
        counter.last_value += 1
        serial = f"{counter.last_value:08d}"
        identifier = build_identifier(
            type_code=licence_type.code, issuer_code=issuer.credit_code, serial=serial, version=1
        )
        if not Licence.objects.filter(identifier=identifier).exists():
            break
    counter.save(update_fields=["last_value"])
    return serial, identifier


@transaction.atomic(durable=True)
def licence_issue(
    *,
    actor: Actor | None,
    licence_type: LicenceType,
    holder_person: NaturalPerson | None = None,
    holder_legal: LegalPerson | None = None,
    fields: dict | None = None,
    issuer: Organisation | None = None,
    number: str = "",
    issue_date: dt.date | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    case_number: str = "",
    now: dt.datetime,
) -> Licence:
    """Issue version 001 of a licence, sealed by the issuer's active key.

    With ``case_number`` the call is idempotent: issuing again for the same case and type
    returns the licence issued the first time (a retried approval never issues twice).
    ``valid_until`` defaults to the type's default validity (None = 长期有效).
    """
    return licence_issue_inner(actor=actor, licence_type=licence_type, holder_person=holder_person,
                               holder_legal=holder_legal, fields=fields, issuer=issuer,
                               number=number, issue_date=issue_date, valid_from=valid_from,
                               valid_until=valid_until, case_number=case_number, now=now)


def licence_issue_inner(
    *,
    actor: Actor | None,
    licence_type: LicenceType,
    holder_person: NaturalPerson | None = None,
    holder_legal: LegalPerson | None = None,
    fields: dict | None = None,
    issuer: Organisation | None = None,
    number: str = "",
    issue_date: dt.date | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    case_number: str = "",
    now: dt.datetime,
) -> Licence:
    """The body of ``licence_issue``, in the caller's transaction."""
    if not licence_type.is_active:
        raise IssuerNotAllowed(
            _("证照类型%(licence_type_name)s已停用。") % {"licence_type_name": licence_type.name}
        )
    holder_name, holder_code, holder_code_type = _holder_of(
        licence_type, holder_person, holder_legal
    )
    issuer = _issuer_for(actor, licence_type, issuer)
    if actor is not None and not permissions.can_issue_licence(actor=actor, issuer=issuer):
        raise LicencePermissionDenied(_("无权以该机构名义签发证照。"))
    case_number = (case_number or "").strip()
    clean = clean_fields(licence_type.field_schema, fields)
    issue_date = issue_date or timezone.localdate(now)
    valid_from = valid_from or issue_date
    if valid_until is None:
        valid_until = default_valid_until(licence_type, valid_from)
    if valid_until is not None and valid_until < valid_from:
        raise ValidationFailed(
            _("有效期截止日期不能早于起始日期。"), code="licences.invalid-validity"
        )

    if case_number:
        existing = Licence.objects.filter(
            licence_type=licence_type, case_number=case_number
        ).first()
        if existing is not None:
            return _same_case(existing, holder_code)
    serial, identifier = _next_identifier(licence_type, issuer)
    licence = Licence(
        identifier=identifier, licence_type=licence_type, serial=serial, version=1,
        name=licence_type.name, type_code=licence_type.code,
        number=(number or "").strip() or f"{issue_date:%Y}{serial}",
        issuer=issuer, issuer_name=issuer.name, issuer_code=issuer.credit_code,
        issue_date=issue_date, holder_name=holder_name, holder_code=holder_code,
        holder_code_type=holder_code_type, valid_from=valid_from, valid_until=valid_until,
        fields=clean, status=Status.VALID,
        origin=Licence.Origin.CASE if case_number else Licence.Origin.MANUAL,
        case_number=case_number, issued_at=now, issued_by=actor,
    )
    seal_licence(licence, signing_key_active(organisation=issuer, now=now))
    try:
        with transaction.atomic():
            licence.save()
    except IntegrityError:
        if case_number:  # a concurrent call for the same case won the race
            existing = Licence.objects.filter(
                licence_type=licence_type, case_number=case_number
            ).first()
            if existing is not None:
                return _same_case(existing, holder_code)
        raise
    audit_record(
        actor=actor, action="licences.licence.issued", subject_type="licences.licence",
        subject_id=str(licence.pk), after=audit_snapshot(licence), now=now,
    )
    publish(
        name=events.LICENCE_ISSUED,
        payload={"identifier": licence.identifier, "type_code": licence.type_code,
                 "issuer_code": licence.issuer_code, "case_number": case_number,
                 "origin": licence.origin},
        aggregate_type="licences.licence", aggregate_id=str(licence.pk), now=now,
    )
    return licence


def _same_case(existing: Licence, holder_code: str) -> Licence:
    if existing.holder_code != holder_code:
        raise LicenceConflict(_("该办件已签发过此类证照，且持证主体不同。"))
    return existing


def _lock(licence: Licence) -> Licence:
    return Licence.objects.select_for_update().select_related("issuer").get(pk=licence.pk)


@transaction.atomic(durable=True)
def licence_revoke(*, actor: Actor | None, licence: Licence, reason: str,
                   now: dt.datetime) -> Licence:
    """注销: the licence stops being valid; its seal, PDF and QR stay as they were."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("注销证照须说明理由。"))
    if actor is not None and not permissions.can_revoke_licence(actor=actor, licence=licence):
        raise LicencePermissionDenied(_("无权注销该证照。"))
    locked = _lock(licence)
    lifecycle.transition(locked, lifecycle.Kind.REVOKE, actor=actor, reason=reason,
                         now=now)
    return locked


_UNSET: Any = object()


@transaction.atomic(durable=True)
def licence_amend(
    *, actor: Actor | None, licence: Licence, reason: str, fields: dict | None = None,
    holder_name: str | None = None, valid_until: Any = _UNSET, number: str | None = None,
    case_number: str = "", now: dt.datetime,
) -> Licence:
    """换发/变更: issue the next version (same 流水号, 版本号 + 1); the old one is superseded."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("变更证照须说明理由。"))
    if actor is not None and not permissions.can_annotate_licence(actor=actor, licence=licence):
        raise LicencePermissionDenied(_("无权变更该证照。"))
    old = _lock(licence)
    lifecycle.check(old, lifecycle.Kind.SUPERSEDE)
    licence_type = old.licence_type
    new = Licence(
        identifier=build_identifier(
            type_code=old.type_code, issuer_code=old.issuer_code, serial=old.serial,
            version=old.version + 1,
        ),
        licence_type=licence_type, serial=old.serial, version=old.version + 1, previous=old,
        name=old.name, type_code=old.type_code,
        number=(number or "").strip() or old.number,
        issuer=old.issuer, issuer_name=old.issuer.name, issuer_code=old.issuer_code,
        issue_date=timezone.localdate(now),
        holder_name=(holder_name or "").strip() or old.holder_name,
        holder_code=old.holder_code, holder_code_type=old.holder_code_type,
        valid_from=old.valid_from,
        valid_until=old.valid_until if valid_until is _UNSET else valid_until,
        fields=clean_fields(licence_type.field_schema,
                            old.fields if fields is None else fields),
        status=Status.VALID,
        origin=Licence.Origin.CASE if case_number else Licence.Origin.MANUAL,
        case_number=(case_number or "").strip(), issued_at=now, issued_by=actor,
    )
    if new.valid_until is not None and new.valid_until < new.valid_from:
        raise ValidationFailed(_("有效期截止日期不能早于起始日期。"),
                               code="licences.invalid-validity")
    lifecycle.transition(old, lifecycle.Kind.SUPERSEDE, actor=actor, reason=reason, now=now,
                         payload={"new_identifier": new.identifier})
    seal_licence(new, signing_key_active(organisation=old.issuer, now=now))
    new.save()
    audit_record(
        actor=actor, action="licences.licence.amended", subject_type="licences.licence",
        subject_id=str(new.pk), before=audit_snapshot(old), after=audit_snapshot(new),
        now=now,
    )
    return new


@transaction.atomic(durable=True)
def licence_annotate(*, actor: Actor | None, licence: Licence, text: str,
                     now: dt.datetime) -> LicenceAnnotation:
    """加注: append a dated, separately sealed note (e.g. 年检合格, 变更登记事项)."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("加注内容不能为空。"), code="licences.annotation-empty")
    if actor is not None and not permissions.can_annotate_licence(actor=actor, licence=licence):
        raise LicencePermissionDenied(_("无权为该证照加注。"))
    locked = _lock(licence)
    # 加注 records a change on the licence without moving it: allowed exactly where the
    # table lets it change (换发), i.e. on a licence still in force.
    if not lifecycle.can(locked, lifecycle.Kind.SUPERSEDE):
        raise InvalidTransition(_("只有有效的证照才能加注。"),
                                details={"status": locked.status})
    seq = (locked.annotations.aggregate(m=Max("seq"))["m"] or 0) + 1
    key = signing_key_active(organisation=locked.issuer, now=now)
    annotation = LicenceAnnotation(
        licence=locked, seq=seq, text=text[:500], annotation_date=timezone.localdate(now),
        annotated_at=now, annotated_by=actor, signing_key=key,
    )
    digest = signing.sha256_b64u(
        signing.canonical_bytes(annotation.canonical_payload(locked.identifier))
    )
    annotation.payload_sha256 = digest
    annotation.seal_signature = signing.seal_sign(
        signer_for(key), identifier=annotation.seal_id(locked.identifier),
        payload_sha256=digest,
    )
    annotation.save()
    audit_record(
        actor=actor, action="licences.licence.annotated", subject_type="licences.licence",
        subject_id=str(locked.pk),
        after={"identifier": locked.identifier, "seq": seq, "text": annotation.text},
        now=now,
    )
    publish(
        name=events.LICENCE_ANNOTATED, payload={"identifier": locked.identifier, "seq": seq},
        aggregate_type="licences.licence", aggregate_id=str(locked.pk), now=now,
    )
    return annotation


