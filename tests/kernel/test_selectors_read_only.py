"""Selectors are the reads: no selectors module imports a services module (its own app's
or another's), at the top or inside a function, so a read never reaches a write and the
services may import the selectors without a cycle."""

import ast
from pathlib import Path

import onewindow

SOURCE = Path(onewindow.__file__).parent


def _selector_modules():
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        if path.stem == "selectors" or "selectors" in relative.parts[:-1]:
            yield relative.as_posix(), path


def _imports_services(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or "", *(f"{node.module or ''}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        if any("services" in name.split(".") for name in names):
            lines.append(node.lineno)
    return lines


def test_the_scan_sees_every_form_of_import():
    sample = ast.parse("from ..services.files import x\nfrom . import services\n"
                       "import onewindow.cases.services\nfrom .filters import y\n"
                       "def f():\n    from onewindow.workdays.services import z\n")
    assert sorted(_imports_services(sample)) == [1, 2, 3, 6]


def test_no_selectors_module_imports_services():
    modules = list(_selector_modules())
    assert len(modules) > 10
    found = [f"{relative}:{line}" for relative, path in modules
             for line in _imports_services(ast.parse(path.read_text(encoding="utf-8")))]
    assert found == [], "a selectors module imports services: " + ", ".join(found)
