"""The single writer thread: group commit of many sessions into one LMDB transaction."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import lmdb
import msgpack

from nifi_like.repository import keys, provenance_log
from nifi_like.repository.environment import Environment
from nifi_like.repository.errors import RepositoryError

log = logging.getLogger(__name__)

#: A write: runs on the writer thread inside the batch's transaction and returns a result.
WriteFn = Callable[[Any, "Batch"], Any]
#: Runs on the writer thread after the transaction is durable, with the write's result.
AfterFn = Callable[[Any], None]


def _resolve(future: Future[Any], result: Any, error: BaseException | None) -> None:
    """Settle a future; a waiter that gave up (cancelled) must not stop the writer thread."""
    if future.cancelled():
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


class _Request:
    __slots__ = ("after", "fn", "future")

    def __init__(self, fn: WriteFn, after: AfterFn | None) -> None:
        self.fn = fn
        self.after = after
        self.future: Future[Any] = Future()


class Batch:
    """Counters a write may draw on; folded into the writer's state only once durable."""

    def __init__(self, writer: Writer, txn: Any) -> None:
        self.writer = writer
        self.txn = txn
        self.next_seq: dict[bytes, int] = {}
        self.qstats: dict[bytes, list[int]] = {}
        self.next_event_id = writer.next_event_id

    def allocate_seqs(self, conn_key: bytes, count: int = 1) -> int:
        """Reserve ``count`` consecutive sequence numbers of a connection; return the first."""
        seq = self.next_seq.get(conn_key)
        if seq is None:
            seq = self.writer.next_seq_for(conn_key, self.txn)
        self.next_seq[conn_key] = seq + count
        return seq

    def adjust_queue(self, conn_key: bytes, count: int, size: int) -> None:
        stats = self.qstats.get(conn_key)
        if stats is None:
            stats = self.qstats[conn_key] = [0, 0]
        stats[0] += count
        stats[1] += size

    def allocate_event_ids(self, count: int = 1) -> int:
        event_id = self.next_event_id
        self.next_event_id += count
        return event_id

    def finish(self) -> None:
        """Write the queue statistics of this batch into the transaction."""
        db = self.writer.env.dbs["qstats"]
        self.totals: dict[bytes, tuple[int, int]] = {}
        for conn_key, (count, size) in self.qstats.items():
            current = self.writer.queue_stats(conn_key, self.txn)
            total = self.totals[conn_key] = (current[0] + count, current[1] + size)
            self.txn.put(conn_key, msgpack.packb(total), db=db)


class Writer:
    """Owns every LMDB write. ``submit`` returns a Future resolved once the write is durable."""

    def __init__(self, env: Environment, *, max_batch: int = 512) -> None:
        self.env = env
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._seq: dict[bytes, int] = {}
        self._stats: dict[bytes, tuple[int, int]] = {}
        self.next_event_id = self._load_next_event_id()
        self.commits = 0
        self.batches = 0
        self.commit_seconds: list[float] = []
        self._thread = threading.Thread(target=self._run, name="lmdb-writer", daemon=True)
        self._thread.start()

    def _load_next_event_id(self) -> int:
        with self.env.read() as txn:
            return provenance_log.next_event_id(self.env, txn)

    def next_seq_for(self, conn_key: bytes, txn: Any) -> int:
        seq = self._seq.get(conn_key)
        if seq is None:
            cursor = txn.cursor(db=self.env.dbs["queues"])
            seq = 0
            if cursor.set_range(conn_key + b"\xff" * 8):
                if cursor.prev() and cursor.key()[:16] == conn_key:
                    seq = keys.queue_seq(cursor.key()) + 1
            elif cursor.last() and cursor.key()[:16] == conn_key:
                seq = keys.queue_seq(cursor.key()) + 1
        return seq

    def queue_stats(self, conn_key: bytes, txn: Any) -> tuple[int, int]:
        stats = self._stats.get(conn_key)
        if stats is None:
            raw = txn.get(conn_key, db=self.env.dbs["qstats"])
            count, size = msgpack.unpackb(raw) if raw else (0, 0)
            stats = (int(count), int(size))
        return stats

    def submit(self, fn: WriteFn, after: AfterFn | None = None) -> Future[Any]:
        request = _Request(fn, after)
        self._queue.put(request)
        return request.future

    def call(self, fn: WriteFn) -> Any:
        """Submit and wait: for the few writes outside a session (state, drops, admin)."""
        return self.submit(fn).result()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            requests = [first]
            while len(requests) < self.max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stopping = True
                    break
                requests.append(nxt)
            self._commit(requests)

    def _commit(self, requests: list[_Request]) -> None:
        started = time.perf_counter()
        try:
            results, batch = self._apply_all(requests)
        except Exception as exc:  # one write failed: retry each alone so only the failing ones fail
            if len(requests) == 1:
                _resolve(requests[0].future, None, self._error(exc))
                return
            for request in requests:
                self._commit([request])
            return
        self._fold(batch)
        self.batches += 1
        self.commits += len(requests)
        self.commit_seconds.append(time.perf_counter() - started)
        if len(self.commit_seconds) > 4096:
            del self.commit_seconds[:2048]
        for request, result in zip(requests, results, strict=True):
            try:
                if request.after is not None:
                    request.after(result)
            except Exception:
                log.exception("post-commit hook failed")
            _resolve(request.future, result, None)

    def _apply_all(self, requests: list[_Request]) -> tuple[list[Any], Batch]:
        while True:
            txn = self.env.env.begin(write=True)
            try:
                batch = Batch(self, txn)
                results = [request.fn(txn, batch) for request in requests]
                batch.finish()
                txn.commit()
                return results, batch
            except lmdb.MapFullError:
                txn.abort()
                new_size = self.env.grow()
                log.info("repository map grown to %d MiB", new_size >> 20)
            except BaseException:
                txn.abort()
                raise

    def _fold(self, batch: Batch) -> None:
        self._seq.update(batch.next_seq)
        self._stats.update(batch.totals)
        self.next_event_id = batch.next_event_id

    def _error(self, exc: Exception) -> Exception:
        if isinstance(exc, RepositoryError):
            return exc
        error = RepositoryError(f"commit to the repository at {self.env.path} failed: {exc}")
        error.__cause__ = exc
        return error
