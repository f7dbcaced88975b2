#!/usr/bin/env python3
"""Mark the Chinese messages of errors for translation (ADR 0015), re-runnably.

    python scripts/i18n_error_messages.py           # rewrite src/onewindow in place
    python scripts/i18n_error_messages.py --check   # list what is left; exit 1 if anything

What counts as an error message: a Chinese string literal (or f-string) given to the
constructor of an error class — ``ApplicationError`` and everything that inherits from
it anywhere in src/onewindow, Django's ``ValidationError`` and the workflow's
``ExpressionError`` (its reason is quoted in ``RouteInvalid``) — or to a helper that
returns one (``_rejected(...)``), as an argument or as a value of its ``details={...}``;
a local variable holding such a literal that is then passed as the message; a parameter
a message quotes (``f"请填写{label}。"``, or ``_("请填写%(label)s。") % {"label": label}``
once marked) gets its Chinese default and the Chinese arguments callers pass for it wrapped
too. Messages that reach an error later count as well: the ``message`` argument of a
method of a collecting class (``_Collector.add(key, message)``, whose dict becomes an
error's details) and what a ``*_problem()`` function returns (its caller raises it).
A Chinese word given to the ``label`` field of a dataclass defined here
(``FileKind(…, "空白表格", …)``, ``Field("str", "事项名称")``) is shown in messages and on
pages; it is reported, not rewritten, because such labels are often also keys (Excel
headers): mark it ``gettext_noop`` and translate it where it is shown, or ``_`` when it
is only shown.

Each literal is wrapped in the module's lazy gettext (``gettext_lazy as _`` is imported
when the module has none; a module that binds ``_`` to something else gets
``gettext_lazy`` by name). An f-string becomes ``_("…%(name)s…") % {"name": …}``: the
``%`` translates at once, in the language active where the error is built. That is the
reader's language, because errors are built while a request is being answered (Django's
LocaleMiddleware has activated it) or in a worker or command, which speaks the default
language; a message without placeholders stays lazy until it is shown.
``ApplicationError.as_dict()`` turns whatever is lazy into str.

Deliberately left alone: tests, migrations, management commands (operators at a console,
in the server's language), official documents (``documents/``, ``cases/notices.py``:
notices stay Chinese), demo data, code tables (``gettext_noop``), and the exceptions of
the two batch importers (``SkipRecord``, ``RowProblem``: their reasons are counted by
their Chinese prefix and printed by the import commands). A raise of a class that is none
of these, with a Chinese message, is reported so someone decides; so is anything the
script cannot rewrite safely. Running it twice changes nothing.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import subprocess
import sys
import tokenize
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "src" / "onewindow"
LINE_LENGTH = 100
HAN = re.compile(r"[\u3400-\u9fff]")

# Paths (relative to src/onewindow) whose literals are not error messages for readers.
SKIP_PARTS = ("tests", "migrations", "management", "documents")
SKIP_FILES = {
    "cases/notices.py": "official notices stay Chinese",
    "web/demo.py": "demo data",
    "web/demo_items.py": "demo data",
}
# Error classes that are raised with Chinese text on purpose; the reason is the answer
# to "why is this not translated?".
SKIP_CLASSES = {
    "CommandError": "an operator's console speaks the server's language",
    "SkipRecord": "gdzwfw import: reasons are tallied by their Chinese prefix",
    "RowProblem": "licence import: reasons go to the import command's report",
    "AppendOnly": "a guard against code editing the action log; no person reads it",
    "_Broken": "audit-verify: what an operator or auditor reads at the console",
    "_locate": "audit-verify: builds the console report's first bad row",
}
# ``*_problem`` functions whose answer is no reader's message.
SKIP_FUNCTIONS = {
    "_holder_code_problem": "licence import: its answer is a RowProblem's reason",
}
# Not ApplicationErrors, but what they say reaches pages.
EXTRA_CLASSES = {"ApplicationError", "ValidationError", "ExpressionError"}
GETTEXT_LAZY = "gettext_lazy"
IMPORT_LINE = "from django.utils.translation import gettext_lazy as _\n"


def is_chinese_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(HAN.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(is_chinese_text(v) for v in node.values if isinstance(v, ast.Constant))
    return False


def width(text: str) -> int:
    """Columns as ruff counts them: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def callee_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def source_files() -> list[Path]:
    files = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if set(rel.parts[:-1]) & set(SKIP_PARTS) or rel.as_posix() in SKIP_FILES:
            continue
        files.append(path)
    return files


