"""A licence as it leaves the library: QR link, sealed JWS, W3C VC-JWT and PDF."""

import datetime as dt
from urllib.parse import quote

from django.utils import timezone

from onewindow.common.request_context import public_base_url
from onewindow.documents.qr import qr_data_uri
from onewindow.documents.rendering import Attachment, RenderedPdf, render_pdf

from . import signing
from .models import HolderCodeType, Licence
from .services import masked_holder_code, signer_for, signing_key_active

VC_CONTEXT = "https://www.w3.org/2018/credentials/v1"


def public_base() -> str:
    """Where the public pages live, for links printed on paper (see public_base_url)."""
    return public_base_url()


# Printed on paper and in QR codes, so a contract rather than a reverse(): the root
# urlconf mounts web.urls_licences at /licences/ and licences:verify is "v/<identifier>".
VERIFY_PATH = "/licences/v/{identifier}"


def issuer_url(issuer_code: str) -> str:
    # Part of signed credentials: the same whichever host served the request.
    return f"{public_base_url(from_request=False)}/licences/issuers/{issuer_code}"


def qr_param(licence: Licence) -> str:
    return signing.qr_param(
        kid=licence.signing_key.kid, payload_sha256=licence.payload_sha256,
        signature=licence.seal_signature,
    )


def verify_url(licence: Licence, *, with_signature: bool = True) -> str:
    """The public verification link (the QR code's text)."""
    url = public_base() + VERIFY_PATH.format(identifier=licence.identifier)
    if with_signature:
        url += "?s=" + quote(qr_param(licence), safe=".-_")
    return url


def seal_jws(licence: Licence) -> str:
    """The licence's seal as a full compact JWS (payload: identifier + digest)."""
    return signing.seal_jws(
        algorithm=licence.signing_key.algorithm, kid=licence.signing_key.kid,
        identifier=licence.identifier, payload_sha256=licence.payload_sha256,
        signature=licence.seal_signature,
    )


def _day_start(day: dt.date) -> int:
    return int(timezone.make_aware(dt.datetime.combine(day, dt.time.min)).timestamp())


def _annotations(licence: Licence) -> list[dict]:
    return [
        {"seq": a.seq, "text": a.text, "date": a.annotation_date.isoformat(),
         "sha256": a.payload_sha256, "kid": a.signing_key.kid, "signature": a.seal_signature}
        for a in licence.annotations.select_related("signing_key").order_by("seq")
    ]


def licence_vc_claims(licence: Licence, *, now: dt.datetime) -> dict:
    iss = issuer_url(licence.issuer_code)
    subject = signing.holder_subject(licence.holder_code_type, licence.holder_code)
    claims = {
        "iss": iss,
        "sub": subject,
        "jti": licence.identifier,
        "iat": int(now.timestamp()),
        "nbf": _day_start(licence.valid_from),
    }
    vc = {
        "@context": [VC_CONTEXT, {"@vocab": f"{public_base()}/licences/vocab#"}],
        "type": ["VerifiableCredential", "ElectronicLicence", licence.type_code],
        "issuer": {"id": iss, "name": licence.issuer_name},
        "issuanceDate": f"{licence.issue_date.isoformat()}T00:00:00+08:00",
        "credentialSubject": {
            "id": subject,
            # The holder's own document: like the paper licence it names the holder in
            # full (a verifier must match it to a person); public pages show it masked.
            "licence": licence.canonical_payload(),
            "annotations": _annotations(licence),
            "seal": {"kid": licence.signing_key.kid, "sha256": licence.payload_sha256,
                     "jws": seal_jws(licence)},
        },
        "credentialStatus": {"id": verify_url(licence, with_signature=False),
                             "type": "OneWindowLicenceStatus"},
    }
    if licence.valid_until is not None:
        claims["exp"] = _day_start(licence.valid_until + dt.timedelta(days=1))
        vc["expirationDate"] = f"{licence.valid_until.isoformat()}T23:59:59+08:00"
    claims["vc"] = vc
    return claims


def licence_vc(*, licence: Licence, now: dt.datetime) -> str:
    """The licence as a W3C Verifiable Credential in JWT form, signed now by the issuer's
    active key (header alg EdDSA, kid, typ JWT)."""
    key = signing_key_active(organisation=licence.issuer, now=now)
    return signing.jwt_encode(
        signer_for(key), header={"typ": "JWT"}, claims=licence_vc_claims(licence, now=now)
    )


def public_view(licence: Licence, *, disclose_holder: bool, full_code: bool = False) -> dict:
    """What a verifier may see. Without proof of possession (QR signature or VC) only the
    licence's kind and state are shown, so guessing identifiers reveals no holders."""
    view = {
        "identifier": licence.identifier,
        "name": licence.name,
        "type_code": licence.type_code,
        "number": licence.number if disclose_holder else "",
        "issuer_name": licence.issuer_name,
        "issuer_code": licence.issuer_code,
        "issue_date": licence.issue_date,
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "status": licence.status,
        "status_label": licence.get_status_display(),
        "status_reason": licence.status_reason,
        "version": licence.version,
        "holder_name": "",
        "holder_code": "",
        "holder_code_type": licence.holder_code_type,
    }
    if disclose_holder:
        view["holder_name"] = licence.holder_name
        view["holder_code"] = (
            licence.holder_code if full_code
            else masked_holder_code(licence.holder_code_type, licence.holder_code)
        )
    return view


def _filename(licence: Licence) -> str:
    return f"{licence.name}-{licence.number}.pdf".replace("/", "-")


def licence_pdf(*, licence: Licence, now: dt.datetime) -> RenderedPdf:
    """The printable licence: metadata, 照面信息, annotations, seal block, and the QR code
    that links to the verification page and carries the seal for offline checks. The
    canonical payload and the full seal JWS are embedded as PDF attachments."""
    canonical = signing.canonical_bytes(licence.canonical_payload())
    schema = {spec["name"]: spec for spec in licence.licence_type.field_schema or []}
    field_rows = [
        (schema.get(name, {}).get("label") or name, _display(value))
        for name, value in (licence.fields or {}).items()
    ]
    context = {
        "licence": licence,
        "field_rows": field_rows,
        "annotations": list(licence.annotations.order_by("seq")),
        "holder_code_label": HolderCodeType(licence.holder_code_type).label,
        "qr": qr_data_uri(verify_url(licence)),
        "verify_url": verify_url(licence, with_signature=False),
        "kid": licence.signing_key.kid,
        "algorithm": licence.signing_key.algorithm,
        "generated_at": now,
    }
    return render_pdf(
        template=licence.licence_type.display_template or "licences/pdf/licence.html",
        context=context, filename=_filename(licence), title=f"{licence.name} {licence.number}",
        attachments=[
            Attachment("licence.json", canonical, "规范化证照数据（签章覆盖的字节）"),
            Attachment("licence-seal.jws", seal_jws(licence).encode(), "电子签章（JWS）"),
        ],
    )


def _display(value) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(value)
