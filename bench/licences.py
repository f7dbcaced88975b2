"""Benchmark: the licence library's verification and stock import, each against a floor.

    python bench/licences.py [--licences 2000] [--verifications 20000] [--rows 20000]

Prints one JSON object:

- ``verify``: verifications per second through ``licence_verify`` (a QR link: parse the
  URL and identifier, load the licence and its key, rebuild the canonical payload, hash
  it, check the seal) against raw Ed25519 ``verify`` calls on the same seals in the same
  process, and their ratio (the service's share of the floor);
- ``import``: rows per second of ``licences_import`` (read CSV, check every row, hash,
  seal, insert in batches) and of a re-import of the same file (idempotent, no writes),
  against PostgreSQL ``COPY`` of the same rows as stored, and their ratio.

The database is a scratch one: with DATABASE_URL pointing at PostgreSQL a database
``<name>_bench_<pid>`` is created next to it and dropped afterwards; otherwise a SQLite
file in a temporary directory (the COPY part is then skipped, with a note).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

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


def bench_verify(licences: list[Licence], samples: int, now, rng) -> dict:
    urls = [exports.verify_url(lic) for lic in licences]
    picks = [rng.randrange(len(urls)) for _ in range(samples)]
    outcomes: dict[str, int] = {}
    started = time.perf_counter()
    for i in picks:
        outcome = licence_verify(url=urls[i], now=now).outcome
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    service_seconds = time.perf_counter() - started

    # The floor: the same seals, checked with a ready key object and ready signing input.
    key = Ed25519PublicKey.from_public_bytes(bytes(licences[0].signing_key.public_key))
    inputs = [
        (signing.b64u_decode(lic.seal_signature), signing.seal_signing_input(
            algorithm=lic.signing_key.algorithm, kid=lic.signing_key.kid,
            identifier=lic.identifier, payload_sha256=lic.payload_sha256))
        for lic in licences
    ]
    started = time.perf_counter()
    for i in picks:
        key.verify(*inputs[i])
    raw_seconds = time.perf_counter() - started
    service, raw = rate(samples, service_seconds), rate(samples, raw_seconds)
    return {
        "samples": samples,
        "outcomes": outcomes,
        "service_per_second": service,
        "raw_ed25519_per_second": raw,
        "ratio": round(service / raw, 4) if raw else None,
        "service_ms": round(1000 * service_seconds / samples, 4),
    }


def copy_rows_per_second(type_code: str) -> tuple[float | None, str]:
    if connection.vendor != "postgresql":
        return None, "COPY skipped: not PostgreSQL (set DATABASE_URL to a PostgreSQL database)"
    fields = [f for f in Licence._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    rows = [
        [f.get_db_prep_save(getattr(lic, f.attname), connection) for f in fields]
        for lic in Licence.objects.filter(type_code=type_code).iterator(chunk_size=5000)
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3
        # The same rows into the real table (its indexes, checks, foreign keys and WAL):
        # taken out first, written back by COPY, and the whole rolled back.
        raw.execute("DELETE FROM licences_licence WHERE type_code = %s", [type_code])
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


def bench_import(issuer, licence_type, rows: int, now) -> dict:
    path = Path(SCRATCH) / "stock.csv"
    write_csv(path, stock_rows(rows, type_code=licence_type.code, issuer_code=issuer.credit_code,
                               serial_prefix="B"))
    report = licences_import(actor=None, rows=read_rows(path), now=now)
    again = licences_import(actor=None, rows=read_rows(path), now=now)
    assert report.created == rows and again.unchanged == rows, (report, again)
    copy, note = copy_rows_per_second(licence_type.code)
    imported = rate(rows, report.seconds)
    return {
        "rows": rows,
        "rows_per_second": imported,
        "reimport_rows_per_second": rate(rows, again.seconds),
        "copy_rows_per_second": copy,
        "ratio": round(imported / copy, 4) if copy else None,
        "note": note,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licences", type=int, default=2000,
                        help="licences in the library while verifying")
    parser.add_argument("--verifications", type=int, default=20000)
    parser.add_argument("--rows", type=int, default=20000, help="rows imported")
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
    result = {
        "database": connection.vendor,
        "verify": bench_verify(licences, args.verifications, now, rng),
        "import": bench_import(issuer, licence_type, args.rows, now),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


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
