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
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import RateCounter

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

logger = logging.getLogger(__name__)

# What client_address answers when it cannot tell the client: the throttles never count
# such callers together (ADR 0026, appendix).
UNKNOWN = "unknown"
# The entry of ONEWINDOW_TRUSTED_PROXIES that trusts a connection without an address: a
# server bound to a unix socket, which only processes of this host (its proxy) can reach.
UNIX_SOCKET = "unix"
# How long what client_address noticed about the deployment is kept for the deploy check.
SEEN_SECONDS = 24 * 3600
SEEN_NO_ADDRESS = "client-address-missing"
SEEN_UNLISTED_PROXY = "client-address-unlisted-proxy"


@dataclass(frozen=True)
class TrustedProxies:
    networks: tuple[Network, ...]
    unix_socket: bool


@functools.cache
def _parse_trusted(configured: tuple[str, ...]) -> TrustedProxies:
    networks, unix_socket = [], False
    for entry in configured:
        text = entry.strip()
        if not text:
            continue
        if text.lower() == UNIX_SOCKET:
            unix_socket = True
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"ONEWINDOW_TRUSTED_PROXIES: {text!r} is neither an address, a network "
                f"(10.0.0.0/24) nor {UNIX_SOCKET!r}.") from None
    return TrustedProxies(tuple(networks), unix_socket)


def trusted_proxies() -> TrustedProxies:
    """``ONEWINDOW_TRUSTED_PROXIES`` parsed (once per value; checked at start-up by the
    common app, so a malformed entry stops the server naming it)."""
    return _parse_trusted(tuple(settings.ONEWINDOW_TRUSTED_PROXIES))


def _parse(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: IPAddress, proxies: TrustedProxies) -> bool:
    return any(address in network for network in proxies.networks)


def client_address(request) -> str:
    """The address of the client behind our own reverse proxies, or ``UNKNOWN``.

    REMOTE_ADDR is the client unless it is one of ``ONEWINDOW_TRUSTED_PROXIES``; then the
    X-Forwarded-For chain is read from the right, skipping our proxies, and the first
    address they did not add is the client. Whatever the client wrote further left is
    never believed. IPv6 clients are counted by their /64, which one subscriber usually
    holds whole.

    Unknown: no REMOTE_ADDR (a unix socket) unless ``unix`` is listed, or a forwarding
    proxy on this very host (loopback, with X-Forwarded-For) that is not listed; through
    either, every client would look the same. Both are noted for ``check --deploy``, and
    so is X-Forwarded-For from another unlisted private address (a proxy elsewhere, or a
    client writing the header itself: it is not believed either way, so a client cannot
    make itself unknown).
    """
    proxies = trusted_proxies()
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    address = _parse(request.META.get("REMOTE_ADDR", "") or "")
    if address is None:
        if not (proxies.unix_socket and forwarded.strip()):
            _notice(SEEN_NO_ADDRESS, "-")
            return UNKNOWN
        found = _forwarded_client(forwarded, proxies)
        if found is None:
            return UNKNOWN
        address = found
    elif _trusted(address, proxies):
        address = _forwarded_client(forwarded, proxies) or address
    elif forwarded.strip() and (address.is_private or address.is_loopback):
        # A proxy of ours sits on a private network or this host; a public address sending
        # the header is a client (or its own company's proxy): nothing to tell the operator.
        _notice(SEEN_UNLISTED_PROXY, str(address))
        if address.is_loopback:
            return UNKNOWN
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _forwarded_client(forwarded: str, proxies: TrustedProxies) -> IPAddress | None:
    """The right-most address of X-Forwarded-For our proxies did not add (None: the chain
    is empty or garbage before any address)."""
    client = None
    for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
        hop_address = _parse(hop)
        if hop_address is None:
            break  # garbage: the last proxy we trust is all we know
        client = hop_address
        if not _trusted(client, proxies):
            break
    return client


def _notice(kind: str, detail: str) -> None:
    """Remember, for a day and for every server, that a request came in a way that hides
    its client (``seen()``, read by the deploy check)."""
    try:
        count(kind, detail, window_seconds=SEEN_SECONDS)
    except DatabaseError:
        logger.warning("client address: %s (%s) could not be noted", kind, detail)


def seen(kind: str, *, now: dt.datetime | None = None) -> dict[str, int]:
    """What ``client_address`` noticed of ``kind`` in the last day: detail → requests."""
    now = now or timezone.now()
    prefix = _key(kind, "")
    rows = RateCounter.objects.filter(key__startswith=prefix, window_ends_at__gt=now)
    return {key.removeprefix(prefix): n for key, n in rows.values_list("key", "count")}


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
