import contextlib
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from onewindow.audit.models import AuditCheckpoint, AuditEvent
from onewindow.audit.services import audit_record


def make_account(username: str):
    User = get_user_model()
    extra = {}
    # identity.Account requires a kind (citizens need a real-name person); staff do not.
    if any(f.name == "kind" for f in User._meta.fields):
        extra["kind"] = "STAFF"
    return User.objects.create_user(username=username, password="s3cret-pass", **extra)


@pytest.fixture
def clerk(db):
    return make_account("clerk01")


@pytest.fixture(autouse=True)
def audit_files(settings, tmp_path):
    """Each test signs with its own key file and exports to its own directory."""
    settings.ONEWINDOW_AUDIT_SIGNING_KEY_FILE = str(tmp_path / "audit-key.pem")
    settings.ONEWINDOW_AUDIT_PUBLIC_KEY_FILE = ""
    settings.ONEWINDOW_AUDIT_CREATE_KEY = True
    settings.STORAGES = {
        **settings.STORAGES,
        "audit_checkpoints": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                              "OPTIONS": {"location": str(tmp_path / "checkpoints")}},
    }
    return tmp_path


def record(now, n=1, *, first=0, actor=None, **extra) -> list[AuditEvent]:
    return [
        audit_record(actor=actor, action="test.thing.changed", subject_type="test.thing",
                     subject_id=str(i), before={"name": f"旧名称{i}"},
                     after={"name": f"新名称{i}", **extra},
                     now=now + dt.timedelta(seconds=i))
        for i in range(first, first + n)
    ]


@contextlib.contextmanager
def tampering():
    """Raw SQL as someone who got past the application: on PostgreSQL the append-only
    trigger is skipped the way a superuser could (session_replication_role)."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET session_replication_role = replica")
        try:
            yield cursor
        finally:
            if postgres:
                cursor.execute("SET session_replication_role = origin")


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


EVENTS = table(AuditEvent)
CHECKPOINTS = table(AuditCheckpoint)
