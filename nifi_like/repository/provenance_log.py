"""The provenance log in LMDB: each session commit appends ONE record holding its events.

Key = the 8-byte id of the record's first event; value = a msgpack list of event tuples whose
fields are ``FIELDS``. Event ``i`` of a record has id ``key + i``. One record per commit keeps
provenance to a single put per session, whatever the number of FlowFiles.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgpack

from nifi_like.repository import keys
from nifi_like.repository.environment import Environment

FIELDS = (
    "event_type", "timestamp", "duration_ms", "lineage_start_date", "component_id", "component_type",
    "flowfile_uuid", "parent_uuids", "child_uuids", "previous_attributes", "attributes", "previous_claim",
    "claim", "size", "transit_uri", "details", "relationship", "group_id", "source_queue_id", "held_content",
)


def append(env: Environment, txn: Any, first_id: int, packed_events: bytes) -> None:
    """Store a record; ``first_id`` comes from the writer's ``Batch.allocate_event_ids``."""
    txn.put(keys.u64(first_id), packed_events, db=env.dbs["provenance"], append=True)


def next_event_id(env: Environment, txn: Any) -> int:
    cursor = txn.cursor(db=env.dbs["provenance"])
    if not cursor.last():
        return 1
    return keys.from_u64(cursor.key()) + len(msgpack.unpackb(cursor.value()))


def iter_events(env: Environment, txn: Any, start_id: int = 1) -> Iterator[tuple[int, list[Any]]]:
    """(event id, event fields) in id order, from ``start_id`` on."""
    cursor = txn.cursor(db=env.dbs["provenance"])
    if not cursor.set_range(keys.u64(start_id)) or keys.from_u64(cursor.key()) > start_id:
        if not cursor.prev() and not cursor.first():
            return
    for key, value in cursor:
        first = keys.from_u64(key)
        for index, event in enumerate(msgpack.unpackb(value)):
            if first + index >= start_id:
                yield first + index, event


def as_dict(event_id: int, event: list[Any]) -> dict[str, Any]:
    record = dict(zip(FIELDS, event, strict=False))
    record["event_id"] = event_id
    return record