# --- which calls build errors ------------------------------------------------------------


def error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """Names of ApplicationError's descendants and the extras, then of the module-level
    functions that return one of them (``def _rejected(...) -> UploadRejected``)."""
    bases: dict[str, set[str]] = {}
    functions: list[ast.FunctionDef] = []
    for tree in trees.values():
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(
                    b.id if isinstance(b, ast.Name) else b.attr
                    for b in node.bases if isinstance(b, ast.Name | ast.Attribute))
            elif isinstance(node, ast.FunctionDef):
                functions.append(node)
    known = set(EXTRA_CLASSES)
    changed = True
    while changed:
        grown = {name for name, parents in bases.items() if parents & known}
        changed = not grown <= known
        known |= grown
    for function in functions:
        returns = function.returns
        if isinstance(returns, ast.Name) and returns.id in known:
            known.add(function.name)
            continue
        for node in ast.walk(function):
            if (isinstance(node, ast.Return) and isinstance(node.value, ast.Call)
                    and callee_name(node.value) in known):
                known.add(function.name)
                break
    return known - set(SKIP_CLASSES)


# --- one module --------------------------------------------------------------------------


@dataclass
class Edit:
    path: Path
    start: tuple[int, int]  # (line, column) as ast gives them: 1-based line, 0-based column
    end: tuple[int, int]
    node: ast.AST
    why: str


@dataclass
class Module:
    path: Path
    source: str
    tree: ast.Module
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent

    @property
    def rel(self) -> str:
        return self.path.relative_to(REPO).as_posix()

    @property
    def dotted(self) -> str:
        parts = list(self.path.relative_to(PACKAGE.parent).with_suffix("").parts)
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    def resolve(self, call: ast.Call) -> tuple[str, str] | None:
        """(module, name) of the module-level function ``call`` calls, as far as this
        module's own definitions and ``from … import`` lines tell."""
        if not isinstance(call.func, ast.Name):
            return None
        name = call.func.id
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                return self.dotted, name
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        return self._absolute(node), alias.name
        return None

    def _absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        package = self.dotted.split(".")
        if self.path.name != "__init__.py":
            package = package[:-1]
        package = package[:len(package) - node.level + 1]
        return ".".join(package + ([node.module] if node.module else []))

    def function_of(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    def lazy_alias(self) -> tuple[str, bool]:
        """The name this module calls gettext_lazy by, and whether it must be imported."""
        for node in self.tree.body:
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                for alias in node.names:
                    if alias.name == GETTEXT_LAZY:
                        return alias.asname or GETTEXT_LAZY, False
        binds_underscore = any(
            (isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store))
            or (isinstance(n, ast.arg) and n.arg == "_")
            or (isinstance(n, ast.alias) and (n.asname or n.name) == "_")
            or (isinstance(n, ast.FunctionDef | ast.ClassDef) and n.name == "_")
            for n in ast.walk(self.tree))
        return (GETTEXT_LAZY if binds_underscore else "_"), True


@dataclass
class Findings:
    edits: list[Edit] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)  # "path:line: what to do by hand"
    notes: list[str] = field(default_factory=list)  # Chinese a message quotes from elsewhere


def message_nodes(call: ast.Call) -> list[ast.AST]:
    """The arguments of an error constructor that hold text for people: positional
    arguments, ``message=``, and the values of a literal ``details={...}``."""
    nodes: list[ast.AST] = list(call.args)
    for keyword in call.keywords:
        if keyword.arg == "details":
            nodes.extend(_dict_values(keyword.value))
        elif keyword.arg in {"message", "reason"}:
            nodes.append(keyword.value)
    return nodes


