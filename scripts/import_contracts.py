"""An import-linter contract type for OneWindow's public surface (DESIGN.md, "Layers").

The layers contract says WHICH apps may import which. This one says WHAT they may import:
another app's ``services``, ``selectors``, ``models`` and ``events`` (plus the modules an
app deliberately makes public: ``codes``, ``errors``, ``permissions`` and the few named in
pyproject.toml), never its internals. Interface modules (``api``, ``urls``, ``views``) are
for the interface apps that mount them. Tests are free to reach anywhere.

lint-imports puts the working directory on ``sys.path``, so pyproject.toml names this
class as ``scripts.import_contracts.PublicSurfaceContract``.
"""

from __future__ import annotations

from importlinter import Contract, ContractCheck, fields, output


class PublicSurfaceContract(Contract):
    """Options:

    - ``apps``: the app packages (``onewindow.cases`` …) whose insides are private.
    - ``public``: submodule names every app exposes (``services``, ``selectors`` …).
    - ``public_modules``: further modules made public on purpose (full dotted names).
    - ``interface_modules``: submodule names only ``interfaces`` may import (``api`` …).
    - ``interfaces``: the packages that mount other apps' routers, URLs and views.
    - ``open_packages``: packages whose every module is public (the ``common`` base).
    """

    type_name = "public_surface"

    apps = fields.ListField(subfield=fields.StringField())
    public = fields.ListField(subfield=fields.StringField())
    public_modules = fields.ListField(subfield=fields.StringField(), required=False)
    interface_modules = fields.ListField(subfield=fields.StringField(), required=False)
    interfaces = fields.ListField(subfield=fields.StringField(), required=False)
    open_packages = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        apps = sorted(self.apps, key=len, reverse=True)  # type: ignore[arg-type]
        public = set(self.public)  # type: ignore[arg-type]
        public_modules = set(self.public_modules or [])  # type: ignore[arg-type]
        interface_modules = set(self.interface_modules or [])  # type: ignore[arg-type]
        interfaces = tuple(self.interfaces or [])  # type: ignore[arg-type]
        open_packages = tuple(self.open_packages or [])  # type: ignore[arg-type]

        def app_of(module: str) -> str | None:
            for app in apps:
                if module == app or module.startswith(app + "."):
                    return app
            return None

        def within(module: str, packages: tuple[str, ...]) -> bool:
            return any(module == p or module.startswith(p + ".") for p in packages)

        def is_test(module: str) -> bool:
            return ".tests" in module or module.endswith(".testing") or ".testing." in module

        broken = []
        for importer in sorted(graph.modules):
            if is_test(importer):
                continue
            source_app = app_of(importer)
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target_app = app_of(imported)
                if target_app is None or target_app == source_app:
                    continue
                if within(imported, open_packages) or imported == target_app:
                    continue
                first = imported[len(target_app) + 1:].split(".")[0]
                allowed = (
                    first in public
                    or any(within(imported, (m,)) for m in public_modules)
                    or (first in interface_modules and within(importer, interfaces))
                )
                if not allowed:
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = tuple(d["line_number"] for d in details)
                    broken.append((importer, imported, lines))
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, lines in check.metadata["broken"]:
            where = ", ".join(f"l.{n}" for n in lines)
            output.print_error(f"{importer} -> {imported} ({where})", bold=False)
            output.new_line()
        output.print(
            "Import the other app's services, selectors, models or events instead, or make "
            "the module public on purpose in pyproject.toml ([tool.importlinter] "
            "'public_surface' contract) and say why there."
        )
