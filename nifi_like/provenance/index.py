"""The provenance index: key layout of the ``prov_index`` database and the background indexer.

Keys end with an event id or a record id (the id of a commit record's first event; 8 bytes,
big-endian), so a prefix scan walks them in commit order. Values are empty but for counts
(4 bytes, big-endian: how many events of the record a key stands for).

    b"f" + FlowFile uuid (16) + event id    events naming the FlowFile (itself, parent or child)
    b"c" + component key (16) + record id   -> count: records holding events of the component
    b"y" + event type (1)     + record id   -> count: records holding events of the type
    b"n" + filename hash (8)  + uuid (16)   FlowFiles that carried a filename
    b"t" + second (8)                       -> the lowest event id stamped in that second
    b"m" + name                             index state: b"mlast" = last indexed event id

A commit record is one session's events, so one component and a few event types: indexing
those per record, not per event, keeps the index (and the indexer's work) small.
Indexing runs off the commit path: it reads the records after the last indexed one and
writes their keys through the writer in one batch, so a session commit never waits for it.
"""

from __future__ import annotations

import hashlib
import struct
import time
import uuid as uuid_module
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import msgpack

from nifi_like.provenance.events import (
    ATTRIBUTES,
    CHILDREN,
    COMPONENT_ID,
    EVENT_TYPE,
    EVENT_TYPES,
    FLOWFILE_UUID,
    PARENTS,
    TIMESTAMP,
    ProvenanceEvent,
)
from nifi_like.repository import Batch, keys, provenance_log
from nifi_like.repository.environment import Environment
from nifi_like.repository.writer import Writer

LAST_INDEXED = b"mlast"
_COUNT = struct.Struct(">I")
#: Timestamps may run a little out of id order (an event is stamped when its session records
#: it, and numbered when the batch commits); time lookups widen their id range by this much.
TIME_SLACK_S = 60
_TYPE_CODES = {name: bytes([i]) for i, name in enumerate(EVENT_TYPES)}
_UNKNOWN_TYPE = b"\xff"
u64 = keys.u64


def uuid_key(text: str) -> bytes:
    """16 bytes for a FlowFile uuid (a stable hash for a string that is not a UUID)."""
    if len(text) == 36:
        try:
            raw = bytes.fromhex(text.replace("-", ""))  # the UUID's bytes, five times faster than uuid.UUID
        except ValueError:
            raw = b""
        if len(raw) == 16:
            return raw
    try:
        return uuid_module.UUID(text).bytes
    except ValueError:
        return keys.component_key(text)


def type_code(event_type: str) -> bytes:
    return _TYPE_CODES.get(event_type, _UNKNOWN_TYPE)


def filename_key(filename: str) -> bytes:
    return hashlib.blake2b(filename.encode(), digest_size=8).digest()


def flowfile_uuids(event: ProvenanceEvent) -> set[str]:
    return {event.flowfile_uuid, *event.parent_uuids, *event.child_uuids}


def record_index_keys(first_id: int, events: Sequence[Sequence[Any]],
                      components: dict[str, bytes]) -> dict[bytes, bytes]:
    """The index entries of one commit record (not the per-second time keys): key -> value.

    ``components`` caches component keys across calls.
    """
    out: dict[bytes, bytes] = {}
    seen: set[bytes] = set()
    add = seen.add
    record = u64(first_id)
    counts: dict[bytes, int] = {}
    for event_id, event in enumerate(events, first_id):
        eid = u64(event_id)
        uuid = event[FLOWFILE_UUID]
        own = uuid_key(uuid)
        add(b"f" + own + eid)
        for other in (*event[PARENTS], *event[CHILDREN]):
            if other != uuid:
                add(b"f" + uuid_key(other) + eid)
        component = event[COMPONENT_ID]
        ckey = components.get(component)
        if ckey is None:
            ckey = components[component] = keys.component_key(component)
        for key in (b"c" + ckey + record, b"y" + type_code(event[EVENT_TYPE]) + record):
            counts[key] = counts.get(key, 0) + 1
        filename = event[ATTRIBUTES].get("filename")
        if filename:
            add(b"n" + filename_key(filename) + own)
    out = dict.fromkeys(seen, b"")
    out.update((key, _COUNT.pack(count)) for key, count in counts.items())
    return out


