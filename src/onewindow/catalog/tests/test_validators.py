"""实施编码 and 基本编码 checks, against the real Guangdong codes too."""

import json

import pytest

from onewindow.catalog.errors import InvalidCode
from onewindow.catalog.validators import (
    basic_code_problem,
    implementation_code_problem,
    parse_code,
    split_implementation_code,
)

from .conftest import EXAMPLE_CODE, bundled_lines


def test_real_guangdong_codes_validate():
    assert implementation_code_problem(EXAMPLE_CODE) is None
    assert implementation_code_problem("11440000006939756B2440101007000") is None
    # 业务办理项编码: 实施编码 + 2-digit serial.
    assert implementation_code_problem("11440000006940116U244010200300103") is None
    assert split_implementation_code(EXAMPLE_CODE) == ("11440000006940116U", "2",
                                                       "440102002003", "")


def test_almost_all_codes_of_the_guangdong_file_pass():
    codes = [json.loads(line)["TASK_CODE"] for line in bundled_lines()]
    bad = [c for c in codes if implementation_code_problem(c)]
    assert len(codes) == 2262
    # 3 codes of 广东省文献编目中心 (TE…, letters not in the USCC alphabet) and 3 of
    # 广东省红十字会 (wrong check digit): 2,256 of 2,262 pass (99.7 %).
    assert len(bad) == 6


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("1144000000694011", "应为 31 位"),
        ("11440000006940116X2440102002003", "统一社会信用代码"),
        ("11440000006940116U8440102002003", "第 19 位"),
        ("11440000006940116U244010200200A", "基本编码"),
        ("11440000006940116U2440102002003AB", "最后 2 位"),
    ],
)
def test_bad_codes_say_what_is_wrong_in_chinese(code, fragment):
    assert fragment in implementation_code_problem(code)
    with pytest.raises(InvalidCode) as exc:
        parse_code(code)
    assert exc.value.http_status == 422 and fragment in exc.value.details["code"]


def test_basic_code():
    assert basic_code_problem("440102002003") is None
    assert "12 位" in basic_code_problem("4401")
    assert "数字" in basic_code_problem("44010200200Y")


def test_codes_are_normalised():
    assert parse_code(" " + EXAMPLE_CODE.lower() + " ") == EXAMPLE_CODE


def test_versions_stored_before_implementation_basis_existed_keep_their_hash():
    # A version stored before 实施依据 existed was hashed without the key; re-importing
    # the same content must not see a change (the Guangdong import compares hashes).
    import hashlib
    import json

    from onewindow.catalog.elements import content_hash, validate_elements

    from .factories import make_elements

    elements = validate_elements(make_elements())
    before = {k: v for k, v in elements.items() if k != "implementation_basis"}
    stored = hashlib.sha256(json.dumps(before, sort_keys=True, ensure_ascii=False,
                                       separators=(",", ":")).encode()).hexdigest()
    assert content_hash(elements) == stored
    with_basis = validate_elements(make_elements(implementation_basis="《行政许可法》"))
    assert content_hash(with_basis) != stored
