"""Reading provenance: single events, searches with paging (newest first), events by FlowFile.

Searches use the index for the events it covers and scan the few events committed since the
indexer last ran, so a search sees every committed event, indexed yet or not.
"""

from __future__ import annotations

import heapq
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from nifi_like.provenance.events import (
    ATTRIBUTES,
    CHILDREN,
    COMPONENT_ID,
    EVENT_TYPE,
    FLOWFILE_UUID,
    PARENTS,
    TIMESTAMP,
    ProvenanceEvent,
)
from nifi_like.provenance.index import (
    TIME_SLACK_S,
    decode_record,
    filename_key,
    first_event_id,
    flowfile_uuids,
    iter_records,
    last_event_id,
    last_indexed,
    record_count,
    type_code,
    uuid_key,
)
from nifi_like.repository import keys
from nifi_like.repository.environment import Environment

RECORD_CACHE = 256
#: (event id, its stored tuple or None when not fetched yet)
Candidate = tuple[int, Sequence[Any] | None]
u64 = keys.u64
from_u64 = keys.from_u64


@dataclass(frozen=True)
class ProvenanceQuery:
    """NiFi's provenance search terms (ProcessorID, FlowFileUUID, Filename, EventType) and range."""

    component_id: str | None = None
    flowfile_uuid: str | None = None
    filename: str | None = None
    event_type: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    max_results: int = 1000
    offset: int = 0

    def __post_init__(self) -> None:
        if self.max_results < 0 or self.offset < 0:
            raise ValueError(f"maxResults ({self.max_results}) and offset ({self.offset}) must not be negative")
        if self.event_type is not None:
            object.__setattr__(self, "event_type", self.event_type.upper())

    def matches(self, event: Sequence[Any]) -> bool:
        """Whether a stored event tuple matches (tuples: no decoding into ProvenanceEvent to count)."""
        if self.component_id is not None and event[COMPONENT_ID] != self.component_id:
            return False
        if self.event_type is not None and event[EVENT_TYPE] != self.event_type:
            return False
        uuid = self.flowfile_uuid
        if uuid is not None and uuid != event[FLOWFILE_UUID] and uuid not in event[PARENTS] \
                and uuid not in event[CHILDREN]:
            return False
        if self.filename is not None and event[ATTRIBUTES].get("filename") != self.filename:
            return False
        if self.start_ms is not None and event[TIMESTAMP] < self.start_ms:
            return False
        return self.end_ms is None or event[TIMESTAMP] <= self.end_ms


@dataclass
class QueryResult:
    events: list[ProvenanceEvent]
    total: int  # matching events counted, at most the store's count limit
    total_exact: bool  # False when counting stopped at the limit
    last_event_id: int
    last_indexed_id: int
    oldest_event_ms: int | None = field(default=None)


def _index_decides(query: ProvenanceQuery) -> bool:
    """True when the query is one FlowFile uuid, component or event type: the index entries
    alone count its matches."""
    terms = (query.flowfile_uuid, query.component_id, query.event_type)
    return sum(term is not None for term in terms) == 1 and query.filename is None \
        and query.start_ms is None and query.end_ms is None


