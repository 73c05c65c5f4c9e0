"""What processors see of a distributed map cache: ``DistributedMapCacheClient`` (NiFi's
DistributedMapCacheClient and AtomicDistributedMapCacheClient in one), the controller-service base a
processor property names (``controller_service=DistributedMapCacheClient``).

Keys and values are bytes: a processor serializes (NiFi's Serializer/Deserializer pairs collapse to
UTF-8 text or raw content here). Every implementation (the Redis one in
processors/services/redis_distributed_map_cache_client_service.py, DistributedMapCacheClientService in
processors/services/distributed_map_cache_client.py talking to a DistributedMapCacheServer) gives
the same semantics, so a processor works unchanged against any of them:

- ``put`` stores unconditionally; ``put_if_absent`` stores only when the key is absent and says
  whether it stored; ``get_and_put_if_absent`` returns the existing value (storing nothing) or None
  (after storing).
- ``fetch`` returns a ``CacheEntry`` with a revision; ``replace`` stores only if the entry is still at
  that revision (or, for a revision of None, only if the key is still absent), else returns False:
  compare-and-set for Wait/Notify-style read-modify-write.
- A failure to reach the cache raises ``CacheUnavailable`` (a ProcessException): the caller routes
  the FlowFile to failure or retry, or yields; it is never a crash.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import dataclass

from nifi_like.api import ControllerService, ProcessException


class CacheUnavailable(ProcessException):
    """The cache could not be reached or answered with an error; the message says which and why."""


@dataclass(frozen=True)
class CacheEntry:
    """A value with the revision it was read at (opaque to callers; compare only by passing it back)."""

    key: bytes
    value: bytes
    revision: str


class DistributedMapCacheClient(ControllerService, abc.ABC):
    """A key/value cache shared by processors (and nodes). All methods are blocking and thread-safe;
    call them from a plain ``def on_trigger`` (which runs on a worker thread), not from the event loop."""

    @abc.abstractmethod
    def get(self, key: bytes) -> bytes | None:
        """The value stored under ``key``, or None."""

    @abc.abstractmethod
    def put(self, key: bytes, value: bytes) -> None:
        """Store ``value`` under ``key``, replacing any value."""

    @abc.abstractmethod
    def put_if_absent(self, key: bytes, value: bytes) -> bool:
        """Store ``value`` only if ``key`` holds nothing; True if it was stored."""

    @abc.abstractmethod
    def get_and_put_if_absent(self, key: bytes, value: bytes) -> bytes | None:
        """The value already stored under ``key`` (nothing is changed), or None after storing ``value``."""

    @abc.abstractmethod
    def contains_key(self, key: bytes) -> bool: ...

    @abc.abstractmethod
    def remove(self, key: bytes) -> bool:
        """Remove ``key``; True if it was there."""

    def remove_all(self, keys: Iterable[bytes]) -> int:
        """Remove each key; the number that were there."""
        return sum(1 for key in keys if self.remove(key))

    @abc.abstractmethod
    def fetch(self, key: bytes) -> CacheEntry | None:
        """The value and its current revision, or None when the key holds nothing."""

    @abc.abstractmethod
    def replace(self, key: bytes, value: bytes, revision: str | None) -> bool:
        """Store ``value`` under ``key`` if the stored revision is still ``revision`` (the one a
        ``fetch`` returned; None: only if the key is still absent). True if it was stored; False if another writer
        got there first (fetch again and retry)."""
