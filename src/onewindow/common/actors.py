"""Who acts: the one type of every service's ``actor`` parameter (ADR 0022).

An actor is a signed-in account (``identity.Account``) or, on public pages, an anonymous
visitor (Django's ``AnonymousUser``), who holds no role and so may do nothing that needs
one. The actor is typed here, below every app, because kernel services (the working-day
calendar, event retries, the audit log) take one too and may not import identity; both
classes satisfy the protocol as they are, and so does ``request.user`` as django-stubs
types it (``AbstractBaseUser | AnonymousUser``). A service the system itself may run (an
importer, a sweep, the cases app closing a 即办 step) takes ``Actor | None``, where None
is the system.
"""

from typing import Any, Protocol

from django.db.models import BooleanField


class Actor(Protocol):
    """A person acting through a page, the API or a command: identified by ``pk`` (None
    for a visitor), and usable only while authenticated and active.

    The members are read-only properties, so a class may offer a narrower type (a
    visitor's ``is_authenticated`` is ``Literal[False]``). ``is_active`` is typed as what
    the classes declare: a model declares the field (``Account.is_active`` is a
    ``BooleanField``; django-stubs types ``AbstractBaseUser.is_active`` as ``bool`` or the
    field), and a type checker matches a protocol against that declaration, not against
    the ``bool`` an instance reads. Test it for truth: ``if actor.is_active``.
    """

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool | BooleanField[Any, bool]: ...


__all__ = ["Actor"]
