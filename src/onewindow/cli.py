"""The ``onewindow`` command: Django's manage.py with the project's own verbs.

``onewindow migrate``, ``onewindow serve``, ``onewindow worker``, ``onewindow demo`` …
Every Django management command works; a few short names map to longer ones.

A command that needs tables the database does not have yet (a fresh checkout, or a new
release with migrations not applied) says in one line what to run, not a traceback.
"""

import os
import sys

ALIASES = {
    "import-catalog": "import_catalog",
    "import-licences": "import_licences",
    "export-catalog": "export_catalog",
    "audit-verify": "audit_verify",
    "audit-seal": "audit_seal",
    "audit-prove": "audit_prove",
    "audit-public-key": "audit_public_key",
    "export-openapi": "export_openapi",
}

NOT_MIGRATED = ("数据库尚未初始化或有未执行的迁移：请先运行 `onewindow migrate`"
                "（或 `onewindow demo` 建立演示数据）。 / The database is not set up: "
                "run `onewindow migrate` (or `onewindow demo`) first.")


def _pending_migrations() -> bool:
    """Whether the default database lacks some migration (False if that cannot be told)."""
    from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[DEFAULT_DB_ALIAS]
    try:
        # The failed command may have left the connection unusable (PostgreSQL aborts the
        # transaction); a fresh one answers the question.
        connection.close()
        executor = MigrationExecutor(connection)
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:
        return False


# Commands that create the schema themselves: their own failures must show in full.
_SCHEMA_COMMANDS = {"migrate", "demo", "makemigrations", "sqlmigrate", "squashmigrations"}
# How SQLite and PostgreSQL name a missing table.
_MISSING_TABLE = ("no such table", "does not exist")


def _missing_schema(exc: Exception, command: str) -> bool:
    if command in _SCHEMA_COMMANDS:
        return False
    if not any(words in str(exc) for words in _MISSING_TABLE):
        return False
    return _pending_migrations()


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings.dev")
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1:
        argv[1] = ALIASES.get(argv[1], argv[1])
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(argv)
    except DatabaseError as exc:
        # Only the missing-schema case gets the one-line answer; any other database
        # failure keeps its traceback, which is what an operator needs then.
        if not _missing_schema(exc, argv[1] if len(argv) > 1 else ""):
            raise
        sys.stderr.write(NOT_MIGRATED + "\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
