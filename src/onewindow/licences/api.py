"""Licence endpoints (mounted at /api/v1/licences/). Public: type list, verify, JWKS."""

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from onewindow.common.errors import ValidationFailed
from onewindow.common.pagination import keyset_page
from onewindow.common.schemas import errors

from . import exports, selectors, services
from .errors import LicenceTypeNotFound
from .models import Licence, LicenceUsage
from .permissions import can_see_holder_code
from .services import masked_holder_code
from .verification import licence_verify as verify

router = Router(tags=["licences"])


class FieldSpecOut(Schema):
    name: str
    label: str = ""
    type: str = "text"
    required: bool = False


class LicenceTypeOut(Schema):
    code: str
    name: str
    holder_kind: str
    validity_months: int | None
    issuers: list[str]
    fields: list[FieldSpecOut]


class AnnotationOut(Schema):
    seq: int
    text: str
    date: dt.date


class LicenceOut(Schema):
    identifier: str
    name: str
    type_code: str
    number: str
    issuer_name: str
    issuer_code: str
    issue_date: dt.date
    holder_name: str
    holder_code: str
    holder_code_type: str
    valid_from: dt.date
    valid_until: dt.date | None
    status: str
    state: str
    status_reason: str
    version: int
    fields: dict
    case_number: str
    verify_url: str
    annotations: list[AnnotationOut]


class LicencePage(Schema):
    items: list[LicenceOut]
    next_cursor: str | None


class IssueIn(Schema):
    type_code: str
    holder_code: str
    fields: dict = {}
    issuer_code: str | None = None
    number: str = ""
    issue_date: dt.date | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    case_number: str = ""


class RevokeIn(Schema):
    reason: str


class ShareIn(Schema):
    purpose: str
    valid_hours: int = 72


class ShareOut(Schema):
    url: str
    purpose: str
    expires_at: dt.datetime


class UsageOut(Schema):
    identifier: str
    licence_name: str
    kind: str
    kind_label: str
    used_at: dt.datetime
    user: str
    purpose: str
    case_number: str


class UsagePage(Schema):
    items: list[UsageOut]
    next_cursor: str | None


class VerifyIn(Schema):
    identifier: str = ""
    s: str = ""
    url: str = ""
    vc_jwt: str = ""


class PublicLicenceOut(Schema):
    identifier: str
    name: str
    type_code: str
    number: str
    issuer_name: str
    issuer_code: str
    issue_date: dt.date
    valid_from: dt.date
    valid_until: dt.date | None
    status: str
    status_label: str
    status_reason: str
    version: int
    holder_name: str
    holder_code: str
    holder_code_type: str


class VerifyOut(Schema):
    outcome: str
    label: str
    message: str
    identifier: str
    checks: dict
    licence: PublicLicenceOut | None


class LookupIn(Schema):
    holder_code: str
    purpose: str
    type_code: str = ""


class VcOut(Schema):
    identifier: str
    vc_jwt: str


def _out(licence: Licence, *, actor, today: dt.date) -> LicenceOut:
    full = can_see_holder_code(actor=actor, licence=licence, today=today)
    return LicenceOut(
        identifier=licence.identifier, name=licence.name, type_code=licence.type_code,
        number=licence.number, issuer_name=licence.issuer_name,
        issuer_code=licence.issuer_code, issue_date=licence.issue_date,
        holder_name=licence.holder_name,
        holder_code=licence.holder_code if full
        else masked_holder_code(licence.holder_code_type, licence.holder_code),
        holder_code_type=licence.holder_code_type, valid_from=licence.valid_from,
        valid_until=licence.valid_until, status=licence.status,
        state=licence.state_on(today), status_reason=licence.status_reason,
        version=licence.version, fields=licence.fields or {}, case_number=licence.case_number,
        verify_url=exports.verify_url(licence),
        annotations=[
            AnnotationOut(seq=a.seq, text=a.text, date=a.annotation_date)
            for a in licence.annotations.all()
        ],
    )


