"""Where files go: ``STORAGES`` from the ONEWINDOW_STORAGE / ONEWINDOW_S3_* variables
(ADR 0029).

Every file the platform writes goes through Django's storage API: case materials and
catalog guide files through ``default``, signed audit checkpoints through
``audit_checkpoints`` (ADR 0027). Licence PDFs and notices are rendered on request and
never stored. ``ONEWINDOW_STORAGE=filesystem`` (the default) keeps them under
``ONEWINDOW_MEDIA_ROOT``; ``s3`` puts them in a private bucket of any S3-compatible
object store (MinIO, Ceph, a cloud's object storage) through django-storages. Downloads
always go through the app's access check: objects are private, and a URL the storage
would sign is short-lived; no page links one.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

FILESYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"
STATIC = "whitenoise.storage.CompressedStaticFilesStorage"
# A signed URL (never linked by the platform itself) is good for this long.
SIGNED_URL_SECONDS = 300


def s3_options(env: Mapping[str, str], *, bucket: str) -> dict[str, Any]:
    """django-storages options for a private ``bucket``; credentials from
    ONEWINDOW_S3_ACCESS_KEY_ID / _SECRET_ACCESS_KEY, else boto3's own chain (AWS_*
    variables, an instance role)."""
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": SIGNED_URL_SECONDS,
        # Signature version 4: what MinIO and current object stores expect (v2 is gone).
        "signature_version": "s3v4",
        # Never replace a stored object: a second file of the same name gets a new name,
        # as on the filesystem, and a checkpoint export is never rewritten.
        "file_overwrite": False,
    }
    optional = {
        "endpoint_url": "ONEWINDOW_S3_ENDPOINT_URL",
        "region_name": "ONEWINDOW_S3_REGION",
        "access_key": "ONEWINDOW_S3_ACCESS_KEY_ID",
        "secret_key": "ONEWINDOW_S3_SECRET_ACCESS_KEY",
        # "path" for MinIO and most self-hosted stores; "virtual" for a cloud's.
        "addressing_style": "ONEWINDOW_S3_ADDRESSING_STYLE",
        "location": "ONEWINDOW_S3_PREFIX",
    }
    options.update({key: env[name] for key, name in optional.items() if env.get(name)})
    return options


def storages_settings(env: Mapping[str, str], *, var_dir: Path) -> dict[str, dict]:
    """``STORAGES``: ``default`` and ``audit_checkpoints`` as the environment says."""
    kind = (env.get("ONEWINDOW_STORAGE") or "filesystem").strip().lower()
    if kind not in ("filesystem", "s3"):
        raise ImproperlyConfigured(
            f"ONEWINDOW_STORAGE is {kind!r}: write 'filesystem' (the default) or 's3'.")
    if kind == "s3":
        bucket = env.get("ONEWINDOW_S3_BUCKET", "")
        if not bucket:
            raise ImproperlyConfigured("ONEWINDOW_STORAGE=s3 needs ONEWINDOW_S3_BUCKET.")
        default = {"BACKEND": S3, "OPTIONS": s3_options(env, bucket=bucket)}
    else:
        default = {"BACKEND": FILESYSTEM}  # under MEDIA_ROOT
    # Signed audit checkpoints, one file each, never overwritten: in production a
    # directory or bucket (object lock) the database's role cannot write (0027).
    checkpoint_bucket = env.get("ONEWINDOW_AUDIT_CHECKPOINT_BUCKET", "")
    if checkpoint_bucket:
        checkpoints = {"BACKEND": S3, "OPTIONS": s3_options(env, bucket=checkpoint_bucket)}
    else:
        location = env.get("ONEWINDOW_AUDIT_CHECKPOINT_DIR") or str(var_dir / "audit-checkpoints")
        checkpoints = {"BACKEND": FILESYSTEM, "OPTIONS": {"location": location}}
    return {"default": default, "staticfiles": {"BACKEND": STATIC},
            "audit_checkpoints": checkpoints}
