"""Benchmark: case intake (online draft, upload, submit, then the front desk's accept)
over HTTP with bearer tokens and in process, round by round against pgbench's TPC-B on
the same PostgreSQL.

    python bench/cases_intake.py [--clients 8] [--duration 8] [--rounds 3]
                                 [--app-processes 1,2] [--pgbench-scale 10]
                                 [--pg-url postgres://postgres@127.0.0.1:5432]

Prints one JSON object (bench/harness.py: the method). One "op" is one application
submitted and accepted:

- over HTTP (``http_workers_<n>``): ``POST /api/v1/cases/drafts``, the required material
  uploaded (multipart), ``POST /api/v1/cases`` with an idempotency key, and
  ``POST /api/v1/cases/{number}/accept`` by a window clerk: four requests through
  ``onewindow serve`` (gunicorn) started by the bench on a free port with ``n`` worker
  processes, by ``--clients`` client threads on keep-alive connections;
- in process (``in_process``): the same four service calls, each client a forked process
  with its own connection, with the audit sealer running every second beside them (its
  lag is reported: does it keep up?);
- the HTTP runs have the audit sealer beside them too, in its own process (as
  ``onewindow worker`` runs it), and report its lag the same way;
- the floor (``pgbench``): TPC-B (5 statements a transaction) at ``--clients`` clients
  for ``--duration`` seconds.

Every round runs them all in turn (``--rounds``, 3 by default); each figure is given as
min / median / max over the rounds and as its ratio to the same round's pgbench. The
goals of issue 12: HTTP ops ≥ 0.05 × pgbench TPC-B at 8 clients, and 2 app processes
≥ 1.7 × one. The databases are scratch ones (``onewindow_bench_cases`` and
``onewindow_bench_pgbench``, dropped and re-created, dropped at the end).
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from onewindow.testing.files import pdf_bytes

CASES_DB = "onewindow_bench_cases"
PGBENCH_DB = "onewindow_bench_pgbench"
BENCH_PASSWORD = "x-bench-pass-2026"  # noqa: S105 - scratch database, thrown away
CITIZEN, CLERK = "benchcitizen", "benchclerk"
FORM = {"contact_name": "基准申请人", "contact_phone": "13806310001",
        "application_content": "基准测试"}


PDF = pdf_bytes()  # uploads are opened and checked: a valid one-page PDF


# --- child processes: Django set up against the scratch database ---------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings.dev")
    sys.path.insert(0, str(harness.ROOT / "src"))
    import django

    django.setup()


def setup(items: int) -> dict:
    """Migrate, then a city with a service centre, a department with ``items`` published
    items (one per client: no two clients share an item's daily counter), a window clerk
    and a citizen."""
    _django()
    from django.core.management import call_command
    from django.utils import timezone

    from onewindow.catalog import services as catalog
    from onewindow.identity import services as identity
    from onewindow.identity.models import Role

    call_command("migrate", verbosity=0)
    now = timezone.now()
    city = identity.organisation_create(actor=None, name="基准市人民政府", kind="GOVERNMENT",
                                        region_code="371000", level=3, now=now)
    centre = identity.organisation_create(actor=None, name="基准市政务服务中心",
                                          kind="SERVICE_CENTRE", region_code="371000",
                                          level=3, parent=city, now=now)
    dept = identity.organisation_create(actor=None, name="基准市市场监督管理局",
                                        kind="DEPARTMENT", region_code="371000", level=3,
                                        parent=city, credit_code="11371000MB1000002T", now=now)
    clerk = identity.account_create(actor=None, username=CLERK, password=BENCH_PASSWORD,
                                    kind="STAFF", organisation=centre, now=now)
    identity.role_grant(actor=None, account=clerk, role=Role.WINDOW_CLERK, organisation=centre,
                        now=now)
    person = identity.person_register(actor=None, name="基准申请人", id_number="37100219900307002X",
                                      phone="13806310001", now=now)
    identity.account_create(actor=None, username=CITIZEN, password=BENCH_PASSWORD,
                            kind="CITIZEN", person=person, now=now)
    codes = []
    for index in range(items):
        basic = f"3701{index + 1:05d}001"
        catalog.entry_upsert(actor=None, basic_code=basic, name=f"基准事项{index}",
                             item_type="01", exercise_level="3", now=now)
        item = catalog.item_create(actor=None, organisation=dept, basic_code=basic, now=now,
                                   elements={
            "name": f"基准事项{index}", "service_objects": ["1"], "handling_type": "2",
            "legal_limit_amount": 20, "legal_limit_unit": "WORKING_DAY",
            "promised_limit_amount": 5, "promised_limit_unit": "WORKING_DAY",
            "materials": [{"name": "申请书", "original_count": 1},
                          {"name": "补充材料", "requirement": "OPTIONAL"}],
        })
        catalog.item_publish(actor=None, implementation=item, reason="基准", now=now)
        codes.append(item.code)
    return {"codes": codes}


def in_process(codes: list[str], clients: int, duration: float, tag: str) -> dict:
    """The op as service calls, ``clients`` forked processes, with the sealer beside."""
    _django()
    import multiprocessing

    from django.db import connections
    from django.utils import timezone

    from onewindow.audit.services import audit_seal
    from onewindow.cases import services
    from onewindow.common.db import close_connections_and_pools
    from onewindow.identity.models import Account

    def op(citizen, clerk, code, key):
        now = timezone.now()
        draft = services.case_draft_save(actor=citizen, implementation_code=code,
                                         form_data=FORM, now=now)
        services.case_material_upload(actor=citizen, case=draft,
                                      material_id=draft.materials.get(position=1).pk,
                                      stream=PDF, filename="申请书.pdf", now=now)
        case = services.case_submit(actor=citizen, case=draft, idempotency_key=key, now=now)
        services.case_accept(actor=clerk, case=case, now=timezone.now())

    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(clients + 1)
    queue = context.Queue()

    def child(index: int) -> None:
        latencies: list[float] = []
        errors: list[str] = []
        try:
            citizen = Account.objects.get(username=CITIZEN)
            clerk = Account.objects.get(username=CLERK)
            try:
                op(citizen, clerk, codes[index], f"{tag}-{index}-warm")
            except Exception as exc:  # reported; the client still joins the start
                errors.append(f"warm-up {type(exc).__name__}: {exc}"[:300])
            barrier.wait()
            deadline = time.monotonic() + duration
            n = 0
            while time.monotonic() < deadline:
                n += 1
                started = time.perf_counter()
                try:
                    op(citizen, clerk, codes[index], f"{tag}-{index}-{n}")
                except Exception as exc:  # counted, reported
                    errors.append(f"{type(exc).__name__}: {exc}"[:300])
                    continue
                latencies.append(time.perf_counter() - started)
        finally:
            connections.close_all()
            queue.put((latencies, errors))

    audit_seal(now=timezone.now())
    # Never share a connection, or a connection pool whose threads stay behind, across fork.
    close_connections_and_pools()
    processes = [context.Process(target=child, args=(i,)) for i in range(clients)]
    for process in processes:
        process.start()
    sealer = Sealer()
    sealer.start()
    barrier.wait()
    started = time.perf_counter()
    collected = [queue.get() for _ in processes]
    wall = time.perf_counter() - started
    for process in processes:
        process.join()
    sealer.stopped.set()
    sealer.join()
    lag_after = audit_seal(now=timezone.now()).lag_seconds
    latencies = [x for c in collected for x in c[0]]
    errors = [x for c in collected for x in c[1]]
    return {"clients": clients, "ops": len(latencies),
            "ops_per_s": round(len(latencies) / wall, 2),
            "latency_ms": harness.percentiles(latencies), "errors": len(errors),
            "first_errors": sorted(set(errors))[:3], harness.SAMPLES: latencies,
            "audit_seal_max_lag_s": round(sealer.max_lag, 2),
            "audit_seal_lag_after_run_s": round(lag_after, 2)}


class Sealer(threading.Thread):
    """The periodic sealer of ``onewindow worker``, every second (Django set up)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stopped = threading.Event()
        self.max_lag = 0.0

    def run(self) -> None:
        from django.db import connections
        from django.utils import timezone

        from onewindow.audit.services import audit_seal

        try:
            while not self.stopped.wait(1.0):
                self.max_lag = max(self.max_lag, audit_seal(now=timezone.now()).lag_seconds)
        finally:
            connections.close_all()


def seal_beside(duration: float) -> dict:
    """A sealer process beside an HTTP run: seals every second for ``duration`` seconds,
    then reports the largest lag it saw and the lag once the run is over."""
    _django()
    from django.utils import timezone

    from onewindow.audit.services import audit_seal

    sealer = Sealer()
    sealer.start()
    time.sleep(duration)
    sealer.stopped.set()
    sealer.join()
    return {"audit_seal_max_lag_s": round(sealer.max_lag, 2),
            "audit_seal_lag_after_run_s": round(audit_seal(now=timezone.now()).lag_seconds, 2)}


# --- the orchestrator -----------------------------------------------------------------------


def child(env: dict, *args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], env=env, capture_output=True,
                         text=True, timeout=1800, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def find_pgbench() -> str | None:
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))
    return candidates[-1] if candidates else None


