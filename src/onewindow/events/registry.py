"""Who listens to which event.

Higher apps subscribe in their AppConfig.ready(), so a lower app that publishes never
imports them. Handlers are stored as dotted paths: the path is what an EventDelivery row
remembers, and it is imported again in whichever worker process delivers.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

_subscriptions: dict[str, list[str]] = {}


def subscribe(event_name: str, handler_path: str) -> None:
    """Deliver every ``event_name`` event to the function at ``handler_path``.

    Subscribing twice is harmless (ready() may run more than once in tests).
    """
    if not event_name or not handler_path or "." not in handler_path:
        raise ValueError(f"invalid subscription {event_name!r} -> {handler_path!r}")
    if "<locals>" in handler_path:
        raise ValueError(f"handler {handler_path!r} must be a module-level function")
    paths = _subscriptions.setdefault(event_name, [])
    if handler_path not in paths:
        paths.append(handler_path)


def handler(event_name: str, *, atomic: bool = True) -> Callable[[Callable], Callable]:
    """Decorator form of ``subscribe``: ``@handler("cases.case.accepted")``.

    The decorated module must be imported (e.g. from AppConfig.ready()) for it to count.

    ``atomic=True`` (the default) runs the handler inside the transaction that marks its
    delivery SUCCEEDED, so its database writes happen exactly once; such a handler must
    not open a ``durable=True`` transaction (call the non-durable inner functions). A
    handler that must call durable services says ``atomic=False``: it then runs in its
    own transactions and may run again after a crash, so it must be idempotent.
    """

    def register(func: Callable) -> Callable:
        func.events_atomic = atomic
        subscribe(event_name, f"{func.__module__}.{func.__qualname__}")
        return func

    return register


def handlers_for(event_name: str) -> tuple[str, ...]:
    return tuple(_subscriptions.get(event_name, ()))


def all_subscriptions() -> dict[str, tuple[str, ...]]:
    return {name: tuple(paths) for name, paths in _subscriptions.items()}


@contextmanager
def override(subscriptions: dict[str, list[str]] | None = None) -> Iterator[None]:
    """Replace all subscriptions for the duration of a block (tests), then restore them."""
    saved = {name: list(paths) for name, paths in _subscriptions.items()}
    _subscriptions.clear()
    for name, paths in (subscriptions or {}).items():
        for path in paths:
            subscribe(name, path)
    try:
        yield
    finally:
        _subscriptions.clear()
        _subscriptions.update(saved)
