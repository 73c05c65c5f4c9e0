"""A connection's queue in memory: counts, sizes and a bounded, prioritized window of its head.

Every queued FlowFile is in LMDB. In memory a connection keeps the totals, the FlowFiles it
has loaded into its window (at most ``window_max``), those handed to sessions (in flight),
and how many more wait on disk. Prioritizers order the window, as NiFi orders its active
queue while the rest is swapped out.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from nifi_like.api.flowfile import FlowFile
from nifi_like.engine.prioritizers import key_function
from nifi_like.repository import keys

if TYPE_CHECKING:
    from nifi_like.engine.partition import RemotePartition
    from nifi_like.repository import Repository

Entry = tuple[int, FlowFile]  # (sequence number in LMDB, FlowFile)


class QueueTarget(Protocol):
    """Where a commit appends FlowFiles: a Connection (this node) or a RemotePartition."""

    key: bytes

    def reserve(self, count: int, size: int) -> None: ...

    def release(self, count: int, size: int) -> None: ...

    def append_committed(self, entries: list[Entry]) -> None: ...


class PartitionRouter(Protocol):
    """Chooses the node a FlowFile entering a load-balanced connection goes to (the cluster
    implements it; a standalone engine has none)."""

    def route(self, conn: Connection, flowfile: FlowFile) -> str | None:
        """The id of another node (its partition must exist), or None for this node's queue."""
        ...


def now_ms() -> int:
    return int(time.time() * 1000)


