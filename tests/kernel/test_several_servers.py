"""Several app servers must share their cache, database and files: every command (so
``onewindow serve`` first of all) refuses to start otherwise (ADR 0029)."""

import pytest
from django.core.checks import Error, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from onewindow.settings.storage import storages_settings

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                     "LOCATION": "redis://cache.internal:6379/0"}}
POSTGRES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "onewindow"}}
# The check reads the settings; no connection is made with these.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
SERVER_IDS = {"onewindow.E010", "onewindow.E011", "onewindow.E012"}


def _errors() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for message in run_checks(tags=["servers"]):
        if isinstance(message, Error):
            found.setdefault(message.id or "", []).append(message.msg)
    return found


@pytest.fixture
def several(settings, tmp_path):
    """Twelve servers, configured as one: Redis, PostgreSQL, files in a shared mount."""
    settings.ONEWINDOW_SERVERS = 12
    settings.CACHES = REDIS
    settings.DATABASES = POSTGRES
    settings.MEDIA_ROOT = tmp_path / "shared" / "media"
    settings.STORAGES = storages_settings(
        {"ONEWINDOW_AUDIT_CHECKPOINT_DIR": str(tmp_path / "shared" / "checkpoints")},
        var_dir=tmp_path)
    settings.ONEWINDOW_SHARED_PATHS = [str(tmp_path / "shared")]
    return settings


def test_one_server_needs_nothing_shared(settings):
    settings.ONEWINDOW_SERVERS = 1
    settings.CACHES = LOCAL
    assert not SERVER_IDS & set(_errors())


def test_several_servers_configured_alike_pass(several):
    assert not SERVER_IDS & set(_errors())


def test_a_per_process_cache_is_refused(several):
    several.CACHES = LOCAL
    errors = _errors()
    assert set(errors) & SERVER_IDS == {"onewindow.E010"}
    assert "ONEWINDOW_SERVERS is 12" in errors["onewindow.E010"][0]
    assert "LocMemCache" in errors["onewindow.E010"][0]


def test_sqlite_is_refused(several):
    several.DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}}
    assert set(_errors()) & SERVER_IDS == {"onewindow.E012"}


def test_files_on_one_servers_own_disk_are_refused(several, tmp_path):
    several.MEDIA_ROOT = tmp_path / "local" / "media"
    errors = _errors()
    assert set(errors) & SERVER_IDS == {"onewindow.E011"}
    assert errors["onewindow.E011"] == [
        f"ONEWINDOW_SERVERS is 12 but the storage 'default' writes to {tmp_path}/local/media "
        "on this server's own disk."]
    several.ONEWINDOW_SHARED_PATHS = []
    assert len(_errors()["onewindow.E011"]) == 2  # the audit checkpoints too


def test_files_in_object_storage_pass(several, tmp_path):
    several.ONEWINDOW_SHARED_PATHS = []
    several.STORAGES = storages_settings(
        {"ONEWINDOW_STORAGE": "s3", "ONEWINDOW_S3_BUCKET": "files",
         "ONEWINDOW_AUDIT_CHECKPOINT_BUCKET": "audit"}, var_dir=tmp_path)
    assert not SERVER_IDS & set(_errors())


@pytest.mark.django_db  # the model checks that run with it ask the database
def test_serve_refuses_to_start_without_a_shared_cache(several, monkeypatch):
    from onewindow.web.management.commands import serve

    started = []
    monkeypatch.setattr(serve._Server, "run", lambda self: started.append(self.options))
    several.CACHES = LOCAL
    with pytest.raises(SystemCheckError, match="ONEWINDOW_REDIS_URL"):
        call_command("serve", "--bind", "127.0.0.1:0", skip_checks=False)
    assert started == []
