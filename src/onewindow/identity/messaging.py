"""How SMS and e-mail leave the system: a small backend interface, chosen by settings.

- SMS: ``ONEWINDOW_SMS_BACKEND`` (dotted path, default the demo backend). The demo
  backend sends nothing: the ``OutgoingMessage`` row *is* the message, and a staff page
  lists them (recipients masked). A real gateway is a class with the same ``send``.
- E-mail: Django's ``EMAIL_BACKEND`` (console, SMTP, locmem in tests …).

A backend's ``send`` returns the provider's receipt id (or "") and raises on failure;
the caller records the outcome on the row.
"""

from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

DEFAULT_SMS_BACKEND = "onewindow.identity.messaging.DemoSmsBackend"


class MessageBackend(Protocol):
    def send(self, *, recipient: str, subject: str, body: str, reference: str) -> str: ...


class DemoSmsBackend:
    """Keeps SMS in the OutgoingMessage table for the demo page; nothing leaves."""

    name = "demo"

    def send(self, *, recipient: str, subject: str, body: str, reference: str) -> str:
        return f"demo-{reference}"


class DjangoEmailBackend:
    """E-mail through whatever Django's EMAIL_BACKEND is."""

    name = "django-email"

    def send(self, *, recipient: str, subject: str, body: str, reference: str) -> str:
        message = EmailMessage(subject=subject, body=body, to=[recipient],
                               headers={"X-OneWindow-Reference": reference})
        message.send(fail_silently=False)
        return ""


def sms_backend() -> MessageBackend:
    path = getattr(settings, "ONEWINDOW_SMS_BACKEND", "") or DEFAULT_SMS_BACKEND
    return import_string(path)()


def demo_sms_configured() -> bool:
    """Is the SMS backend the demo one (nothing leaves; the rows are the messages)?"""
    path = getattr(settings, "ONEWINDOW_SMS_BACKEND", "") or DEFAULT_SMS_BACKEND
    backend = import_string(path)
    return isinstance(backend, type) and issubclass(backend, DemoSmsBackend)


def email_backend() -> MessageBackend:
    return DjangoEmailBackend()


def backend_for(channel: str) -> MessageBackend:
    return sms_backend() if channel == "SMS" else email_backend()


def backend_name(channel: str) -> str:
    if channel == "SMS":
        return getattr(settings, "ONEWINDOW_SMS_BACKEND", "") or DEFAULT_SMS_BACKEND
    return "django.core.mail"
