import json
import logging
import os
from io import StringIO

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError

from onewindow.audit.models import AuditCheckpoint
from onewindow.audit.tasks import seal_task

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


# --- a missing signing key (review of issue 13, item 4) ------------------------------------


@pytest.fixture
def no_key(settings, audit_files):
    """Production: the key is provisioned, never created; here it was not provisioned."""
    settings.ONEWINDOW_AUDIT_CREATE_KEY = False
    return audit_files / "audit-key.pem"


def _audit_messages():
    return [m for m in run_checks() if m.id in {"onewindow.E030", "onewindow.W030"}]


def test_every_audit_command_says_the_key_is_missing_in_a_sentence(now, settings, no_key):
    settings.ONEWINDOW_AUDIT_CREATE_KEY = True
    record(now, 2)
    _call("audit_seal")  # sealed with a key that is then lost
    no_key.unlink()
    settings.ONEWINDOW_AUDIT_CREATE_KEY = False
    record(now, 1, first=2)
    for command in ("audit_seal", "audit_verify", "audit_public_key"):
        with pytest.raises(CommandError, match=f"审计签名密钥文件不存在：{no_key}。检查点无法签名"):
            _call(command)
    assert AuditCheckpoint.objects.count() == 1


def test_a_key_that_is_not_a_pem_private_key_is_named(no_key):
    no_key.write_text("not a key")
    with pytest.raises(CommandError, match="不是无密码的 PEM 私钥"):
        _call("audit_public_key")
    [error] = _audit_messages()
    assert error.id == "onewindow.E030" and str(no_key) in error.msg


def test_the_start_up_check_refuses_a_host_that_cannot_sign(settings, no_key, tmp_path):
    [error] = _audit_messages()
    assert error.id == "onewindow.E030"
    assert error.msg == (f"The audit signing key file {no_key} does not exist and "
                         "ONEWINDOW_AUDIT_CREATE_KEY is off.")
    with pytest.raises(SystemCheckError, match=r"onewindow\.E030"):
        call_command("check")
    # A host that only verifies is warned, not refused.
    public = tmp_path / "public.pem"
    settings.ONEWINDOW_AUDIT_PUBLIC_KEY_FILE = str(public)
    assert [m.id for m in _audit_messages()] == ["onewindow.W030"]
    settings.ONEWINDOW_AUDIT_PUBLIC_KEY_FILE = ""
    # A development machine may create it, where it can write.
    settings.ONEWINDOW_AUDIT_CREATE_KEY = True
    assert _audit_messages() == []
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    settings.ONEWINDOW_AUDIT_SIGNING_KEY_FILE = str(locked / "keys" / "audit.pem")
    if os.geteuid() != 0:  # root writes anywhere
        [error] = _audit_messages()
        assert f"cannot be created: {locked} is not writable" in error.msg


def test_the_periodic_sealer_logs_one_line_without_the_key(now, no_key, caplog):
    record(now, 1)
    with caplog.at_level(logging.ERROR, logger="onewindow.audit.tasks"):
        assert seal_task.call() == 0
    [line] = [r for r in caplog.records if r.name == "onewindow.audit.tasks"]
    assert line.getMessage() == ("audit checkpoints cannot be signed: "
                                 f"审计签名密钥文件不存在：{no_key}")
    assert line.exc_info is None
