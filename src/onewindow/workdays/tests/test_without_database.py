"""A fresh checkout: the calendar commands work before ``onewindow migrate``, and any
command that needs the tables says in one line what to run first (defect 17)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3]


def onewindow(*args: str, var_dir: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(ONEWINDOW_VAR_DIR=str(var_dir), PYTHONPATH=str(SRC))
    return subprocess.run([sys.executable, "-m", "onewindow", *args], cwd=var_dir, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def empty(tmp_path):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    return var_dir


def test_workdays_add_counts_from_the_bundled_calendar(empty):
    done = onewindow("workdays", "add", "2026-09-30", "5", var_dir=empty)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2026-10-13"
    assert "Traceback" not in done.stderr and "onewindow migrate" in done.stderr
    between = onewindow("workdays", "between", "2026-12-30", "2027-01-05", var_dir=empty)
    assert between.stdout.strip() == "3" and "provisional" in between.stderr


def test_a_command_that_needs_tables_says_what_to_run(empty):
    done = onewindow("audit-verify", var_dir=empty)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert "onewindow migrate" in done.stderr and "onewindow demo" in done.stderr


def test_other_database_failures_keep_their_traceback():
    from django.db import OperationalError

    from onewindow.cli import _missing_schema

    # Not a missing table, or migrate's own failure: the operator needs the full story.
    assert not _missing_schema(OperationalError("database is locked"), "audit_verify")
    assert not _missing_schema(OperationalError("no such table: x"), "migrate")