def _dict_values(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.Dict):
        values = []
        for value in node.values:
            values.extend(_dict_values(value) if isinstance(value, ast.Dict | ast.DictComp)
                          else [value])
        return values
    if isinstance(node, ast.DictComp):
        return [node.value]
    return []


def find(module: Module, errors: set[str], labels: dict[tuple[str, str], LabelFunction],
         findings: Findings, dataclasses: dict[str, int] | None = None) -> None:
    seen: set[int] = set()

    def add(node: ast.AST, why: str) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        findings.edits.append(Edit(module.path, (node.lineno, node.col_offset),
                                   (node.end_lineno, node.end_col_offset), node, why))

    sinks = collector_sinks(module)
    label_classes = labelled_dataclasses(module, dataclasses or {})
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call):
            continue
        name = callee_name(node)
        label = labels.get(module.resolve(node))
        if isinstance(node.func, ast.Attribute) and node.func.attr in sinks:
            for arg in sink_arguments(node, sinks[node.func.attr]):
                if is_chinese_text(arg):
                    add(arg, f"message collected by .{node.func.attr}()")
        if name in label_classes:
            for arg in label_arguments(node, label_classes[name]):
                findings.manual.append(
                    f"{module.rel}:{arg.lineno}: unmarked label of {name} "
                    f"({ast.unparse(arg)}): gettext_noop (when it is also a key) and "
                    "translate it where it is shown, or _")
        if name in errors:
            for arg in message_nodes(node):
                if is_chinese_text(arg):
                    add(arg, f"message of {name}")
                elif isinstance(arg, ast.Name):
                    for value in _assigned_text(module, node, arg.id):
                        add(value, f"message of {name} via {arg.id}")
            for keyword in node.keywords:
                if keyword.arg != "details":
                    continue
                # details=errors, or details={"tolerated": errors}: a dict filled above
                holders = [keyword.value] + (list(keyword.value.values)
                                             if isinstance(keyword.value, ast.Dict) else [])
                for holder in holders:
                    if isinstance(holder, ast.Name):
                        for value in _stored_text(module, node, holder.id):
                            add(value, f"detail of {name} via {holder.id}")
        elif label is not None:
            for value in label.arguments(node):
                add(value, f"word quoted by a message of {name}")
        elif name is None and any(is_chinese_text(a) for a in message_nodes(node)):
            findings.manual.append(f"{module.rel}:{node.lineno}: the error class is computed "
                                   "here; mark its message by hand")
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            name = callee_name(node.exc)
            if (name is not None and name not in errors and name not in SKIP_CLASSES
                    and module.resolve(node.exc) not in labels
                    and any(is_chinese_text(a) for a in message_nodes(node.exc))):
                findings.manual.append(
                    f"{module.rel}:{node.lineno}: {name} is neither an ApplicationError nor "
                    "listed in SKIP_CLASSES / EXTRA_CLASSES of this script; decide which")
    for node in message_expressions(module, errors):
        for value in quoted_values(node):
            for line in chinese_sources(module, node, value):
                findings.notes.append(
                    f"{module.rel}:{node.lineno}: note: the message quotes "
                    f"{ast.unparse(value)}, built from Chinese text at line {line}")
    for function in module.tree.body:
        label = labels.get((module.dotted, getattr(function, "name", "")))
        if label is not None:
            for default in label.defaults():
                add(default, f"default word quoted by a message of {function.name}")
        if (isinstance(function, ast.FunctionDef) and function.name.endswith(PROBLEM_SUFFIX)
                and function.name not in SKIP_FUNCTIONS):
            for node in ast.walk(function):
                if not isinstance(node, ast.Return) or node.value is None:
                    continue
                answers = ([node.value.body, node.value.orelse]
                           if isinstance(node.value, ast.IfExp) else [node.value])
                for answer in answers:
                    if is_chinese_text(answer):
                        add(answer, f"message returned by {function.name}")


