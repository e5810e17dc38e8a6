"""Fixed-window rate limits on public submissions, kept in Django's cache.

Every server process must count in the same place: the default cache is a table in the database
(CACHE_URL=db://) and Redis (redis://) serves at scale. Both count atomically: a new window is
opened with add(), which only one process can win, and every later hit is one incr() (Redis's
INCR, or a locked read and write in the database: groundswell.core.cache). On PostgreSQL the
database cache's hits_count does both for the address and the e-mail in one INSERT ... ON
CONFLICT DO UPDATE, atomically. CACHE_URL=locmem:// would count each process on its own.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


class RateLimited(Exception):
    def __init__(self, what: str, retry_after: int):
        self.what = what
        self.retry_after = retry_after
        super().__init__(
            f"Too many submissions from this {what}; try again in {retry_after} seconds."
        )


def _hit(key: str, limit: int, window: int) -> int | None:
    """Count one hit; return seconds to wait if the limit is passed, else None."""
    cache_key = _cache_key(key, window)
    if cache.add(cache_key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=window + 1)
            count = 1
    if count > limit:
        return window - int(time.time()) % window
    return None


def _cache_key(key: str, window: int) -> str:
    return f"rl:{hashlib.sha256(key.encode()).hexdigest()[:32]}:{int(time.time() // window)}"


def submission_rate_check(*, ip_address: str | None, email: str) -> None:
    """Raise RateLimited when this IP or this e-mail address submits too often."""
    checks = []  # (what, key, limit, window)
    if ip_address:
        checks.append(("network address", f"ip:{ip_address}", settings.GROUNDSWELL_RATE_PER_IP, 60))
    if email:
        checks.append(
            ("e-mail address", f"email:{email}", settings.GROUNDSWELL_RATE_PER_EMAIL, 600)
        )
    if not hasattr(cache, "hits_count"):
        for what, key, limit, window in checks:
            if wait := _hit(key, limit, window):
                raise RateLimited(what, wait)
        return
    # The database cache counts both in one statement (groundswell.core.cache).
    keys = [_cache_key(key, window) for _, key, _, window in checks]
    counts = cache.hits_count({k: c[3] + 1 for k, c in zip(keys, checks, strict=True)})
    for cache_key, (what, _, limit, window) in zip(keys, checks, strict=True):
        if counts[cache_key] > limit:
            raise RateLimited(what, window - int(time.time()) % window)


def rate_hit(key: str, *, limit: int, window: int) -> int | None:
    """Count one hit of ``key`` in a fixed window of ``window`` seconds: the seconds to wait
    when this hit passes ``limit``, else None (for limits other than the forms', such as an
    API key's)."""
    return _hit(key, limit, window)


# The autoresponse goes to whatever address was typed: a cap per recipient keeps the campaign
# from being used to flood a stranger's inbox, from however many networks the requests came.
AUTORESPONSES_PER_RECIPIENT = 3
AUTORESPONSE_WINDOW = 24 * 3600


def autoresponse_allowed(*, email: str) -> bool:
    """Count one autoresponse to this address; False once it has had its share today."""
    key = f"autoresponse:{email.strip().lower()}"
    return _hit(key, AUTORESPONSES_PER_RECIPIENT, AUTORESPONSE_WINDOW) is None
