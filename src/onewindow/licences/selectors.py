"""Reads of the licence library that carry rules: who sees which licence, 免证办 lookups,
the holder's usage log, the published keys."""

import datetime as dt

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from onewindow.common.errors import ValidationFailed
from onewindow.identity import selectors as identity_selectors
from onewindow.identity.models import LegalPerson, NaturalPerson

from . import lifecycle, permissions, signing
from .errors import LicenceNotFound
from .identifiers import InvalidIdentifier, parse_identifier
from .models import (
    HolderCodeType,
    HolderKind,
    Licence,
    LicenceShare,
    LicenceType,
    LicenceUsage,
    SigningKey,
)

Status = Licence.Status


def licence_types(*, active_only: bool = True) -> QuerySet[LicenceType]:
    queryset = LicenceType.objects.prefetch_related("issuers").order_by("code")
    return queryset.filter(is_active=True) if active_only else queryset


def licence_type_by_code(*, code: str) -> LicenceType | None:
    """The active type with this 证照类型代码 (for the cases side and the catalog's codes)."""
    return (
        LicenceType.objects.prefetch_related("issuers")
        .filter(code=(code or "").strip().upper(), is_active=True)
        .first()
    )


def _normal(identifier: str) -> str:
    try:
        return str(parse_identifier(identifier))
    except InvalidIdentifier:
        raise LicenceNotFound(_("未找到该证照。")) from None


def _base() -> QuerySet[Licence]:
    return Licence.objects.select_related("signing_key", "licence_type", "issuer")


def licences_mine(*, actor, today: dt.date) -> QuerySet[Licence]:
    """The holder's wallet: every version still worth showing (not superseded)."""
    return (
        _base()
        .filter(permissions.holder_q(actor, today=today))
        .exclude(status=Status.SUPERSEDED)
        .order_by("-issue_date", "-id")
    )


def licences_in_scope(*, actor) -> QuerySet[Licence]:
    """Licences a staff member may open: issued by an organisation in their scope."""
    if getattr(actor, "kind", None) != "STAFF":
        return Licence.objects.none()
    return _base().filter(permissions.staff_licences_q(actor)).order_by("-issued_at", "-id")


def access_licence(*, actor, identifier: str, today: dt.date) -> Licence:
    """The licence ``actor`` may open (the holder's own, or one issued within a staff
    member's scope), for every API route and page before it reads or acts; missing and
    not visible raise the same ``LicenceNotFound``. What the actor may *do* with it
    (revoke, annotate, share) the services check."""
    licence = _base().filter(permissions.visible_q(actor, today=today),
                             identifier=_normal(identifier)).first()
    if licence is None:
        raise LicenceNotFound(_("未找到该证照。"))
    return licence


class _VerificationLoader:
    """The licence and its key in one hand-written SELECT … JOIN.

    Public verification is the hottest read (every scan of a printed licence); building
    the ORM query costs twenty times the query itself here. This loader produces the same
    model instances: the same columns, each value through the same database converters
    the ORM applies, then ``Model.from_db``. A test checks it field by field against the
    ORM on every database the suite runs on.
    """

    def __init__(self):
        self._plans: dict[str, tuple] = {}

    def _plan(self, alias: str) -> tuple:
        plan = self._plans.get(alias)
        if plan is None:
            conn = connections[alias]
            quote = conn.ops.quote_name
            parts, columns = [], []
            for model, table in ((Licence, "l"), (SigningKey, "k")):
                fields = model._meta.concrete_fields
                cols = []
                for f in fields:
                    col = f.get_col(table)
                    cols.append((col, conn.ops.get_db_converters(col) + f.get_db_converters(conn)))
                    # A concrete field has a column; the stubs allow None for any field.
                    parts.append(f"{table}.{quote(f.column)}")  # pyright: ignore[reportArgumentType]
                columns.append((model, [f.attname for f in fields], cols))
            sql = (
                f"SELECT {', '.join(parts)} FROM {quote(Licence._meta.db_table)} l "  # noqa: S608
                f"JOIN {quote(SigningKey._meta.db_table)} k ON k.{quote('id')} = "
                f"l.{quote(Licence.signing_key.field.column)} "
                f"WHERE l.{quote('identifier')} = %s"
            )
            plan = self._plans[alias] = (sql, columns)
        return plan

    def load(self, identifier: str) -> Licence | None:
        alias = Licence.objects.db
        sql, columns = self._plan(alias)
        conn = connections[alias]
        with conn.cursor() as cursor:
            cursor.execute(sql, [identifier])
            row = cursor.fetchone()
        if row is None:
            return None
        instances, offset = [], 0
        for model, names, cols in columns:
            values = []
            for value, (col, converters) in zip(row[offset:offset + len(cols)], cols,
                                                strict=True):
                for converter in converters:
                    value = converter(value, col, conn)
                values.append(value)
            instances.append(model.from_db(alias, names, values))
            offset += len(cols)
        licence, key = instances
        licence.signing_key = key
        return licence


