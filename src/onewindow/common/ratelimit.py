"""A fixed-window counter in the shared cache, for public endpoints that can be guessed at
(e.g. the progress lookup by 办件编号 + 查询码).

With the default local-memory cache each server process counts on its own; set
``ONEWINDOW_REDIS_URL`` so that all processes share one count.
"""

from django.core.cache import cache


def client_address(request) -> str:
    """The address the request came from (the reverse proxy must pass REMOTE_ADDR on)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def exceeded(scope: str, who: str, *, limit: int) -> bool:
    """Whether ``who`` has already used up ``limit`` counted attempts in ``scope``."""
    return int(cache.get(_key(scope, who), 0)) >= limit


def count(scope: str, who: str, *, window_seconds: int) -> int:
    """Count one attempt; the window starts with the first attempt and lasts
    ``window_seconds``. Returns the attempts so far in the window."""
    key = _key(scope, who)
    if cache.add(key, 1, timeout=window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return 1


def _key(scope: str, who: str) -> str:
    return f"ratelimit:{scope}:{who}"
