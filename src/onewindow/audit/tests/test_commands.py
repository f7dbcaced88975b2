import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from onewindow.audit.models import AuditCheckpoint

from .conftest import EVENTS, record, tampering

pytestmark = pytest.mark.django_db


def _call(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_intact_log_exits_normally(now):
    record(now, 3)
    assert _call("audit_verify").startswith("OK 已校验 3 条")
    assert _call("audit_seal").startswith("封存 3 条，新检查点 1 个")
    assert _call("audit_verify").startswith("OK 已校验 3 条")


def test_broken_log_exits_with_code_1_naming_the_row(now):
    events = record(now, 3)
    _call("audit_seal")
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {EVENTS} WHERE id = %s", [events[1].pk])  # noqa: S608
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify", stdout=StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert f"首个异常记录 #{events[1].pk}" in err.getvalue()


def test_prove_prints_a_proof_and_refuses_unsealed_rows(now):
    events = record(now, 3)
    with pytest.raises(CommandError, match="尚未封存"):
        _call("audit_prove", str(events[1].pk))
    _call("audit_seal")
    proof = json.loads(_call("audit_prove", str(events[1].pk)))
    assert proof["format"] == "onewindow-audit-proof/1"
    assert proof["row"]["id"] == events[1].pk and proof["leaf_index"] == 1
    assert proof["checkpoint"]["statement"]["seq"] == AuditCheckpoint.objects.get().seq


def test_public_key_is_printed_as_pem(now):
    record(now, 1)
    _call("audit_seal")
    out = _call("audit_public_key")
    assert f"# key_id {AuditCheckpoint.objects.get().key_id}" in out
    assert "-----BEGIN PUBLIC KEY-----" in out


def test_cli_aliases_map_to_the_commands():
    from onewindow.cli import ALIASES

    assert ALIASES["audit-verify"] == "audit_verify"
    assert ALIASES["audit-seal"] == "audit_seal"
    assert ALIASES["audit-prove"] == "audit_prove"
    assert ALIASES["audit-public-key"] == "audit_public_key"
