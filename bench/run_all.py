"""``make bench``: every benchmark, one after another, into one JSON file.

    python bench/run_all.py [--out var/bench/bench-<time>.json] [--small]
                            [--pg-url postgres://postgres@127.0.0.1:5432] [--only a,b]

Each bench runs as its own process (its own settings and scratch database) with its
floor measured in the same run (bench/harness.py). PostgreSQL is where the floors
(pgbench, COPY, bare SQL) live, so every bench is pointed at it; ``--small`` runs them
at sizes that finish in a few minutes on a laptop (the goals of issue 12 are stated for
the default sizes). A bench that fails is recorded with its error and the rest go on;
the exit status says whether all succeeded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

BENCH = Path(__file__).resolve().parent
CATALOG_DB = "onewindow_bench_catalog"

SMALL = {
    "workdays": ["--samples", "20000", "--reference-samples", "1000"],
    "catalog": ["--items", "20000", "--samples", "50", "--duration", "3"],
    "cases_intake": ["--duration", "5", "--pgbench-scale", "8"],
    "worklist": ["--sizes", "100000", "--samples", "50", "--completions", "40",
                 "--duration", "3"],
    "licences": ["--licences", "500", "--verifications", "3000", "--rows", "5000",
                 "--duration", "3"],
}


def run(name: str, pg_url: str, small: bool, tmp: Path) -> dict:
    out = tmp / f"{name}.json"
    env = {**os.environ, "ONEWINDOW_BENCH_OUT": str(out)}
    args = list(SMALL[name]) if small else []
    if name == "catalog":
        harness.pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{CATALOG_DB}" WITH (FORCE)')
        harness.pg_admin(pg_url, f'CREATE DATABASE "{CATALOG_DB}"')
        args += ["--database-url", harness.with_database(pg_url, CATALOG_DB)]
    elif name == "cases_intake":
        args += ["--pg-url", pg_url]
    elif name in ("worklist", "licences"):
        env["DATABASE_URL"] = harness.with_database(pg_url, "postgres")
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, str(BENCH / f"{name}.py"), *args], env=env,
                              capture_output=True, text=True, timeout=7200, check=False)
    finally:
        if name == "catalog":
            harness.pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{CATALOG_DB}" WITH (FORCE)')
    seconds = round(time.perf_counter() - started, 1)
    if done.returncode != 0 or not out.exists():
        return {"error": done.stderr[-3000:], "seconds": seconds}
    return {**json.loads(out.read_text(encoding="utf-8")), "bench_seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    parser.add_argument("--out", default=str(harness.ROOT / "var" / "bench" /
                                             f"bench-{stamp}.json"))
    parser.add_argument("--pg-url", default=os.environ.get(
        "ONEWINDOW_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--only", default=",".join(SMALL))
    args = parser.parse_args()

    report: dict = {"started_at": stamp, "small": args.small,
                    "environment": harness.environment(), "benches": {}}
    with tempfile.TemporaryDirectory(prefix="ow-bench-all-") as tmp:
        for name in [n for n in args.only.split(",") if n in SMALL]:
            print(f"bench {name} …", file=sys.stderr, flush=True)
            report["benches"][name] = run(name, args.pg_url, args.small, Path(tmp))
    report["environment"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    failed = [name for name, result in report["benches"].items() if "error" in result]
    print(f"wrote {out}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
