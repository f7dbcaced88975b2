"""The ``onewindow`` command: Django's manage.py with the project's own verbs.

``onewindow migrate``, ``onewindow serve``, ``onewindow worker``, ``onewindow demo`` …
Every Django management command works; a few short names map to longer ones.
"""

import os
import sys

ALIASES = {
    "import-catalog": "import_catalog",
    "import-licences": "import_licences",
    "export-catalog": "export_catalog",
    "audit-verify": "audit_verify",
    "export-openapi": "export_openapi",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings.dev")
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1:
        argv[1] = ALIASES.get(argv[1], argv[1])
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