def pgbench_step(binary: str, target: str, clients: int, duration: float):
    def step() -> dict:
        out = subprocess.run(
            [binary, "-n", "-c", str(clients), "-j", str(min(clients, os.cpu_count() or 1)),
             "-T", str(int(max(duration, 1))), target],
            check=True, capture_output=True, text=True, timeout=900,
        ).stdout
        match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out) or (
            re.search(r"tps = ([\d.]+)", out))
        return {"clients": clients, "ops_per_s": float(match.group(1)) if match else None}

    return step


def http_step(server: harness.Server, tokens: dict, codes: list[str], clients: int,
              duration: float, tag: str):
    counter = iter(range(1, 1 << 30))

    def make_client(index: int):
        return (harness.Client(server.base, tokens[CITIZEN]),
                harness.Client(server.base, tokens[CLERK]))

    def op(pair, index: int, n: int) -> None:
        citizen, clerk = pair
        draft = citizen.call("POST", "/api/v1/cases/drafts", json_body={
            "implementation_code": codes[index], "form_data": FORM})
        material = next(m for m in draft["materials"] if m["position"] == 1)
        citizen.upload(f"/api/v1/cases/{draft['id']}/materials/{material['id']}/files",
                       "file", "application.pdf", PDF, "application/pdf")
        case = citizen.call("POST", "/api/v1/cases", json_body={
            "draft_id": draft["id"],
            "idempotency_key": f"{tag}-{next(counter)}-{uuid.uuid4().hex[:8]}"})
        clerk.call("POST", f"/api/v1/cases/{case['number']}/accept", json_body={})

    class Pair(tuple):
        def close(self) -> None:
            for client in self:
                client.close()

    def run() -> dict:
        # The sealer runs beside the clients as in production (``onewindow worker``): its
        # lag says whether it keeps up with the intake.
        sealer = subprocess.Popen(
            [sys.executable, __file__, "--seal-for", str(duration + 1)], env=server.env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        result = harness.load(clients, duration, lambda i: Pair(make_client(i)), op)
        out, err = sealer.communicate(timeout=600)
        if sealer.returncode != 0:
            raise RuntimeError(f"the sealer beside the HTTP run failed:\n{err[-3000:]}")
        return {**result, **json.loads(out.strip().splitlines()[-1])}

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--app-processes", default="1,2",
                        help="gunicorn worker processes of the HTTP runs")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads per worker process (default: --clients)")
    parser.add_argument("--pg-url", default=os.environ.get(
        "ONEWINDOW_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--pgbench-scale", type=int, default=10)
    parser.add_argument("--skip-in-process", action="store_true")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--codes", default="", help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="", help=argparse.SUPPRESS)
    parser.add_argument("--seal-for", type=float, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.seal_for:
        print(json.dumps(seal_beside(args.seal_for)))
        return

    if args.setup:
        print(json.dumps(setup(args.clients)))
        return
    if args.in_process:
        print(json.dumps(in_process(args.codes.split(","), args.clients, args.duration,
                                    args.tag)))
        return

    binary = find_pgbench()
    if not binary:
        sys.exit("bench/cases_intake.py needs pgbench (the floor): apt-get install "
                 "postgresql-client")
    processes = [int(p) for p in args.app_processes.split(",") if p.strip()]
    report: dict = {
        "benchmark": "cases_intake",
        "op": "draft + upload + submit + accept (4 HTTP requests or 4 service calls; "
              "1 op = 1 application submitted and accepted)",
        "clients": args.clients, "duration_seconds_per_run": args.duration,
        "rounds": args.rounds, "environment": harness.environment(),
    }
    database_url = harness.with_database(args.pg_url, CASES_DB)
    pgbench_url = harness.with_database(args.pg_url, PGBENCH_DB)
    with tempfile.TemporaryDirectory(prefix="ow-bench-cases-") as tmp:
        env = harness.server_env(database_url, Path(tmp) / "var")
        for name in (CASES_DB, PGBENCH_DB):
            harness.pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            harness.pg_admin(args.pg_url, f'CREATE DATABASE "{name}"')
        try:
            codes = child(env, "--setup", "--clients", str(args.clients))["codes"]
            started = time.perf_counter()
            subprocess.run([binary, "-i", "-q", "-s", str(args.pgbench_scale), pgbench_url],
                           check=True, capture_output=True, text=True, timeout=900)
            report["pgbench"] = {"scale": args.pgbench_scale,
                                 "init_seconds": round(time.perf_counter() - started, 1)}
            results = run_rounds(args, env, codes, processes, binary, pgbench_url, Path(tmp))
        finally:
            for name in (CASES_DB, PGBENCH_DB):
                harness.pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    report["latency_ms_all_rounds"] = harness.pool_latencies(results)
    report["runs"] = results
    report["summary"] = harness.compare(results, figure="ops_per_s", floor="pgbench")
    if len(processes) > 1:
        first, last = f"http_workers_{processes[0]}", f"http_workers_{processes[-1]}"
        report["summary"]["app_process_scaling"] = harness.spread([
            harness.ratio(b["ops_per_s"], a["ops_per_s"])
            for a, b in zip(results[first], results[last], strict=True)])
    report["goals"] = {
        "http_ops_per_pgbench_tps_at_8_clients": ">= 0.05",
        "two_app_processes_over_one": ">= 1.7",
    }
    harness.emit(report)


def run_rounds(args, env, codes, processes, binary, pgbench_url, tmp: Path) -> dict:
    threads = args.threads or args.clients
    with contextlib.ExitStack() as running:  # a server that fails to start stops the others
        servers = [running.enter_context(harness.Server(env["DATABASE_URL"], tmp / "var",
                                                        workers=n, threads=threads))
                   for n in processes]
        tokens = {user: harness.login(servers[0].base, user, BENCH_PASSWORD)
                  for user in (CITIZEN, CLERK)}
        steps = {"pgbench": pgbench_step(binary, pgbench_url, args.clients, args.duration)}
        for n, server in zip(processes, servers, strict=True):
            steps[f"http_workers_{n}"] = http_step(server, tokens, codes, args.clients,
                                                   args.duration, f"http{n}")
        if not args.skip_in_process:
            round_number = iter(range(1, 100))
            steps["in_process"] = lambda: child(
                env, "--in-process", "--clients", str(args.clients), "--duration",
                str(args.duration), "--codes", ",".join(codes),
                "--tag", f"proc{next(round_number)}")
        return harness.rounds(args.rounds, steps)


if __name__ == "__main__":
    main()
