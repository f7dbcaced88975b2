"""Benchmark: worklist query latency with 100k and 1M work items on PostgreSQL, with 1 and
16 concurrent clients, and task_complete throughput.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onewindow \
        python bench/worklist.py [--sizes 100000,1000000] [--clients 1,16] [--samples 200]
                                 [--completions 240] [--database scratch_name] [--keep]

Prints one JSON object. DATABASE_URL names the PostgreSQL server; the bench works in a
scratch database on it (``onewindow_bench_worklist`` by default: dropped, created,
migrated, and dropped again at the end unless ``--keep``), never in the database named.

Data: a city government with 200 departments and a service centre; work items are
written with COPY: 15 % READY, the rest COMPLETED / CANCELLED / RETURNED history; roles
60 % 承办人, 25 % 首席代表, 15 % 综合受理; deadlines from 10 days ago to 30 days ahead (5 %
without). Row counts grow from one size to the next (100k, then 900k more → 1M), and the
table is ANALYZEd before measuring.

Worklist latency is what the ``task_list`` endpoint does minus HTTP: load the actor's
role scopes (one query, as on every request), ``selectors.worklist`` (first page of 50
by deadline, deadline colour per row) and the mapping to the response dict; its floor,
run in turn with it round by round (``--rounds``, bench/harness.py), is the same two
statements run bare on a cursor by as many clients (``bare_sql``); and the city-wide
worklist is also asked over HTTP (``GET /api/v1/workflow/tasks`` with each handler's
bearer token, through ``onewindow serve`` started by the bench with as many threads as
clients). Goal of issue 12: the city-wide worklist ≥ 0.1 × bare SQL at 16 clients. Actors: a
department handler (scope one department), a chief representative, and a city-wide
handler (scope all 200 departments: the widest index range). Each client is a forked
process with its own connection (as gunicorn workers would be); latencies in
milliseconds (p50/p95/p99), throughput in queries per second over all clients. With more
clients than CPUs, latency grows with queueing for the CPUs (see "cpus" and "load").

task_complete: subjects are started on the default 承诺件 route (审查 → 决定) through
``process_start`` with an adapter that keeps state in a scratch table (``SELECT … FOR
UPDATE`` / upsert, as the cases app keeps it on the case row); each client then completes
the 审查 task of its own subjects (deserialise SpiffWorkflow state, run, serialise, lock
the subject's items, conditional update, mirror the next task, store state, audit row,
outbox events). Every audited write takes the audit chain head lock, which serialises
writers by design: the 16-client figure shows that ceiling.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import harness  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--clients", default="1,16")
    parser.add_argument("--samples", type=int, default=200,
                        help="worklist queries per actor kind and client count")
    parser.add_argument("--completions", type=int, default=240,
                        help="task_complete calls per client count")
    parser.add_argument("--database", default="onewindow_bench_worklist")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0,
                        help="seconds of HTTP load per round")
    parser.add_argument("--skip-http", action="store_true")
    return parser.parse_args()


ARGS = parse_args()
SERVER_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
if not SERVER_URL.startswith(("postgres://", "postgresql://")):
    sys.exit("bench/worklist.py needs DATABASE_URL=postgres://… (a PostgreSQL server)")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(with_database(SERVER_URL, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


admin(f'DROP DATABASE IF EXISTS "{ARGS.database}"')
admin(f'CREATE DATABASE "{ARGS.database}"')
os.environ["DATABASE_URL"] = with_database(SERVER_URL, ARGS.database)
SCRATCH_DIR = tempfile.mkdtemp(prefix="onewindow-bench-worklist-")
os.environ["ONEWINDOW_VAR_DIR"] = SCRATCH_DIR
os.environ["DJANGO_SETTINGS_MODULE"] = "onewindow.settings.dev"
os.environ.setdefault("ONEWINDOW_LOG_LEVEL", "WARNING")

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
logging.getLogger("spiff").setLevel(logging.WARNING)  # SpiffWorkflow logs every state change

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from onewindow.identity.models import Account, Organisation, Role, RoleAssignment  # noqa: E402
from onewindow.identity.permissions import forget_scopes  # noqa: E402
from onewindow.workdays.selectors import add_working_days, get_calendar  # noqa: E402
from onewindow.workflow import api as workflow_api  # noqa: E402
from onewindow.workflow import defaults, selectors, services  # noqa: E402
from onewindow.workflow.subjects import StoredState, register_subject  # noqa: E402

DEPARTMENTS = 200
SUBJECT = "bench.case"
COLUMNS = ("subject_type", "subject_id", "task_id", "task_name", "task_label", "lane", "role",
           "department", "organisation_id", "due_date", "status", "returned_reason",
           "created_at", "completed_at", "decision", "opinion", "data")
ROLES = [("HANDLER", "Task_review", "审查", "承办人")] * 12 + \
    [("CHIEF_REPRESENTATIVE", "Task_decide", "决定", "首席代表")] * 5 + \
    [("WINDOW_CLERK", "Task_decide", "当场决定", "综合受理")] * 3


# --- setup ----------------------------------------------------------------------------------


def organisations() -> tuple[Organisation, list[Organisation], Organisation]:
    now = timezone.now()
    city = Organisation.objects.create(name="基准市人民政府", kind="GOVERNMENT",
                                       region_code="371000", level=3, created_at=now)
    city.path = f"/{city.pk}/"
    city.save(update_fields=["path"])
    departments = Organisation.objects.bulk_create([
        Organisation(parent=city, name=f"基准市第{n}局", kind="DEPARTMENT", region_code="371000",
                     level=3, credit_code=f"11371000MB{n:07d}X", created_at=now)
        for n in range(DEPARTMENTS)
    ])
    for dept in departments:
        dept.path = f"{city.path}{dept.pk}/"
    Organisation.objects.bulk_update(departments, ["path"])
    centre = Organisation.objects.create(parent=city, name="基准市政务服务中心",
                                         kind="SERVICE_CENTRE", region_code="371000", level=3,
                                         created_at=now)
    centre.path = f"{city.path}{centre.pk}/"
    centre.save(update_fields=["path"])
    return city, departments, centre


def account(username: str, role: str, organisation: Organisation) -> Account:
    user = Account(username=username, kind="STAFF", organisation=organisation)
    user.set_unusable_password()
    user.save()
    RoleAssignment.objects.create(account=user, role=role, organisation=organisation)
    return user


def copy_work_items(count: int, start: int, departments: list[Organisation],
                    centre: Organisation, rng: random.Random) -> float:
    """COPY ``count`` work items; return seconds taken."""
    today = timezone.localdate()
    now = timezone.now()
    org_ids = [d.pk for d in departments]
    started = time.perf_counter()
    chunk = 100_000
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor
        columns = ", ".join(COLUMNS)
        for offset in range(0, count, chunk):
            buffer = io.StringIO()
            for n in range(start + offset, start + min(count, offset + chunk)):
                role, name, label, lane = ROLES[n % len(ROLES)]
                organisation = centre.pk if role == "WINDOW_CLERK" else rng.choice(org_ids)
                draw = rng.random()
                status = ("READY" if draw < 0.15 else "COMPLETED" if draw < 0.95 else
                          "CANCELLED" if draw < 0.98 else "RETURNED")
                due = ("\\N" if rng.random() < 0.05 else
                       (today.fromordinal(today.toordinal() + rng.randint(-10, 30))).isoformat())
                created = now.isoformat()
                completed = "\\N" if status == "READY" else created
                buffer.write("\t".join([
                    SUBJECT, f"B{n // 3:09d}", str(uuid.UUID(int=rng.getrandbits(128))), name,
                    label, lane, role, "", str(organisation), due, status, "", created,
                    completed, "approve" if status == "COMPLETED" else "", "", "{}",
                ]) + "\n")
            buffer.seek(0)
            with raw.copy(f"COPY workflow_workitem ({columns}) FROM STDIN") as copy:
                while data := buffer.read(1 << 20):
                    copy.write(data)
        # Statistics as autovacuum would have them in production (the organisation table
        # too: without them the planner guesses one department for a city-wide scope).
        cursor.execute("ANALYZE")
    return round(time.perf_counter() - started, 2)


# --- worklist latency -----------------------------------------------------------------------


def run_clients(clients: int, per_client: int, work) -> tuple[list[float], float, list[str]]:
    """Run ``work(index, n)`` in ``clients`` forked processes (one database connection each,
    no shared GIL), ``per_client`` timed calls each after one warm-up call (n = 0)."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(clients + 1)
    results = context.Queue()
    connections.close_all()  # children open their own connections

    def loop(index: int) -> None:
        mine: list[float] = []
        errors: list[str] = []
        try:
            try:
                work(index, 0)
            except Exception as exc:  # reported; the client still joins the start
                errors.append(f"warm-up {type(exc).__name__}: {exc}"[:200])
            barrier.wait()
            for n in range(per_client):
                started = time.perf_counter()
                try:
                    work(index, n + 1)
                except Exception as exc:  # reported in the JSON
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
                    continue
                mine.append(time.perf_counter() - started)
        finally:
            connections.close_all()
            results.put((mine, errors))

    processes = [context.Process(target=loop, args=(i,)) for i in range(clients)]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    latencies: list[float] = []
    errors: list[str] = []
    for _ in processes:
        mine, theirs = results.get()
        latencies += mine
        errors += theirs
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    return latencies, elapsed, errors


