"""Identifiers that leave the system: short, unambiguous, URL-safe."""

import secrets

# No 0/O, 1/I/L: codes are read aloud at the window and typed from paper notices.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def short_code(length: int = 8) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def token_urlsafe(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def is_digits(text: str) -> bool:
    """Only the ASCII digits 0–9 (``str.isdigit`` also accepts ² or ０, which ``int``
    then refuses or reads differently)."""
    return text.isascii() and text.isdigit()


def is_row_id(text: str) -> bool:
    """A plausible database id from a form or URL: 1–18 ASCII digits (a longer number
    overflows a 64-bit column and would fail in the database instead of as bad input)."""
    return is_digits(text) and 0 < len(text) <= 18
