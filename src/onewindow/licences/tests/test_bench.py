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
def test_bench_prints_service_vs_raw_verification_and_import_vs_copy_round_by_round():
    env = dict(os.environ)
    env.pop("ONEWINDOW_VAR_DIR", None)
    done = subprocess.run(
        [sys.executable, str(BENCH), "--licences", "20", "--verifications", "100",
         "--rows", "200", "--rounds", "2", "--clients", "1", "--duration", "1"],
        capture_output=True, text=True, timeout=300, env=env, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)

    verify = result["verify"]
    rounds = verify["rounds"]
    assert len(rounds["service"]) == len(rounds["raw_ed25519"]) == len(rounds["http"]) == 2
    assert all(sum(r["outcomes"].values()) == 100 for r in rounds["service"])
    ratios = verify["summary"]["service"]["ratio_to_raw_ed25519"]["rounds"]
    for service, raw, ratio in zip(rounds["service"], rounds["raw_ed25519"], ratios,
                                   strict=True):
        assert ratio == pytest.approx(service["ops_per_s"] / raw["ops_per_s"], rel=0.01)
    assert verify["summary"]["http"]["ops_per_s"]["min"] > 0
    assert verify["latency_ms_all_rounds"]["http"]["n"] > 0
    assert "_samples" not in json.dumps(rounds)

    imported = result["import"]
    assert [r["ops_per_s"] > 0 for r in imported["rounds"]["import"]] == [True, True]
    if result["database"] == "postgresql":
        assert imported["summary"]["import"]["ratio_to_copy"]["median"] > 0
    else:
        assert "COPY skipped" in imported["note"]
