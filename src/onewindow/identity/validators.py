"""Checks for the two national identifiers, behind one thin wrapper.

- 居民身份证号码 (GB 11643): python-stdnum ``cn.ric`` (length, MOD 11-2 check digit, birth
  date, and a birth-place code known for the birth year).
- 统一社会信用代码 (GB 32100): python-stdnum ``cn.uscc`` insists the first eight characters
  are digits, but the registration-authority and entity-type characters may be letters
  (e.g. N… for agricultural co-operatives, Y… for other registrants, A… for some
  institutions); so the format is checked here and stdnum is used for the MOD 31 check digit.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from onewindow.common.ids import is_digits
from onewindow.common.text import StrOrPromise

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def normalize_id_number(value: str) -> str:
    return ric.compact(value or "")


def normalize_credit_code(value: str) -> str:
    return uscc.compact(value or "")


def id_number_problem(value: str) -> StrOrPromise | None:
    """Why ``value`` is not a valid resident ID number, in Chinese, or None if it is."""
    number = normalize_id_number(value)
    try:
        ric.validate(number)
    except InvalidLength:
        return _("身份证号码应为 18 位。")
    except InvalidChecksum:
        return _("身份证号码校验位不正确，请核对最后一位。")
    except InvalidComponent:
        return _("身份证号码中的出生日期或地址码无效。")
    except StdnumError:
        return _("身份证号码格式不正确（前 17 位应为数字，最后一位为数字或 X）。")
    return None


def credit_code_problem(value: str) -> StrOrPromise | None:
    """Why ``value`` is not a valid unified social credit code, in Chinese, or None."""
    code = normalize_credit_code(value)
    if len(code) != 18:
        return _("统一社会信用代码应为 18 位。")
    if any(ch not in USCC_ALPHABET for ch in code):
        return _("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）。")
    if not is_digits(code[2:8]):
        return _("统一社会信用代码第 3 至 8 位应为行政区划代码（数字）。")
    if code[-1] != uscc.calc_check_digit(code[:17]):
        return _("统一社会信用代码校验位不正确，请核对最后一位。")
    return None


def is_valid_id_number(value: str) -> bool:
    return id_number_problem(value) is None


def is_valid_credit_code(value: str) -> bool:
    return credit_code_problem(value) is None


def validate_id_number(value: str) -> None:
    problem = id_number_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_id_number")


def validate_credit_code(value: str) -> None:
    problem = credit_code_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_credit_code")


def validate_mobile(value: str) -> None:
    if not (len(value) == 11 and is_digits(value) and value[0] == "1" and value[1] in "3456789"):
        raise ValidationError(_("手机号码应为 11 位数字，以 13–19 开头。"), code="invalid_phone")


def validate_region_code(value: str) -> None:
    if not (len(value) == 6 and is_digits(value)):
        raise ValidationError(_("行政区划代码应为 6 位数字。"), code="invalid_region_code")
