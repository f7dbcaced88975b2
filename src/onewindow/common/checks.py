"""Checks of the deployment (``onewindow check --deploy``), run before a release: settings
whose empty default suits a demo but would put something wrong on paper in production;
and, at every start (``onewindow serve`` refuses to run with an error), what several app
servers must share (ADR 0029)."""

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError
from django.utils.module_loading import import_string

PUBLIC_BASE_URL_MISSING = Error(
    "ONEWINDOW_PUBLIC_BASE_URL is not set.",
    hint="Set it to the public address of the portal (e.g. https://zwfw.example.gov.cn): the "
         "QR codes printed on notices and licences link there. Without it they carry the "
         "host of whichever request or worker rendered them, possibly an intranet one.",
    id="onewindow.E001",
)


@register(Tags.security, deploy=True)
def check_public_base_url(app_configs=None, **kwargs) -> list[Error]:
    value = (getattr(settings, "ONEWINDOW_PUBLIC_BASE_URL", "") or "").strip()
    if not value:
        return [PUBLIC_BASE_URL_MISSING]
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [Error(
            f"ONEWINDOW_PUBLIC_BASE_URL ({value!r}) is not an absolute http(s) address.",
            hint="Write the scheme and host, e.g. https://zwfw.example.gov.cn",
            id="onewindow.E002",
        )]
    return []


# Caches that live in one process or on one host's disk: another server never sees them.
LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}
# Static files are part of the release each server carries; they need not be shared.
PER_SERVER_STORAGES = {"staticfiles"}


@register("servers")
def check_several_servers(app_configs=None, **kwargs) -> list[Error]:
    """With ONEWINDOW_SERVERS above 1: a cache, a database and file storages that every
    server shares."""
    servers = int(getattr(settings, "ONEWINDOW_SERVERS", 1) or 1)
    if servers <= 1:
        return []
    return [*_cache_errors(servers), *_database_errors(servers), *_storage_errors(servers)]


def _cache_errors(servers: int) -> list[Error]:
    return [
        Error(
            f"ONEWINDOW_SERVERS is {servers} but the cache {alias!r} is local to each "
            f"server ({config['BACKEND'].rsplit('.', 1)[-1]}).",
            hint="Set ONEWINDOW_REDIS_URL (e.g. redis://cache.internal:6379/0) so every "
                 "server shares one cache.",
            id="onewindow.E010",
        )
        for alias, config in settings.CACHES.items() if config["BACKEND"] in LOCAL_CACHES
    ]


def _database_errors(servers: int) -> list[Error]:
    engine = settings.DATABASES["default"].get("ENGINE", "")
    if engine != "django.db.backends.sqlite3":
        return []
    return [Error(
        f"ONEWINDOW_SERVERS is {servers} but the database is SQLite, a file of one host.",
        hint="Set DATABASE_URL to the PostgreSQL database every server uses.",
        id="onewindow.E012",
    )]


def _storage_errors(servers: int) -> list[Error]:
    shared = [Path(p).resolve() for p in getattr(settings, "ONEWINDOW_SHARED_PATHS", [])]
    errors = []
    for alias, config in settings.STORAGES.items():
        if alias in PER_SERVER_STORAGES:
            continue
        if not issubclass(import_string(config["BACKEND"]), FileSystemStorage):
            continue
        location = Path(config.get("OPTIONS", {}).get("location") or settings.MEDIA_ROOT)
        if any(location.resolve().is_relative_to(root) for root in shared):
            continue
        errors.append(Error(
            f"ONEWINDOW_SERVERS is {servers} but the storage {alias!r} writes to "
            f"{location} on this server's own disk.",
            hint="Use object storage (ONEWINDOW_STORAGE=s3 and ONEWINDOW_S3_*; for audit "
                 "checkpoints ONEWINDOW_AUDIT_CHECKPOINT_BUCKET), or mount one directory "
                 "on every server and name it in ONEWINDOW_SHARED_PATHS.",
            id="onewindow.E011",
        ))
    return errors


@register(Tags.security, deploy=True)
def check_client_addresses(app_configs=None, **kwargs) -> list[Warning]:
    """What ``ratelimit.client_address`` noticed in the last day on any server: requests
    without a client address, and X-Forwarded-For from a private address that is not one
    of ``ONEWINDOW_TRUSTED_PROXIES`` (ADR 0026, appendix)."""
    from .ratelimit import SEEN_NO_ADDRESS, SEEN_UNLISTED_PROXY, seen

    try:
        missing = seen(SEEN_NO_ADDRESS)
        unlisted = seen(SEEN_UNLISTED_PROXY)
    except DatabaseError:  # not migrated yet: nothing was noticed
        return []
    warnings = []
    if missing:
        warnings.append(Warning(
            f"{sum(missing.values())} throttled requests in the last day came without a "
            "client address (a unix socket, or a proxy that does not pass it).",
            hint="Add 'unix' to ONEWINDOW_TRUSTED_PROXIES when the server listens on a "
                 "unix socket behind your proxy, and have the proxy send X-Forwarded-For. "
                 "Until then these clients are throttled by account and case number only, "
                 "never by address.",
            id="onewindow.W020",
        ))
    for address, requests in sorted(unlisted.items(), key=lambda i: -i[1])[:5]:
        warnings.append(Warning(
            f"{requests} throttled requests in the last day came from {address} with "
            "X-Forwarded-For, but it is not in ONEWINDOW_TRUSTED_PROXIES.",
            hint=f"If {address} is your reverse proxy, list it: until then every client "
                 "behind it shares its address (on this host: counts as unknown). If not, "
                 "a client sent the header itself and it was ignored.",
            id="onewindow.W021",
        ))
    return warnings
