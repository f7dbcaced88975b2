"""bench/licences.py runs end to end and prints the JSON the issue asks for (tiny sizes:
the numbers are not asserted, DESIGN rule 10; their presence and consistency are)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[4] / "bench" / "licences.py"


@pytest.mark.slow
def test_bench_prints_service_vs_raw_verification_and_import_vs_copy():
    env = dict(os.environ)
    env.pop("ONEWINDOW_VAR_DIR", None)
    done = subprocess.run(
        [sys.executable, str(BENCH), "--licences", "20", "--verifications", "100",
         "--rows", "200"],
        capture_output=True, text=True, timeout=300, env=env, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)

    verify = result["verify"]
    assert verify["samples"] == 100 and sum(verify["outcomes"].values()) == 100
    assert verify["service_per_second"] > 0 and verify["raw_ed25519_per_second"] > 0
    assert verify["ratio"] == pytest.approx(
        verify["service_per_second"] / verify["raw_ed25519_per_second"], rel=0.01)

    imported = result["import"]
    assert imported["rows"] == 200 and imported["rows_per_second"] > 0
    assert imported["reimport_rows_per_second"] > 0
    if result["database"] == "postgresql":
        assert imported["copy_rows_per_second"] > 0
        assert imported["ratio"] == pytest.approx(
            imported["rows_per_second"] / imported["copy_rows_per_second"], rel=0.01)
    else:
        assert imported["ratio"] is None and "COPY skipped" in imported["note"]
