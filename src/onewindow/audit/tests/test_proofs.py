"""Inclusion proofs, checked by an independent implementation written here from the
published format (proofs.py docstring, docs/decisions/0027) and RFC 9162 2.1.3.2 —
not by the code that made them."""

import base64
import datetime as dt
import hashlib
import json

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from onewindow.audit import keys
from onewindow.audit.services import audit_prove, audit_seal

from .conftest import record

pytestmark = pytest.mark.django_db


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _root_from_path(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes | None:
    """RFC 9162 section 2.1.3.2, step by step (the iterative form, unlike ours)."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = _sha256(b"\x01" + p + r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _sha256(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def auditor_checks(proof: dict, public_pem: bytes) -> bool:
    """All an outside auditor has: the proof and the public key."""
    statement = proof["checkpoint"]["statement"]
    row = proof["row"]
    digest = hashlib.sha256(_canonical(row["content"])).hexdigest()
    if digest != proof["payload_hash"]:
        return False
    leaf = _sha256(b"\x00" + _canonical({"id": row["id"], "payload_hash": digest}))
    root = _root_from_path(proof["leaf_index"], proof["tree_size"], leaf,
                           [bytes.fromhex(p) for p in proof["audit_path"]])
    if root is None or root.hex() != statement["merkle_root"]:
        return False
    if proof["tree_size"] != statement["tree_size"]:
        return False
    try:
        load_pem_public_key(public_pem).verify(
            base64.b64decode(proof["checkpoint"]["signature"]), _canonical(statement))
    except InvalidSignature:
        return False
    return True


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13])
def test_every_row_proves_with_the_public_key_alone(now, size):
    events = record(now, size)
    audit_seal(now=now)
    public_pem = keys.public_pem(keys.public_key()).encode()
    for event in events:
        proof = json.loads(json.dumps(audit_prove(event.pk), ensure_ascii=False))
        assert auditor_checks(proof, public_pem), event.pk


def test_a_changed_row_or_path_or_key_does_not_prove(now):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    events = record(now, 6)
    audit_seal(now=now)
    public_pem = keys.public_pem(keys.public_key()).encode()
    proof = audit_prove(events[3].pk)
    assert auditor_checks(proof, public_pem)

    edited = json.loads(json.dumps(proof))
    edited["row"]["content"]["after"] = {"name": "改"}
    assert not auditor_checks(edited, public_pem)
    rehashed = json.loads(json.dumps(edited))
    rehashed["payload_hash"] = hashlib.sha256(_canonical(rehashed["row"]["content"])).hexdigest()
    assert not auditor_checks(rehashed, public_pem)
    moved = json.loads(json.dumps(proof))
    moved["leaf_index"] = 2
    assert not auditor_checks(moved, public_pem)
    other = keys.public_pem(Ed25519PrivateKey.generate().public_key()).encode()
    assert not auditor_checks(proof, other)


def test_a_row_of_a_checkpoint_with_a_late_row_in_its_gap_still_proves(now, settings):
    from onewindow.audit.models import AuditCheckpoint

    from .test_sealing import _row

    settings.ONEWINDOW_AUDIT_GAP_SECONDS = 60
    (first,) = record(now, 1)
    third = _row(now, row_id=first.pk + 3)
    audit_seal(now=now)
    audit_seal(now=now + dt.timedelta(seconds=61))
    assert AuditCheckpoint.objects.get(seq=2).gaps == [[first.pk + 1, first.pk + 2]]
    _row(now, row_id=first.pk + 2)  # commits after its id was declared lost
    public_pem = keys.public_pem(keys.public_key()).encode()
    assert auditor_checks(audit_prove(third.pk), public_pem)