PROBLEM_SUFFIX = "_problem"


def collector_sinks(module: Module) -> dict[str, int]:
    """Methods of this module's classes that take a ``message`` to keep (an error's
    details later): method name → the position of ``message`` after ``self``."""
    sinks = {}
    for node in module.tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        for method in node.body:
            if isinstance(method, ast.FunctionDef):
                params = [a.arg for a in method.args.posonlyargs + method.args.args][1:]
                if "message" in params:
                    sinks[method.name] = params.index("message")
    return sinks


def sink_arguments(call: ast.Call, index: int) -> list[ast.AST]:
    found = [k.value for k in call.keywords if k.arg == "message"]
    if len(call.args) > index:
        found.append(call.args[index])
    return found


def dataclass_labels(trees: dict[Path, ast.Module]) -> dict[str, int]:
    """Dataclasses with a ``label`` field, anywhere in the package: class name → the
    field's position (for positional construction)."""
    found = {}
    for tree in trees.values():
        for node in tree.body:
            if not isinstance(node, ast.ClassDef) or not any(
                    "dataclass" in ast.unparse(d) for d in node.decorator_list):
                continue
            fields = [f.target.id for f in node.body
                      if isinstance(f, ast.AnnAssign) and isinstance(f.target, ast.Name)]
            if "label" in fields:
                found[node.name] = fields.index("label")
    return found


def labelled_dataclasses(module: Module, dataclasses: dict[str, int]) -> dict[str, int]:
    """The labelled dataclasses this module defines or imports by name."""
    names = {n.name for n in module.tree.body if isinstance(n, ast.ClassDef)}
    names |= {a.asname or a.name for n in module.tree.body if isinstance(n, ast.ImportFrom)
              for a in n.names}
    return {name: index for name, index in dataclasses.items() if name in names}


def label_arguments(call: ast.Call, index: int) -> list[ast.AST]:
    found = [k.value for k in call.keywords if k.arg == "label"]
    if len(call.args) > index:
        found.append(call.args[index])
    return [arg for arg in found if is_chinese_text(arg)]


def message_expressions(module: Module, errors: set[str]) -> list[ast.AST]:
    """Every message given to an error in ``module``, marked or not, directly or through
    a local variable."""
    found = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call) and callee_name(node) in errors:
            for arg in message_nodes(node):
                found.append(arg)
                if isinstance(arg, ast.Name):
                    function = module.function_of(node)
                    found.extend(
                        a.value for a in ast.walk(function or module.tree)
                        if isinstance(a, ast.Assign) and len(a.targets) == 1
                        and isinstance(a.targets[0], ast.Name) and a.targets[0].id == arg.id)
    return found


def quoted_values(node: ast.AST) -> list[ast.AST]:
    """What a message shows in its placeholders: the fields of a Chinese f-string given
    to an error, or the values of ``_("…%(x)s…") % {"x": …}``."""
    if isinstance(node, ast.JoinedStr) and is_chinese_text(node):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod)
            and isinstance(node.left, ast.Call) and isinstance(node.left.func, ast.Name)
            and node.left.func.id in {"_", GETTEXT_LAZY} and isinstance(node.right, ast.Dict)):
        return list(node.right.values)
    return []


def chinese_sources(module: Module, at: ast.AST, value: ast.AST) -> list[int]:
    """Lines where a name ``value`` reads is given unmarked Chinese text, in the
    function around ``at`` or at module level."""
    names = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
    scopes = [s for s in (module.function_of(at), module.tree) if s is not None]
    lines = []
    for scope in scopes:
        body = scope.body if scope is module.tree else [scope]
        for statement in body:
            for node in ast.walk(statement):
                if not isinstance(node, ast.Assign | ast.AnnAssign):
                    continue
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if not any(isinstance(t, ast.Name) and t.id in names for t in targets):
                    continue
                if node.value is not None and _unmarked_chinese(module, node.value):
                    lines.append(node.lineno)
    return sorted(set(lines))