class ProvenanceReader:
    """Provenance reads inside one LMDB read transaction."""

    def __init__(self, env: Environment, txn: Any) -> None:
        self.env = env
        self.txn = txn
        self._events_db = env.dbs["provenance"]
        self._index_db = env.dbs["prov_index"]
        self.last_id = last_event_id(txn, env)
        self.indexed_id = min(last_indexed(txn, env), self.last_id)
        self._tail: dict[str, list[int]] | None = None
        self._records: OrderedDict[int, list[Any]] = OrderedDict()  # decoded commit records, by first id
        self._cursor = txn.cursor(db=self._events_db)

    def _record(self, first: int, raw: bytes | None = None) -> list[Any]:
        records = self._records.get(first)
        if records is None:
            if raw is None:
                raw = self.txn.get(u64(first), db=self._events_db)
            records = self._records[first] = decode_record(raw)
            if len(self._records) > RECORD_CACHE:
                self._records.popitem(last=False)
        return records

    def _first_of(self, event_id: int) -> int | None:
        """The id of the commit record holding an event id (the record may not reach it)."""
        cursor = self._cursor
        if not cursor.set_range(u64(event_id)) or from_u64(cursor.key()) > event_id:
            if not cursor.prev():
                return None
        return from_u64(cursor.key())

    def raw_event(self, event_id: int) -> Sequence[Any] | None:
        """The stored tuple of an event (see events.py for its fields)."""
        first = self._first_of(event_id)
        if first is None:
            return None
        records = self._record(first)
        index = event_id - first
        return records[index] if index < len(records) else None

    def event(self, event_id: int) -> ProvenanceEvent | None:
        raw = self.raw_event(event_id)
        return None if raw is None else ProvenanceEvent.from_record(event_id, raw)

    def oldest_event_ms(self) -> int | None:
        first = first_event_id(self.txn, self.env)
        event = self.event(first) if first else None
        return None if event is None else event.timestamp_ms

    # -- id streams, newest first -----------------------------------------------------------
    def _index_ids(self, prefix: bytes, lo: int, hi: int) -> Iterator[int]:
        """Event ids under an index prefix within [lo, hi], newest first."""
        cursor = self.txn.cursor(db=self._index_db)
        if cursor.set_range(prefix + u64(hi + 1)):
            if not cursor.prev():
                return
        elif not cursor.last():
            return
        size = len(prefix)
        for key in cursor.iterprev(values=False):
            if key[:size] != prefix:
                return
            event_id = from_u64(key[size:])
            if event_id < lo:
                return
            yield event_id

    def _record_events(self, prefix: bytes, lo: int, hi: int) -> Iterator[Candidate]:
        """Events within [lo, hi] of the records under a record-level index prefix, newest first."""
        for first in self._index_ids(prefix, 0, hi):
            events = self._record(first)
            for event_id in range(min(hi, first + len(events) - 1), max(lo, first) - 1, -1):
                yield event_id, events[event_id - first]
            if first <= lo:
                return

    def _all_events(self, lo: int, hi: int) -> Iterator[Candidate]:
        """Every event within [lo, hi], newest first."""
        cursor = self.txn.cursor(db=self._events_db)
        if cursor.set_range(u64(hi + 1)):
            if not cursor.prev():
                return
        elif not cursor.last():
            return
        for key, value in cursor.iterprev():
            first = from_u64(key)
            events = self._record(first, value)
            for event_id in range(min(hi, first + len(events) - 1), max(lo, first) - 1, -1):
                yield event_id, events[event_id - first]
            if first <= lo:
                return

    def _uuids_named(self, filename: str) -> list[bytes]:
        prefix = b"n" + filename_key(filename)
        cursor = self.txn.cursor(db=self._index_db)
        out = []
        if cursor.set_range(prefix):
            for key in cursor.iternext(values=False):
                if key[:9] != prefix:
                    break
                out.append(bytes(key[9:]))
        return out

    def _id_range(self, start_ms: int | None, end_ms: int | None) -> tuple[int, int]:
        """Event ids that can hold events stamped within [start_ms, end_ms] (a superset)."""
        lo, hi = 1, self.last_id
        cursor = self.txn.cursor(db=self._index_db)
        if start_ms is not None:
            second = max(0, start_ms // 1000 - TIME_SLACK_S)
            if cursor.set_range(b"t" + u64(second)) and cursor.key()[:1] == b"t":
                lo = from_u64(cursor.value())
            else:
                lo = self.indexed_id + 1
        if end_ms is not None:
            second = end_ms // 1000 + TIME_SLACK_S + 1
            if cursor.set_range(b"t" + u64(second)) and cursor.key()[:1] == b"t":
                hi = min(hi, from_u64(cursor.value()) - 1)
        return lo, hi

    def _candidates(self, query: ProvenanceQuery, lo: int, hi: int) -> Iterator[Candidate]:
        """Events worth matching, newest first: the unindexed tail, then what an index names.
        Per-event index entries come without their tuple (None), fetched only when needed."""
        indexed = self.indexed_id
        if hi > indexed:
            yield from self._all_events(max(lo, indexed + 1), hi)
        hi = min(hi, indexed)
        if hi < lo:
            return
        if query.flowfile_uuid is not None:
            for event_id in self._index_ids(b"f" + uuid_key(query.flowfile_uuid), lo, hi):
                yield event_id, None
        elif query.filename is not None:
            streams = [self._index_ids(b"f" + raw, lo, hi) for raw in self._uuids_named(query.filename)]
            previous = None
            for event_id in heapq.merge(*streams, reverse=True):
                if event_id != previous:
                    yield event_id, None
                previous = event_id
        elif query.component_id is not None:
            yield from self._record_events(b"c" + keys.component_key(query.component_id), lo, hi)
        elif query.event_type is not None:
            yield from self._record_events(b"y" + type_code(query.event_type), lo, hi)
        else:
            yield from self._all_events(lo, hi)

    def search(self, query: ProvenanceQuery, count_limit: int = 10_000) -> QueryResult:
        lo, hi = self._id_range(query.start_ms, query.end_ms)
        page: list[ProvenanceEvent] = []
        matched = 0
        exact = True
        end = query.offset + query.max_results
        counted_by_index = _index_decides(query)
        indexed = self.indexed_id
        for event_id, raw in self._candidates(query, lo, hi):
            if counted_by_index and matched >= end and event_id <= indexed:
                matched += self._count_from_index(query, event_id, count_limit - matched)
                exact = matched < count_limit
                break
            else:
                if raw is None:
                    raw = self.raw_event(event_id)
                if raw is None or not query.matches(raw):
                    continue
                if query.offset <= matched < end:
                    page.append(ProvenanceEvent.from_record(event_id, raw))
                matched += 1
            if matched >= max(count_limit, end):
                exact = False
                break
        return QueryResult(page, matched, exact, self.last_id, self.indexed_id, self.oldest_event_ms())

    def _count_from_index(self, query: ProvenanceQuery, event_id: int, limit: int) -> int:
        """Matches of a one-term query among indexed events up to ``event_id``, without
        decoding more than one record; stops once past ``limit``."""
        if query.flowfile_uuid is not None:
            count = 0
            for _ in self._index_ids(b"f" + uuid_key(query.flowfile_uuid), 1, event_id):
                count += 1
                if count >= limit:
                    break
            return count
        if query.component_id is not None:
            prefix = b"c" + keys.component_key(query.component_id)
        else:
            prefix = b"y" + type_code(query.event_type or "")
        cursor = self.txn.cursor(db=self._index_db)
        if not cursor.set_range(prefix + u64(event_id + 1)):
            cursor.last()
        elif not cursor.prev():
            return 0
        count = 0
        size = len(prefix)
        holding = True  # the first record met holds event_id: count its part up to event_id
        for key, value in cursor.iterprev():
            if key[:size] != prefix:
                break
            first = from_u64(key[size:])
            if holding:
                events = self._record(first)[: event_id - first + 1]
                count += sum(1 for event in events if query.matches(event))
                holding = False
            else:
                count += record_count(value)
            if count >= limit:
                break
        return count

    # -- by FlowFile ------------------------------------------------------------------------
    def _tail_ids(self) -> dict[str, list[int]]:
        """Ids of the events not indexed yet, by the FlowFile uuids they name (built once per read)."""
        if self._tail is None:
            tail: dict[str, list[int]] = {}
            for first, events in iter_records(self.txn, self.env, self.indexed_id + 1):
                for event_id, event in enumerate(events, first):
                    if event_id > self.indexed_id:
                        for uuid in {event[FLOWFILE_UUID], *event[PARENTS], *event[CHILDREN]}:
                            tail.setdefault(uuid, []).append(event_id)
            self._tail = tail
        return self._tail

    def events_for_flowfile(self, uuid: str) -> list[ProvenanceEvent]:
        """Every stored event that names the FlowFile (as itself, a parent or a child), oldest first."""
        out = [event for event_id in self._index_ids(b"f" + uuid_key(uuid), 1, self.indexed_id)
               if (event := self.event(event_id)) is not None and uuid in flowfile_uuids(event)]
        out.reverse()
        if self.last_id > self.indexed_id:
            out += [event for event_id in self._tail_ids().get(uuid, ()) if (event := self.event(event_id))]
        return out


class ProvenanceStore:
    """Provenance queries over a repository's LMDB environment (read-only use is fine)."""

    def __init__(self, env: Environment, *, count_limit: int = 10_000) -> None:
        self.env = env
        self.count_limit = count_limit

    @contextmanager
    def read(self) -> Iterator[ProvenanceReader]:
        with self.env.read() as txn:
            yield ProvenanceReader(self.env, txn)

    def event(self, event_id: int) -> ProvenanceEvent | None:
        with self.read() as reader:
            return reader.event(event_id)

    def query(self, query: ProvenanceQuery | None = None, **terms: Any) -> QueryResult:
        """Search, newest first: ``store.query(component_id=..., max_results=50, offset=100)``."""
        query = query or ProvenanceQuery(**terms)
        with self.read() as reader:
            return reader.search(query, self.count_limit)

    def events_for_flowfile(self, uuid: str) -> list[ProvenanceEvent]:
        with self.read() as reader:
            return reader.events_for_flowfile(uuid)

    def lag(self) -> int:
        """Events committed but not yet indexed ("provenance lag")."""
        with self.env.read() as txn:
            return max(0, last_event_id(txn, self.env) - last_indexed(txn, self.env))
