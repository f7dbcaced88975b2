"""Who acts: the one type of every service's ``actor`` parameter (ADR 0022).

An actor is a signed-in account (``identity.Account``) or, on public pages, an anonymous
visitor (Django's ``AnonymousUser``), who holds no role and so may do nothing that needs
one. The actor is typed here, below every app, because kernel services (the working-day
calendar, event retries, the audit log) take one too and may not import identity; both
classes satisfy the protocol as they are. A service the system itself may run (an
importer, a sweep, the cases app closing a 即办 step) takes ``Actor | None``, where None
is the system.
"""

from typing import Any, Protocol


class Actor(Protocol):
    """A person acting through a page, the API or a command: identified by ``pk`` (None
    for a visitor), and usable only while authenticated and active."""

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...


__all__ = ["Actor"]
