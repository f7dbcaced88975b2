"""With Django's psycopg pool, a submission takes its case-number serial on a second
connection from a pool of its own: a full request pool cannot make it wait (ADR 0029)."""

import contextlib

import pytest
from django.db import connection, connections

from onewindow.cases.tests.factories import submit_online
from onewindow.common.db import close_connections_and_pools, side_alias
from onewindow.testing.world import build_world


@contextlib.contextmanager
def pooled(**pool):
    """This test's connections come from a psycopg pool of ``pool``'s size."""
    connection.close()
    settings_dict = connection.settings_dict  # shared by every thread's connection
    saved = {"OPTIONS": settings_dict["OPTIONS"], "CONN_MAX_AGE": settings_dict["CONN_MAX_AGE"]}
    settings_dict.update(OPTIONS={**saved["OPTIONS"], "pool": pool}, CONN_MAX_AGE=0)
    try:
        yield
    finally:
        close_connections_and_pools()
        settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_a_submission_holding_the_only_pooled_connection_still_gets_its_number(
        postgres_only, now, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world(now=now)
    pools = type(connections["default"])._connection_pools
    with pooled(min_size=0, max_size=1, timeout=2):
        case = submit_online(world, now)
        # Borrowed from the same pool, the serial's connection would have waited for the
        # submission's own and failed after the timeout (PoolTimeout).
        assert set(pools) == {"default", side_alias("default")}
        assert pools["default"].max_size == 1
        assert pools[side_alias("default")].get_stats()["pool_max"] == 2
    assert case.number.endswith("0001")
    # Closed before gunicorn forks (onewindow serve): nothing of them is left behind.
    assert pools == {}