def record_count(value: bytes) -> int:
    """The value of a record-level key: how many of the record's events it stands for."""
    return int(_COUNT.unpack(value)[0])


def last_indexed(txn: Any, env: Environment) -> int:
    raw = txn.get(LAST_INDEXED, db=env.dbs["prov_index"])
    return keys.from_u64(raw) if raw else 0


def last_event_id(txn: Any, env: Environment) -> int:
    return provenance_log.next_event_id(env, txn) - 1


def first_event_id(txn: Any, env: Environment) -> int:
    cursor = txn.cursor(db=env.dbs["provenance"])
    return keys.from_u64(cursor.key()) if cursor.first() else 0


def event_exists(txn: Any, env: Environment, event_id: int) -> bool:
    for first, records in iter_records(txn, env, event_id):
        return first <= event_id < first + len(records)
    return False


def iter_records(txn: Any, env: Environment, start_id: int = 1) -> Iterator[tuple[int, list[Any]]]:
    """(first event id, event tuples) of each commit record, from the one holding ``start_id`` on."""
    cursor = txn.cursor(db=env.dbs["provenance"])
    if not cursor.set_range(keys.u64(start_id)) or keys.from_u64(cursor.key()) > start_id:
        if not cursor.prev() and not cursor.first():
            return
    from_u64 = keys.from_u64
    for key, value in cursor:
        yield from_u64(key), decode_record(value)


def decode_record(raw: bytes) -> list[Any]:
    """A commit record's event tuples (arrays decode as tuples: records are never changed)."""
    events: list[Any] = msgpack.unpackb(raw, use_list=False)
    return events


class Indexer:
    """Writes the index keys of new events, a batch at a time, through the writer thread."""

    def __init__(self, env: Environment, writer: Writer, *, batch_size: int = 20_000) -> None:
        self.env = env
        self.writer = writer
        self.batch_size = batch_size
        self.indexed = 0  # events indexed by this indexer, for status

    def lag(self) -> int:
        with self.env.read() as txn:
            return max(0, last_event_id(txn, self.env) - last_indexed(txn, self.env))

    def step(self) -> int:
        """Index the next records (about ``batch_size`` events); return how many events (0: caught up)."""
        entries: dict[bytes, bytes] = {}
        first_in_second: dict[int, int] = {}
        components: dict[str, bytes] = {}
        count = 0
        last = 0
        with self.env.read() as txn:
            start = last_indexed(txn, self.env)
            for first, events in iter_records(txn, self.env, start + 1):
                if first + len(events) - 1 <= start:
                    continue  # the record holding ``start``, indexed already
                entries.update(record_index_keys(first, events, components))
                for event_id, event in enumerate(events, first):
                    first_in_second.setdefault(event[TIMESTAMP] // 1000, event_id)
                last = first + len(events) - 1
                count += len(events)
                if count >= self.batch_size:
                    break
                time.sleep(0)  # let processor threads run: indexing is background work
        if not count:
            return 0
        self.writer.call(self._write_fn(start, last, sorted(entries.items()), first_in_second))
        self.indexed += count
        return count

    def _write_fn(self, start: int, last: int, entries: list[tuple[bytes, bytes]], seconds: dict[int, int]) -> Any:
        env = self.env

        def write(txn: Any, batch: Batch) -> None:
            db = env.dbs["prov_index"]
            if last_indexed(txn, env) != start:  # another indexer got here first: nothing to do
                return
            txn.cursor(db=db).putmulti(entries)
            _put_time_keys(txn, db, seconds.items())
            txn.put(LAST_INDEXED, u64(last), db=db)
        return write


def _put_time_keys(txn: Any, db: Any, seconds: Iterable[tuple[int, int]]) -> None:
    for second, event_id in seconds:
        key = b"t" + u64(second)
        raw = txn.get(key, db=db)
        if raw is None or keys.from_u64(raw) > event_id:
            txn.put(key, u64(event_id), db=db)