def _unmarked_chinese(module: Module, expr: ast.AST) -> bool:
    for node in ast.walk(expr):
        if isinstance(node, ast.Constant) and is_chinese_text(node):
            parent = module.parents.get(node)
            if isinstance(parent, ast.JoinedStr):
                parent = module.parents.get(parent)
            if not (isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name)
                    and parent.func.id in {"_", GETTEXT_LAZY, "gettext", "gettext_noop"}):
                return True
    return False


def _stored_text(module: Module, call: ast.Call, name: str) -> list[ast.AST]:
    """Chinese literals stored into the dict ``name`` (``errors[key] = "…"``) in the
    function that passes it as ``details`` to ``call``."""
    function = module.function_of(call)
    if function is None:
        return []
    found = []
    for node in ast.walk(function):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Subscript)
                and isinstance(node.targets[0].value, ast.Name)
                and node.targets[0].value.id == name and is_chinese_text(node.value)):
            found.append(node.value)
    return found


def _assigned_text(module: Module, call: ast.Call, name: str) -> list[ast.AST]:
    """Chinese literals assigned to ``name`` in the function that builds ``call``."""
    function = module.function_of(call)
    if function is None:
        return []
    found = []
    for node in ast.walk(function):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name
                and is_chinese_text(node.value)):
            found.append(node.value)
    return found


@dataclass
class LabelFunction:
    """A module-level function whose parameters (``params``) are quoted by an error
    message it builds and used for nothing else (``def require_reason(*, label="理由")``
    → ``f"请填写{label}。"``): the Chinese words callers pass there, and its defaults,
    must be translated too."""

    function: ast.FunctionDef
    params: set[str]

    def arguments(self, call: ast.Call) -> list[ast.AST]:
        positional = [a.arg for a in self.function.args.posonlyargs + self.function.args.args]
        found = [k.value for k in call.keywords
                 if k.arg in self.params and is_chinese_text(k.value)]
        for index, arg in enumerate(call.args[:len(positional)]):
            if positional[index] in self.params and is_chinese_text(arg):
                found.append(arg)
        return found

    def defaults(self) -> list[ast.AST]:
        args = self.function.args
        positional = args.posonlyargs + args.args
        pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults,
                         strict=True))
        pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                  if d is not None]
        return [d for a, d in pairs if a.arg in self.params and is_chinese_text(d)]


def label_functions(modules: list[Module], errors: set[str]
                    ) -> dict[tuple[str, str], LabelFunction]:
    """(module, function name) → the function, for every LabelFunction."""
    result = {}
    for module in modules:
        for function in module.tree.body:
            if not isinstance(function, ast.FunctionDef):
                continue
            args = function.args
            params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
            inside = {id(n) for s in _message_fstrings(module, function, errors)
                      for n in ast.walk(s)}
            quoted, elsewhere = set(), set()
            for node in ast.walk(function):
                if isinstance(node, ast.Name) and node.id in params:
                    (quoted if id(node) in inside else elsewhere).add(node.id)
            if quoted - elsewhere:
                result[(module.dotted, function.name)] = LabelFunction(function,
                                                                       quoted - elsewhere)
    return result


def _message_fstrings(module: Module, function: ast.FunctionDef,
                      errors: set[str]) -> list[ast.AST]:
    """The messages ``function`` builds that show values: Chinese f-strings and marked
    ``_("…%(x)s…") % {…}``, given to an error (directly or through a local variable) or
    to a collecting method."""
    sinks = collector_sinks(module)
    found: list[ast.AST] = []
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        if callee_name(node) in errors:
            arguments = message_nodes(node)
        elif isinstance(node.func, ast.Attribute) and node.func.attr in sinks:
            arguments = sink_arguments(node, sinks[node.func.attr])
        else:
            continue
        for arg in arguments:
            if _shows_values(arg):
                found.append(arg)
            elif isinstance(arg, ast.Name):
                found.extend(v for v in _assigned_values(function, arg.id)
                             if _shows_values(v))
    return found


