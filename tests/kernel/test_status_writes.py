"""Nothing outside a lifecycle module assigns a status (DESIGN rules 2 and 11): every move
goes through common.lifecycle, which checks the table, logs, audits and publishes.

Creating a row with its initial status is fine (``objects.create(status=…)``); what this
scan refuses is changing one: ``obj.status = …``, ``setattr(obj, "status", …)``,
``.update(status=…)`` and ``bulk_update(…, ["status", …])``."""

import ast
from pathlib import Path

import onewindow

SOURCE = Path(onewindow.__file__).parent

# Queue machinery, not domain lifecycles: the outbox's own delivery attempts and the
# message gateway's send attempts (claim, retry, give up) are written in short
# transactions of their own; running them through the lifecycle would publish outbox
# events about the outbox.
NOT_LIFECYCLES = {
    "events/services.py": "outbox delivery attempts (PENDING/RUNNING/SUCCEEDED/FAILED)",
    "identity/notifications.py": "outgoing message send attempts (PENDING/SENT/FAILED)",
}


def _writes_status(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name == "update":
        return any(k.arg == "status" for k in call.keywords)
    if name == "setattr":
        return len(call.args) > 1 and isinstance(call.args[1], ast.Constant) and (
            call.args[1].value == "status")
    if name == "bulk_update":
        return any(isinstance(c, ast.Constant) and c.value == "status"
                   for arg in [*call.args[1:], *(k.value for k in call.keywords)]
                   for c in ast.walk(arg))
    return False


def _status_writes(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute) and part.attr == "status":
                        lines.append(node.lineno)
        elif isinstance(node, ast.Call) and _writes_status(node):
            lines.append(node.lineno)
    return lines


def _modules():
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        if "/tests/" in f"/{relative}" or "/migrations/" in relative:
            continue
        yield relative, path


def test_the_scan_sees_every_form_of_status_write():
    sample = ast.parse(
        "a.status = 1\n"
        "Model.objects.filter(pk=1).update(\n    other=2, status=3)\n"
        "setattr(a, 'status', 4)\n"
        "Model.objects.bulk_update(rows, ['status'])\n"
        "Model.objects.create(status=5)\n"
    )
    assert _status_writes(sample) == [1, 2, 4, 5]


def test_only_lifecycle_modules_assign_a_status():
    found = []
    for relative, path in _modules():
        if path.name == "lifecycle.py" or relative in NOT_LIFECYCLES:
            continue
        found += [f"{relative}:{line}" for line in _status_writes(ast.parse(path.read_text()))]
    assert found == [], "status written outside a lifecycle module: " + ", ".join(found)
