"""Checks of the catalog's codes, each answering "what is wrong, in Chinese" or None.

- 基本编码: 12 characters — 2-digit region (or 00 for national items), 2-digit 事项类型,
  5-digit 主项 and 3-digit 子项 (the split follows observed data, not GB/T 39554.1 text).
- 实施编码: 31 characters — the implementing organisation's 统一社会信用代码 (18) + 行使层级
  (1) + 基本编码 (12). A 业务办理项编码 adds a 2-digit serial (33 characters); both are
  accepted, and the column holds up to 36 like the national exchange tables.
"""

from django.utils.translation import gettext_lazy as _

from onewindow.common.ids import is_digits
from onewindow.common.text import StrOrPromise
from onewindow.identity.validators import credit_code_problem

from .codes import IMPLEMENTATION_LEVELS
from .errors import InvalidCode

BASIC_CODE_LENGTH = 12
IMPLEMENTATION_CODE_LENGTH = 31
HANDLING_ITEM_CODE_LENGTH = 33
CODE_MAX_LENGTH = 36


def normalize_code(value: str | None) -> str:
    return (value or "").strip().upper()


def basic_code_problem(value: str) -> StrOrPromise | None:
    code = normalize_code(value)
    if len(code) != BASIC_CODE_LENGTH:
        return _("基本编码应为 %(length)s 位，当前为 %(count)s 位。") % {
            "length": BASIC_CODE_LENGTH,
            "count": len(code),
        }
    if not is_digits(code):
        return _("基本编码应全部为数字。")
    return None


def implementation_code_problem(value: str) -> StrOrPromise | None:
    """Why ``value`` is not a valid 实施编码 (or 业务办理项编码), or None."""
    code = normalize_code(value)
    if len(code) not in (IMPLEMENTATION_CODE_LENGTH, HANDLING_ITEM_CODE_LENGTH):
        return _(
            "实施编码应为 %(length)s 位（业务办理项编码为 "
            "%(handling_length)s 位），当前为 %(count)s 位。"
        ) % {
            "length": IMPLEMENTATION_CODE_LENGTH,
            "handling_length": HANDLING_ITEM_CODE_LENGTH,
            "count": len(code),
        }
    problem = credit_code_problem(code[:18])
    if problem:
        return _("实施编码前 18 位应为实施主体的统一社会信用代码：%(problem)s") % {
            "problem": problem
        }
    if code[18] not in IMPLEMENTATION_LEVELS:
        return _("实施编码第 19 位应为行使层级代码（1–6）。")
    problem = basic_code_problem(code[19:31])
    if problem:
        return _("实施编码第 20 至 31 位应为基本编码：%(problem)s") % {"problem": problem}
    if len(code) == HANDLING_ITEM_CODE_LENGTH and not is_digits(code[31:]):
        return _("业务办理项编码最后 2 位应为数字序号。")
    return None


def split_implementation_code(value: str) -> tuple[str, str, str, str]:
    """(credit code, level digit, 基本编码, 业务办理项序号 or "") of a valid code."""
    code = normalize_code(value)
    return code[:18], code[18], code[19:31], code[31:]


def parse_code(value: str) -> str:
    """A normalised 实施编码, or ``InvalidCode`` (422) with the Chinese reason."""
    code = normalize_code(value)
    problem = implementation_code_problem(code)
    if problem:
        raise InvalidCode(problem, details={"code": problem})
    return code
