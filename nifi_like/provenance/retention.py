"""Provenance retention: the oldest events go once too old or once storage is over its size.

Each step removes one bounded batch of the oldest indexed events in one write transaction
(through the writer, so commits interleave between batches): the events, their index keys,
and the content references they held, so content nobody else references is freed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from nifi_like.provenance.events import ProvenanceEvent
from nifi_like.provenance.index import iter_records, last_indexed, record_index_keys
from nifi_like.repository import Batch, keys
from nifi_like.repository.content import ContentRepository
from nifi_like.repository.environment import Environment
from nifi_like.repository.writer import Writer

DEFAULT_MAX_AGE_S = 24 * 3600.0
DEFAULT_MAX_BYTES = 1 << 30


def db_bytes(txn: Any, db: Any) -> int:
    stat = txn.stat(db)
    return int((stat["branch_pages"] + stat["leaf_pages"] + stat["overflow_pages"]) * stat["psize"])


class Retention:
    def __init__(self, env: Environment, writer: Writer, content: ContentRepository, *,
                 max_age_s: float = DEFAULT_MAX_AGE_S, max_bytes: int = DEFAULT_MAX_BYTES,
                 batch_size: int = 2_000, clock: Callable[[], float] = time.time) -> None:
        self.env = env
        self.writer = writer
        self.content = content
        self.max_age_s = max_age_s
        self.max_bytes = max_bytes
        self.batch_size = batch_size
        self.clock = clock
        self.removed = 0  # events removed by this retention, for status

    def storage_bytes(self) -> int:
        """Bytes of LMDB pages that provenance events and their index occupy."""
        with self.env.read() as txn:
            return db_bytes(txn, self.env.dbs["provenance"]) + db_bytes(txn, self.env.dbs["prov_index"])

    def step(self) -> int:
        """Remove the next batch of expired events; return how many were removed (0: none due)."""
        cutoff_ms = int((self.clock() - self.max_age_s) * 1000)
        over_size = self.storage_bytes() > self.max_bytes
        doomed: list[ProvenanceEvent] = []
        records: list[int] = []
        index_keys: set[bytes] = set()
        components: dict[str, bytes] = {}
        with self.env.read() as txn:
            indexed = last_indexed(txn, self.env)
            for first, tuples in iter_records(txn, self.env):
                if first + len(tuples) - 1 > indexed or len(doomed) >= self.batch_size:
                    break  # only indexed events go: their index keys are known to exist
                events = [ProvenanceEvent.from_record(event_id, t) for event_id, t in enumerate(tuples, first)]
                if not over_size and max(e.timestamp_ms for e in events) >= cutoff_ms:
                    break  # records follow time, so the rest are younger
                records.append(first)
                doomed += events
                index_keys |= record_index_keys(first, tuples, components).keys()
        if not doomed:
            return 0
        deltas: dict[Any, int] = {}
        for event in doomed:
            for ref in event.held_refs:
                deltas[ref] = deltas.get(ref, 0) - 1
        content = self.content
        remove = self._remove_fn(records, doomed[-1].event_id + 1, index_keys, deltas)
        self.writer.submit(remove, content.refs_committed).result()
        self.removed += len(doomed)
        return len(doomed)

    def _remove_fn(self, records: list[int], new_first: int, index_keys: set[bytes],
                   deltas: dict[Any, int]) -> Callable[[Any, Batch], Any]:
        env = self.env
        content = self.content
        named = sorted(key for key in index_keys if key[:1] == b"n")
        others = sorted(key for key in index_keys if key[:1] != b"n")

        def remove(txn: Any, batch: Batch) -> Any:
            events_db, index_db = env.dbs["provenance"], env.dbs["prov_index"]
            for first in records:
                txn.delete(keys.u64(first), db=events_db)
            for key in others:
                txn.delete(key, db=index_db)
            cursor = txn.cursor(db=index_db)
            for key in named:  # a filename entry goes with the FlowFile's last event
                prefix = b"f" + key[9:]
                if not (cursor.set_range(prefix) and cursor.key()[:17] == prefix):
                    txn.delete(key, db=index_db)
            _drop_spent_seconds(txn, index_db, new_first)
            return content.apply_refs(txn, {}, deltas)
        return remove


def _drop_spent_seconds(txn: Any, db: Any, first_kept_id: int) -> None:
    """Delete per-second time keys whose events are all gone (the next second starts at or
    before the first kept event)."""
    cursor = txn.cursor(db=db)
    if not cursor.set_range(b"t"):
        return
    spent: list[bytes] = []
    previous: bytes | None = None
    for key, value in cursor:
        if key[:1] != b"t":
            break
        if previous is not None:
            if keys.from_u64(value) > first_kept_id:
                break
            spent.append(previous)
        previous = bytes(key)
    for key in spent:
        txn.delete(key, db=db)
