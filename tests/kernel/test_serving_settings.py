"""The database pool and the file storages come from the environment (ADR 0029)."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from onewindow.settings.database import database_settings, pool_options
from onewindow.settings.storage import S3, SIGNED_URL_SECONDS, storages_settings

PG = "postgres://ow:secret@db.internal:5432/onewindow"


def test_production_pools_postgresql_connections_sized_from_the_threads():
    database = database_settings(PG, {"ONEWINDOW_WEB_THREADS": "6"}, pool_default=True)
    assert database["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 6, "timeout": 10.0}
    # Django refuses a pool beside persistent connections.
    assert database["CONN_MAX_AGE"] == 0


def test_the_pool_is_sized_and_switched_by_its_variables():
    env = {"ONEWINDOW_DB_POOL": "true", "ONEWINDOW_DB_POOL_MIN_SIZE": "0",
           "ONEWINDOW_DB_POOL_MAX_SIZE": "3", "ONEWINDOW_DB_POOL_TIMEOUT": "2.5"}
    database = database_settings(PG, env, pool_default=False)
    assert database["OPTIONS"]["pool"] == {"min_size": 0, "max_size": 3, "timeout": 2.5}

    unpooled = database_settings(PG, {"ONEWINDOW_DB_POOL": "false"}, pool_default=True)
    assert "pool" not in unpooled.get("OPTIONS", {})
    assert unpooled["CONN_MAX_AGE"] == 60  # one persistent connection per thread instead


def test_behind_pgbouncer_no_cursor_outlives_its_transaction():
    assert not database_settings(PG, {}, pool_default=True)["DISABLE_SERVER_SIDE_CURSORS"]
    behind = database_settings(PG, {"ONEWINDOW_DB_PGBOUNCER": "1"}, pool_default=True)
    assert behind["DISABLE_SERVER_SIDE_CURSORS"] is True


def test_statements_are_prepared_on_postgresql_except_behind_pgbouncer():
    direct = database_settings(PG, {}, pool_default=True)["OPTIONS"]
    assert direct["server_side_binding"] is True
    assert direct["prepare_threshold"] >= 1
    behind = database_settings(PG, {"ONEWINDOW_DB_PGBOUNCER": "1"}, pool_default=True)
    assert "server_side_binding" not in behind.get("OPTIONS", {})
    assert "prepare_threshold" not in behind.get("OPTIONS", {})


@pytest.mark.django_db
def test_a_repeated_statement_is_planned_once_per_connection():
    from django.db import connection

    from onewindow.identity.models import Account

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for _ in range(3):
        list(Account.objects.filter(username="nobody-prepared"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("nobody-prepared" not in text and "identity_account" in text
               for text in prepared)


def test_a_pool_smaller_than_its_minimum_is_refused():
    with pytest.raises(ImproperlyConfigured, match="ONEWINDOW_DB_POOL_MAX_SIZE"):
        pool_options({"ONEWINDOW_DB_POOL_MIN_SIZE": "5", "ONEWINDOW_DB_POOL_MAX_SIZE": "2"})
    with pytest.raises(ImproperlyConfigured, match="ONEWINDOW_DB_POOL_MIN_SIZE"):
        pool_options({"ONEWINDOW_DB_POOL_MIN_SIZE": "0", "ONEWINDOW_DB_POOL_MAX_SIZE": "0"})


def test_sqlite_is_never_pooled():
    database = database_settings("sqlite:////tmp/x.sqlite3", {"ONEWINDOW_DB_POOL": "true"},
                                 pool_default=True)
    assert "pool" not in database["OPTIONS"]
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_files_stay_on_local_disk_by_default(tmp_path):
    storages = storages_settings({}, var_dir=tmp_path)
    assert storages["default"]["BACKEND"].endswith("FileSystemStorage")
    assert storages["audit_checkpoints"]["OPTIONS"]["location"] == str(
        Path(tmp_path) / "audit-checkpoints")


def test_s3_storage_is_a_private_bucket_with_short_signed_urls(tmp_path):
    env = {"ONEWINDOW_STORAGE": "s3", "ONEWINDOW_S3_BUCKET": "onewindow-files",
           "ONEWINDOW_S3_ENDPOINT_URL": "https://minio.internal:9000",
           "ONEWINDOW_S3_ADDRESSING_STYLE": "path",
           "ONEWINDOW_AUDIT_CHECKPOINT_BUCKET": "onewindow-audit"}
    storages = storages_settings(env, var_dir=tmp_path)
    files, checkpoints = storages["default"], storages["audit_checkpoints"]
    assert files["BACKEND"] == checkpoints["BACKEND"] == S3
    assert files["OPTIONS"] == {
        "bucket_name": "onewindow-files", "endpoint_url": "https://minio.internal:9000",
        "addressing_style": "path", "default_acl": "private", "querystring_auth": True,
        "querystring_expire": SIGNED_URL_SECONDS, "signature_version": "s3v4",
        "file_overwrite": False,
    }
    assert checkpoints["OPTIONS"]["bucket_name"] == "onewindow-audit"
    assert not checkpoints["OPTIONS"]["file_overwrite"]


def test_s3_storage_needs_a_bucket_and_a_known_kind(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="ONEWINDOW_S3_BUCKET"):
        storages_settings({"ONEWINDOW_STORAGE": "s3"}, var_dir=tmp_path)
    with pytest.raises(ImproperlyConfigured, match="ONEWINDOW_STORAGE"):
        storages_settings({"ONEWINDOW_STORAGE": "nfs"}, var_dir=tmp_path)
