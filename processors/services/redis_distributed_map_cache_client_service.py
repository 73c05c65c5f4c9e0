"""RedisDistributedMapCacheClientService: the DistributedMapCacheClient contract over Redis strings."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

import redis

from nifi_like.api import ConfigurationContext, PropertyDescriptor, parse_time_period, validators
from processors.services.map_cache_api import CacheEntry, CacheUnavailable, DistributedMapCacheClient
from processors.services.redis_connection_pool_service import RedisConnectionPoolService

T = TypeVar("T")
#: Attempts of a WATCH/MULTI transaction that another client keeps interrupting.
_WATCH_ATTEMPTS = 10


def _bytes(value: object) -> bytes | None:
    """A reply as bytes (the client does not decode responses)."""
    if isinstance(value, str):
        return value.encode("utf-8")
    return value if isinstance(value, bytes) or value is None else bytes(str(value), "utf-8")


def _revision(value: bytes) -> str:
    return hashlib.sha256(value).hexdigest()


class RedisDistributedMapCacheClientService(DistributedMapCacheClient):
    """An implementation of DistributedMapCacheClient that uses Redis as the backing cache. This service relies
    on the WATCH, MULTI, and EXEC commands in Redis, which are not fully supported when Redis is clustered. As a
    result, this service can only be used with a Redis Connection Pool that is configured for standalone or
    sentinel mode. Revisions (for fetch and replace) are the SHA-256 of the stored value."""

    tags = ("redis", "distributed", "cache", "map")
    nifi_type = "org.apache.nifi.redis.service.RedisDistributedMapCacheClientService"

    CONNECTION_POOL = PropertyDescriptor(
        "redis-connection-pool", display_name="Redis Connection Pool", required=True,
        controller_service=RedisConnectionPoolService)
    TTL = PropertyDescriptor(
        "redis-cache-ttl", display_name="TTL", description="Indicates how long the data should exist in Redis. "
        "Setting '0 secs' would mean the data would exist forever", default="0 secs", required=True,
        validator=validators.TIME_PERIOD)

    def __init__(self) -> None:
        self._pool: RedisConnectionPoolService | None = None
        self._ttl_ms: int | None = None

    def on_enabled(self, context: ConfigurationContext) -> None:
        self._pool = context.get_property(self.CONNECTION_POOL).as_controller_service()
        ttl = parse_time_period(context.get_property(self.TTL).value or "0 secs")
        self._ttl_ms = int(ttl * 1000) or None

    def on_disabled(self) -> None:
        self._pool = None

    @property
    def address(self) -> str:
        return self._pool.address if self._pool is not None else "redis://(disabled)"

    def _call(self, action: Callable[[redis.Redis], T]) -> T:
        if self._pool is None:
            raise CacheUnavailable("the RedisDistributedMapCacheClientService is not enabled")
        try:
            return action(self._pool.client())
        except redis.RedisError as exc:
            raise CacheUnavailable(f"Redis at {self._pool.address}: {type(exc).__name__}: {exc}") from exc

    def get(self, key: bytes) -> bytes | None:
        return self._call(lambda r: _bytes(r.get(key)))

    def put(self, key: bytes, value: bytes) -> None:
        self._call(lambda r: r.set(key, value, px=self._ttl_ms))

    def put_if_absent(self, key: bytes, value: bytes) -> bool:
        return bool(self._call(lambda r: r.set(key, value, px=self._ttl_ms, nx=True)))

    def get_and_put_if_absent(self, key: bytes, value: bytes) -> bytes | None:
        def attempt(r: redis.Redis) -> bytes | None:
            for _ in range(_WATCH_ATTEMPTS):
                with r.pipeline() as pipe:
                    try:
                        pipe.watch(key)  # type: ignore[no-untyped-call]
                        existing = _bytes(pipe.get(key))
                        if existing is not None:
                            return existing
                        pipe.multi()
                        pipe.set(key, value, px=self._ttl_ms)
                        pipe.execute()
                        return None
                    except redis.WatchError:
                        continue
            raise redis.RedisError(f"the key kept changing during {_WATCH_ATTEMPTS} attempts")
        return self._call(attempt)

    def contains_key(self, key: bytes) -> bool:
        return bool(self._call(lambda r: r.exists(key)))

    def remove(self, key: bytes) -> bool:
        return bool(self._call(lambda r: r.delete(key)))

    def fetch(self, key: bytes) -> CacheEntry | None:
        value = self.get(key)
        return None if value is None else CacheEntry(key, value, _revision(value))

    def replace(self, key: bytes, value: bytes, revision: str | None) -> bool:
        def attempt(r: redis.Redis) -> bool:
            with r.pipeline() as pipe:
                try:
                    pipe.watch(key)  # type: ignore[no-untyped-call]
                    current = _bytes(pipe.get(key))
                    if (None if current is None else _revision(current)) != revision:
                        return False
                    pipe.multi()
                    pipe.set(key, value, px=self._ttl_ms)
                    pipe.execute()
                    return True
                except redis.WatchError:
                    return False  # another writer got there first
        return self._call(attempt)
