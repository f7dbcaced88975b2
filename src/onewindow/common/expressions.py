"""The small, safe expression language of gateway conditions and form conditions.

Workflow gateways use it on the data of the task that reached the gateway; structured
forms (ADR 0031) use it for a page's or a field's ``show_if`` and for cross-field rules,
on the answers by field key. It lives in the kernel so that the catalog, below workflow,
can check a form's expressions when a version is published. A condition reads the data
it is given and nothing else::

    decision == "approve"
    decision in ("approve", "approve_with_conditions") and not needs_hearing
    score >= 60 or level != "B"

Allowed: names bound to task data, string / number / bool / None constants, lists and
tuples of constants, comparisons (== != < <= > >= in, not in), and / or / not and
parentheses. Everything else — calls, attributes, subscripts, lambdas, comprehensions,
arithmetic, f-strings, names starting with "_" — is refused when a route is uploaded
(:func:`check`) and again whenever a condition is evaluated (:func:`evaluate`), because the
state of a running instance carries its own copy of the conditions.

The evaluator walks the syntax tree itself; Python's eval/exec are never used.
Camunda Modeler users often write JUEL (``${decision == "approve"}``): a single ``${…}``
or ``#{…}`` around the whole condition is accepted and removed.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.common.text import StrOrPromise

MAX_LENGTH = 500
MAX_NODES = 100

_JUEL = re.compile(r"^\s*[$#]\{(?P<body>.*)\}\s*$", re.DOTALL)

_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}

_NODE_NAMES = {
    ast.Call: "函数调用",
    ast.Attribute: "属性访问",
    ast.Subscript: "下标访问",
    ast.Lambda: "lambda",
    ast.ListComp: "推导式",
    ast.SetComp: "推导式",
    ast.DictComp: "推导式",
    ast.GeneratorExp: "推导式",
    ast.BinOp: "算术运算",
    ast.JoinedStr: "f-string",
    ast.NamedExpr: "赋值表达式",
    ast.IfExp: "条件表达式",
    ast.Dict: "字典",
    ast.Set: "集合",
    ast.Starred: "星号展开",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Is: "is 比较",
    ast.IsNot: "is not 比较",
}


class ExpressionError(ValueError):
    """A condition is not in the language, or could not be evaluated on the data."""

    def __init__(self, reason: StrOrPromise, expression: str):
        super().__init__(reason)
        self.reason = reason
        self.expression = expression


def normalise(expression: str) -> str:
    """The condition without surrounding blanks and without a JUEL ``${…}`` wrapper."""
    text = (expression or "").strip()
    match = _JUEL.match(text)
    if match:
        text = match.group("body").strip()
    return text


def compile_condition(expression: str) -> ast.Expression:
    """Parse and check a condition; raise :class:`ExpressionError` if it is not allowed."""
    text = normalise(expression)
    if not text:
        raise ExpressionError(_("条件为空"), expression)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            _("条件超过 %(max_length)s 个字符") % {"max_length": MAX_LENGTH}, expression
        )
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(
            _("语法错误（%(exc_msg)s）") % {"exc_msg": exc.msg}, expression
        ) from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise ExpressionError(
            _("条件过于复杂（超过 %(max_nodes)s 个语法节点）") % {"max_nodes": MAX_NODES},
            expression,
        )
    _check(tree.body, expression)
    return tree


def check(expression: str) -> str:
    """Validate a condition at upload time; return its normalised text."""
    compile_condition(expression)
    return normalise(expression)


def names(expression: str) -> set[str]:
    """The data names a (valid) condition reads, e.g. to check they exist in a form."""
    tree = compile_condition(expression)
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _constant_ok(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def _check_literal(node: ast.AST, expression: str) -> None:
    """Elements of a list/tuple: constants or negative numbers only."""
    if isinstance(node, ast.Constant) and _constant_ok(node.value):
        return
    if (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, int | float)
            and not isinstance(node.operand.value, bool)):
        return
    raise ExpressionError(_("列表和元组中只能写常量"), expression)


def _check(node: ast.AST, expression: str) -> None:
    if isinstance(node, ast.BoolOp):
        if not isinstance(node.op, ast.And | ast.Or):
            raise ExpressionError(_("不支持的逻辑运算"), expression)
        for value in node.values:
            _check(value, expression)
    elif isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            _check(node.operand, expression)
        elif isinstance(node.op, ast.USub):
            _check_literal(node, expression)
        else:
            raise ExpressionError(_("不支持的一元运算"), expression)
    elif isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _COMPARE:
                name = _NODE_NAMES.get(type(op), type(op).__name__)
                raise ExpressionError(_("不允许使用%(name)s") % {"name": name}, expression)
        _check(node.left, expression)
        for comparator in node.comparators:
            _check(comparator, expression)
    elif isinstance(node, ast.Name):
        if not isinstance(node.ctx, ast.Load):
            raise ExpressionError(_("不允许赋值"), expression)
        if node.id.startswith("_"):
            raise ExpressionError(
                _("数据项名称不能以下划线开头（%(node_id)s）") % {"node_id": node.id}, expression
            )
    elif isinstance(node, ast.Constant):
        if not _constant_ok(node.value):
            raise ExpressionError(_("只允许字符串、数字、布尔值和 None 常量"), expression)
    elif isinstance(node, ast.List | ast.Tuple):
        if not isinstance(node.ctx, ast.Load):
            raise ExpressionError(_("不允许赋值"), expression)
        for element in node.elts:
            _check_literal(element, expression)
    else:
        name = _NODE_NAMES.get(type(node), type(node).__name__)
        raise ExpressionError(_("不允许使用%(name)s") % {"name": name}, expression)


def evaluate(expression: str, data: Mapping[str, Any]) -> Any:
    """Check the condition again, then evaluate it on ``data`` (the task's data)."""
    tree = compile_condition(expression)
    try:
        return _eval(tree.body, data, expression)
    except ExpressionError:
        raise
    except TypeError as exc:
        raise ExpressionError(_("数据类型不能比较（%(exc)s）") % {"exc": exc}, expression) from None


def _eval(node: ast.AST, data: Mapping[str, Any], expression: str) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in data:
            raise ExpressionError(
                _("任务数据中没有“%(node_id)s”") % {"node_id": node.id}, expression
            )
        value = data[node.id]
        if not _data_ok(value):
            raise ExpressionError(
                _("数据项“%(node_id)s”的类型不能用于条件") % {"node_id": node.id}, expression
            )
        return value
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            result: Any = True
            for value in node.values:
                result = _eval(value, data, expression)
                if not result:
                    return result
            return result
        result = False
        for value in node.values:
            result = _eval(value, data, expression)
            if result:
                return result
        return result
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return not _eval(node.operand, data, expression)
        if isinstance(node.op, ast.USub):
            return -_eval(node.operand, data, expression)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, data, expression)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, data, expression)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.List | ast.Tuple):
        return tuple(_eval(element, data, expression) for element in node.elts)
    # compile_condition has refused everything else already; this is the second lock.
    raise ExpressionError(
        _("不允许使用%(node_type)s") % {"node_type": type(node).__name__}, expression
    )


def _data_ok(value: Any) -> bool:
    if _constant_ok(value):
        return True
    if isinstance(value, list | tuple):
        return all(_constant_ok(item) for item in value)
    return False
