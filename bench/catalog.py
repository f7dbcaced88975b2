"""Benchmark: the Guangdong catalog import, and item_list / item_get latency at the real
catalog size (2,262 records) and at 100,000 generated items.

    python bench/catalog.py [--items 100000] [--samples 200] [--database-url URL] [--keep]

Prints one JSON object. By default it works in a fresh SQLite file under /tmp (set
before Django starts, migrated here) and removes it afterwards; ``--database-url`` points
it at an empty PostgreSQL database instead. Latencies are measured through the catalog
router (ninja's test client: parameter parsing, the selector and response
serialisation, no HTTP server), in milliseconds, after a warm-up.

Name search at the generated size (``search``) runs round by round (bench/harness.py):
the floor is the search's own SQL run bare on a cursor, then the same search through the
router in process, then ``GET /api/v1/catalog/items?q=…`` (public: no sign-in) through
``onewindow serve`` started by the bench, by ``--clients`` keep-alive clients; with the
plan of the search SQL (on PostgreSQL: the bigram index, catalog/search.py).

The 100,000 items are made with bulk inserts from the imported ones: every department
gets implementations of generated base entries, each version a copy of a real version's
elements (names suffixed so they differ), with materials and service objects.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import harness  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    parser.add_argument("--seed", type=int, default=39046)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4, help="HTTP clients")
    parser.add_argument("--duration", type=float, default=5.0,
                        help="seconds of HTTP search per query and round")
    parser.add_argument("--skip-http", action="store_true")
    return parser.parse_args()


ARGS = parse_args()
WORKDIR = Path(tempfile.mkdtemp(prefix="onewindow-bench-catalog-"))
DB_FILE = WORKDIR / "catalog.sqlite3"
os.environ["DJANGO_SETTINGS_MODULE"] = "onewindow.settings.dev"
os.environ["DATABASE_URL"] = ARGS.database_url or f"sqlite:///{DB_FILE}"
os.environ["ONEWINDOW_VAR_DIR"] = str(WORKDIR)
os.environ.setdefault("ONEWINDOW_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from ninja.testing import TestClient  # noqa: E402

from onewindow.catalog.api import router  # noqa: E402
from onewindow.catalog.codes import ImplementationStatus, VersionStatus  # noqa: E402
from onewindow.catalog.importers.gdzwfw import import_gdzwfw  # noqa: E402
from onewindow.catalog.models import (  # noqa: E402
    CatalogEntry,
    Implementation,
    ImplementationVersion,
    Material,
    Theme,
)
from onewindow.identity.models import Organisation  # noqa: E402

BATCH = 2000
ACTIVE = str(ImplementationStatus.ACTIVE.value)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)

    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99),
            "mean": round(statistics.fmean(ordered) * 1000, 2), "n": len(ordered)}


def timed(client: TestClient, url: str, samples: int, warmup: int = 10) -> dict[str, float]:
    for _ in range(warmup):
        client.get(url)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]}")
    return percentiles(times)


def timed_get(client: TestClient, codes: list[str], samples: int) -> dict[str, float]:
    rng = random.Random(ARGS.seed)
    for code in codes[:10]:
        client.get(f"/items/{code}")
    times = []
    for _ in range(samples):
        code = rng.choice(codes)
        started = time.perf_counter()
        response = client.get(f"/items/{code}")
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"item_get {code} answered {response.status_code}")
    return percentiles(times)


def measure(samples: int) -> dict:
    client = TestClient(router)
    codes = list(Implementation.objects.filter(current_version__isnull=False)
                 .values_list("code", flat=True))
    department = Organisation.objects.filter(kind="DEPARTMENT").order_by("pk").first()
    province = Organisation.objects.filter(kind="GOVERNMENT", region_code="440000").first()
    theme = Theme.objects.filter(name="文化体育").first() or Theme.objects.first()
    page1 = client.get("/items?limit=20").json()
    return {
        "items": len(codes),
        "item_list": {
            "first_page": timed(client, "/items?limit=20", samples),
            "second_page": timed(client, f"/items?limit=20&cursor={page1['next_cursor']}",
                                 samples),
            "type_01": timed(client, "/items?type=01&limit=20", samples),
            "department": timed(client, f"/items?org={department.pk}&limit=20", samples),
            "province_subtree_and_theme": timed(
                client, f"/items?org={province.pk}&theme={theme.pk}&limit=20", samples),
            "service_object_2": timed(client, "/items?service_object=2&limit=20", samples),
            "q_社保": timed(client, "/items?q=社保&limit=20", samples),
            "q_教材": timed(client, "/items?q=教材&limit=20", samples),
        },
        "item_get": timed_get(client, codes, samples),
    }


def generate(total: int) -> dict:
    """Add implementations until there are ``total``, in set-based SQL: each new version
    copies a real imported version (name and search words suffixed with a serial), with
    its materials, service objects and themes. Runs the same on SQLite and PostgreSQL."""
    started = time.perf_counter()
    now = timezone.now()
    needed = max(0, total - Implementation.objects.count())
    if not needed:
        return {"generated": 0, "seconds": 0.0}
    departments = list(Organisation.objects.exclude(credit_code__isnull=True)
                       .filter(implementations__isnull=False).distinct().order_by("pk")
                       .values_list("pk", "credit_code", "level"))
    sources = list(ImplementationVersion.objects.filter(status=VersionStatus.PUBLISHED)
                   .order_by("pk").values_list("pk", flat=True))
    rng = random.Random(ARGS.seed)
    per_department = needed // len(departments) + 1
    qn = connection.ops.quote_name
    with transaction.atomic():
        entries = CatalogEntry.objects.bulk_create(
            [CatalogEntry(basic_code=f"45{20 + i % 10:02d}{i:05d}{i % 1000:03d}",
                          name=f"生成目录{i}", item_type="20" if i % 3 else "01",
                          exercise_level="2", created_at=now, updated_at=now)
             for i in range(per_department)],
            batch_size=BATCH,
        )
        first_impl = (Implementation.objects.order_by("-pk").values_list("pk", flat=True)
                      .first() or 0) + 1
        first_version = (ImplementationVersion.objects.order_by("-pk")
                         .values_list("pk", flat=True).first() or 0) + 1
        impl_rows, map_rows = [], []
        for serial in range(needed):
            org_pk, credit_code, level = departments[serial % len(departments)]
            entry = entries[serial // len(departments)]
            impl_id, version_id = first_impl + serial, first_version + serial
            impl_rows.append((impl_id, f"{credit_code}{level}{entry.basic_code}", entry.pk,
                              org_pk, str(level), ACTIVE, version_id, True, "", now, now))
            map_rows.append((impl_id, version_id, rng.choice(sources), serial))
        stamp = connection.ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:
            impl_table = Implementation._meta.db_table
            columns = ["id", "code", "entry_id", "organisation_id", "level", "status",
                       "current_version_id", "in_hall", "not_in_hall_reason", "created_at",
                       "updated_at"]
            cursor.executemany(
                f"INSERT INTO {qn(impl_table)} ({', '.join(map(qn, columns))}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})",
                [tuple(stamp if value is now else value for value in row)
                 for row in impl_rows],
            )
            cursor.execute("CREATE TEMPORARY TABLE bench_map (impl_id bigint, version_id bigint,"
                           " source_id bigint, n integer)")
            cursor.executemany("INSERT INTO bench_map VALUES (%s, %s, %s, %s)", map_rows)
            _copy_versions(cursor)
            cursor.execute("DROP TABLE bench_map")
        if connection.vendor == "postgresql":
            from django.core.management.color import no_style

            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(
                    no_style(), [Implementation, ImplementationVersion]
                ):
                    cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics on both databases
    return {"generated": needed, "seconds": round(time.perf_counter() - started, 1)}


def _copy_versions(cursor) -> None:
    qn = connection.ops.quote_name
    version_table = ImplementationVersion._meta.db_table
    overrides = {
        "id": "m.version_id",
        "implementation_id": "m.impl_id",
        "number": "1",
        "status": "'PUBLISHED'",
        "valid_to": "NULL",
        "change_reason": "'bench'",
        "name": "src.name || '（' || CAST(m.n AS TEXT) || '）'",
        "search_text": "src.search_text || ' ' || CAST(m.n AS TEXT)",
    }
    columns = [f.column for f in ImplementationVersion._meta.concrete_fields]
    select = [overrides.get(c, f"src.{qn(c)}") for c in columns]
    cursor.execute(
        f"INSERT INTO {qn(version_table)} ({', '.join(map(qn, columns))}) "
        f"SELECT {', '.join(select)} FROM bench_map m "
        f"JOIN {qn(version_table)} src ON src.id = m.source_id"
    )
    material_table = Material._meta.db_table
    columns = [f.column for f in Material._meta.concrete_fields if f.column != "id"]
    select = ["m.version_id" if c == "version_id" else f"mat.{qn(c)}" for c in columns]
    cursor.execute(
        f"INSERT INTO {qn(material_table)} ({', '.join(map(qn, columns))}) "
        f"SELECT {', '.join(select)} FROM bench_map m "
        f"JOIN {qn(material_table)} mat ON mat.version_id = m.source_id"
    )
    for through, other in ((ImplementationVersion.service_objects.through, "serviceobject_id"),
                           (ImplementationVersion.themes.through, "theme_id")):
        table = qn(through._meta.db_table)
        cursor.execute(
            f"INSERT INTO {table} (implementationversion_id, {other}) "
            f"SELECT m.version_id, t.{other} FROM bench_map m "
            f"JOIN {table} t ON t.implementationversion_id = m.source_id"
        )


SEARCHES = ("社保", "教材")


def search_rounds() -> dict:
    """Name search at this size: bare SQL (the floor), in process, over HTTP; round by
    round."""
    client = TestClient(router)
    sql = {}
    for q in SEARCHES:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/items?q={q}&limit=20").status_code == 200
        sql[q] = max((x["sql"] for x in queries.captured_queries), key=len)
    plan = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for q in SEARCHES:
                cursor.execute(f"EXPLAIN {sql[q]}")
                plan[q] = [row[0] for row in cursor.fetchall()
                           if "Scan" in row[0] or "Index" in row[0]][:12]

    def bare(q):
        def step() -> dict:
            times = []
            with connection.cursor() as cursor:
                for _ in range(ARGS.samples):
                    started = time.perf_counter()
                    cursor.execute(sql[q])
                    cursor.fetchall()
                    times.append(time.perf_counter() - started)
            return {"ops_per_s": round(len(times) / sum(times), 1),
                    "latency_ms": harness.percentiles(times)}
        return step

    def in_process(q):
        def step() -> dict:
            times = timed(client, f"/items?q={q}&limit=20", ARGS.samples, warmup=2)
            return {"ops_per_s": round(1000 / times["mean"], 1), "latency_ms": times}
        return step

    def over_http(server, q):
        def op(http, index, n):
            http.call("GET", f"/api/v1/catalog/items?q={quote(q)}&limit=20")
        return lambda: harness.load(ARGS.clients, ARGS.duration,
                                    lambda i: harness.Client(server.base), op)

    server = None
    steps = {}
    for q in SEARCHES:
        steps[f"bare_sql_{q}"] = bare(q)
        steps[f"in_process_{q}"] = in_process(q)
    if not ARGS.skip_http:
        connections.close_all()
        server = harness.Server(_database_url(), WORKDIR / "serve", workers=1,
                                threads=ARGS.clients).__enter__()
        for q in SEARCHES:
            steps[f"http_{q}"] = over_http(server, q)
    try:
        results = harness.rounds(ARGS.rounds, steps)
    finally:
        if server:
            server.__exit__()
    pooled = harness.pool_latencies(results)
    summary = {}
    for q in SEARCHES:
        mine = {name: results[name] for name in results if name.endswith(q)}
        summary[q] = harness.compare(mine, figure="ops_per_s", floor=f"bare_sql_{q}")
    return {"plan": plan, "summary": summary, "latency_ms_all_rounds": pooled,
            "rounds": results}


def _database_url() -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{connection.settings_dict['NAME']}"
    return os.environ["DATABASE_URL"]


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    now = timezone.now()
    report = import_gdzwfw(now=now)
    first = report.as_dict()
    again = import_gdzwfw(now=timezone.now()).as_dict()
    result = {
        "database": connection.vendor,
        "import": {
            "file_records": first["read"], "created": first["created"],
            "skipped": first["skipped"], "seconds": first["seconds"],
            "records_per_second": round(first["read"] / first["seconds"], 1),
        },
        "reimport": {"unchanged": again["unchanged"], "created": again["created"],
                     "updated": again["updated"], "seconds": again["seconds"]},
        "at_real_size": measure(ARGS.samples),
    }
    result["generate"] = generate(ARGS.items)
    result["at_generated_size"] = measure(ARGS.samples)
    result["search"] = search_rounds()
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    harness.emit({"benchmark": "catalog", **result, "environment": harness.environment()})


if __name__ == "__main__":
    try:
        main()
    finally:
        connection.close()
        if not ARGS.keep:
            shutil.rmtree(WORKDIR, ignore_errors=True)
