"""The tests' Redis caches: `clear()` empties this test process's keys only.

Django's RedisCache.clear() is FLUSHDB: under pytest-xdist it would also empty the other
workers' cache and their Celery queues, which share the Redis database (each under its own
prefix, performance_pme/settings/test.py). Each class is the configured backend otherwise.
"""

from django.core.cache.backends.redis import RedisCache

from core.cache import FailOpenRedisCache, _fail_open, _false


def _clear_own_keys(cache) -> bool:
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    return True


class WorkerRedisCache(RedisCache):
    clear = _clear_own_keys


class WorkerFailOpenRedisCache(FailOpenRedisCache):
    clear = _fail_open(_false)(_clear_own_keys)
