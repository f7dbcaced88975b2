"""A fixed-window counter for public endpoints that can be guessed at (e.g. the progress
lookup by 办件编号 + 查询码).

The counts live in the database (``RateCounter``), so every server process and every
host sees the same number: with the per-process memory cache the default two gunicorn
workers each counted their own share, and twelve misses in a row were never ten in one.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import RateCounter


def client_address(request) -> str:
    """The address the request came from (the reverse proxy must pass REMOTE_ADDR on)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def exceeded(scope: str, who: str, *, limit: int, now: dt.datetime | None = None) -> bool:
    """Whether ``who`` has already used up ``limit`` counted attempts in ``scope``."""
    now = now or timezone.now()
    return RateCounter.objects.filter(key=_key(scope, who), window_ends_at__gt=now,
                                      count__gte=limit).exists()


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
