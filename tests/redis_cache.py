"""The tests' Redis cache: `clear()` empties this test process's keys only.

Django's RedisCache.clear() is FLUSHDB: under pytest-xdist it would also empty the other
workers' cache and their Celery queues, which share the Redis database (each under its own
prefix, performance_pme/settings/test.py). The configured backend is kept: fail-open
(core.cache) or Django's own.
"""

from django.core.cache.backends.redis import RedisCache

from core.cache import FailOpenRedisCache


class _ClearOwnKeys:
    def clear(self) -> bool:
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        return True


class WorkerRedisCache(_ClearOwnKeys, RedisCache):
    pass


class WorkerFailOpenRedisCache(_ClearOwnKeys, FailOpenRedisCache):
    pass
