import pytest

from onewindow.identity.validators import (
    credit_code_problem,
    id_number_problem,
    is_valid_credit_code,
    is_valid_id_number,
)


@pytest.mark.parametrize(
    "number",
    [
        "37100219900307002X",  # check digit X
        "37100219900307002x",  # lower-case x is the same number
        "371002198808080052",
        "371081199501150044",
        "110101200002290026",  # born on a leap day
    ],
)
def test_valid_id_numbers(number):
    assert is_valid_id_number(number), id_number_problem(number)


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("371002199003070021", "校验位"),  # last digit altered
        ("37100219900307002", "18 位"),  # one character short
        ("11010119000229002X", "出生日期"),  # 1900 was not a leap year
        ("371002199013070023", "出生日期"),  # month 13
        ("3710021990030700AX", "格式"),  # letters inside
        ("", "18 位"),
    ],
)
def test_invalid_id_numbers_say_why(number, fragment):
    problem = id_number_problem(number)
    assert problem is not None
    assert fragment in problem


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341L",  # ordinary enterprise
        "11371000004359010J",  # a government body
        "91371002MA3C8K6T2W",
        "N2371002MA3C8K6T2E",  # agricultural co-operative: letter first (cn.uscc rejects)
        "Y1371002MA3C8K6T2Y",  # other registrant: letter first
        "A1371000MB1000001X",  # letter first, letter second
    ],
)
def test_valid_credit_codes_including_letter_prefixes(code):
    from stdnum.cn import uscc

    # Build the real check digit for the letter-prefixed samples, so each sample is valid.
    code = code[:17] + uscc.calc_check_digit(code[:17])
    assert is_valid_credit_code(code), credit_code_problem(code)


def test_stdnum_alone_rejects_letter_prefixes_that_we_accept():
    from stdnum.cn import uscc

    body = "N2371002MA3C8K6T2"
    code = body + uscc.calc_check_digit(body)
    assert not uscc.is_valid(code)
    assert is_valid_credit_code(code)


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91110000600037341M", "校验位"),
        ("9111000060003734", "18 位"),
        ("91110000600037341O", "不允许"),  # O is not in the alphabet
        ("9111A000600037341L", "行政区划"),
    ],
)
def test_invalid_credit_codes_say_why(code, fragment):
    problem = credit_code_problem(code)
    assert problem is not None and fragment in problem
