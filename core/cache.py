"""A Redis cache that fails open: an outage costs speed, never a page.

Django's `RedisCache` raises `redis.exceptions.ConnectionError` when Redis is unreachable, and
every cache user (template fragments, the radar, the dashboard's figures, DRF's throttle) would
answer 500. `FailOpenRedisCache` turns each failed call into what an empty cache would answer:
a read is a miss (the caller computes the value), a write is dropped, the throttle finds no
history (the request is allowed). The cause is logged at WARNING, once per outage window: after
a failure the cache is bypassed for `RETRY_AFTER` seconds (OPTIONS, default 5), so a page with
many cache reads does not wait for a refused connection at each of them.

Set in `settings.CACHES` (base settings) for every Redis-backed cache.
"""

from __future__ import annotations

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_MISSING = object()
_lock = threading.Lock()
#: location -> monotonic time until which the cache is bypassed (shared by the process' threads)
_down_until: dict[str, float] = {}


def _fail_open(answer):
    """Wrap a cache method: on a Redis error (or while bypassed) return `answer(*args, **kw)`."""

    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if self._bypassed():
                return answer(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except RedisError as exc:
                self._went_down(method.__name__, exc)
                return answer(*args, **kwargs)

        return wrapper

    return decorator


def _default(key, default=None, *args, **kwargs):
    return default


def _none(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _all_keys(data, *args, **kwargs):
    return list(data)  # set_many's answer: the keys that were not stored


def _delta(key, delta=1, *args, **kwargs):
    return delta  # a counter that starts again from zero (a rate limit lets the request through)


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("RETRY_AFTER", 5))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._location = ";".join(self._servers)

    def _bypassed(self) -> bool:
        until = _down_until.get(self._location)
        return until is not None and time.monotonic() < until

    def _went_down(self, operation: str, exc: BaseException) -> None:
        with _lock:
            _down_until[self._location] = time.monotonic() + self.retry_after
        logger.warning(
            "Cache unavailable (%s failed: %s: %s): pages are computed without the cache, "
            "next try in %s s",
            operation,
            type(exc).__name__,
            exc,
            f"{self.retry_after:g}",
        )

    get = _fail_open(_default)(RedisCache.get)
    get_many = _fail_open(_empty)(RedisCache.get_many)
    has_key = _fail_open(_false)(RedisCache.has_key)
    add = _fail_open(_false)(RedisCache.add)
    set = _fail_open(_none)(RedisCache.set)
    touch = _fail_open(_false)(RedisCache.touch)
    delete = _fail_open(_false)(RedisCache.delete)
    set_many = _fail_open(_all_keys)(RedisCache.set_many)
    delete_many = _fail_open(_none)(RedisCache.delete_many)
    incr = _fail_open(_delta)(RedisCache.incr)
    clear = _fail_open(_false)(RedisCache.clear)


def cache_bypass_reset() -> None:
    """Forget outages seen so far (tests, or a process that knows Redis is back)."""
    with _lock:
        _down_until.clear()
