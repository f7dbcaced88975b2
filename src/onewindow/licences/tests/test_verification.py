import datetime as dt
import json
import urllib.request

import pytest
from django.utils import timezone

from onewindow.licences import exports, services, signing
from onewindow.licences.models import Licence
from onewindow.licences.verification import licence_verify

from .factories import issue_to_citizen, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(now):
    return make_world(now)


def _get(url: str):
    assert url.startswith("http://")  # the live server on loopback
    return urllib.request.urlopen(url, timeout=10)  # noqa: S310


def _one_char_changed(token: str, licence) -> str:
    """The VC with exactly one character of its payload changed (the licence number's
    last digit), signature kept."""
    head, body, sig = token.split(".")
    text = signing.b64u_decode(body).decode()
    at = text.index(f'"{licence.number}"') + len(licence.number)
    text = text[:at] + ("8" if text[at] == "9" else "9") + text[at + 1:]
    return f"{head}.{signing.b64u(text.encode())}.{sig}"


def _alter_claims(token: str, change) -> str:
    head, body, sig = token.split(".")
    claims = json.loads(signing.b64u_decode(body))
    change(claims)
    new_body = signing.b64u(json.dumps(claims, ensure_ascii=False,
                                       separators=(",", ":")).encode())
    return f"{head}.{new_body}.{sig}"


def test_outcomes_for_identifier_and_qr(world, now):
    licence = issue_to_citizen(world, now)
    qr = exports.verify_url(licence)
    by_url = licence_verify(url=qr, now=now)
    assert by_url.outcome == "valid" and by_url.disclosed
    view = by_url.public()["licence"]
    assert view["holder_name"] == licence.holder_name
    assert view["holder_code"] != licence.holder_code and "*" in view["holder_code"]  # masked
    bare = licence_verify(identifier=licence.identifier, now=now)
    assert bare.outcome == "valid" and bare.public()["licence"]["holder_name"] == ""
    assert licence_verify(identifier="1.2.156.3005.2.x", now=now).outcome == "unknown"
    other = licence.identifier[:-1] + ("0" if licence.identifier[-1] != "0" else "1")
    assert licence_verify(identifier=other, now=now).outcome == "unknown"  # bad check digit
    # A forged QR signature for a real identifier.
    forged = qr[:-3] + ("AAA" if not qr.endswith("AAA") else "BBB")
    assert licence_verify(url=forged, now=now).outcome == "tampered"


def test_revoked_expired_and_not_yet_valid(world, now):
    licence = issue_to_citizen(world, now, valid_until=dt.date(2027, 1, 31))
    assert licence_verify(identifier=licence.identifier,
                          now=now + dt.timedelta(days=80)).outcome == "expired"
    assert licence_verify(identifier=licence.identifier,
                          now=now - dt.timedelta(days=1)).outcome == "not_yet_valid"
    services.licence_revoke(actor=world.chief, licence=licence, reason="许可被撤销", now=now)
    result = licence_verify(url=exports.verify_url(licence), now=now)
    assert result.outcome == "revoked" and "许可被撤销" in result.message


def test_changing_the_database_behind_the_services_is_tampering(world, now):
    licence = issue_to_citizen(world, now)
    Licence.objects.filter(pk=licence.pk).update(holder_name="李四")
    assert licence_verify(identifier=licence.identifier, now=now).outcome == "tampered"
    Licence.objects.filter(pk=licence.pk).update(holder_name=licence.holder_name,
                                                 valid_until=dt.date(2099, 1, 1))
    result = licence_verify(url=exports.verify_url(licence), now=now)
    assert result.outcome == "tampered" and result.public()["licence"] is None


def test_vc_jwt_outcomes(world, now):
    licence = issue_to_citizen(world, now)
    token = exports.licence_vc(licence=licence, now=now)
    assert licence_verify(vc_jwt=token, now=now).outcome == "valid"
    altered = _alter_claims(token, lambda c: c["vc"]["credentialSubject"]["licence"].update(
        {"持证主体": c["vc"]["credentialSubject"]["licence"]["持证主体"][:-1] + "X"}))
    assert licence_verify(vc_jwt=altered, now=now).outcome == "tampered"
    assert licence_verify(vc_jwt="not.a.jwt", now=now).outcome == "tampered"
    services.licence_revoke(actor=world.chief, licence=licence, reason="注销", now=now)
    assert licence_verify(vc_jwt=token, now=now).outcome == "revoked"


