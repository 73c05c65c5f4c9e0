"""Content claims: small content inline in LMDB, large content in append-only claim files.

Inline content lives in the ``content`` database as a 4-byte reference count followed by the
bytes. Large content is appended to numbered claim files, fsynced before the commit that
references it, and checked on every full read against the CRC32 its claim carries; ``claimrefs``
counts the FlowFiles referencing each file, and a file nobody references (and nobody is still
writing or about to commit into) is deleted.
"""

from __future__ import annotations

import io
import itertools
import logging
import os
import struct
import threading
import zlib
from collections.abc import Iterable
from typing import IO, Any

from nifi_like.api.flowfile import Claim
from nifi_like.repository import keys
from nifi_like.repository.environment import Environment
from nifi_like.repository.errors import DamagedContentError, RepositoryError

log = logging.getLogger(__name__)
_COUNT = struct.Struct(">I")
INLINE, FILE = 0, 1


class _ClaimFile:
    __slots__ = ("broken", "fd", "number", "size")

    def __init__(self, number: int, fd: int, size: int) -> None:
        self.number = number
        self.fd = fd
        self.size = size
        self.broken = False


class PendingContent:
    """Content written in a session but not yet committed."""

    __slots__ = ("claim", "data", "size")

    def __init__(self, claim: Claim, data: bytes | None, size: int) -> None:
        self.claim = claim
        self.data = data  # inline bytes, to be stored by the commit
        self.size = size


class ContentWriter(io.RawIOBase):
    """A write stream that stays in memory up to the inline limit, then spills to a claim file."""

    def __init__(self, repo: ContentRepository) -> None:
        super().__init__()
        self._repo = repo
        self._buffer = io.BytesIO()
        self._file: _ClaimFile | None = None
        self._offset = 0
        self._size = 0
        self._crc = 0
        self.result: PendingContent | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        if self._file is None and self._size + len(view) > self._repo.inline_max:
            self._file = self._repo._acquire_file()
            self._offset = self._file.size
            self._append(self._buffer.getbuffer())
            self._buffer = io.BytesIO()
        if self._file is not None:
            self._append(view)
        else:
            self._buffer.write(view)
        self._size += len(view)
        return len(view)

    def _append(self, data: Any) -> None:
        assert self._file is not None
        try:
            written = 0
            while written < len(data):
                written += os.write(self._file.fd, data[written:])
        except OSError as exc:
            self._file.broken = True  # a partial write: offsets past it are unknown, so retire the file
            raise RepositoryError(f"cannot write content to claim file {self._repo.file_path(self._file.number)}: "
                                  f"{exc.strerror}") from exc
        self._file.size += len(data)
        self._crc = zlib.crc32(data, self._crc)

    def finish(self) -> PendingContent:
        if self.result is None:
            if self._file is not None:
                claim: Claim = (FILE, self._file.number, self._offset, self._size, self._crc)
                self._repo._release_file(self._file, pending=True)
                self.result = PendingContent(claim, None, self._size)
            elif self._size:
                self.result = PendingContent((INLINE, self._repo.new_inline_key()), self._buffer.getvalue(), self._size)
            else:
                self.result = PendingContent(None, None, 0)
        return self.result

    def abandon(self) -> None:
        if self.result is None and self._file is not None:
            self._repo._release_file(self._file, pending=False)
            self._file = None
        self.result = PendingContent(None, None, 0)


class _RangeReader(io.RawIOBase):
    """Reads one claim's range of a claim file; at its end, checks the claim's CRC32 (if it has one:
    a slice of a claim made by clone(offset, size) has none)."""

    def __init__(self, path: str, offset: int, length: int, crc: int | None) -> None:
        super().__init__()
        self._fh = open(path, "rb")
        self._fh.seek(offset)
        self._offset, self._length, self._left = offset, length, length
        self._expected, self._crc = crc, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        want = min(len(buffer), self._left)
        if want <= 0:
            return 0
        data = self._fh.read(want)
        if len(data) < want and not data:
            raise DamagedContentError(f"claim file {self._fh.name} is truncated")
        buffer[: len(data)] = data
        self._left -= len(data)
        if self._expected is not None:
            self._crc = zlib.crc32(data, self._crc)
            if self._left == 0 and self._crc != self._expected:
                raise DamagedContentError(f"claim file {self._fh.name} is damaged: the {self._length} bytes at offset "
                                      f"{self._offset} do not match their checksum")
        return len(data)

    def close(self) -> None:
        self._fh.close()
        super().close()


