"""电子证照标识 (GB/T 36904, as implemented by the national platform) and its check digit.

Form::

    1.2.156.3005.2.<证照类型代码>.<颁发机构代码>.<流水号>.<版本号>.<校验位>

- ``1.2.156.3005.2`` is the OID arc for electronic licences;
- 证照类型代码: 21 characters = the defining body's 统一社会信用代码 (18) + a 3-digit sequence;
- 颁发机构代码: the issuing organisation's 统一社会信用代码 (18);
- 流水号: 1–20 characters of 0-9A-Z (we issue 8-digit, zero-padded numbers per type and
  issuer; stock licences keep the serial of their source system);
- 版本号: 3 digits, 001 for the first version, +1 for each change;
- 校验位: one character of 0-9A-Z, ISO 7064 MOD 37,36 (hybrid system) computed over every
  character before it with the dots removed, i.e. over
  ``121563005 2 <type> <issuer> <serial> <version>`` written without separators.

The dot-free rule is ours to state (the standard text is not public): it is what
``build_identifier`` does and what third parties must reproduce.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

from onewindow.common.errors import ValidationFailed

PREFIX = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_VALUE = {ch: index for index, ch in enumerate(ALPHABET)}
_MODULUS = 36

CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
TYPE_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}\d{3}$")
_IDENTIFIER_RE = re.compile(
    r"^1\.2\.156\.3005\.2\.(?P<type>[0-9A-Z]{21})\.(?P<issuer>[0-9A-Z]{18})"
    r"\.(?P<serial>[0-9A-Z]{1,20})\.(?P<version>\d{3})\.(?P<check>[0-9A-Z])$"
)


class InvalidIdentifier(ValidationFailed):
    code = "licences.invalid-identifier"


def mod37_36_check_char(text: str) -> str:
    """The ISO 7064 MOD 37,36 check character for ``text`` (characters of 0-9A-Z).

    Hybrid system with M = 36: P starts at M; for each character
    S = (P + value) mod M (0 counts as M), P = 2·S mod (M + 1); the check value c makes
    (P + c) mod M == 1.
    """
    product = _MODULUS
    for ch in text:
        try:
            value = _VALUE[ch]
        except KeyError:
            raise InvalidIdentifier(
                _("字符 %(ch)s 不能参与校验位计算。") % {"ch": repr(ch)}
            ) from None
        total = (product + value) % _MODULUS or _MODULUS
        product = (total * 2) % (_MODULUS + 1)
    return ALPHABET[(_MODULUS + 1 - product) % _MODULUS]


def mod37_36_is_valid(text: str) -> bool:
    """True if the last character of ``text`` is the right check character for the rest."""
    if len(text) < 2:
        return False
    try:
        return mod37_36_check_char(text[:-1]) == text[-1]
    except InvalidIdentifier:
        return False


@dataclass(frozen=True)
class Identifier:
    type_code: str
    issuer_code: str
    serial: str
    version: int
    check: str

    @property
    def body(self) -> str:
        return (
            f"{PREFIX}.{self.type_code}.{self.issuer_code}.{self.serial}.{self.version:03d}"
        )

    def __str__(self) -> str:
        return f"{self.body}.{self.check}"


def _check_input(body: str) -> str:
    return mod37_36_check_char(body.replace(".", ""))


def build_identifier(*, type_code: str, issuer_code: str, serial: str, version: int = 1) -> str:
    """The full identifier with its check character."""
    type_code, issuer_code, serial = type_code.upper(), issuer_code.upper(), str(serial).upper()
    if not TYPE_CODE_RE.match(type_code):
        raise InvalidIdentifier(_("证照类型代码应为 18 位统一社会信用代码加 3 位顺序号。"))
    if not CREDIT_CODE_RE.match(issuer_code):
        raise InvalidIdentifier(_("颁发机构代码应为 18 位统一社会信用代码。"))
    if not re.fullmatch(r"[0-9A-Z]{1,20}", serial):
        raise InvalidIdentifier(_("流水号应为 1 至 20 位数字或大写字母。"))
    if not 1 <= version <= 999:
        raise InvalidIdentifier(_("版本号应在 001 至 999 之间。"))
    body = f"{PREFIX}.{type_code}.{issuer_code}.{serial}.{version:03d}"
    return f"{body}.{_check_input(body)}"


def parse_identifier(text: str) -> Identifier:
    """Split and check an identifier; raise InvalidIdentifier with the reason in Chinese."""
    return _parse((text or "").strip().upper())


@lru_cache(maxsize=65536)
def _parse(value: str) -> Identifier:
    # Verification parses the identifier of every QR code scanned, and the same licences
    # are scanned again and again; an answer is a frozen value (errors are not cached).
    match = _IDENTIFIER_RE.match(value)
    if not match:
        raise InvalidIdentifier(_("电子证照标识格式不正确。"))
    ident = Identifier(
        type_code=match["type"], issuer_code=match["issuer"], serial=match["serial"],
        version=int(match["version"]), check=match["check"],
    )
    if not TYPE_CODE_RE.match(ident.type_code) or not CREDIT_CODE_RE.match(ident.issuer_code):
        raise InvalidIdentifier(_("电子证照标识中的类型代码或颁发机构代码格式不正确。"))
    if ident.version < 1:
        raise InvalidIdentifier(_("电子证照标识的版本号应从 001 开始。"))
    if _check_input(ident.body) != ident.check:
        raise InvalidIdentifier(_("电子证照标识校验位不正确。"))
    return ident


def is_valid_identifier(text: str) -> bool:
    try:
        parse_identifier(text)
    except InvalidIdentifier:
        return False
    return True
