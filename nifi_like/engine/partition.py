"""A load-balanced connection's queue for another node: durable in LMDB beside the local queue.

NiFi splits a load-balanced queue into a local partition and one partition per other node.
Here the local partition is the Connection itself; a RemotePartition holds the FlowFiles a
session commit assigned to another node until a sender has handed them over. Its records sit
in the ``queues`` database under their own 16-byte key, written by the same group commit as
every other queue, so they survive kill -9 like any queued FlowFile; a registry record in
``meta`` ties the key to its connection and node.

The sender takes entries from the head (``head``), and ``remove``s them once the other node
has acknowledged them; ``move`` re-homes entries (a node left, or this node offloads).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import msgpack

from nifi_like.api.flowfile import FlowFile
from nifi_like.repository import keys
from nifi_like.repository.content import claim_ref

if TYPE_CHECKING:
    from nifi_like.engine.connection import Connection, Entry
    from nifi_like.repository import Batch, Repository



def partition_key(conn_key: bytes, node_id: str) -> bytes:
    return keys.component_key(f"{conn_key.hex()}/load-balance/{node_id}")


def stored_partitions(repo: Repository, conn: Connection) -> dict[str, RemotePartition]:
    """The partitions a connection had before this start (they may still hold FlowFiles)."""
    return {node_id: RemotePartition(repo, conn, node_id)
            for conn_key, node_id in repo.registered_partitions().values() if conn_key == conn.key}


class RemotePartition:
    """FlowFiles of one connection waiting to go to one other node."""

    def __init__(self, repo: Repository, conn: Connection, node_id: str) -> None:
        self.repo = repo
        self.connection = conn
        self.node_id = node_id
        self.key = partition_key(conn.key, node_id)
        self._lock = threading.Lock()
        self.count, self.bytes = repo.queue_stats(self.key)
        self.reserved = 0
        self.reserved_bytes = 0
        self.on_data: list[Callable[[], None]] = []

    def register(self) -> None:
        """Record the partition durably before anything is queued in it, so a restart finds it."""
        self.repo.register_partition(self.key, self.connection.key, self.node_id)

    # -- the session commit path (the same calls a Connection takes) ------------------------
    def reserve(self, count: int, size: int) -> None:
        with self._lock:
            self.reserved += count
            self.reserved_bytes += size

    def release(self, count: int, size: int) -> None:
        with self._lock:
            self.reserved -= count
            self.reserved_bytes -= size
        self.connection.space_freed()

    def append_committed(self, entries: list[Entry]) -> None:
        size = sum(ff.size for _, ff in entries)
        with self._lock:
            self.reserved -= len(entries)
            self.reserved_bytes -= size
            self.count += len(entries)
            self.bytes += size
        for listener in self.on_data:
            listener()

    # -- the sender ------------------------------------------------------------------------
    def head(self, limit: int, max_bytes: int = 1 << 62) -> list[Entry]:
        """The oldest entries, at most ``limit`` of them and about ``max_bytes`` of content."""
        entries = self.repo.load_queue(self.key, -1, limit)
        total = 0
        for index, (_, ff) in enumerate(entries):
            total += ff.size
            if total > max_bytes and index:
                return entries[:index]
        return entries

    def remove(self, entries: list[Entry]) -> Any:
        """Delete entries the other node acknowledged (and their content references); a Future."""
        qdb = self.repo.env.dbs["queues"]
        content = self.repo.content
        size = sum(ff.size for _, ff in entries)

        def apply(txn: Any, batch: Batch) -> Any:
            deltas: dict[Any, int] = {}
            for seq, ff in entries:
                txn.delete(keys.queue_key(self.key, seq), db=qdb)
                if ff.claim is not None:
                    ref = claim_ref(ff.claim)
                    deltas[ref] = deltas.get(ref, 0) - 1
            batch.adjust_queue(self.key, -len(entries), -size)
            return content.apply_refs(txn, {}, deltas)

        def after(file_counts: Any) -> None:
            content.refs_committed(file_counts)
            self.removed(len(entries), size)
        return self.repo.writer.submit(apply, after)

    def removed(self, count: int, size: int) -> None:
        with self._lock:
            self.count -= count
            self.bytes -= size
        self.connection.space_freed()


def move_fn(repo: Repository, moves: Iterable[tuple[bytes, Entry, Any]]
            ) -> tuple[Callable[[Any, Batch], Any], Callable[[Any], None]]:
    """A writer function re-homing entries in one transaction: each ``(from_key, entry, target)``
    leaves the queue ``from_key`` and is appended to ``target`` (a Connection or RemotePartition).
    Content references do not change: the FlowFile stays queued on this node."""
    grouped: dict[Any, list[FlowFile]] = {}
    removed: dict[bytes, list[int]] = {}
    deletes: list[bytes] = []
    for from_key, (seq, ff), target in moves:
        deletes.append(keys.queue_key(from_key, seq))
        stats = removed.setdefault(from_key, [0, 0])
        stats[0] -= 1
        stats[1] -= ff.size
        grouped.setdefault(target, []).append(ff)
    qdb = repo.env.dbs["queues"]

    def apply(txn: Any, batch: Batch) -> Any:
        for key in deletes:
            txn.delete(key, db=qdb)
        for from_key, (count, size) in removed.items():
            batch.adjust_queue(from_key, count, size)
        appended = []
        for target, flowfiles in grouped.items():
            first = batch.allocate_seqs(target.key, len(flowfiles))
            for index, ff in enumerate(flowfiles):
                txn.put(keys.queue_key(target.key, first + index), msgpack.packb(ff.pack()), db=qdb)
            batch.adjust_queue(target.key, len(flowfiles), sum(ff.size for ff in flowfiles))
            appended.append((target, [(first + i, ff) for i, ff in enumerate(flowfiles)]))
        return appended

    def after(appended: Any) -> None:
        for target, entries in appended:
            target.reserve(len(entries), sum(ff.size for _, ff in entries))
            target.append_committed(entries)
    return apply, after