class ContentRepository:
    def __init__(self, env: Environment, directory: str, *, inline_max: int = 64 * 1024,
                 claim_file_max: int = 128 * 1024 * 1024) -> None:
        self.env = env
        self.directory = directory
        self.inline_max = inline_max
        self.claim_file_max = claim_file_max
        self.sync = env.durability == "sync"
        os.makedirs(directory, exist_ok=True)
        self._lock = threading.Lock()
        self._pool: list[_ClaimFile] = []
        self._active: dict[int, _ClaimFile] = {}
        self._pending: dict[int, int] = {}
        self._refs: dict[int, int] = {}
        self._unsynced: set[int] = set()
        self._boot = self._next_boot()
        self._counter = itertools.count(1)
        self._load_refs()
        existing = [int(n) for n in os.listdir(directory) if n.isascii() and n.isdigit()]
        self._next_file = itertools.count(max(existing, default=0) + 1)
        present = set(existing)
        #: claim files still referenced but gone (deleted behind the engine's back): number -> references
        self.missing = {n: count for n, count in sorted(self._refs.items()) if count > 0 and n not in present}
        self._collect_unreferenced(existing)

    def _next_boot(self) -> int:
        with self.env.env.begin(write=True, db=self.env.dbs["meta"]) as txn:
            boot = int(txn.get(b"boot_count", b"0")) + 1
            txn.put(b"boot_count", str(boot).encode())
        return boot

    def _load_refs(self) -> None:
        with self.env.read() as txn:
            for key, value in txn.cursor(db=self.env.dbs["claimrefs"]):
                self._refs[keys.from_u64(key)] = keys.from_u64(value)

    def _collect_unreferenced(self, numbers: Iterable[int]) -> None:
        for number in numbers:
            if not self._refs.get(number):
                os.unlink(self.file_path(number))

    def file_path(self, number: int) -> str:
        return os.path.join(self.directory, str(number))

    def new_inline_key(self) -> bytes:
        return struct.pack(">IQ", self._boot, next(self._counter))

    def writer(self) -> ContentWriter:
        return ContentWriter(self)

    # -- claim files ---------------------------------------------------------------------
    def _acquire_file(self) -> _ClaimFile:
        with self._lock:
            if self._pool:
                claim_file = self._pool.pop()
            else:
                number = next(self._next_file)
                try:
                    fd = os.open(self.file_path(number), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                except OSError as exc:
                    raise RepositoryError(f"cannot create claim file {self.file_path(number)}: {exc.strerror}") from exc
                claim_file = _ClaimFile(number, fd, 0)
            self._active[claim_file.number] = claim_file
            return claim_file

    def _release_file(self, claim_file: _ClaimFile, *, pending: bool) -> None:
        with self._lock:
            if pending:
                self._pending[claim_file.number] = self._pending.get(claim_file.number, 0) + 1
            if claim_file.size < self.claim_file_max and not claim_file.broken:
                self._pool.append(claim_file)
                return
            del self._active[claim_file.number]
        try:
            if self.sync:
                os.fsync(claim_file.fd)
        except OSError:  # content other sessions wrote here is not durable: their commits must fail
            with self._lock:
                self._unsynced.add(claim_file.number)
        finally:
            os.close(claim_file.fd)
        self._maybe_delete(claim_file.number)

    def sync_files(self, numbers: Iterable[int]) -> None:
        """fsync claim files before the commit that references them."""
        if not self.sync:
            return
        for number in numbers:
            with self._lock:
                if number in self._unsynced:
                    raise RepositoryError(f"claim file {self.file_path(number)} could not be synced to disk")
                claim_file = self._active.get(number)
                fd = os.dup(claim_file.fd) if claim_file is not None else -1
            if fd >= 0:
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)

    def release_pending(self, numbers: Iterable[int]) -> None:
        """A session that wrote into these files has committed or rolled back."""
        for number in numbers:
            with self._lock:
                left = self._pending.get(number, 0) - 1
                if left > 0:
                    self._pending[number] = left
                else:
                    self._pending.pop(number, None)
            self._maybe_delete(number)

    def _maybe_delete(self, number: int) -> None:
        with self._lock:
            if number in self._active or self._pending.get(number) or self._refs.get(number):
                return
        try:
            os.unlink(self.file_path(number))
        except FileNotFoundError:
            pass

    # -- reference counts (writer thread) --------------------------------------------------
    def apply_refs(self, txn: Any, inline_new: dict[bytes, bytes], deltas: dict[Any, int]) -> dict[int, int]:
        """Store new inline content and apply reference deltas inside a write transaction.

        ``deltas`` maps an inline key (bytes) or a claim file number (int) to a change in the
        number of FlowFiles referencing it. Returns the new counts of the claim files touched.
        """
        content_db = self.env.dbs["content"]
        file_counts: dict[int, int] = {}
        for key, delta in deltas.items():
            if not delta:
                continue
            if isinstance(key, int):
                self._adjust_file(txn, key, delta, file_counts)
            elif key in inline_new:
                if delta > 0:
                    txn.put(key, _COUNT.pack(delta) + inline_new[key], db=content_db)
            else:
                raw = txn.get(key, db=content_db)
                if raw is None:
                    log.error("inline content %s is missing its reference count", key.hex())
                    continue
                count = _COUNT.unpack_from(raw)[0] + delta
                if count > 0:
                    txn.put(key, _COUNT.pack(count) + bytes(raw[4:]), db=content_db)
                else:
                    txn.delete(key, db=content_db)
        return file_counts

    def _adjust_file(self, txn: Any, number: int, delta: int, out: dict[int, int]) -> None:
        db = self.env.dbs["claimrefs"]
        raw = txn.get(keys.u64(number), db=db)
        count = out.get(number, keys.from_u64(raw) if raw else 0) + delta
        out[number] = count
        if count > 0:
            txn.put(keys.u64(number), keys.u64(count), db=db)
        else:
            txn.delete(keys.u64(number), db=db)

    def refs_committed(self, file_counts: dict[int, int]) -> None:
        with self._lock:
            for number, count in file_counts.items():
                if count > 0:
                    self._refs[number] = count
                else:
                    self._refs.pop(number, None)
        for number, count in file_counts.items():
            if count <= 0:
                self._maybe_delete(number)

    # -- reading -------------------------------------------------------------------------
    def open(self, claim: Claim) -> IO[bytes]:
        if claim is None:
            return io.BytesIO(b"")
        if claim[0] == INLINE:
            with self.env.read() as txn:
                raw = txn.get(claim[1], db=self.env.dbs["content"])
            if raw is None:
                raise DamagedContentError(f"inline content {claim[1].hex()} is missing from the repository")
            return io.BytesIO(raw[4:])
        number, offset, length = claim[1:4]
        path = self.file_path(number)
        try:
            return io.BufferedReader(_RangeReader(path, offset, length, claim[4] if len(claim) > 4 else None))
        except FileNotFoundError as exc:
            raise DamagedContentError(f"claim file {path} is missing") from exc

    def read_bytes(self, claim: Claim) -> bytes:
        with self.open(claim) as stream:
            return stream.read()

    def close(self) -> None:
        with self._lock:
            files = list(self._active.values())
            self._active.clear()
            self._pool.clear()
        for claim_file in files:
            if self.sync:
                os.fsync(claim_file.fd)
            os.close(claim_file.fd)


def claim_ref(claim: Claim) -> Any:
    """The unit a claim is reference-counted by: the inline key, or the claim file number."""
    if claim is None:
        return None
    return claim[1]