def _shows_values(node: ast.AST) -> bool:
    return bool(quoted_values(node))


def _assigned_values(function: ast.AST, name: str) -> list[ast.AST]:
    return [node.value for node in ast.walk(function)
            if isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name]


# --- rewriting ---------------------------------------------------------------------------


class Unhandled(Exception):
    pass


def placeholder_name(expr: ast.AST) -> str:
    """A readable %(name)s for an f-string field, from the expression it shows."""
    return _name_of(expr).lower()


def _name_of(expr: ast.AST) -> str:
    placeholder_name = _name_of  # the parts keep their case until the end
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Call) \
            and expr.attr not in {"label", "name", "value"} and not expr.attr.startswith("__"):
        return expr.attr  # etree.QName(tag).localname
    if isinstance(expr, ast.Name):
        return expr.id.lower()
    if isinstance(expr, ast.Attribute):
        base = placeholder_name(expr.value)
        if expr.attr.startswith("__"):
            return base
        base = base.split("_of_")[-1] if base not in {"self", ""} else ""
        name = f"{base}_{expr.attr}".strip("_")
        chain = expr.value
        return expr.attr if not base else (
            f"{chain.attr}_{expr.attr}" if isinstance(chain, ast.Attribute) else name)
    if isinstance(expr, ast.Call):
        function = expr.func
        if isinstance(function, ast.Name):
            if function.id == "len" and expr.args:
                return f"{placeholder_name(expr.args[0])}_count"
            if function.id == "type" and expr.args:
                return f"{placeholder_name(expr.args[0])}_type"
            if expr.args:
                return placeholder_name(expr.args[0])
            return function.id
        if isinstance(function, ast.Attribute):
            if expr.args and not isinstance(function.value, ast.Name | ast.Attribute):
                return placeholder_name(expr.args[0])  # ", ".join(SORTS)
            if expr.args and isinstance(function.value, ast.Name) and not expr.keywords \
                    and function.value.id in {"timezone", "dt", "datetime", "json"}:
                return placeholder_name(expr.args[0])
            base = placeholder_name(function.value)
            method = function.attr.removeprefix("get_").removesuffix("_display")
            if method in {"strip", "values", "keys", "items", "isoformat", "lower", "upper",
                          "split"}:
                return base
            if (function.attr == "get" and expr.args and isinstance(expr.args[0], ast.Constant)
                    and isinstance(expr.args[0].value, str)):
                return f"{base}_{expr.args[0].value}"
            return f"{base}_{method}"
    if isinstance(expr, ast.BinOp):
        return placeholder_name(expr.left)
    if isinstance(expr, ast.Subscript):
        return placeholder_name(expr.value)
    if isinstance(expr, ast.BoolOp):
        return placeholder_name(expr.values[0])
    if isinstance(expr, ast.IfExp):
        return placeholder_name(expr.body)
    return "value"


def string_tokens(segment: str) -> list[tuple[int, int]]:
    """Character spans of the string literals an implicit concatenation is made of."""
    starts = [0]
    for line in segment.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    spans, depth, begin = [], 0, 0
    for token in tokenize.generate_tokens(io.StringIO(segment).readline):
        at = starts[token.start[0] - 1] + token.start[1]
        end = starts[token.end[0] - 1] + token.end[1]
        if token.type == tokenize.FSTRING_START:
            begin = at if depth == 0 else begin
            depth += 1
        elif token.type == tokenize.FSTRING_END:
            depth -= 1
            if depth == 0:
                spans.append((begin, end))
        elif token.type == tokenize.STRING and depth == 0:
            spans.append((at, end))
    return spans