@router.get("/types", operation_id="licence_type_list", auth=None,
            response={200: list[LicenceTypeOut]})
def licence_type_list(request):
    """Licence types the library knows, with the fields each carries."""
    return [
        LicenceTypeOut(
            code=t.code, name=t.name, holder_kind=t.holder_kind,
            validity_months=t.validity_months,
            issuers=[o.credit_code or "" for o in t.issuers.all()],
            fields=[FieldSpecOut(**spec) for spec in t.field_schema or []],
        )
        for t in selectors.licence_types()
    ]


@router.get("/jwks", operation_id="jwks", auth=None,
            response={200: None, **errors(422)})
def jwks(request, include_sm2: bool = False):
    """The issuing organisations' public keys (JWKS), active and retired. Also served at
    /.well-known/jwks.json. ``include_sm2`` adds SM2 keys (not a registered JOSE curve)."""
    import json

    response = HttpResponse(
        json.dumps(selectors.jwks(include_sm2=include_sm2)),
        content_type="application/jwk-set+json",
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


@router.post("/verify", operation_id="licence_verify", auth=None,
             response={200: VerifyOut, **errors(422)})
def licence_verify(request, body: VerifyIn):
    """Answer valid / revoked / expired / not_yet_valid / tampered / unknown for a QR link
    (``url``), an identifier (with the QR's ``s`` if at hand) or a VC-JWT."""
    result = verify(identifier=body.identifier, qr_signature=body.s, url=body.url,
                    vc_jwt=body.vc_jwt, now=timezone.now())
    return result.public()


@router.get("/mine", operation_id="licence_list_mine",
            response={200: LicencePage, **errors(401, 422)})
def licence_list_mine(request, cursor: str | None = None, limit: int = 50):
    """The caller's own licences (and those of enterprises an agent acts for)."""
    today = timezone.localdate()
    page = keyset_page(
        selectors.licences_mine(actor=request.auth, today=today).prefetch_related("annotations"),
        order=["-issue_date", "-id"], cursor=cursor, limit=limit,
    )
    return LicencePage(items=[_out(lic, actor=request.auth, today=today) for lic in page.items],
                       next_cursor=page.next_cursor)


@router.get("/usage/mine", operation_id="licence_usage_mine",
            response={200: UsagePage, **errors(401, 422)})
def licence_usage_mine(request, cursor: str | None = None, limit: int = 50):
    """用证记录: who used the caller's licences, when and for what."""
    page = keyset_page(
        selectors.usage_mine(actor=request.auth, today=timezone.localdate()),
        order=["-used_at", "-id"], cursor=cursor, limit=limit,
    )
    return UsagePage(items=[_usage_out(u) for u in page.items], next_cursor=page.next_cursor)


def _usage_out(usage: LicenceUsage) -> UsageOut:
    return UsageOut(
        identifier=usage.licence.identifier, licence_name=usage.licence.name, kind=usage.kind,
        kind_label=usage.get_kind_display(), used_at=usage.used_at, user=usage.user_label,
        purpose=usage.purpose, case_number=usage.case_number,
    )


@router.post("/lookup", operation_id="licence_lookup",
             response={200: list[LicenceOut], **errors(401, 403, 422)})
def licence_lookup(request, body: LookupIn):
    """A department looks up a holder's licences, with a purpose (logged for the holder)."""
    now = timezone.now()
    found = services.licence_lookup(actor=request.auth, holder_code=body.holder_code,
                                    purpose=body.purpose, type_code=body.type_code, now=now)
    today = timezone.localdate(now)
    return [_out(lic, actor=request.auth, today=today) for lic in found]


@router.post("", operation_id="licence_issue",
             response={201: LicenceOut, **errors(401, 403, 404, 409, 422, 500)})
def licence_issue(request, body: IssueIn):
    """Issue a licence by hand (staff with ``licences.issue`` over the issuer)."""
    from .models import LicenceType

    licence_type = LicenceType.objects.filter(code=body.type_code.strip().upper()).first()
    if licence_type is None:
        raise LicenceTypeNotFound(_("证照类型不存在。"))
    holder_person, holder_legal = selectors.holder_for(licence_type=licence_type,
                                                       holder_code=body.holder_code)
    issuer = None
    if body.issuer_code:
        issuer = licence_type.issuers.filter(credit_code=body.issuer_code.strip().upper()).first()
        if issuer is None:
            raise ValidationFailed(_("该机构不是此证照类型的颁发机构。"),
                                   code="licences.issuer-not-allowed")
    now = timezone.now()
    licence = services.licence_issue(
        actor=request.auth, licence_type=licence_type, holder_person=holder_person,
        holder_legal=holder_legal, fields=body.fields, issuer=issuer, number=body.number,
        issue_date=body.issue_date, valid_from=body.valid_from, valid_until=body.valid_until,
        case_number=body.case_number, now=now,
    )
    return Status(201, _out(licence, actor=request.auth, today=timezone.localdate(now)))


@router.get("/{identifier}", operation_id="licence_get",
            response={200: LicenceOut, **errors(401, 404)})
def licence_get(request, identifier: str):
    """One licence: the holder's own, or one issued within a staff member's scope."""
    today = timezone.localdate()
    licence = selectors.access_licence(actor=request.auth, identifier=identifier, today=today)
    return _out(licence, actor=request.auth, today=today)


@router.get("/{identifier}/vc", operation_id="licence_export_vc",
            response={200: VcOut, **errors(401, 404, 500)})
def licence_export_vc(request, identifier: str):
    """The licence as a W3C Verifiable Credential (JWT, EdDSA) verifiable with the JWKS."""
    now = timezone.now()
    licence = selectors.access_licence(actor=request.auth, identifier=identifier,
                                       today=timezone.localdate(now))
    return VcOut(identifier=licence.identifier,
                 vc_jwt=exports.licence_vc(licence=licence, now=now))


@router.get("/{identifier}/pdf", operation_id="licence_pdf",
            response={200: None, **errors(401, 404)})
def licence_pdf(request, identifier: str):
    """The licence as PDF (embedded fonts, QR code, signed payload attached)."""
    now = timezone.now()
    licence = selectors.access_licence(actor=request.auth, identifier=identifier,
                                       today=timezone.localdate(now))
    pdf = exports.licence_pdf(licence=licence, now=now)
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = _attachment(pdf.filename)
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"licence.pdf\"; filename*=UTF-8''{quote(filename)}"


@router.post("/{identifier}/revoke", operation_id="licence_revoke",
             response={200: LicenceOut, **errors(401, 403, 404, 409, 422)})
def licence_revoke(request, identifier: str, body: RevokeIn):
    """注销 a licence (chief representative or system administrator over the issuer)."""
    now = timezone.now()
    licence = selectors.access_licence(actor=request.auth, identifier=identifier,
                                       today=timezone.localdate(now))
    licence = services.licence_revoke(actor=request.auth, licence=licence, reason=body.reason,
                                      now=now)
    return _out(licence, actor=request.auth, today=timezone.localdate(now))


@router.post("/{identifier}/shares", operation_id="licence_share",
             response={201: ShareOut, **errors(401, 403, 404, 409, 422)})
def licence_share(request, identifier: str, body: ShareIn):
    """The holder shares a licence for a stated purpose through a time-limited link."""
    now = timezone.now()
    licence = selectors.access_licence(actor=request.auth, identifier=identifier,
                                       today=timezone.localdate(now))
    issued = services.licence_share(actor=request.auth, licence=licence, purpose=body.purpose,
                                    valid_hours=body.valid_hours, now=now)
    return Status(201, ShareOut(url=share_url(request, issued.token),
                                purpose=issued.share.purpose, expires_at=issued.share.expires_at))


def share_url(request, token: str) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        path = reverse("licences:shared", args=[token])
    except NoReverseMatch:
        path = f"/licences/s/{token}/"
    return request.build_absolute_uri(path)
