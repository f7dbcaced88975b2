import json

import pytest
from django.core.management import CommandError, call_command

from onewindow.licences import exports
from onewindow.licences.models import SigningKey

from .factories import issue_to_citizen, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(now):
    return make_world(now)


def _run(*args, capsys):
    capsys.readouterr()
    code = 0
    try:
        call_command("licences", *args)
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr().out
    return code, out


def test_verify_qr_offline_with_a_cached_jwks(world, now, tmp_path, capsys):
    licence = issue_to_citizen(world, now)
    jwks_path = tmp_path / "jwks.json"
    call_command("licences", "jwks", "--output", str(jwks_path))
    qr = exports.verify_url(licence)

    code, out = _run("verify-qr", qr, "--jwks", str(jwks_path), capsys=capsys)
    result = json.loads(out)
    assert code == 0 and result["outcome"] == "authentic"
    assert result["identifier"] == licence.identifier

    # One character of the identifier changed: the check digit catches it first …
    code, out = _run("verify-qr", qr.replace(".001.", ".002."), "--jwks", str(jwks_path),
                     capsys=capsys)
    assert code == 1 and json.loads(out)["outcome"] == "tampered"
    # … and a recomputed check digit does not help: the signature does not cover it.
    from onewindow.licences.identifiers import build_identifier, parse_identifier

    ident = parse_identifier(licence.identifier)
    other = build_identifier(type_code=ident.type_code, issuer_code=ident.issuer_code,
                             serial="99999999")
    code, out = _run("verify-qr", qr.replace(licence.identifier, other), "--jwks",
                     str(jwks_path), capsys=capsys)
    assert code == 1 and json.loads(out)["outcome"] == "tampered"

    with pytest.raises(CommandError):
        _run("verify-qr", qr, "--jwks", str(tmp_path / "missing.json"), capsys=capsys)

    code, out = _run("verify-qr", "https://example.com/nothing", "--jwks", str(jwks_path),
                     capsys=capsys)
    assert code == 1 and json.loads(out)["outcome"] == "malformed"


def test_rotate_key_command_and_old_qr_still_verifies_offline(world, now, tmp_path, capsys):
    licence = issue_to_citizen(world, now)
    call_command("licences", "rotate-key", world.department.credit_code)
    assert SigningKey.objects.filter(organisation=world.department).count() == 2
    jwks_path = tmp_path / "jwks.json"
    call_command("licences", "jwks", "--output", str(jwks_path))
    keys = json.loads(jwks_path.read_text())["keys"]
    assert sum(1 for k in keys if "retired_at" in k) == 1
    code, out = _run("verify-qr", exports.verify_url(licence), "--jwks", str(jwks_path),
                     capsys=capsys)
    assert code == 0 and json.loads(out)["outcome"] == "authentic"
