"""The process session: NiFi's unit of work, committed as ONE LMDB write transaction."""

from __future__ import annotations

import io
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

from nifi_like.api.flowfile import FlowFile
from nifi_like.api.processor import ProcessException, ProcessSession, ProvenanceReporter, StateMap
from nifi_like.api.relationship import Relationship
from nifi_like.engine.connection import Connection, Entry, QueueTarget, now_ms
from nifi_like.provenance.events import hold_released_content
from nifi_like.repository import encoding, keys, provenance_log
from nifi_like.repository.content import FILE, INLINE, ContentWriter, PendingContent, claim_ref
from nifi_like.repository.errors import DamagedContentError
from nifi_like.repository.state import read_state, write_state

if TYPE_CHECKING:
    from nifi_like.engine.node import Node
    from nifi_like.repository import Batch, Repository

_REMOVED = "\0removed"


def new_uuid() -> str:
    """A random (version 4) UUID string. FlowFile ids need uniqueness, not secrecy: a generator
    seeded once from os.urandom avoids a system call per FlowFile, and with it a release and
    re-acquisition of the interpreter lock that busy threads made costly."""
    h = "%032x" % ((_RANDOM.getrandbits(128) & _UUID_MASK) | _UUID_BITS)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_RANDOM = random.Random(os.urandom(32))


_UUID_MASK = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_UUID_BITS = (0x4000 << 64) | (0x8000 << 48)
_SELF = "\0self"


class SessionError(ProcessException):
    """The processor used the session in a way NiFi forbids; the session is rolled back."""


class _Reporter(ProvenanceReporter):
    def __init__(self, session: StandardProcessSession) -> None:
        self._session = session

    def record(self, event_type: str, flowfile: FlowFile, *, transit_uri: str | None = None,
               details: str | None = None, relationship: str | None = None) -> None:
        self._session._explicit_event(event_type, flowfile, transit_uri, details, relationship)