class Connection:
    def __init__(self, repo: Repository, connection_id: str, *, name: str = "", source_id: str = "",
                 destination_id: str = "", relationships: tuple[str, ...] = (),
                 object_threshold: int = 10_000, size_threshold: int = 1 << 30, expiration_ms: int = 0,
                 prioritizers: list[str] | None = None, window_max: int = 20_000) -> None:
        self.id = connection_id
        self.key = keys.component_key(connection_id)
        self.name = name
        self.source_id = source_id
        self.destination_id = destination_id
        self.relationships = relationships
        self.object_threshold = object_threshold
        self.size_threshold = size_threshold
        self.expiration_ms = expiration_ms
        self.window_max = window_max
        self._repo = repo
        self._key_fn = key_function(prioritizers or [])
        self._lock = threading.Lock()
        self.local_count, self.local_bytes = repo.queue_stats(self.key)
        self._disk = self.local_count
        self._loaded_upto = -1
        self._window: list[tuple[Any, int, FlowFile]] = []
        self._penalized: list[tuple[int, int, FlowFile]] = []
        self.inflight = 0
        self.reserved = 0  # FlowFiles that commits on their way to disk will append
        self.reserved_bytes = 0
        self.on_data: list[Callable[[], None]] = []
        self.on_space: list[Callable[[], None]] = []
        # load balancing: (strategy, partitioning attribute, compression) from the flow, the
        # cluster's router, and the partitions holding FlowFiles for other nodes
        self.load_balance = ("DO_NOT_LOAD_BALANCE", "", "DO_NOT_COMPRESS")
        self.router: PartitionRouter | None = None
        self.partitions: dict[str, RemotePartition] = {}
        self._partitions_lock = threading.Lock()

    # -- totals: the local queue plus what waits for other nodes, as NiFi counts a queue -------
    @property
    def count(self) -> int:
        return self.local_count + sum(p.count for p in self.partitions.values())

    @property
    def bytes(self) -> int:
        return self.local_bytes + sum(p.bytes for p in self.partitions.values())

    @property
    def balanced(self) -> bool:
        return self.load_balance[0] != "DO_NOT_LOAD_BALANCE"

    def route(self, flowfile: FlowFile) -> QueueTarget:
        """Where a session's commit appends a FlowFile sent into this connection."""
        router = self.router
        if router is None or not self.balanced:
            return self
        node_id = router.route(self, flowfile)
        return self if node_id is None else self.partition(node_id)

    def partition(self, node_id: str) -> RemotePartition:
        """The partition for another node, made (and registered durably) at first use."""
        found = self.partitions.get(node_id)
        if found is None:
            from nifi_like.engine.partition import RemotePartition

            with self._partitions_lock:  # not the queue lock: the writer's hooks need that one
                found = self.partitions.get(node_id)
                if found is None:
                    found = RemotePartition(self._repo, self, node_id)
                    found.register()
                    self.partitions = {**self.partitions, node_id: found}  # readers iterate a snapshot
        return found

    # -- configuration -------------------------------------------------------------------
    def configure(self, *, object_threshold: int, size_threshold: int, expiration_ms: int,
                  prioritizers: list[str]) -> None:
        with self._lock:
            self.object_threshold = object_threshold
            self.size_threshold = size_threshold
            self.expiration_ms = expiration_ms
            self._key_fn = key_function(prioritizers)
            entries = [(seq, ff) for _, seq, ff in self._window]
            self._window = []
            for seq, ff in entries:
                self._push(seq, ff)
        self._notify(self.on_space)

    # -- state ---------------------------------------------------------------------------
    def is_full(self) -> bool:
        if not self.partitions:
            return (self.local_count + self.reserved >= self.object_threshold
                    or self.local_bytes + self.reserved_bytes >= self.size_threshold)
        parts = self.partitions.values()
        return (self.count + self.reserved + sum(p.reserved for p in parts) >= self.object_threshold
                or self.bytes + self.reserved_bytes + sum(p.reserved_bytes for p in parts) >= self.size_threshold)

    def local_full(self) -> bool:
        """The local queue alone is at back pressure: a node receiving for it refuses more."""
        return (self.local_count + self.reserved >= self.object_threshold
                or self.local_bytes + self.reserved_bytes >= self.size_threshold)

    def space_freed(self) -> None:
        """A partition handed FlowFiles to their node: the upstream may have room again."""
        self._notify(self.on_space)

    def has_available(self, now: int | None = None) -> bool:
        if self._window or self._disk:
            return True
        return bool(self._penalized) and self._penalized[0][0] <= (now or now_ms())

    def next_penalty_expiry(self) -> int | None:
        return self._penalized[0][0] if self._penalized else None

    # -- polling -------------------------------------------------------------------------
    def _push(self, seq: int, ff: FlowFile) -> None:
        sort = seq if self._key_fn is None else self._key_fn(ff)
        heapq.heappush(self._window, (sort, seq, ff))

    def _load(self) -> None:
        room = self.window_max - len(self._window) - len(self._penalized)
        if room <= 0 or not self._disk:
            return
        for seq, ff in self._repo.load_queue(self.key, self._loaded_upto, room):
            self._push(seq, ff)
            self._loaded_upto = seq
            self._disk -= 1

    def poll(self, max_count: int, now: int) -> tuple[list[Entry], list[Entry]]:
        """Take up to ``max_count`` FlowFiles for a session; also return the expired ones met."""
        taken: list[Entry] = []
        expired: list[Entry] = []
        with self._lock:
            while self._penalized and self._penalized[0][0] <= now:
                _, seq, ff = heapq.heappop(self._penalized)
                self._push(seq, ff)
            if len(self._window) < max_count:
                self._load()
            window = self._window
            while window and len(taken) < max_count:
                _, seq, ff = heapq.heappop(window)
                if self.expiration_ms and now - ff.entry_date > self.expiration_ms:
                    expired.append((seq, ff))
                elif ff.penalized_until > now:
                    heapq.heappush(self._penalized, (ff.penalized_until, seq, ff))
                else:
                    taken.append((seq, ff))
                if not window and len(taken) < max_count:
                    self._load()
            self.inflight += len(taken) + len(expired)
        return taken, expired

    def peek(self, max_count: int) -> list[Entry]:
        """The first FlowFiles in queue order, without taking them (for listings)."""
        with self._lock:
            self._load()
            ordered = sorted(self._window)[:max_count]
            rest = sorted(self._penalized)[: max(0, max_count - len(ordered))]
        return [(seq, ff) for _, seq, ff in ordered] + [(seq, ff) for _, seq, ff in rest]

    # -- session outcomes ----------------------------------------------------------------
    def restore(self, entries: list[Entry]) -> None:
        """A session rolled back: its FlowFiles return to the queue, in their old places."""
        with self._lock:
            for seq, ff in entries:
                self._push(seq, ff)
            self.inflight -= len(entries)
        self._notify(self.on_data)

    def acknowledge(self, count: int, size: int) -> None:
        """A session's commit removed FlowFiles it had taken from this queue."""
        with self._lock:
            self.inflight -= count
            self.local_count -= count
            self.local_bytes -= size
        self._notify(self.on_space)

    def reserve(self, count: int, size: int) -> None:
        """A commit will append these: back pressure counts them from now on."""
        with self._lock:
            self.reserved += count
            self.reserved_bytes += size

    def release(self, count: int, size: int) -> None:
        """A commit that reserved room failed."""
        with self._lock:
            self.reserved -= count
            self.reserved_bytes -= size
        self._notify(self.on_space)

    def append_committed(self, entries: list[Entry]) -> None:
        """FlowFiles a commit appended (in sequence order): count them, window them if room."""
        count = len(entries)
        size = 0
        for _, ff in entries:
            size += ff.size
        with self._lock:
            self.reserved -= count
            self.reserved_bytes -= size
            self.local_count += count
            self.local_bytes += size
            # while FlowFiles wait on disk, later ones queue behind them there
            room = 0 if self._disk else self.window_max - len(self._window) - len(self._penalized)
            windowed = entries if room >= count else entries[:max(room, 0)]
            if windowed:
                for seq, ff in windowed:
                    self._push(seq, ff)
                self._loaded_upto = windowed[-1][0]
            self._disk += count - len(windowed)
        self._notify(self.on_data)

    def take_all_loaded(self) -> list[Entry]:
        """Remove every windowed FlowFile (for emptying the queue); the caller deletes them."""
        with self._lock:
            self._load()
            entries = [(seq, ff) for _, seq, ff in self._window] + [(seq, ff) for _, seq, ff in self._penalized]
            self._window = []
            self._penalized = []
            self.inflight += len(entries)
        return entries

    @staticmethod
    def _notify(listeners: list[Callable[[], None]]) -> None:
        for listener in listeners:
            listener()
