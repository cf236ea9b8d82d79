"""A Redis cache that is an accelerator, never a dependency of a page.

When Redis is away, a read answers "not cached" (the page computes the value), a write is
dropped, and the fault is logged once per minute, not once per call. After a failure the cache
stays away from Redis for a few seconds (instead of waiting on a dead host for every fragment),
then tries again. Set as `CACHES["default"]["BACKEND"]` when REDIS_URL is set.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger("diaodu.ops.cache")
RETRY_AFTER_SECONDS = 5.0
LOG_EVERY_SECONDS = 60.0


def _errors():
    import redis.exceptions

    return (redis.exceptions.RedisError, OSError)


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0
        self._logged_at = 0.0
        self._lock = threading.Lock()

    # -------------------------------------------------------------- the guard
    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self._down_until = now + RETRY_AFTER_SECONDS
            if now - self._logged_at >= LOG_EVERY_SECONDS:
                self._logged_at = now
                log.warning(
                    "Redis 缓存不可用（%s: %s），页面改为直接计算。", type(exc).__name__, exc
                )

    def _guard(self, call, fallback):
        if not self._available():
            return fallback
        try:
            return call()
        except _errors() as exc:
            self._failed(exc)
            return fallback

    # -------------------------------------------------------------- the API
    def get(self, key, default=None, version=None):
        return self._guard(
            lambda: super(FallbackRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys, version=None):
        return self._guard(lambda: super(FallbackRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._guard(lambda: super(FallbackRedisCache, self).has_key(key, version), False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            lambda: super(FallbackRedisCache, self).add(key, value, timeout, version), False
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            lambda: super(FallbackRedisCache, self).set(key, value, timeout, version), None
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            lambda: super(FallbackRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            lambda: super(FallbackRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key, version=None):
        return self._guard(lambda: super(FallbackRedisCache, self).delete(key, version), False)

    def delete_many(self, keys, version=None):
        return self._guard(lambda: super(FallbackRedisCache, self).delete_many(keys, version), None)

    def clear(self):
        return self._guard(lambda: super(FallbackRedisCache, self).clear(), False)

    def incr(self, key, delta=1, version=None):
        if not self._available():
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        try:
            return super().incr(key, delta, version)
        except _errors() as exc:
            self._failed(exc)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from exc