def measure_worklists(actors: dict[str, list[Account]], clients_list: list[int],
                      tokens: dict[int, str], server: harness.Server | None) -> dict:
    today = timezone.localdate()
    get_calendar()
    result = {}
    for kind, people in actors.items():
        result[kind] = {}
        for clients in clients_list:
            per_client = ARGS.samples if clients == 1 else max(25, ARGS.samples // clients)

            def work(index, n, people=people):
                actor = Account.objects.get(pk=people[(index + n) % len(people)].pk)
                forget_scopes(actor)
                page = selectors.worklist(actor=actor, limit=50, today=today)
                rows = [workflow_api._task_out(row) for row in page.rows]
                if not rows:
                    raise RuntimeError("empty worklist")

            statements = [_statements(person, today) for person in people]

            def bare(index, n, statements=statements):
                with connection.cursor() as cursor:
                    for sql in statements[(index + n) % len(statements)]:
                        cursor.execute(sql)
                        cursor.fetchall()

            def step(function, clients=clients, per_client=per_client):
                def run() -> dict:
                    latencies, elapsed, errors = run_clients(clients, per_client, function)
                    return {"ops_per_s": round(len(latencies) / elapsed, 1),
                            "latency_ms": harness.percentiles(latencies),
                            harness.SAMPLES: latencies, "errors": errors[:3]}
                return run

            steps = {"bare_sql": step(bare), "app_in_process": step(work)}
            if server and kind == "city_wide_handler":
                def op(client, index, n):
                    answer = client.call("GET", "/api/v1/workflow/tasks?limit=50")
                    if not answer["items"]:
                        raise RuntimeError("empty worklist")

                steps["app_http"] = lambda clients=clients, people=people: harness.load(
                    clients, ARGS.duration,
                    lambda i: harness.Client(server.base, tokens[people[i % len(people)].pk]),
                    op)
            rounds = harness.rounds(ARGS.rounds, steps)
            result[kind][f"clients_{clients}"] = {
                "latency_ms_all_rounds": harness.pool_latencies(rounds),
                "summary": harness.compare(rounds, figure="ops_per_s", floor="bare_sql"),
            }
    return result


def _statements(actor: Account, today) -> list[str]:
    """The SQL a worklist request runs for ``actor`` (scopes, then the page), as sent."""
    fresh = Account.objects.get(pk=actor.pk)
    forget_scopes(fresh)
    with CaptureQueriesContext(connection) as queries:
        selectors.worklist(actor=fresh, limit=50, today=today)
    return [q["sql"] for q in queries.captured_queries]


def explain(actor: Account) -> str:
    forget_scopes(actor)
    queryset = selectors.WorkItem.objects.filter(
        selectors.work_items_q(actor=actor), status__in=["READY"]
    ).order_by(*selectors._order("due_date"))[:51]
    plan = queryset.explain(analyze=True)
    return "\n".join(line for line in plan.splitlines()
                     if "Index" in line or "Execution" in line or "Scan" in line)[:1500]


# --- task_complete --------------------------------------------------------------------------


class BenchSubjects:
    """State in a scratch table, locked like a case row."""

    def __init__(self, department: Organisation, centre: Organisation):
        self.department = department
        self.centre = centre

    def load_state(self, subject_id):
        with connection.cursor() as cursor:
            cursor.execute("SELECT state_json, version FROM bench_subject WHERE subject_id = %s "
                           "FOR UPDATE", [subject_id])
            row = cursor.fetchone()
        return StoredState(row[0], row[1]) if row else None

    def save_state(self, subject_id, state, *, now):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_subject (subject_id, state_json, version) VALUES (%s, %s, %s) "
                "ON CONFLICT (subject_id) DO UPDATE SET state_json = EXCLUDED.state_json, "
                "version = EXCLUDED.version", [subject_id, state.state_json, state.version])

    def organisation_for_lane(self, subject_id, task):
        return self.centre if task.role == "WINDOW_CLERK" else self.department

    def due_date_for(self, subject_id, task, *, now):
        return add_working_days(now.date(), 3)

    def after_step(self, subject_id, step):
        """A bench subject has no state of its own beyond the route's."""