def format_string(segment: str, alias: str) -> tuple[str, list[tuple[str, str]]]:
    """The source of an f-string (or a concatenation with one) → the source of the same
    text as a %-format, laid out on the same lines, and its fields:
    ``f"第 {n + 1} 项"`` → (``"第 %(n)s 项"``, [("n", "n + 1")])."""
    spans = string_tokens(segment)
    out, fields, names, previous = [], [], {}, 0
    for begin, end in spans:
        out.append(segment[previous:begin])
        previous = end
        piece = segment[begin:end]
        node = ast.parse(piece, mode="eval").body
        parts = node.values if isinstance(node, ast.JoinedStr) else [node]
        text = []
        for part in parts:
            if isinstance(part, ast.Constant):
                text.append(part.value.replace("%", "%%"))
                continue
            value = _field_value(piece, part, alias)
            if value not in names:
                base = placeholder_name(part.value)
                name, n = base, 2
                while name in {f for f, _ in fields}:
                    name, n = f"{base}{n}", n + 1
                names[value] = name
                fields.append((name, value))
            text.append(f"%({names[value]})s")
        out.append(quote("".join(text)))
    out.append(segment[previous:])
    return "".join(out), fields


def is_code_label(expr: ast.AST) -> bool:
    """``CaseStatus(x).label`` or ``obj.get_status_display()``: a code table's label,
    Chinese and marked with gettext_noop (ADR 0015), so translatable as it stands."""
    if isinstance(expr, ast.Attribute):  # CaseStatus(case.status).label
        call = expr.value
        return (expr.attr == "label" and isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name) and call.func.id[:1].isupper())
    return (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)
            and expr.func.attr.startswith("get_") and expr.func.attr.endswith("_display"))


def _field_value(piece: str, part: ast.FormattedValue, alias: str) -> str:
    """The expression an f-string field shows, with its conversion and format applied."""
    if HAN.search(ast.unparse(part.value)):
        raise Unhandled("a placeholder holds Chinese text; mark it by hand")
    value = ast.get_source_segment(piece, part.value) or ast.unparse(part.value)
    if "\n" in value:
        value = ast.unparse(part.value)
    if is_code_label(part.value):
        value = f"{alias}({value})"
    if part.conversion == ord("r"):
        value = f"repr({value})"
    elif part.conversion == ord("a"):
        value = f"ascii({value})"
    if part.format_spec is not None:
        spec = part.format_spec
        if not all(isinstance(v, ast.Constant) for v in spec.values):
            raise Unhandled("a placeholder's format is computed; rewrite it by hand")
        value = f"format({value}, {quote(''.join(v.value for v in spec.values))})"
    return value


def quote(text: str) -> str:
    """A double-quoted literal for ``text``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\t", "\\t") + '"'


def rewrite(module: Module, edits: list[Edit], findings: Findings) -> tuple[str, int]:
    """The module's new source and how many messages it marked. Each message is written
    on one line; ``fit_lines`` lets ruff break the statements that became too long."""
    alias, needs_import = module.lazy_alias()
    offsets = [0]
    for line in module.source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line.encode("utf-8")))
    data = module.source.encode("utf-8")
    changed = 0
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        start = offsets[edit.start[0] - 1] + edit.start[1]
        stop = offsets[edit.end[0] - 1] + edit.end[1]
        try:
            literal, fields = data[start:stop].decode("utf-8"), []
            if isinstance(edit.node, ast.JoinedStr):
                literal, fields = format_string(literal, alias)
            # Continuation lines aligned under the literal stay aligned under it.
            literal = literal.replace("\n" + " " * edit.start[1],
                                      "\n" + " " * (edit.start[1] + len(alias) + 1))
            text = f"{alias}({literal})"
            if fields:
                mapping = ", ".join(f'"{name}": {value}' for name, value in fields)
                text += f" % {{{mapping}}}"
        except Unhandled as reason:
            findings.manual.append(f"{module.rel}:{edit.start[0]}: {reason}")
            continue
        data = data[:start] + text.encode("utf-8") + data[stop:]
        changed += 1
    if not changed:
        return module.source, 0
    source = data.decode("utf-8")
    if needs_import:
        source = add_import(source, alias)
    ast.parse(source)  # a rewrite that does not parse is a bug here, not in the module
    return source, changed


def long_statements(source: str) -> list[tuple[int, int]]:
    """Line ranges of the statements holding a marked message that are now wider than
    the project allows, last first (so formatting one leaves the others' lines alone)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    ranges = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        body = getattr(node, "body", None)
        last = body[0].lineno - 1 if isinstance(body, list) and body else node.end_lineno
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.decorator_list:
            first = node.decorator_list[-1].end_lineno + 1
        else:
            first = node.lineno
        own = range(first, last + 1)
        children = {id(c) for c in ast.iter_child_nodes(node) if isinstance(c, ast.stmt)}
        marked = any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            and n.func.id in {"_", GETTEXT_LAZY} and n.lineno in own and id(n) not in children
            for n in ast.walk(node))
        if marked and any(width(lines[i - 1]) > LINE_LENGTH for i in own):
            ranges.add((first, last))
    return sorted(ranges, reverse=True)


