"""Benchmark: case intake (online submit + front-desk accept) with 1, 8 and 32 concurrent
clients, on SQLite and on PostgreSQL, next to pgbench's TPC-B on the same PostgreSQL.

    python bench/cases_intake.py [--clients 1,8,32] [--duration 8] [--pgbench-scale 32]
                                 [--pg-url postgres://postgres@127.0.0.1:5432] [--skip-sqlite]

Prints one JSON object. One "op" is a pair of service calls, each its own durable
transaction: ``case_submit`` (a new application in one step: draft row, materials,
number from the daily counter, two action rows, audit rows, outbox event and task row)
by a citizen, then ``case_accept`` by a window clerk. Each client is a thread with its own
database connection and its own item (audit rows take no shared lock; on PostgreSQL the
serial counter is taken in its own short step). Runs are bounded by ``--duration`` seconds
per client count. Meanwhile one sealer thread seals the audit log every second, as a
worker's periodic task does; each run reports the sealer's lag (the age of the oldest
unsealed audit row, largest seen and after the run), which shows whether it keeps up.

Databases are scratch: a fresh SQLite file (WAL, IMMEDIATE transactions, as in the
settings) in a temporary directory, and fresh PostgreSQL databases
``onewindow_bench_cases`` and ``onewindow_bench_pgbench`` (dropped and re-created). Each
database runs in a child process (Django settings are per process).

Ratios: ``postgresql_ops_per_s / pgbench_tps`` at the same client count, i.e. how many of
our submit+accept pairs fit in the time of one TPC-B transaction (5 statements); and
SQLite over PostgreSQL.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES_DB = "onewindow_bench_cases"
BENCH_PASSWORD = "x-bench-pass-2026"  # noqa: S105 - scratch database, thrown away
PGBENCH_DB = "onewindow_bench_pgbench"


# --- the worker: runs inside a child process with DATABASE_URL set ------------------------


def worker(clients: list[int], duration: float, modes: list[str]) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from onewindow.cases import services
    from onewindow.catalog import services as catalog
    from onewindow.identity import services as identity
    from onewindow.identity.models import Account, Role

    now = timezone.now()
    city = identity.organisation_create(actor=None, name="基准市人民政府", kind="GOVERNMENT",
                                        region_code="371000", level=3, now=now)
    identity.organisation_create(actor=None, name="基准市政务服务中心", kind="SERVICE_CENTRE",
                                 region_code="371000", level=3, parent=city, now=now)
    centre = city.children.get(kind="SERVICE_CENTRE")
    dept = identity.organisation_create(actor=None, name="基准市市场监督管理局",
                                        kind="DEPARTMENT", region_code="371000", level=3,
                                        parent=city, credit_code="11371000MB1000002T", now=now)
    clerk = identity.account_create(actor=None, username="benchclerk", password=BENCH_PASSWORD,
                                    kind="STAFF", organisation=centre, now=now)
    identity.role_grant(actor=None, account=clerk, role=Role.WINDOW_CLERK, organisation=centre,
                        now=now)
    person = identity.person_register(actor=None, name="基准申请人", id_number="37100219900307002X",
                                      phone="13806310001", now=now)
    citizen = identity.account_create(actor=None, username="benchcitizen",
                                      password=BENCH_PASSWORD, kind="CITIZEN", person=person,
                                      now=now)
    codes = []
    for index in range(max(clients)):
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
    form = {"contact_name": "基准申请人", "contact_phone": "13806310001",
            "application_content": "基准测试"}
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

    def op(citizen_obj, clerk_obj, code, key):
        """Apply online (draft, upload the required material, submit) and accept."""
        now_ = timezone.now()
        draft = services.case_draft_save(actor=citizen_obj, implementation_code=code,
                                         form_data=form, now=now_)
        services.case_material_upload(actor=citizen_obj, case=draft,
                                      material_id=draft.materials.get(position=1).pk,
                                      stream=pdf, filename="申请书.pdf", now=now_)
        case = services.case_submit(actor=citizen_obj, case=draft, idempotency_key=key,
                                    now=now_)
        services.case_accept(actor=clerk_obj, case=case, now=timezone.now())

    def client_loop(tag: str, index: int, barrier) -> tuple[list[float], list[str]]:
        citizen_obj = Account.objects.get(pk=citizen.pk)
        clerk_obj = Account.objects.get(pk=clerk.pk)
        code = codes[index]
        latencies: list[float] = []
        errors: list[str] = []
        barrier.wait()
        deadline = time.monotonic() + duration
        n = 0
        try:
            while time.monotonic() < deadline:
                n += 1
                started = time.perf_counter()
                try:
                    op(citizen_obj, clerk_obj, code, f"{tag}-{index}-{n}")
                except Exception as exc:  # counted, reported below
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
                    continue
                latencies.append(time.perf_counter() - started)
        finally:
            connections.close_all()
        return latencies, errors

    op(Account.objects.get(pk=citizen.pk), Account.objects.get(pk=clerk.pk), codes[0], "warm")
    connections.close_all()

    def run_threads(tag: str, count: int) -> tuple[list[float], list[str], float]:
        barrier = threading.Barrier(count + 1)
        collected: list[tuple[list[float], list[str]]] = []

        def client(index):
            collected.append(client_loop(tag, index, barrier))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        return [x for c in collected for x in c[0]], [x for c in collected for x in c[1]], wall

    def run_processes(tag: str, count: int) -> tuple[list[float], list[str], float]:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        barrier = context.Barrier(count + 1)
        queue = context.Queue()

        def child(index):
            queue.put(client_loop(tag, index, barrier))

        connections.close_all()  # never share a connection across fork
        processes = [context.Process(target=child, args=(i,)) for i in range(count)]
        for process in processes:
            process.start()
        barrier.wait()
        started = time.perf_counter()
        collected = [queue.get() for _ in processes]
        wall = time.perf_counter() - started
        for process in processes:
            process.join()
        return [x for c in collected for x in c[0]], [x for c in collected for x in c[1]], wall

    from onewindow.audit.services import audit_seal

    class Sealer(threading.Thread):
        """The periodic sealer of ``onewindow worker``, every second, in this process."""

        def __init__(self):
            super().__init__(daemon=True)
            self.stopped = threading.Event()
            self.max_lag = 0.0
            self.rows = 0

        def seal(self):
            result = audit_seal(now=timezone.now())
            self.rows += result.rows
            self.max_lag = max(self.max_lag, result.lag_seconds)
            return result

        def run(self):
            try:
                while not self.stopped.wait(1.0):
                    self.seal()
            finally:
                connections.close_all()

    audit_seal(now=timezone.now())  # the set-up's rows
    connections.close_all()

    results: dict = {}
    for mode, runner in (("processes", run_processes), ("threads", run_threads)):
        if mode not in modes:
            continue
        results[mode] = {}
        for count in clients:
            sealer = Sealer()
            sealer.start()
            latencies, errors, wall = runner(f"{mode}{count}", count)
            sealer.stopped.set()
            sealer.join()
            lag_after_run = sealer.seal().lag_seconds
            connections.close_all()
            latencies.sort()
            results[mode][str(count)] = {
                "ops": len(latencies),
                "seconds": round(wall, 2),
                "ops_per_s": round(len(latencies) / wall, 2),
                "errors": len(errors),
                "first_errors": sorted(set(errors))[:3],
                "latency_ms_p50": round(statistics.median(latencies) * 1000, 1)
                if latencies else None,
                "latency_ms_p95": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1)
                if len(latencies) >= 20 else None,
                "audit_rows_sealed": sealer.rows,
                "audit_seal_max_lag_s": round(sealer.max_lag, 2),
                "audit_seal_lag_after_run_s": round(lag_after_run, 2),
            }
    info = {"vendor": connection.vendor}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["server_version"] = cursor.fetchone()[0]
    else:
        import sqlite3

        info["sqlite_version"] = sqlite3.sqlite_version
    return {"database": info, "runs": results}


# --- the orchestrator ---------------------------------------------------------------------


def psql_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{url}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def run_worker(database_url: str, clients: list[int], duration: float, var_dir: Path,
               modes: list[str]) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "ONEWINDOW_VAR_DIR": str(var_dir),
           "ONEWINDOW_DEBUG": "0", "ONEWINDOW_LOG_LEVEL": "ERROR",
           "DJANGO_SETTINGS_MODULE": "onewindow.settings.dev"}
    out = subprocess.run(
        [sys.executable, __file__, "--worker", "--clients", ",".join(map(str, clients)),
         "--duration", str(duration), "--modes", ",".join(modes)],
        env=env, capture_output=True, text=True, timeout=1800, check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"worker failed ({database_url}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def find_pgbench() -> str | None:
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))
    return candidates[-1] if candidates else None


def run_pgbench(binary: str, url: str, clients: list[int], duration: float,
                scale: int) -> dict:
    psql_admin(url, f"DROP DATABASE IF EXISTS {PGBENCH_DB}")
    psql_admin(url, f"CREATE DATABASE {PGBENCH_DB}")
    target = f"{url}/{PGBENCH_DB}"
    started = time.perf_counter()
    subprocess.run([binary, "-i", "-q", "-s", str(scale), target], check=True,
                   capture_output=True, text=True, timeout=900)
    init_seconds = round(time.perf_counter() - started, 1)
    cpus = os.cpu_count() or 1
    results = {}
    for count in clients:
        out = subprocess.run(
            [binary, "-n", "-c", str(count), "-j", str(min(count, cpus)), "-T",
             str(int(max(duration, 1))), target],
            check=True, capture_output=True, text=True, timeout=900,
        ).stdout
        match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out) or (
            re.search(r"tps = ([\d.]+)", out))
        results[str(count)] = round(float(match.group(1)), 1) if match else None
    psql_admin(url, f"DROP DATABASE IF EXISTS {PGBENCH_DB}")
    return {"scale": scale, "init_seconds": init_seconds, "tps": results}


def ratio(a, b):
    return round(a / b, 4) if a and b else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--duration", type=float, default=8.0,
                        help="seconds per client count (each database and pgbench)")
    parser.add_argument("--pg-url", default=os.environ.get(
        "ONEWINDOW_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--pgbench-scale", type=int, default=32)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgresql", action="store_true")
    parser.add_argument("--modes", default="processes,threads",
                        help="clients as OS processes (like app-server workers) and/or as "
                             "threads of one process (sharing the GIL)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",") if c.strip()]
    modes = [m for m in args.modes.split(",") if m in ("processes", "threads")]

    if args.worker:
        print(json.dumps(worker(clients, args.duration, modes), ensure_ascii=False))
        return

    report: dict = {
        "benchmark": "cases_intake",
        "op": "online case_draft_save + case_material_upload + case_submit + case_accept "
              "(4 durable transactions; 1 op = 1 application submitted and accepted)",
        "clients": clients,
        "duration_seconds_per_run": args.duration,
        "environment": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "machine": platform.machine(),
                        "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
        "results": {},
    }
    with tempfile.TemporaryDirectory(prefix="ow-bench-") as tmp:
        tmp_path = Path(tmp)
        if not args.skip_sqlite:
            db = tmp_path / "bench.sqlite3"
            report["results"]["sqlite"] = run_worker(f"sqlite:///{db}", clients, args.duration,
                                                     tmp_path / "sqlite-var", modes)
        if not args.skip_postgresql:
            psql_admin(args.pg_url, f"DROP DATABASE IF EXISTS {CASES_DB}")
            psql_admin(args.pg_url, f"CREATE DATABASE {CASES_DB}")
            try:
                report["results"]["postgresql"] = run_worker(
                    f"{args.pg_url}/{CASES_DB}", clients, args.duration, tmp_path / "pg-var",
                    modes)
            finally:
                psql_admin(args.pg_url, f"DROP DATABASE IF EXISTS {CASES_DB}")
            binary = find_pgbench()
            if binary:
                report["results"]["pgbench_tpcb"] = run_pgbench(
                    binary, args.pg_url, clients, args.duration, args.pgbench_scale)
            else:
                report["results"]["pgbench_tpcb"] = {"error": "pgbench not found"}

    res = report["results"]
    ratios: dict = {}
    for mode in modes:
        ratios[mode] = {}
        for count in map(str, clients):
            sqlite_ops = res.get("sqlite", {}).get("runs", {}).get(mode, {}).get(
                count, {}).get("ops_per_s")
            pg_ops = res.get("postgresql", {}).get("runs", {}).get(mode, {}).get(
                count, {}).get("ops_per_s")
            tps = res.get("pgbench_tpcb", {}).get("tps", {}).get(count)
            ratios[mode][count] = {
                "postgresql_ops_per_pgbench_tps": ratio(pg_ops, tps),
                "sqlite_ops_per_pgbench_tps": ratio(sqlite_ops, tps),
                "sqlite_over_postgresql": ratio(sqlite_ops, pg_ops),
            }
    report["ratios"] = ratios
    report["environment"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
