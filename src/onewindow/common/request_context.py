"""The id of the request (or task) being served, for logs and audit rows; and the public
address links printed on paper (QR codes of notices and licences) point to."""

import contextvars
import os
import uuid

from django.conf import settings

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_request_base: contextvars.ContextVar[str] = contextvars.ContextVar("request_base", default="")

# ``onewindow serve --bind`` exports the address it serves on under this name, so work done
# outside a request (the worker rendering a notice) links to the same place.
SERVED_BASE_ENV = "ONEWINDOW_SERVED_BASE_URL"
FALLBACK_BASE_URL = "http://127.0.0.1:8000"


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def get_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str) -> contextvars.Token:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


def set_request_base(value: str) -> contextvars.Token:
    """The scheme and host of the request being served (``https://example.gov.cn``)."""
    return _request_base.set(value.rstrip("/"))


def reset_request_base(token: contextvars.Token) -> None:
    _request_base.reset(token)


def public_base_url(*, from_request: bool = True) -> str:
    """Where the public pages live, for links and QR codes: the configured
    ``ONEWINDOW_PUBLIC_BASE_URL``; else the host of the request being served (so a demo on
    another port or host links to itself); else the address ``onewindow serve`` binds.
    ``from_request=False`` skips the request (identifiers that must not vary by host)."""
    configured = getattr(settings, "ONEWINDOW_PUBLIC_BASE_URL", "") or ""
    if configured:
        return configured.rstrip("/")
    if from_request and _request_base.get():
        return _request_base.get()
    return (os.environ.get(SERVED_BASE_ENV) or FALLBACK_BASE_URL).rstrip("/")
