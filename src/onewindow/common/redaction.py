"""Masking of personal data (ID numbers, phone numbers) in text meant for people or logs.

The shapes follow UI.md: 身份证 1101**********123X, 手机 138****5678.
"""

import re

# An 18-character resident ID number (GB 11643) or a 15-digit legacy one, not glued to
# other digits; an 11-digit mainland mobile number starting with 1[3-9].
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_id_number(value: str | None) -> str:
    """Keep the first four and last four characters: 110101199003071234 → 1101**********1234."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """Keep the first three and last four digits: 13812345678 → 138****5678."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def redact_text(text: str) -> str:
    """Mask anything in free text that looks like an ID number or a mobile number."""
    text = _ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)
