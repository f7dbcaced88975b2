"""The database connection from DATABASE_URL and the ONEWINDOW_DB_* variables (ADR 0029).

SQLite is the embedded default: WAL, IMMEDIATE transactions, one connection per request.
PostgreSQL connections are either persistent per thread (``CONN_MAX_AGE``) or, with
``ONEWINDOW_DB_POOL`` on (the production default), borrowed per request from Django's
psycopg pool: each server process keeps at most ``ONEWINDOW_DB_POOL_MAX_SIZE`` open, so
a server holds at most workers × that many, whatever its traffic.
"""

from collections.abc import Mapping
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

# A request waits this long for a pooled connection before it fails (psycopg's PoolTimeout).
POOL_TIMEOUT_SECONDS = 10.0
# Connections a process keeps open while idle; the pool grows to the maximum under load and
# shrinks back after psycopg's max_idle (10 minutes).
POOL_MIN_SIZE = 1
# One connection per gunicorn thread by default (``onewindow serve --threads``).
DEFAULT_THREADS = 4

TRUE = {"1", "true", "yes", "on"}


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = env.get(name)
    return default if value is None else value.strip().lower() in TRUE


# Executions of one statement on one connection before psycopg prepares it.
PREPARE_THRESHOLD = 2


def pool_options(env: Mapping[str, str]) -> dict[str, Any]:
    """The psycopg pool of one process: min/max size and how long a request may wait."""
    threads = int(env.get("ONEWINDOW_WEB_THREADS") or DEFAULT_THREADS)
    min_size = int(env.get("ONEWINDOW_DB_POOL_MIN_SIZE") or POOL_MIN_SIZE)
    max_size = int(env.get("ONEWINDOW_DB_POOL_MAX_SIZE") or max(threads, min_size))
    if min_size < 0 or max_size < max(min_size, 1):
        raise ImproperlyConfigured(
            f"ONEWINDOW_DB_POOL_MIN_SIZE ({min_size}) and ONEWINDOW_DB_POOL_MAX_SIZE "
            f"({max_size}): the minimum must be 0 or more and the maximum at least 1 and "
            "not below the minimum.")
    timeout = float(env.get("ONEWINDOW_DB_POOL_TIMEOUT") or POOL_TIMEOUT_SECONDS)
    return {"min_size": min_size, "max_size": max_size, "timeout": timeout}


def database_settings(url: str, env: Mapping[str, str], *, pool_default: bool) -> dict[str, Any]:
    """``DATABASES["default"]`` for ``url``; ``pool_default`` applies when
    ``ONEWINDOW_DB_POOL`` is not set."""
    database: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    engine = database.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        # WAL lets readers and one writer work at once; IMMEDIATE transactions take the
        # write lock up front so two writers queue instead of failing with "database is
        # locked".
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        return database
    if _flag(env, "ONEWINDOW_DB_PGBOUNCER", default=False):
        # PgBouncer in transaction mode hands each transaction any server connection: a
        # named cursor (QuerySet.iterator) would not outlive its transaction.
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
    elif engine == "django.db.backends.postgresql":
        # Parameters bound on the server, and a statement sent a second time on a
        # connection is prepared: PostgreSQL then plans it once per connection instead of
        # every time. A case lock joins eight tables, whose plan alone took 7-10 ms of the
        # server's CPU on every call (ADR 0028). PgBouncer in transaction mode cannot keep
        # a prepared statement with its connection, so it is left out there.
        database["OPTIONS"] = {**database.get("OPTIONS", {}), "server_side_binding": True,
                               "prepare_threshold": PREPARE_THRESHOLD}
    pooled = _flag(env, "ONEWINDOW_DB_POOL", default=pool_default)
    if pooled and engine == "django.db.backends.postgresql":
        # Django refuses a pool with persistent connections: the pool is what persists.
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"] = {**database.get("OPTIONS", {}), "pool": pool_options(env)}
    return database