_loader = _VerificationLoader()


def holder_for(*, licence_type: LicenceType, holder_code: str
               ) -> tuple[NaturalPerson | None, LegalPerson | None]:
    """Who a licence of ``licence_type`` would be issued to: the registered person (by ID
    number) or organisation (by credit code), as (person, None) or (None, organisation).
    Raises ``ValidationFailed`` (``licences.holder-not-registered``) when neither is."""
    code = (holder_code or "").strip().upper()
    person = legal = None
    if licence_type.holder_kind == HolderKind.PERSON:
        person = identity_selectors.person_find_by_id_number(id_number=code)
    else:
        legal = LegalPerson.objects.filter(credit_code=code).first()
    if person is None and legal is None:
        message = _("持证主体尚未登记，请先登记自然人或法人信息。")
        raise ValidationFailed(message, code="licences.holder-not-registered",
                               details={"holder_code": message})
    return person, legal


def staff_actions(*, actor, licence: Licence) -> dict[str, bool]:
    """What a staff member may do to ``licence`` now: its lifecycle allows the move and
    the actor holds the permission over its issuer."""
    return {
        "can_revoke": lifecycle.can(licence, lifecycle.Kind.REVOKE)
        and permissions.can_revoke_licence(actor=actor, licence=licence),
        "can_annotate": lifecycle.can_annotate(licence)
        and permissions.can_annotate_licence(actor=actor, licence=licence),
    }


def licence_by_identifier(*, identifier: str) -> Licence | None:
    """For verification only (public answers are built from it with masking)."""
    try:
        normal = str(parse_identifier(identifier))
    except InvalidIdentifier:
        return None
    return _loader.load(normal)


def valid_licence_for(
    *, holder_person: NaturalPerson | None = None, holder_legal: LegalPerson | None = None,
    type_code: str, on_date: dt.date,
) -> Licence | None:
    """免证办: the holder's licence of ``type_code`` valid on ``on_date``, or None.

    If several are valid (e.g. two issuers), the most recently issued one is returned.
    """
    if holder_person is not None and holder_legal is None:
        code_type, code = HolderCodeType.ID_CARD, holder_person.id_number
    elif holder_legal is not None and holder_person is None:
        code_type, code = HolderCodeType.CREDIT_CODE, holder_legal.credit_code
    else:
        raise ValueError("pass exactly one of holder_person, holder_legal")
    return (
        _base()
        .filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on_date),
            holder_code_type=code_type, holder_code=code, type_code=type_code,
            status=Status.VALID, valid_from__lte=on_date,
        )
        .order_by("-issue_date", "-id")
        .first()
    )


def usage_mine(*, actor, today: dt.date) -> QuerySet[LicenceUsage]:
    """The holder's 用证记录 across all their licences, newest first."""
    holder = permissions.holder_q(actor, today=today)
    licence_ids = Licence.objects.filter(holder).values("pk")
    return (
        LicenceUsage.objects.filter(licence__in=licence_ids)
        .select_related("licence", "organisation", "share")
        .order_by("-used_at", "-id")
    )


def usage_of(*, licence: Licence) -> QuerySet[LicenceUsage]:
    return licence.usages.select_related("organisation", "share").order_by("-used_at", "-id")


def shares_of(*, actor, licence: Licence) -> QuerySet[LicenceShare]:
    return LicenceShare.objects.filter(licence=licence, created_by=actor).order_by("-created_at")


def share_of_holder(*, actor, share_id: int) -> LicenceShare:
    share = LicenceShare.objects.select_related("licence").filter(
        pk=share_id, created_by=actor
    ).first()
    if share is None:
        raise LicenceNotFound(_("未找到该分享链接。"))
    return share


# --- keys --------------------------------------------------------------------------------


def signing_key_by_kid(*, kid: str) -> SigningKey | None:
    return SigningKey.objects.select_related("organisation").filter(kid=kid).first()


def _jwk(key: SigningKey) -> dict:
    extra = {"org": key.organisation.credit_code,
             "iat": int(key.created_at.timestamp())}
    if key.retired_at:
        # Not "exp": a retired key still verifies what it sealed before retirement.
        extra["retired_at"] = int(key.retired_at.timestamp())
    return signing.public_jwk(
        algorithm=key.algorithm, public_raw=bytes(key.public_key), kid=key.kid, extra=extra
    )


def jwks(*, include_sm2: bool = False) -> dict:
    """The public keys of every issuing organisation, active and retired.

    The default set has only JOSE-registered key types (Ed25519), so any JOSE library can
    load it; SM2 keys (crv "SM2", not registered) are added with ``include_sm2``. Not
    cached on the server (a few rows; a new key must be visible at once on every app
    server); clients cache it per the response's Cache-Control.
    """
    keys = SigningKey.objects.select_related("organisation").order_by("organisation_id",
                                                                        "created_at")
    if not include_sm2:
        keys = keys.filter(algorithm=SigningKey.Algorithm.ED25519)
    return {"keys": [_jwk(key) for key in keys]}
