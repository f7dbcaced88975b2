import datetime as dt

import pytest

from onewindow.licences import signing


def test_canonical_form_is_sorted_compact_utf8():
    data = {"证照名称": "营业执照", "b": [1, True, None], "a": {"z": "1", "y": dt.date(2026, 1, 2)}}
    assert signing.canonical_bytes(data) == (
        '{"a":{"y":"2026-01-02","z":"1"},"b":[1,true,null],"证照名称":"营业执照"}'.encode()
    )


def test_canonical_form_refuses_floats():
    with pytest.raises(TypeError):
        signing.canonical_bytes({"capital": 1.5})


def test_canonical_form_refuses_floats_and_datetimes_at_any_depth():
    # The quick path for plain dicts and strings must still reach the nested checks.
    with pytest.raises(TypeError):
        signing.canonical_bytes({"照面信息": {"注册资本": [1, {"万元": 2.5}]}})
    with pytest.raises(TypeError):
        signing.canonical_bytes({"照面信息": {"时间": dt.datetime(2026, 1, 2, 3, 4)}})
    assert signing.canonical_bytes({1: "a", "b": (True, None)}) == b'{"1":"a","b":[true,null]}'


def test_seal_signing_input_is_the_same_for_every_call_of_a_key():
    first = signing.seal_signing_input(algorithm=signing.ED25519, kid="k1", identifier="A",
                                       payload_sha256="x")
    again = signing.seal_signing_input(algorithm=signing.ED25519, kid="k1", identifier="B",
                                       payload_sha256="y")
    other = signing.seal_signing_input(algorithm=signing.ED25519, kid="k2", identifier="A",
                                       payload_sha256="x")
    header = signing.b64u(b'{"alg":"EdDSA","kid":"k1","typ":"licence-seal"}')
    assert first.split(b".")[0] == again.split(b".")[0] == header.encode()
    assert other.split(b".")[0] != first.split(b".")[0]


def test_private_key_is_sealed_and_bound_to_its_row(settings):
    pair = signing.generate_key(signing.ED25519)
    sealed = signing.seal_private_key(pair.private_raw, aad=b"kid1|ORG")
    assert pair.private_raw not in sealed
    assert signing.open_private_key(sealed, aad=b"kid1|ORG") == pair.private_raw
    with pytest.raises(signing.SignatureError):
        signing.open_private_key(sealed, aad=b"kid2|ORG")  # moved to another row
    settings.SECRET_KEY = "another-secret-" * 4
    with pytest.raises(signing.SignatureError):
        signing.open_private_key(sealed, aad=b"kid1|ORG")


@pytest.mark.parametrize("algorithm", [signing.ED25519, signing.SM2])
def test_seal_and_qr_verify_for_each_algorithm(algorithm):
    if algorithm == signing.SM2 and not signing.SM2_AVAILABLE:
        pytest.skip("gmssl-pyx not installed")
    pair = signing.generate_key(algorithm)
    kid = signing.make_kid(algorithm, pair.public_raw)
    signer = signing.Signer(algorithm=algorithm, kid=kid, private_raw=pair.private_raw,
                            public_raw=pair.public_raw)
    from onewindow.licences.identifiers import build_identifier

    identifier = build_identifier(type_code="11100000000013127D001",
                                  issuer_code="11371000MB1000002T", serial="00000001")
    digest = signing.sha256_b64u(b"payload")
    signature = signing.seal_sign(signer, identifier=identifier, payload_sha256=digest)
    assert signing.seal_verify(algorithm=algorithm, public_raw=pair.public_raw, kid=kid,
                               identifier=identifier, payload_sha256=digest, signature=signature)
    assert not signing.seal_verify(algorithm=algorithm, public_raw=pair.public_raw, kid=kid,
                                   identifier=identifier,
                                   payload_sha256=signing.sha256_b64u(b"payloae"),
                                   signature=signature)
    jwks = {"keys": [signing.public_jwk(algorithm=algorithm, public_raw=pair.public_raw, kid=kid,
                                        extra={"org": "11371000MB1000002T"})]}
    text = f"https://example.gov.cn/licences/v/{identifier}?s={kid}.{digest}.{signature}"
    parts = signing.parse_qr_text(text)
    assert signing.verify_qr(parts, jwks)[0] == "authentic"
    forged = signing.parse_qr_text(text.replace("00000001.001", "00000002.001"))
    assert signing.verify_qr(forged, jwks)[0] == "tampered"
    assert signing.verify_qr(parts, {"keys": []})[0] == "unknown-key"
    other_org = {"keys": [dict(jwks["keys"][0], org="11371000MB1000003X")]}
    assert signing.verify_qr(parts, other_org)[0] == "tampered"


def test_ed25519_vc_jwt_is_plain_jose():
    from joserfc import jwt
    from joserfc.jwk import KeySet

    pair = signing.generate_key()
    kid = signing.make_kid(signing.ED25519, pair.public_raw)
    signer = signing.Signer(algorithm=signing.ED25519, kid=kid, private_raw=pair.private_raw,
                            public_raw=pair.public_raw)
    token = signing.jwt_encode(signer, header={"typ": "JWT"}, claims={"jti": "x", "名": "张三"})
    keys = KeySet.import_key_set({"keys": [signing.public_jwk(
        algorithm=signing.ED25519, public_raw=pair.public_raw, kid=kid)]})
    with pytest.warns(Warning):  # joserfc flags EdDSA per RFC 9864 but verifies it
        decoded = jwt.decode(token, keys, algorithms=["EdDSA"])
    assert decoded.header == {"alg": "EdDSA", "kid": kid, "typ": "JWT"}
    assert decoded.claims["名"] == "张三"


def test_sm2_jwt_verifies_with_our_code():
    if not signing.SM2_AVAILABLE:
        pytest.skip("gmssl-pyx not installed")
    pair = signing.generate_key(signing.SM2)
    kid = signing.make_kid(signing.SM2, pair.public_raw)
    signer = signing.Signer(algorithm=signing.SM2, kid=kid, private_raw=pair.private_raw,
                            public_raw=pair.public_raw)
    token = signing.jwt_encode(signer, header={"typ": "JWT"}, claims={"jti": "x"})
    decoded = signing.jws_split(token)
    assert decoded.header["alg"] == "SM2SM3"
    assert signing.verify_raw(algorithm=signing.SM2, public_raw=pair.public_raw,
                              data=decoded.signing_input, signature=decoded.signature)
    assert not signing.verify_raw(algorithm=signing.SM2, public_raw=pair.public_raw,
                                  data=decoded.signing_input + b"x", signature=decoded.signature)
