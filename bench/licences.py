"""Benchmark: the licence library's verification and stock import, each against a floor,
round by round (bench/harness.py: the method).

    python bench/licences.py [--licences 2000] [--verifications 20000] [--rows 20000]
                             [--rounds 3] [--clients 4] [--duration 5]

Prints one JSON object:

- ``verify``: verifications per second through ``licence_verify`` (a QR link: parse the
  URL and identifier, load the licence and its key, rebuild the canonical payload, hash
  it, check the seal) against raw Ed25519 ``verify`` calls on the same seals in the same
  process, and their ratio (goal: ≥ 0.3); and ``POST /api/v1/licences/verify`` (the
  public verification API, no account needed) through ``onewindow serve`` started by the
  bench, by ``--clients`` keep-alive clients, with p99;
- ``import``: rows per second of ``licences_import`` (read CSV, check every row, hash,
  seal, insert in batches) and of a re-import of the same file (idempotent, no writes),
  against PostgreSQL ``COPY`` of the same rows into the licence table itself, and their
  ratio (goal: ≥ 0.3).

Each round runs the floor and the service in turn; figures are min / median / max over
the rounds. The database is a scratch one: with DATABASE_URL pointing at PostgreSQL a
database ``<name>_bench_<pid>`` is created next to it and dropped afterwards; otherwise a
SQLite file in a temporary directory (the COPY part is then skipped, with a note).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

SCRATCH = tempfile.mkdtemp(prefix="onewindow-bench-licences-")
os.environ["ONEWINDOW_VAR_DIR"] = SCRATCH
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings.dev")


def _scratch_postgres() -> tuple[str | None, str | None]:
    """(admin URL, scratch database name) when DATABASE_URL is PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        os.environ.pop("DATABASE_URL", None)
        return None, None
    import psycopg

    base, _, name = url.rpartition("/")
    scratch = f"{name.split('?')[0]}_bench_{os.getpid()}"
    admin = f"{base}/postgres"  # the named database need not exist
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{scratch}"')
    os.environ["DATABASE_URL"] = f"{base}/{scratch}"
    return admin, scratch


ADMIN_URL, SCRATCH_DB = _scratch_postgres()

import django  # noqa: E402

django.setup()

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from onewindow.identity.models import Organisation  # noqa: E402
from onewindow.licences import exports, services, signing  # noqa: E402
from onewindow.licences.importing import licences_import, read_rows  # noqa: E402
from onewindow.licences.models import HolderKind, Licence  # noqa: E402
from onewindow.licences.stock import stock_rows, write_csv  # noqa: E402
from onewindow.licences.verification import licence_verify  # noqa: E402


def setup_world(now):
    issuer = Organisation.objects.create(
        name="威海市市场监督管理局", kind=Organisation.Kind.DEPARTMENT, region_code="371000",
        level=3, credit_code="11371000MB1000002T",
    )
    issuer.path = f"/{issuer.pk}/"
    issuer.save(update_fields=["path"])
    licence_type = services.licence_type_create(
        actor=None, code="11371000MB1000002T001", name="食品经营许可证", issuers=[issuer],
        holder_kind=HolderKind.PERSON, validity_months=60,
        field_schema=[{"name": "category", "label": "经营项目", "type": "text",
                       "required": True}],
        now=now,
    )
    return issuer, licence_type


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0


def verify_steps(licences: list[Licence], samples: int, now, rng) -> dict:
    """The floor (raw Ed25519 on ready keys and signing inputs) and the service, on the
    same picks of the same seals."""
    urls = [exports.verify_url(lic) for lic in licences]
    picks = [rng.randrange(len(urls)) for _ in range(samples)]
    key = Ed25519PublicKey.from_public_bytes(bytes(licences[0].signing_key.public_key))
    inputs = [
        (signing.b64u_decode(lic.seal_signature), signing.seal_signing_input(
            algorithm=lic.signing_key.algorithm, kid=lic.signing_key.kid,
            identifier=lic.identifier, payload_sha256=lic.payload_sha256))
        for lic in licences
    ]

    def raw() -> dict:
        started = time.perf_counter()
        for i in picks:
            key.verify(*inputs[i])
        return {"ops_per_s": rate(samples, time.perf_counter() - started)}

    def service() -> dict:
        outcomes: dict[str, int] = {}
        latencies = []
        started = time.perf_counter()
        for i in picks:
            began = time.perf_counter()
            outcome = licence_verify(url=urls[i], now=now).outcome
            latencies.append(time.perf_counter() - began)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        seconds = time.perf_counter() - started
        return {"ops_per_s": rate(samples, seconds), "outcomes": outcomes,
                "latency_ms": harness.percentiles(latencies)}

    return {"raw_ed25519": raw, "service": service, "urls": urls}


