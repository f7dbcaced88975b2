"""The one throttle of the project: a fixed-window counter for what can be guessed at
(the progress lookup by 办件编号 + 查询码, password logins), and the one function that
says which client address a request came from (ADR 0026).

The counts live in the database (``RateCounter``), so every server process and every
host sees the same number: with the per-process memory cache the default two gunicorn
workers each counted their own share, and twelve misses in a row were never ten in one.
"""

import datetime as dt
import functools
import ipaddress

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import RateCounter

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.cache
def _trusted_networks(configured: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(n.strip(), strict=False) for n in configured if n.strip())


def _parse(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: IPAddress) -> bool:
    networks = _trusted_networks(tuple(settings.ONEWINDOW_TRUSTED_PROXIES))
    return any(address in network for network in networks)


def client_address(request) -> str:
    """The address of the client behind our own reverse proxies.

    REMOTE_ADDR is the client unless it is one of ``ONEWINDOW_TRUSTED_PROXIES``; then the
    X-Forwarded-For chain is read from the right, skipping our proxies, and the first
    address they did not add is the client. Whatever the client wrote further left is
    never believed. IPv6 clients are counted by their /64, which one subscriber usually
    holds whole.
    """
    address = _parse(request.META.get("REMOTE_ADDR", ""))
    if address is None:
        return "unknown"
    if _trusted(address):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
            hop_address = _parse(hop)
            if hop_address is None:
                break  # garbage: the last proxy we trust is all we know
            address = hop_address
            if not _trusted(address):
                break
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def exceeded(scope: str, who: str, *, limit: int, now: dt.datetime | None = None) -> bool:
    """Whether ``who`` has already used up ``limit`` counted attempts in ``scope``."""
    now = now or timezone.now()
    return RateCounter.objects.filter(key=_key(scope, who), window_ends_at__gt=now,
                                      count__gte=limit).exists()


def window_ends_at(scope: str, who: str, *, now: dt.datetime) -> dt.datetime | None:
    """When ``who``'s open window in ``scope`` ends, or None if none is open."""
    return RateCounter.objects.filter(key=_key(scope, who), window_ends_at__gt=now) \
        .values_list("window_ends_at", flat=True).first()


def count(scope: str, who: str, *, window_seconds: int,
          now: dt.datetime | None = None) -> int:
    """Count one attempt; the window starts with the first attempt and lasts
    ``window_seconds``. Returns the attempts so far in the window."""
    now = now or timezone.now()
    key = _key(scope, who)
    ends = now + dt.timedelta(seconds=window_seconds)
    for _ in range(3):
        with transaction.atomic():
            # One conditional UPDATE: two processes counting at once both add one.
            if RateCounter.objects.filter(key=key, window_ends_at__gt=now).update(
                    count=F("count") + 1):
                return RateCounter.objects.get(key=key).count
            # No open window: start one (replacing an expired row).
            if RateCounter.objects.filter(key=key, window_ends_at__lte=now).update(
                    count=1, window_ends_at=ends):
                return 1
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, count=1, window_ends_at=ends)
            _forget_expired(now)
            return 1
        except IntegrityError:
            continue  # another process created it first: count on it
    return RateCounter.objects.get(key=key).count


def reset(scope: str, who: str) -> None:
    """Forget ``who``'s attempts in ``scope`` (tests, an operator unblocking an address)."""
    RateCounter.objects.filter(key=_key(scope, who)).delete()


def _forget_expired(now: dt.datetime) -> None:
    # New windows are rare (a first miss); sweeping then keeps the table small.
    RateCounter.objects.filter(window_ends_at__lt=now - dt.timedelta(days=1)).delete()


def _key(scope: str, who: str) -> str:
    return f"ratelimit:{scope}:{who}"[:200]
