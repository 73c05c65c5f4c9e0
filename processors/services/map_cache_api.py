"""What processors see of a map cache (NiFi's DistributedMapCacheClient / AtomicDistributedMapCacheClient):
a key -> value store of bytes shared by processors, with revisions for compare-and-set.

A processor property names a service implementing ``MapCacheClient``
(``controller_service=MapCacheClientService``); any service class that subclasses
``MapCacheClientService`` and implements the methods below can stand behind it (the
DistributedMapCacheClientService here; Redis-backed ones elsewhere).
"""

from __future__ import annotations

import abc
from typing import Protocol, runtime_checkable

from nifi_like.api import ControllerService

#: The revision ``replace`` expects for a key that is not in the cache.
ABSENT = 0


class MapCacheError(OSError):
    """The cache could not be reached or answered with an error; the message says which and why."""


@runtime_checkable
class MapCacheClient(Protocol):
    def get(self, key: bytes) -> bytes | None:
        """The value of ``key``, or None when it is not cached."""
        ...

    def put(self, key: bytes, value: bytes) -> None: ...

    def put_if_absent(self, key: bytes, value: bytes) -> bool:
        """Store ``value`` only if ``key`` is not cached; True when it was stored."""
        ...

    def contains_key(self, key: bytes) -> bool: ...

    def remove(self, key: bytes) -> bool:
        """True when ``key`` was cached (and is now removed)."""
        ...

    def fetch(self, key: bytes) -> tuple[int, bytes] | None:
        """(revision, value) of ``key``, or None when it is not cached."""
        ...

    def replace(self, key: bytes, value: bytes, revision: int) -> bool:
        """Compare-and-set: store ``value`` only if ``key`` is still at ``revision`` (``ABSENT``:
        only if it is not cached); True when it was stored."""
        ...


class MapCacheClientService(ControllerService, abc.ABC):
    """The controller-service base a processor property names to get a ``MapCacheClient``."""

    @abc.abstractmethod
    def get(self, key: bytes) -> bytes | None: ...

    @abc.abstractmethod
    def put(self, key: bytes, value: bytes) -> None: ...

    @abc.abstractmethod
    def put_if_absent(self, key: bytes, value: bytes) -> bool: ...

    @abc.abstractmethod
    def contains_key(self, key: bytes) -> bool: ...

    @abc.abstractmethod
    def remove(self, key: bytes) -> bool: ...

    @abc.abstractmethod
    def fetch(self, key: bytes) -> tuple[int, bytes] | None: ...

    @abc.abstractmethod
    def replace(self, key: bytes, value: bytes, revision: int) -> bool: ...