def http_step(server, urls: list[str], clients: int, duration: float):
    def op(client, index, n):
        answer = client.call("POST", "/api/v1/licences/verify",
                             json_body={"url": urls[(index * 7919 + n) % len(urls)]})
        if answer["outcome"] not in ("valid", "expired"):
            raise RuntimeError(answer["outcome"])

    return lambda: harness.load(clients, duration, lambda i: harness.Client(server.base), op)


def copy_rows_per_second(serial_prefix: str) -> tuple[float | None, str]:
    if connection.vendor != "postgresql":
        return None, "COPY skipped: not PostgreSQL (set DATABASE_URL to a PostgreSQL database)"
    fields = [f for f in Licence._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    rows = [
        [f.get_db_prep_save(getattr(lic, f.attname), connection) for f in fields]
        for lic in Licence.objects.filter(serial__startswith=serial_prefix)
        .iterator(chunk_size=5000)
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3
        # The same rows into the real table (its indexes, checks, foreign keys and WAL):
        # taken out first, written back by COPY, and the whole rolled back.
        raw.execute("DELETE FROM licences_licence WHERE serial LIKE %s", [f"{serial_prefix}%"])
        started = time.perf_counter()
        with raw.copy(f"COPY licences_licence ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred foreign keys checked here
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return rate(len(rows), seconds), (
        "COPY of the same rows into licences_licence itself (indexes, checks, foreign keys, "
        "WAL), rolled back afterwards"
    )


def import_steps(issuer, licence_type, rows: int, now) -> dict:
    """Each round imports a file of its own (serials B1…, B2…), re-imports it, and copies
    the same rows with COPY: the floor."""
    state = {"round": 0}

    def service() -> dict:
        state["round"] += 1
        prefix = f"B{state['round']}"
        path = Path(SCRATCH) / f"stock-{prefix}.csv"
        write_csv(path, stock_rows(rows, type_code=licence_type.code,
                                   issuer_code=issuer.credit_code, serial_prefix=prefix))
        report = licences_import(actor=None, rows=read_rows(path), now=now)
        again = licences_import(actor=None, rows=read_rows(path), now=now)
        assert report.created == rows and again.unchanged == rows, (report, again)
        return {"ops_per_s": rate(rows, report.seconds),
                "reimport_rows_per_second": rate(rows, again.seconds)}

    def copy() -> dict:
        copied, note = copy_rows_per_second(f"B{state['round']}")
        return {"ops_per_s": copied, "note": note}

    # The service first in a round: the floor copies the rows it imported.
    return {"import": service, "copy": copy}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licences", type=int, default=2000,
                        help="licences in the library while verifying")
    parser.add_argument("--verifications", type=int, default=20000,
                        help="verifications per round, in process")
    parser.add_argument("--rows", type=int, default=20000, help="rows imported per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4, help="HTTP clients")
    parser.add_argument("--duration", type=float, default=5.0,
                        help="seconds of HTTP verification per round")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--seed", type=int, default=36)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    now = timezone.now()
    issuer, licence_type = setup_world(now)
    rng = random.Random(args.seed)

    licences_import(actor=None, rows=enumerate(stock_rows(
        args.licences, type_code=licence_type.code, issuer_code=issuer.credit_code,
        serial_prefix="V"), start=2), now=now)
    licences = list(Licence.objects.select_related("signing_key")
                    .filter(serial__startswith="V"))
    verify = verify_steps(licences, args.verifications, now, rng)
    urls = verify.pop("urls")
    steps = dict(verify)
    server = None
    if not args.skip_http:
        connections.close_all()
        server = harness.Server(_database_url(), Path(SCRATCH) / "serve", workers=1,
                                threads=args.clients).__enter__()
        steps["http"] = http_step(server, urls, args.clients, args.duration)
    try:
        verified = harness.rounds(args.rounds, steps)
    finally:
        if server:
            server.__exit__()
    imported = harness.rounds(args.rounds, import_steps(issuer, licence_type, args.rows, now))

    verify_report = {"samples": args.verifications, "licences": len(licences),
                     "latency_ms_all_rounds": harness.pool_latencies(verified),
                     "rounds": verified,
                     "summary": harness.compare(verified, figure="ops_per_s",
                                                floor="raw_ed25519"),
                     "goal": "service ratio_to_raw_ed25519 >= 0.3"}
    import_report = {"rows": args.rows, "rounds": imported, "goal": "import ratio_to_copy >= 0.3"}
    if connection.vendor == "postgresql":
        import_report["summary"] = harness.compare(imported, figure="ops_per_s", floor="copy")
    else:
        import_report["note"] = imported["copy"][0]["note"]
    harness.emit({"benchmark": "licences", "database": connection.vendor,
                  "rounds": args.rounds, "environment": harness.environment(),
                  "verify": verify_report, "import": import_report})


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return os.environ["DATABASE_URL"]


if __name__ == "__main__":
    try:
        main()
    finally:
        connections.close_all()
        import shutil

        shutil.rmtree(SCRATCH, ignore_errors=True)
        if ADMIN_URL and SCRATCH_DB:
            import psycopg

            with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH_DB}" WITH (FORCE)')
