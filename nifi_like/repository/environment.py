"""The LMDB environment: named databases, schema version, map growth, readers."""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import lmdb

from nifi_like.repository.errors import RepositoryError, SchemaVersionError
from nifi_like.repository.rwlock import ReadWriteLock

SCHEMA_VERSION = 1
_LIBC = ctypes.CDLL(None, use_errno=True)
_MADV_DONTNEED = 4
DATABASES = ("meta", "queues", "qstats", "content", "claimrefs", "state", "provenance", "prov_index", "status")


class Environment:
    """One LMDB environment under ``<data>/repository``; owns the map size and reader lock."""

    def __init__(self, path: str, *, durability: str = "sync", map_size: int = 1 << 30,
                 readonly: bool = False) -> None:
        if durability not in ("sync", "nosync"):
            raise RepositoryError(f"durability must be 'sync' or 'nosync', not '{durability}'")
        os.makedirs(path, exist_ok=True)
        self.path = path
        self.durability = durability
        self.resize_lock = ReadWriteLock()
        try:
            self.env = lmdb.open(path, map_size=map_size, max_dbs=len(DATABASES) + 2, subdir=True,
                                 sync=durability == "sync", metasync=durability == "sync",
                                 writemap=False, readahead=False, max_readers=512, readonly=readonly,
                                 lock=True)
        except lmdb.Error as exc:
            raise RepositoryError(f"cannot open the repository at {path}: {exc}") from exc
        if not readonly:
            self.env.reader_check()  # clear reader slots left by a crashed process
        self.dbs: dict[str, Any] = {
            name: self.env.open_db(name.encode(), create=not readonly) for name in DATABASES
        }
        self._check_schema(readonly)

    def _check_schema(self, readonly: bool) -> None:
        with self.env.begin(write=not readonly, db=self.dbs["meta"]) as txn:
            raw = txn.get(b"schema_version")
            if raw is None and not readonly:
                txn.put(b"schema_version", str(SCHEMA_VERSION).encode())
                return
        if raw is not None and int(raw) != SCHEMA_VERSION:
            raise SchemaVersionError(
                f"the repository at {self.path} has schema version {int(raw)}, but this nifi_like "
                f"reads schema version {SCHEMA_VERSION}; use the nifi_like release that wrote it, "
                "or start with an empty data directory")

    @contextmanager
    def read(self) -> Iterator[Any]:
        """A read transaction, safe against a concurrent map resize."""
        with self.resize_lock.shared(), self.env.begin(buffers=False) as txn:
            yield txn

    def grow(self) -> int:
        """Double the map size; called by the writer thread with no write txn open."""
        with self.resize_lock.exclusive():
            new_size = self.env.info()["map_size"] * 2
            self.env.set_mapsize(new_size)
            return int(new_size)

    def release_pages(self) -> int:
        """Drop this process's mappings of database pages (they stay in the page cache and fault
        back in on the next read): scans and a large queue would otherwise keep the file's pages
        in the engine's resident memory. Returns the bytes of mapping released (Linux)."""
        path = os.path.realpath(os.path.join(self.path, "data.mdb"))
        released = 0
        with self.resize_lock.exclusive():  # no remap, and no reader, while the range is advised
            try:
                with open("/proc/self/maps") as maps:
                    ranges = [line.split()[0] for line in maps if line.rstrip().endswith(path)]
            except OSError:
                return 0
            for span in ranges:
                start, end = (int(x, 16) for x in span.split("-"))
                if _LIBC.madvise(ctypes.c_void_p(start), ctypes.c_size_t(end - start), _MADV_DONTNEED) == 0:
                    released += end - start
        return released

    def size_on_disk(self) -> int:
        return os.path.getsize(os.path.join(self.path, "data.mdb"))

    def close(self) -> None:
        self.env.close()