class StandardProcessSession(ProcessSession):
    def __init__(self, node: Node, repo: Repository, *, provenance: bool = True) -> None:
        self._node = node
        self._repo = repo
        self._provenance = provenance
        self.provenance = _Reporter(self)
        self._encode = encoding.encoder()
        self._reset()

    def _reset(self) -> None:
        self._reserved: list[tuple[QueueTarget, int, int]] = []  # where the commit appends: count, bytes
        self._in_bytes = 0
        self._started = time.time()
        self._rollback_callbacks: list[Callable[[], None]] = []
        self._taken: dict[str, tuple[Connection, int, FlowFile]] = {}
        self._damaged: dict[Any, str] = {}  # claims found damaged while reading -> why
        self._expired: list[tuple[Connection, Entry]] = []
        self._current: dict[str, FlowFile] = {}
        self._dest: dict[str, Any] = {}
        self._created: dict[str, str | None] = {}  # uuid -> how it was made (None, "CLONE", "FORK", "JOIN")
        self._parents: dict[str, list[str]] = {}
        self._pending: dict[Any, PendingContent] = {}
        self._writers: list[ContentWriter] = []
        self._events: list[tuple[Any, ...]] = []
        self._explicit: set[str] = set()
        self._callbacks: list[Callable[[], None]] = []
        self._state: dict[str, str] | None = None
        self._counters: Counter[str] = Counter()
        self._poll_index = 0
        self._read_bytes = 0

    # -- getting FlowFiles ---------------------------------------------------------------
    def get(self) -> FlowFile | None:
        batch = self.get_batch(1)
        return batch[0] if batch else None

    def get_batch(self, max_count: int) -> list[FlowFile]:
        out: list[FlowFile] = []
        incoming = self._node.incoming
        now = now_ms()
        for attempt in range(len(incoming)):
            if len(out) >= max_count:
                break
            conn = incoming[(self._poll_index + attempt) % len(incoming)]
            taken, expired = conn.poll(max_count - len(out), now)
            for seq, ff in taken:
                self._taken[ff.id] = (conn, seq, ff)
                self._current[ff.id] = ff
                out.append(ff)
            self._expired.extend((conn, entry) for entry in expired)
        if incoming:
            self._poll_index = (self._poll_index + 1) % len(incoming)
        return out

    # -- creating ------------------------------------------------------------------------
    def _new(self, attributes: dict[str, str], size: int, claim: Any, lineage_start: int, how: str | None,
             parents: list[str]) -> FlowFile:
        ff_id = new_uuid()
        attributes["uuid"] = ff_id
        ff = FlowFile(attributes, size, claim, now_ms(), lineage_start)
        self._current[ff_id] = ff
        self._created[ff_id] = how
        if parents:
            self._parents[ff_id] = parents
        return ff

    def create(self, parent: FlowFile | Iterable[FlowFile] | None = None) -> FlowFile:
        if parent is None:
            now_ns = time.time_ns()
            return self._new({"filename": str(now_ns), "path": "./"}, 0, None, now_ns // 1_000_000, None, [])
        if isinstance(parent, FlowFile):
            parent = self._latest(parent)
            attributes = dict(parent.attributes)
            return self._new(attributes, 0, None, parent.lineage_start_date, "FORK", [parent.id])
        parents = [self._latest(p) for p in parent]
        if not parents:
            raise SessionError("create() was given an empty list of parents")
        common = dict(parents[0].attributes)
        for other in parents[1:]:
            common = {k: v for k, v in common.items() if other.attributes.get(k) == v}
        common.setdefault("filename", str(time.time_ns()))
        lineage = min(p.lineage_start_date for p in parents)
        return self._new(common, 0, None, lineage, "JOIN", [p.id for p in parents])

    def clone(self, flowfile: FlowFile, offset: int = 0, size: int | None = None) -> FlowFile:
        source = self._latest(flowfile)
        claim = source.claim
        length = source.size - offset if size is None else size
        if offset < 0 or length < 0 or offset + length > source.size:
            raise SessionError(f"clone range {offset}+{length} is outside the {source.size} bytes of {source}")
        if (offset, length) != (0, source.size) and claim is not None:
            if claim[0] == FILE:
                claim = (FILE, claim[1], claim[2] + offset, length)
            else:
                data = self._read_claim(source)[offset: offset + length]
                claim = self._store(data).claim
        return self._new(dict(source.attributes), length, claim, source.lineage_start_date, "CLONE", [source.id])

    # -- attributes ----------------------------------------------------------------------
    def _latest(self, flowfile: FlowFile) -> FlowFile:
        ff_id = flowfile.id
        current = self._current.get(ff_id)
        if current is None:
            raise SessionError(f"{flowfile} does not belong to this session")
        if self._dest.get(ff_id) is _REMOVED:
            raise SessionError(f"{flowfile} was already removed in this session")
        return current

    def put_attribute(self, flowfile: FlowFile, key: str, value: str) -> FlowFile:
        return self.put_all_attributes(flowfile, {key: value})

    def put_all_attributes(self, flowfile: FlowFile, attributes: Mapping[str, str]) -> FlowFile:
        current = self._latest(flowfile)
        merged = {**current.attributes, **attributes}
        if "uuid" in attributes:
            merged["uuid"] = current.id  # as in NiFi, the uuid attribute cannot be changed
        new = self._current[current.id] = current.with_attributes(merged)
        return new

    def remove_attribute(self, flowfile: FlowFile, key: str) -> FlowFile:
        return self.remove_all_attributes(flowfile, (key,))

    def remove_all_attributes(self, flowfile: FlowFile, keys_: Iterable[str]) -> FlowFile:
        current = self._latest(flowfile)
        drop = set(keys_) - {"uuid"}
        new = self._current[current.id] = current.with_attributes(
            {k: v for k, v in current.attributes.items() if k not in drop})
        return new

    # -- content -------------------------------------------------------------------------
    def _store(self, data: bytes) -> PendingContent:
        writer = self._repo.content.writer()
        writer.write(data)
        return self._finish_writer(writer)

    def _finish_writer(self, writer: ContentWriter) -> PendingContent:
        self._writers.append(writer)
        pending = writer.finish()
        if pending.claim is not None:
            self._pending[pending.claim] = pending
        return pending

    def _read_claim(self, flowfile: FlowFile) -> bytes:
        with self.read(flowfile) as stream:
            return stream.read()

    @contextmanager
    def read(self, flowfile: FlowFile) -> Iterator[IO[bytes]]:
        current = self._latest(flowfile)
        claim = current.claim
        if claim is not None and claim[0] == INLINE and claim in self._pending:
            stream: IO[bytes] = io.BytesIO(self._pending[claim].data or b"")
        else:
            try:
                stream = self._repo.content.open(claim)
            except DamagedContentError as exc:
                self._damaged.setdefault(claim, str(exc))
                raise
            if claim is not None and claim[0] == FILE:
                stream = io.BufferedReader(_Guarded(stream, claim, self._damaged))
        try:
            yield stream
        finally:
            self._read_bytes += current.size
            stream.close()

    def write(self, flowfile: FlowFile, content: bytes | Callable[[IO[bytes]], None]) -> FlowFile:
        current = self._latest(flowfile)
        content_repo = self._repo.content
        if isinstance(content, bytes) and 0 < len(content) <= content_repo.inline_max:
            claim = (INLINE, content_repo.new_inline_key())  # small bytes: no stream needed
            self._pending[claim] = PendingContent(claim, content, len(content))
            new = self._current[current.id] = current.with_content(claim, len(content))
            return new
        writer = content_repo.writer()
        try:
            if isinstance(content, bytes | bytearray | memoryview):
                writer.write(content)
            else:
                content(writer)  # type: ignore[arg-type]
        except BaseException:
            writer.abandon()
            raise
        pending = self._finish_writer(writer)
        new = self._current[current.id] = current.with_content(pending.claim, pending.size)
        return new

    def transform(self, flowfile: FlowFile, callback: Callable[[IO[bytes], IO[bytes]], None]) -> FlowFile:
        current = self._latest(flowfile)
        with self.read(current) as source:
            return self.write(current, lambda out: callback(source, out))

    def append(self, flowfile: FlowFile, content: bytes) -> FlowFile:
        def copy_then_add(source: IO[bytes], out: IO[bytes]) -> None:
            shutil.copyfileobj(source, out, 1 << 20)
            out.write(content)
        return self.transform(flowfile, copy_then_add)

    def import_from(self, source: str | IO[bytes], flowfile: FlowFile) -> FlowFile:
        if isinstance(source, str):
            with open(source, "rb") as stream:
                return self.write(flowfile, lambda out: shutil.copyfileobj(stream, out, 1 << 20))
        return self.write(flowfile, lambda out: shutil.copyfileobj(source, out, 1 << 20))

    def export_to(self, flowfile: FlowFile, destination: str | IO[bytes]) -> None:
        with self.read(flowfile) as stream:
            if isinstance(destination, str):
                with open(destination, "wb") as out:
                    shutil.copyfileobj(stream, out, 1 << 20)
            else:
                shutil.copyfileobj(stream, destination, 1 << 20)

    # -- routing -------------------------------------------------------------------------
    def transfer(self, flowfile: FlowFile | Iterable[FlowFile], relationship: Relationship | None = None) -> None:
        if relationship is not None:
            dest: str = relationship.name
            if dest not in self._node.outgoing and dest not in self._node.auto_terminated:
                raise SessionError(f"relationship '{dest}' of {self._node.name} is neither connected nor "
                                   "auto-terminated")
        else:
            dest = _SELF
        for ff in (flowfile,) if isinstance(flowfile, FlowFile) else list(flowfile):
            current = self._latest(ff)
            if dest is _SELF and current.id not in self._taken:
                raise SessionError(f"{current} was created in this session and has no queue to return to")
            self._dest[current.id] = dest

    def remove(self, flowfile: FlowFile | Iterable[FlowFile]) -> None:
        for ff in [flowfile] if isinstance(flowfile, FlowFile) else list(flowfile):
            current = self._latest(ff)
            self._dest[current.id] = _REMOVED

    def penalize(self, flowfile: FlowFile) -> FlowFile:
        current = self._latest(flowfile)
        new = self._current[current.id] = current.evolve(penalized_until=now_ms() + self._node.penalty_ms)
        return new

    def on_commit(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    def on_rollback(self, callback: Callable[[], None]) -> None:
        self._rollback_callbacks.append(callback)

    def get_state(self) -> StateMap:
        if self._state is not None:
            return StateMap(self._state, -2)
        return read_state(self._repo.env, self._node.id)

    def set_state(self, values: Mapping[str, str]) -> None:
        self._state = dict(values)

    def adjust_counter(self, name: str, delta: int) -> None:
        self._counters[name] += delta

    # -- provenance ----------------------------------------------------------------------
    def _explicit_event(self, event_type: str, flowfile: FlowFile, transit_uri: str | None,
                        details: str | None, relationship: str | None) -> None:
        """An event the processor reported (RECEIVE, SEND, ROUTE...); fields as provenance_log.FIELDS."""
        current = self._latest(flowfile)
        self._explicit.add(current.id)
        if not self._provenance:
            return
        now = time.time()
        node = self._node
        taken = self._taken.get(current.id)  # the source queue, where a replay puts the FlowFile back
        self._events.append((
            event_type, int(now * 1000), int((now - self._started) * 1000), current.lineage_start_date,
            node.id, node.type_name, current.id, (), (), None, current.attributes, None, current.claim,
            current.size, transit_uri, details, relationship, node.group_id,
            taken[0].id if taken is not None else None, 0))

    # -- commit / rollback ---------------------------------------------------------------
    def commit(self) -> None:
        future = self.commit_async()
        self.finish_commit(future)

    def commit_async(self) -> Future[Any]:
        """Start the commit; ``finish_commit`` must be called with the returned future."""
        if self._damaged:  # even if the processor caught the error, damaged content goes no further
            raise DamagedContentError(next(iter(self._damaged.values())))
        current, destinations = self._current, self._dest
        if not (current or self._expired or self._state is not None or self._events):
            done: Future[Any] = Future()  # nothing to write: no transaction, no fsync
            done.set_result(([], {}))
            return done
        if len(destinations) < len(current):
            lost = [ff for ff_id, ff in current.items() if ff_id not in destinations]
            raise SessionError(f"{len(lost)} FlowFile(s) were neither transferred nor removed by "
                               f"{self._node.name}, e.g. {lost[0]}")
        plan = _CommitPlan(self)
        add = plan.add
        for ff_id, dest in destinations.items():
            add(ff_id, dest)
        plan.finish()
        self._repo.content.sync_files(plan.files)
        inline_new = {claim[1]: p.data for claim, p in self._pending.items() if p.data is not None}
        events = (len(self._events), self._encode(self._events)) if self._events else None
        self._reserved = [(target, len(out.flowfiles), out.size) for target, out in plan.grouped.items()]
        self._in_bytes = plan.in_bytes
        for target, count, size in self._reserved:
            target.reserve(count, size)
        return self._repo.writer.submit(
            self._writer_fn(plan.delete_keys, plan.removed, plan.grouped, events, inline_new, plan.deltas),
            self._after_fn(plan.removed))

    def _writer_fn(self, delete_keys: list[bytes], removed: dict[Connection, list[int]],
                   grouped: dict[QueueTarget, _Output], events: tuple[int, bytes] | None,
                   inline_new: dict[bytes, bytes], deltas: dict[Any, int]) -> Callable[[Any, Batch], Any]:
        env = self._repo.env
        content = self._repo.content
        state = self._state
        component_id = self._node.id
        u64 = keys.u64

        def apply(txn: Any, batch: Batch) -> Any:
            qdb = env.dbs["queues"]
            delete = txn.delete
            for key in delete_keys:
                delete(key, db=qdb)
            for conn, (count, size) in removed.items():
                batch.adjust_queue(conn.key, -count, -size)
            appended: list[tuple[QueueTarget, list[tuple[int, FlowFile]]]] = []
            if grouped:
                cursor = txn.cursor(db=qdb)
                for target, out in grouped.items():
                    prefix = target.key
                    count = len(out.records)
                    seqs = range((first := batch.allocate_seqs(prefix, count)), first + count)
                    cursor.putmulti([(prefix + u64(seq), record)  # keys.queue_key, inline
                                     for seq, record in zip(seqs, out.records, strict=True)])
                    batch.adjust_queue(prefix, count, out.size)
                    appended.append((target, list(zip(seqs, out.flowfiles, strict=True))))
            file_counts = content.apply_refs(txn, inline_new, deltas)
            if state is not None:
                write_state(env, txn, component_id, state)
            if events is not None:
                provenance_log.append(env, txn, batch.allocate_event_ids(events[0]), events[1])
            return appended, file_counts
        return apply

    def _after_fn(self, removed: dict[Connection, list[int]]) -> Callable[[Any], None]:
        content = self._repo.content

        def after(result: Any) -> None:
            appended, file_counts = result
            content.refs_committed(file_counts)
            for conn, (count, size) in removed.items():
                conn.acknowledge(count, size)
            for target, entries in appended:
                target.append_committed(entries)
        return after

    def finish_commit(self, future: Future[Any]) -> None:
        try:
            future.result()
        except BaseException:
            for conn, count, size in self._reserved:
                conn.release(count, size)
            self.rollback()
            raise
        self._release_writers()
        self._node.stats.record(in_count=len(self._taken), in_bytes=self._in_bytes,
                                out_count=sum(count for _, count, _ in self._reserved),
                                out_bytes=sum(size for _, _, size in self._reserved), read_bytes=self._read_bytes,
                                written_bytes=sum(p.size for p in self._pending.values()))
        for name, delta in self._counters.items():
            self._node.counters[name] += delta
        callbacks = self._callbacks
        self._reset()
        for callback in callbacks:
            callback()

    def rollback(self, penalize: bool = False) -> None:
        by_conn: dict[Connection, list[Entry]] = {}
        penalty_until = now_ms() + self._node.penalty_ms
        for conn, seq, ff in self._taken.values():
            if penalize:
                ff = ff.evolve(penalized_until=penalty_until)
            by_conn.setdefault(conn, []).append((seq, ff))
        for conn, entry in self._expired:
            by_conn.setdefault(conn, []).append(entry)
        for writer in self._writers:
            if writer.result is None:
                writer.abandon()
        self._release_writers()
        callbacks = self._rollback_callbacks
        self._reset()
        for conn, entries in by_conn.items():
            conn.restore(entries)
        for callback in callbacks:
            callback()

    def take_damaged(self) -> list[tuple[Connection, int, FlowFile, str]]:
        """The FlowFiles this session took whose content proved damaged, withdrawn from the session
        (a rollback will not return them to their queues): the caller quarantines them."""
        damaged = [(conn, seq, ff, self._damaged[ff.claim]) for conn, seq, ff in self._taken.values()
                   if ff.claim is not None and ff.claim in self._damaged]
        for _, _, ff, _ in damaged:
            del self._taken[ff.id]
        return damaged

    def _release_writers(self) -> None:
        files = [claim[1] for claim in self._pending if claim[0] == FILE]
        self._repo.content.release_pending(files)

    @property
    def active(self) -> bool:
        return bool(self._current or self._expired)


_CREATED_HERE = "\0taken"  # marker: the FlowFile came from a queue, it was not made in this session


class _Output:
    """What a commit appends to one queue: packed records, the FlowFiles, their bytes."""

    __slots__ = ("flowfiles", "records", "size")

    def __init__(self) -> None:
        self.records: list[bytes] = []
        self.flowfiles: list[FlowFile] = []
        self.size = 0


class _CommitPlan:
    """One pass over a session's FlowFiles: queue records to append and keys to delete, claim
    reference changes and the automatic provenance events (CREATE, CLONE, FORK, JOIN,
    CONTENT/ATTRIBUTES_MODIFIED, DROP, EXPIRE). It runs once per FlowFile of every commit, so
    it does its lookups once per destination, not per FlowFile."""

    def __init__(self, session: StandardProcessSession) -> None:
        self.session = session
        node = session._node
        self.node = node
        self.pack = session._encode
        self.grouped: dict[QueueTarget, _Output] = {}
        self.removed: dict[Connection, list[int]] = {}  # input queue -> [count, bytes] leaving it
        self.delete_keys: list[bytes] = []
        self.in_bytes = 0
        self.deltas: dict[Any, int] = {}
        self.files: set[int] = set()
        self.forks: dict[str, list[str]] = {}
        self.routes: dict[str, tuple[Any, str | None]] = {}
        self.events = session._events if session._provenance else None
        # Can an event of this commit name content no output keeps? Only if a reference is given
        # up, a FlowFile with content is dropped, or the processor reported events itself (they
        # may name content it replaced afterwards). Otherwise there is nothing to hold.
        self.may_release = bool(session._explicit)
        now = time.time()
        self.timestamp, self.duration = int(now * 1000), int((now - session._started) * 1000)

    def _event(self, event_type: str, ff: FlowFile, parents: Any = (), children: Any = (),
               previous: FlowFile | None = None, details: str | None = None, source: str | None = None) -> None:
        assert self.events is not None
        if source is None and (taken := self.session._taken.get(ff.id)) is not None:
            source = taken[0].id  # the source queue, where a replay puts the FlowFile back
        node = self.node
        attributes = ff.attributes
        self.events.append((
            event_type, self.timestamp, self.duration, ff.lineage_start_date, node.id, node.type_name, ff.id,
            parents, children,
            None if previous is None or previous.attributes is attributes else previous.attributes,
            attributes, None if previous is None else previous.claim, ff.claim, ff.size, None, details, None,
            node.group_id, source, 0))

    def _ref(self, claim: Any, delta: int) -> None:
        ref = claim_ref(claim)
        self.deltas[ref] = self.deltas.get(ref, 0) + delta
        if delta < 0:
            self.may_release = True
        if claim[0] == FILE and delta > 0 and claim in self.session._pending:
            self.files.add(ref)

    def _output(self, target: QueueTarget, ff: FlowFile) -> None:
        out = self.grouped.get(target)
        if out is None:
            out = self.grouped[target] = _Output()
        out.records.append(self.pack(ff.pack()))
        out.flowfiles.append(ff)
        out.size += ff.size

    def _leave(self, conn: Connection, seq: int, ff: FlowFile) -> None:
        """A FlowFile taken from (or expired in) ``conn`` leaves it with this commit."""
        removed = self.removed.get(conn)
        if removed is None:
            removed = self.removed[conn] = [0, 0]
        removed[0] += 1
        removed[1] += ff.size
        self.delete_keys.append(keys.queue_key(conn.key, seq))

    def _retry(self, original: FlowFile, relationship: str) -> FlowFile | None:
        """NiFi's retry of a relationship: the FlowFile as it arrived goes back to its queue with
        its retry count raised and a back-off, until the count is used up; then None."""
        node = self.node
        attribute = f"retryCount.{node.id}"
        count = int(original.attributes.get(attribute, "0") or 0)
        if count >= node.retry_count:
            return None
        backoff_ms = min(node.penalty_ms * (2 ** count), node.max_backoff_ms)
        retried = original.with_attributes({**original.attributes, attribute: str(count + 1)})
        if node.backoff_mechanism == "YIELD_PROCESSOR":
            node.yield_for(backoff_ms / 1000)
            return retried
        return retried.evolve(penalized_until=now_ms() + backoff_ms)

    def _route(self, dest: Any, entry: tuple[Connection, int, FlowFile] | None) -> tuple[Any, str | None]:
        """The connections a destination sends to (none: dropped) and why it drops; remembered per
        relationship in ``routes``, which ``add`` consults first."""
        if dest is _SELF:
            assert entry is not None
            return (entry[0],), None
        if dest is _REMOVED:
            route: tuple[Any, str | None] = None, f"Removed by {self.node.name}"
        else:
            connections = self.node.outgoing.get(dest)
            route = connections, None if connections else f"Auto-Terminated by {dest} Relationship"
        self.routes[dest] = route
        return route

    def add(self, ff_id: str, dest: Any) -> None:
        session = self.session
        ff = session._current[ff_id]
        entry = session._taken.get(ff_id)
        original: FlowFile | None
        if entry is not None:
            source_conn, seq, original = entry
            self._leave(source_conn, seq, original)
            self.in_bytes += original.size
            how: str | None = _CREATED_HERE
            old_claim = original.claim
            if dest in self.node.retried:
                retried = self._retry(original, dest)
                if retried is not None:
                    self._output(source_conn, retried)
                    return
                ff = ff.with_attributes({k: v for k, v in ff.attributes.items() if k != f"retryCount.{self.node.id}"})
        else:
            original = old_claim = None
            how = session._created.get(ff_id, _CREATED_HERE)
        route = self.routes.get(dest)
        connections, why = route if route is not None else self._route(dest, entry)
        claim = ff.claim
        if connections:
            if claim is not old_claim and claim != old_claim:
                if old_claim is not None:
                    self._ref(old_claim, -1)
                if claim is not None:
                    self._ref(claim, len(connections))
            elif claim is not None and len(connections) > 1:
                self._ref(claim, len(connections) - 1)
            # a load-balanced connection may place it in another node's partition; a FlowFile
            # returned to its own queue (above) stays on this node
            first = connections[0]
            self._output(first if first.router is None else first.route(ff), ff)
            for extra in connections[1:]:  # one relationship, several connections: a clone each
                clone = ff.with_attributes({**ff.attributes, "uuid": new_uuid()})
                self._output(extra.route(clone), clone)
                if self.events is not None:
                    self._event("CLONE", ff, (), (clone.id,))
        else:
            if old_claim is not None:
                self._ref(old_claim, -1)
            if claim is not None:
                self.may_release = True
        if self.events is not None:
            self._events_for(ff, original, how, dest, why)

    def _events_for(self, ff: FlowFile, original: FlowFile | None, how: str | None, dest: Any,
                    why: str | None) -> None:
        session = self.session
        if original is not None:
            if ff.id not in session._explicit:
                if ff.claim != original.claim:
                    self._event("CONTENT_MODIFIED", ff, previous=original)
                elif ff.attributes is not original.attributes and ff.attributes != original.attributes:
                    self._event("ATTRIBUTES_MODIFIED", ff, previous=original)
        elif dest is _REMOVED:
            return  # created and removed in the same session: no trace, as in NiFi
        elif how is None:
            if ff.id not in session._explicit:
                self._event("CREATE", ff)
        elif how == "CLONE":
            self._event("CLONE", session._current[session._parents[ff.id][0]], (), (ff.id,))
        elif how == "FORK":
            self.forks.setdefault(session._parents[ff.id][0], []).append(ff.id)
        else:
            self._event("JOIN", ff, tuple(session._parents[ff.id]))
        if why is not None:
            self._event("DROP", ff, details=why)

    def finish(self) -> None:
        session = self.session
        for conn, (seq, ff) in session._expired:
            self._leave(conn, seq, ff)
            if ff.claim is not None:
                self._ref(ff.claim, -1)
            if self.events is not None:
                self._event("EXPIRE", ff, details="Expiration Threshold Reached", source=conn.id)
        if self.events is not None:
            for parent_id, children in self.forks.items():
                self._event("FORK", session._current[parent_id], (), tuple(children))
            if self.may_release:  # events keep the content this commit releases, until retention drops them
                kept = {ff.claim[1] for out in self.grouped.values() for ff in out.flowfiles if ff.claim is not None}
                for claim in hold_released_content(self.events, kept):
                    self._ref(claim, 1)


class _Guarded(io.RawIOBase):
    """A claim's stream that notes in the session when its content proves damaged."""

    def __init__(self, inner: IO[bytes], claim: Any, damaged: dict[Any, str]) -> None:
        super().__init__()
        self._inner, self._claim, self._damaged = inner, claim, damaged

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            return self._inner.readinto(buffer)  # type: ignore[attr-defined, no-any-return]
        except DamagedContentError as exc:
            self._damaged.setdefault(self._claim, str(exc))
            raise

    def close(self) -> None:
        self._inner.close()
        super().close()