def test_vc_claims_follow_the_validity(world, now):
    licence = issue_to_citizen(world, now, valid_until=dt.date(2027, 6, 30))
    claims = exports.licence_vc_claims(licence, now=now)
    assert claims["jti"] == licence.identifier
    assert claims["nbf"] == int(timezone.make_aware(dt.datetime(2026, 11, 23)).timestamp())
    assert claims["exp"] == int(timezone.make_aware(dt.datetime(2027, 7, 1)).timestamp())
    assert claims["sub"].startswith("urn:onewindow:holder:")
    assert licence.holder_code not in claims["sub"]
    assert claims["vc"]["type"][:2] == ["VerifiableCredential", "ElectronicLicence"]
    assert claims["vc"]["credentialSubject"]["licence"]["证照标识"] == licence.identifier


@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::joserfc.errors.SecurityWarning")
def test_vc_jwt_verifies_with_joserfc_and_the_jwks_over_http(live_server):
    """Only joserfc and the JWKS fetched from the running server: what any third party has."""
    from joserfc import jwt
    from joserfc.errors import BadSignatureError
    from joserfc.jwk import KeySet

    now = timezone.now()
    world = make_world(now)
    licence = issue_to_citizen(world, now)
    token = exports.licence_vc(licence=licence, now=now)

    with _get(f"{live_server.url}/.well-known/jwks.json") as r:
        assert r.headers["Content-Type"] == "application/jwk-set+json"
        key_set = KeySet.import_key_set(json.load(r))

    decoded = jwt.decode(token, key_set, algorithms=["EdDSA"])
    assert decoded.header["kid"] == licence.signing_key.kid
    jwt.JWTClaimsRegistry(jti={"essential": True, "value": licence.identifier},
                          iss={"essential": True}).validate(decoded.claims)
    subject = decoded.claims["vc"]["credentialSubject"]["licence"]
    assert subject["持证主体"] == licence.holder_name

    altered = _one_char_changed(token, licence)
    assert len(altered) == len(token) and altered != token
    with pytest.raises(BadSignatureError):
        jwt.decode(altered, key_set, algorithms=["EdDSA"])

    # The platform's own verification API says the same, over HTTP.
    def verify(body):
        request = urllib.request.Request(  # noqa: S310 - the live server on loopback
            f"{live_server.url}/api/v1/licences/verify", data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.load(response)

    assert verify({"vc_jwt": token})["outcome"] == "valid"
    assert verify({"vc_jwt": altered})["outcome"] == "tampered"
    # And the key rotated afterwards: the old VC still verifies against the new JWKS.
    services.signing_key_rotate(actor=None, organisation=world.department,
                                now=now + dt.timedelta(seconds=1))
    with _get(f"{live_server.url}/.well-known/jwks.json") as r:
        rotated = KeySet.import_key_set(json.load(r))
    assert len(rotated.keys) == 2
    assert jwt.decode(token, rotated, algorithms=["EdDSA"]).claims["jti"] == licence.identifier


def test_verification_loader_matches_the_orm(world, now):
    from onewindow.licences.models import SigningKey
    from onewindow.licences.selectors import licence_by_identifier

    licence = issue_to_citizen(world, now, valid_until=dt.date(2030, 1, 1))
    services.licence_revoke(actor=world.chief, licence=licence, reason="测试", now=now)
    loaded = licence_by_identifier(identifier=licence.identifier)
    orm = Licence.objects.select_related("signing_key").get(pk=licence.pk)
    for field in Licence._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(orm, field.attname), field.name
        assert type(getattr(loaded, field.attname)) is type(getattr(orm, field.attname))
    for field in SigningKey._meta.concrete_fields:
        mine = getattr(loaded.signing_key, field.attname)
        theirs = getattr(orm.signing_key, field.attname)
        if field.get_internal_type() == "BinaryField":
            mine, theirs = bytes(mine), bytes(theirs)
        assert mine == theirs, field.name
    assert loaded._state.db == orm._state.db and not loaded._state.adding
    other = licence.identifier[:-1] + ("Q" if licence.identifier[-1] != "Q" else "R")
    assert licence_by_identifier(identifier=other) is None
