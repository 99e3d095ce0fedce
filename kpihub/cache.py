"""The cache backend: Django's Redis cache, which a Redis that is away (restarting,
crashed) does not turn into a 500 on every page.

Pages use the cache for speed (dashboard cards, sessions read before the database,
the last-activity stamp) and for limits. With Redis unreachable, a read is a miss
(sessions then come from their table), a write is not made, and ``add`` answers that
the key is taken, so a single-use token or a lock is refused rather than granted
twice. Counters (``incr``) still raise: a limit that cannot count says so. Each
failure is logged; ``/healthz`` names the broker as down meanwhile.
"""

from __future__ import annotations

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
AWAY = (RedisConnectionError, RedisTimeoutError)


def _away(operation: str, error: Exception) -> None:
    logger.warning("cache %s skipped: Redis is unreachable (%s)", operation, error.__class__.__name__)


class ResilientRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except AWAY as error:
            _away("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except AWAY as error:
            _away("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except AWAY as error:
            _away("has_key", error)
            return False

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except AWAY as error:
            _away("add", error)
            return False

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except AWAY as error:
            _away("set", error)

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except AWAY as error:
            _away("set_many", error)
            return list(data)

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except AWAY as error:
            _away("touch", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except AWAY as error:
            _away("delete", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except AWAY as error:
            _away("delete_many", error)