def measure_completions(department, centre, handler, clients_list) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_subject (subject_id varchar(64) "
                       "PRIMARY KEY, state_json text NOT NULL, version integer NOT NULL)")
    register_subject("bench.subject", BenchSubjects(department, centre))
    route = _route(defaults.promise_route("基准事项"))
    result = {}
    for clients in clients_list:
        per_client = ARGS.completions if clients == 1 else max(25, ARGS.completions // clients)
        started = time.perf_counter()
        items: dict[int, list[int]] = {}
        for index in range(clients):
            items[index] = []
            for n in range(per_client + 1):
                step = services.process_start(
                    actor=None, route=route, subject_type="bench.subject",
                    subject_id=f"T{clients}-{index}-{n}", now=timezone.now())
                items[index].append(step.created[0].pk)
        start_seconds = time.perf_counter() - started
        starts = clients * (per_client + 1)
        actor = Account.objects.get(pk=handler.pk)

        def work(index, n, actor=actor, items=items):
            services.task_complete(actor=actor,
                                   work_item=selectors.WorkItem.objects.get(pk=items[index][n]),
                                   data={"decision": "pass"}, opinion="同意",
                                   now=timezone.now())

        latencies, elapsed, errors = run_clients(clients, per_client, work)
        result[f"clients_{clients}"] = {
            "completions": len(latencies),
            "completions_per_s": round(len(latencies) / elapsed, 1),
            "latency_ms": harness.percentiles(latencies),
            "process_start_per_s_1_client": round(starts / start_seconds, 1),
            "errors": errors[:3],
        }
    return result


def _route(xml: str):
    """A RouteDefinition-like object for a generated route (no catalog version needed)."""
    from types import SimpleNamespace

    from onewindow.workflow import bpmn

    parsed = bpmn.parse_route(xml)
    return SimpleNamespace(pk=None, bpmn_xml=parsed.xml, process_id=parsed.process_id)


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    rng = random.Random(ARGS.seed)
    sizes = [int(s) for s in ARGS.sizes.split(",") if s]
    clients_list = [int(c) for c in ARGS.clients.split(",") if c]
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    city, departments, centre = organisations()
    actors = {
        "department_handler": [account(f"h{n}", Role.HANDLER, departments[n]) for n in range(16)],
        "chief_representative": [account(f"c{n}", Role.CHIEF_REPRESENTATIVE, departments[n])
                                 for n in range(16)],
        "city_wide_handler": [account(f"ch{n}", Role.HANDLER, city) for n in range(16)],
    }
    report: dict = {
        "benchmark": "worklist",
        "database": connection.vendor,
        "postgres_version": connection.cursor().connection.info.server_version,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "departments": DEPARTMENTS,
        "ready_share": 0.15,
        "sizes": {},
    }
    from onewindow.identity.services import token_issue

    tokens = {person.pk: token_issue(actor=person, now=timezone.now()).secret
              for people in actors.values() for person in people}
    server = None
    if not ARGS.skip_http:
        connections.close_all()
        server = harness.Server(os.environ["DATABASE_URL"], Path(SCRATCH_DIR) / "serve",
                                workers=1, threads=max(clients_list)).__enter__()
    try:
        _sizes(report, sizes, departments, centre, rng, actors, clients_list, tokens, server)
    finally:
        if server:
            server.__exit__()
    handler = account("bench-handler", Role.HANDLER, departments[0])
    report["task_complete"] = measure_completions(departments[0], centre, handler, clients_list)
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    harness.emit(report)


def _sizes(report, sizes, departments, centre, rng, actors, clients_list, tokens,
           server) -> None:
    written = 0
    for size in sizes:
        copy_seconds = copy_work_items(size - written, written, departments, centre, rng)
        written = size
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FILTER (WHERE status = 'READY'), count(*) "
                           "FROM workflow_workitem")
            ready, total = cursor.fetchone()
        report["sizes"][str(size)] = {
            "rows": total, "ready_rows": ready, "copy_seconds": copy_seconds,
            "worklist": measure_worklists(actors, clients_list, tokens, server),
            "plan_city_wide": explain(actors["city_wide_handler"][0]),
            "plan_department": explain(actors["department_handler"][0]),
        }
        connections.close_all()


if __name__ == "__main__":
    try:
        main()
    finally:
        connections.close_all()
        if not ARGS.keep:
            admin(f'DROP DATABASE IF EXISTS "{ARGS.database}" WITH (FORCE)')
        import shutil

        shutil.rmtree(SCRATCH_DIR, ignore_errors=True)
