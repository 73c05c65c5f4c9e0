"""The entries of a DistributedMapCacheServer: in memory, bounded, optionally persisted in LMDB.

Each stored value carries a revision taken from one counter that only grows (persisted with the
entries), so a compare-and-set against a revision can never succeed against a key that was
removed and stored again in between.
"""

from __future__ import annotations

import hashlib
import os
import struct
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import lmdb
import msgpack

FIFO, LRU, LFU = "First In, First Out", "Least Recently Used", "Least Frequently Used"
EVICTION_STRATEGIES = (LFU, LRU, FIFO)
_REVISION_KEY = b"m:revision"
#: The revision ``replace`` expects for a key that is not in the store (stored revisions start at 1).
ABSENT = 0
_ENTRY = b"k:"  # prefix of entry keys, so no cached key can collide with _REVISION_KEY
_U64 = struct.Struct(">Q")
_MAP_SIZE = 1 << 30  # the LMDB file is sparse: this is an upper bound, not an allocation


def _stored_key(key: bytes) -> bytes:
    """The LMDB key of a cached key: a digest, since LMDB keys are limited to 511 bytes."""
    return _ENTRY + hashlib.sha256(key).digest()


@dataclass
class _Entry:
    value: bytes
    revision: int
    hits: int = 0


class MapCacheStore:
    def __init__(self, max_entries: int, strategy: str, directory: str | None) -> None:
        if strategy not in EVICTION_STRATEGIES:
            raise ValueError(f"unknown eviction strategy '{strategy}' (allowed: {', '.join(EVICTION_STRATEGIES)})")
        self._max_entries = max_entries
        self._strategy = strategy
        self._lock = threading.Lock()
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._revision = 0
        self._env: Any = None
        if directory:
            os.makedirs(directory, exist_ok=True)
            self._env = lmdb.open(directory, map_size=_MAP_SIZE, max_dbs=0)
            self._load()

    def _load(self) -> None:
        with self._env.begin() as txn:
            raw = txn.get(_REVISION_KEY)
            self._revision = _U64.unpack(raw)[0] if raw else 0
            loaded = []
            cursor = txn.cursor()
            found = cursor.set_range(_ENTRY)
            while found and cursor.key().startswith(_ENTRY):
                revision, key, value = msgpack.unpackb(cursor.value())
                loaded.append((revision, key, value))
                found = cursor.next()
        for revision, key, value in sorted(loaded):  # oldest change first, as FIFO / LRU expect
            self._entries[key] = _Entry(value, revision)

    def close(self) -> None:
        with self._lock:
            if self._env is not None:
                self._env.close()
                self._env = None

    # -- operations (each atomic) ---------------------------------------------------------
    def get(self, key: bytes) -> bytes | None:
        with self._lock:
            entry = self._touch(key)
            return None if entry is None else entry.value

    def fetch(self, key: bytes) -> tuple[int, bytes] | None:
        with self._lock:
            entry = self._touch(key)
            return None if entry is None else (entry.revision, entry.value)

    def contains_key(self, key: bytes) -> bool:
        with self._lock:
            return self._touch(key) is not None

    def put(self, key: bytes, value: bytes) -> None:
        with self._lock:
            self._store(key, value)

    def put_if_absent(self, key: bytes, value: bytes) -> bool:
        with self._lock:
            if key in self._entries:
                self._touch(key)
                return False
            self._store(key, value)
            return True

    def get_and_put_if_absent(self, key: bytes, value: bytes) -> bytes | None:
        """The value stored under ``key`` (nothing changes), or None after storing ``value``."""
        with self._lock:
            entry = self._touch(key)
            if entry is not None:
                return entry.value
            self._store(key, value)
            return None

    def replace(self, key: bytes, value: bytes, revision: int) -> bool:
        with self._lock:
            entry = self._entries.get(key)
            current = ABSENT if entry is None else entry.revision
            if current != revision:
                return False
            self._store(key, value)
            return True

    def remove(self, key: bytes) -> bool:
        with self._lock:
            if self._entries.pop(key, None) is None:
                return False
            self._persist(deleted=[key])
            return True

    def __len__(self) -> int:
        return len(self._entries)

    # -- internals (lock held) -----------------------------------------------------------
    def _touch(self, key: bytes) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is not None:
            entry.hits += 1
            if self._strategy == LRU:
                self._entries.move_to_end(key)
        return entry

    def _store(self, key: bytes, value: bytes) -> None:
        self._revision += 1
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry(value, self._revision)
        else:
            entry.value, entry.revision = value, self._revision
            entry.hits += 1
            if self._strategy == LRU:
                self._entries.move_to_end(key)
        evicted = self._evict(keep=key)
        self._persist(stored=[(key, entry)], deleted=evicted)

    def _evict(self, keep: bytes) -> list[bytes]:
        evicted: list[bytes] = []
        while len(self._entries) > self._max_entries:
            candidates = (k for k in self._entries if k != keep)
            if self._strategy == LFU:
                victim = min(candidates, key=lambda k: self._entries[k].hits)
            else:  # FIFO and LRU: the front of the order (insertion / last use)
                victim = next(candidates)
            del self._entries[victim]
            evicted.append(victim)
        return evicted

    def _persist(self, stored: Sequence[tuple[bytes, _Entry]] = (), deleted: Sequence[bytes] = ()) -> None:
        if self._env is None:
            return
        with self._env.begin(write=True) as txn:
            for key, entry in stored:
                txn.put(_stored_key(key), msgpack.packb([entry.revision, key, entry.value], use_bin_type=True))
            for key in deleted:
                txn.delete(_stored_key(key))
            txn.put(_REVISION_KEY, _U64.pack(self._revision))