def fit_lines(path: Path) -> None:
    """Let ``ruff format`` break the too-long statements this script made, one range at
    a time; the rest of the module keeps its own layout."""
    for first, last in long_statements(path.read_text(encoding="utf-8")):
        subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet",  # noqa: S603
                        f"--range={first}-{last + 1}", str(path)], check=False, cwd=REPO)


def add_import(source: str, alias: str) -> str:
    """Insert the import after the module's last top-level import (ruff sorts it)."""
    line = IMPORT_LINE if alias == "_" else f"from django.utils.translation import {alias}\n"
    tree = ast.parse(source)
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)
               and not (isinstance(n, ast.ImportFrom) and n.module == "__future__")]
    lines = source.splitlines(keepends=True)
    if imports:
        at = imports[-1].end_lineno
    else:
        first = tree.body[0]
        docstring = (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                     and isinstance(first.value.value, str))
        at = first.end_lineno if docstring else 0
        line = "\n" + line
    return "".join([*lines[:at], line, *lines[at:]])


# --- the command -------------------------------------------------------------------------


def scan() -> tuple[list[Module], Findings, dict[Path, list[Edit]]]:
    modules = [Module(p, p.read_text(encoding="utf-8"), ast.parse(p.read_text(encoding="utf-8")))
               for p in source_files()]
    # Error classes are looked up in every module (tests and commands included: a class
    # may be defined anywhere), messages only in the modules this script may rewrite.
    all_trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in PACKAGE.rglob("*.py")
                 if "tests" not in p.relative_to(PACKAGE).parts}
    errors = error_classes(all_trees)
    labels = label_functions(modules, errors)
    dataclasses = dataclass_labels(all_trees)
    findings = Findings()
    per_file: dict[Path, list[Edit]] = {}
    for module in modules:
        before = len(findings.edits)
        find(module, errors, labels, findings, dataclasses)
        if len(findings.edits) > before:
            per_file[module.path] = findings.edits[before:]
    return modules, findings, per_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; list unmarked messages and exit 1 if any")
    args = parser.parse_args(argv)
    modules, findings, per_file = scan()
    if args.check:
        for edit in findings.edits:
            print(f"{edit.path.relative_to(REPO)}:{edit.start[0]}: unmarked {edit.why}")
        for line in findings.manual + findings.notes:
            print(line)
        return 1 if findings.edits or findings.manual else 0
    written, wrapped = [], 0
    for module in modules:
        if module.path not in per_file:
            continue
        source, marked = rewrite(module, per_file[module.path], findings)
        if marked:
            module.path.write_text(source, encoding="utf-8")
            written.append(module.path)
            wrapped += marked
    for path in written:
        fit_lines(path)
    if written:
        # Only the import blocks: the one line added above goes where isort wants it.
        subprocess.run([sys.executable, "-m", "ruff", "check", "--quiet", "--fix",  # noqa: S603
                        "--select", "I001", *map(str, written)], check=False, cwd=REPO)
    print(f"marked {wrapped} messages in {len(written)} files")
    for line in findings.manual + findings.notes:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
