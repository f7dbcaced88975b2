"""A second database session beside the request's own (ADR 0029).

The case-number serial is taken on a second connection in autocommit while the
submission's transaction stays open (cases/numbering.py). With the psycopg pool, a second
connection borrowed from the same pool could wait forever in the worst case: every thread
holding its request's connection and each waiting for one more, none coming back before
the pool's timeout. So the second session comes from a pool of its own, per process
(alias ``<alias>:side``), that nothing holds while it waits: it is borrowed for one
statement and given back.
"""

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

SIDE_SUFFIX = ":side"
# Nothing is kept open for the side pool while idle. Each connection in it is borrowed for
# one statement, so two per process are plenty: a third caller waits a moment, never long.
SIDE_POOL_MIN_SIZE = 0
SIDE_POOL_MAX_SIZE = 2


def side_alias(alias: str) -> str:
    return alias + SIDE_SUFFIX


def side_connection(connection: BaseDatabaseWrapper) -> BaseDatabaseWrapper:
    """A new session on ``connection``'s database, in autocommit; the caller closes it
    (which gives a pooled one back to its pool)."""
    pool = connection.settings_dict.get("OPTIONS", {}).get("pool")
    if not pool:
        return connection.copy()
    side = connection.copy(alias=side_alias(connection.alias))
    options = {} if pool is True else dict(pool)
    side.settings_dict["OPTIONS"]["pool"] = {
        **options, "min_size": SIDE_POOL_MIN_SIZE, "max_size": SIDE_POOL_MAX_SIZE}
    return side


def close_connections_and_pools() -> None:
    """Close this process's connections and connection pools. ``onewindow serve`` calls it
    before gunicorn forks its workers: a child must open its own, never share a socket
    (or a pool whose threads stayed behind) with its parent."""
    connections.close_all()
    for connection in connections.all(initialized_only=True):
        pools = getattr(type(connection), "_connection_pools", None)  # PostgreSQL's, per alias
        while pools:
            pools.popitem()[1].close()
