"""Identifiers that leave the system: short, unambiguous, URL-safe."""

import secrets

# No 0/O, 1/I/L: codes are read aloud at the window and typed from paper notices.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def short_code(length: int = 8) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def token_urlsafe(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
