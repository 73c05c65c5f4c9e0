"""Replay: queue a new FlowFile with an event's input content and attributes where it came from.

As in NiFi, the new FlowFile (a new uuid, the event's lineage start) goes into the event's
source queue, and a REPLAY event names the original FlowFile as parent and the new one as
child. Queue entry, content references and the REPLAY event are one write transaction,
which first checks the event is still retained (retention may have released its content).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgpack

from nifi_like.api.flowfile import Claim, FlowFile
from nifi_like.engine.session import new_uuid
from nifi_like.provenance.events import ProvenanceEvent
from nifi_like.provenance.index import event_exists
from nifi_like.provenance.store import ProvenanceStore
from nifi_like.repository import Batch, Repository, keys, provenance_log
from nifi_like.repository.content import FILE, INLINE, claim_ref
from nifi_like.repository.errors import RepositoryError

if TYPE_CHECKING:
    from nifi_like.engine.connection import Connection
    from nifi_like.engine.controller import FlowController


class ReplayError(Exception):
    """The event cannot be replayed; the message says why."""


@dataclass(frozen=True)
class ReplayResult:
    flowfile: FlowFile
    connection_id: str
    replay_event_id: int


def source_connection(controller: FlowController, event: ProvenanceEvent) -> Connection:
    """The live queue the event's FlowFile was taken from."""
    problem = event.replay_problem
    if problem is not None:
        raise ReplayError(f"cannot replay event {event.event_id}: {problem}")
    assert event.source_queue_id is not None
    conn = controller.connections.get(event.source_queue_id)
    if conn is None:
        raise ReplayError(f"cannot replay event {event.event_id}: its source queue {event.source_queue_id} "
                          "is no longer in the flow")
    return conn


def replay_event(controller: FlowController, event_id: int, *, requested_by: str = "anonymous") -> ReplayResult:
    """Replay an event of a running (or stopped) flow into its source queue."""
    event = ProvenanceStore(controller.repo.env).event(event_id)
    if event is None:
        raise ReplayError(f"provenance event {event_id} does not exist (or is no longer retained)")
    conn = source_connection(controller, event)
    return replay(controller.repo, event, conn.id, connection=conn, requested_by=requested_by)


def replay(repo: Repository, event: ProvenanceEvent, connection_id: str, *, connection: Connection | None = None,
           requested_by: str = "anonymous") -> ReplayResult:
    """Queue the event's input content and attributes into ``connection_id``.

    ``connection`` is the live queue when the engine runs (so it sees the new FlowFile at once).
    """
    problem = event.replay_problem
    if problem is not None:
        raise ReplayError(f"cannot replay event {event.event_id}: {problem}")
    claim = event.input_claim
    now = int(time.time() * 1000)
    attributes = dict(event.input_attributes)
    attributes["uuid"] = new_uuid()
    try:
        size = _claim_size(repo, claim, event)
    except RepositoryError as exc:
        raise ReplayError(f"cannot replay event {event.event_id}: {exc}") from exc
    flowfile = FlowFile(attributes, size, claim, now, event.lineage_start_ms)
    record: tuple[Any, ...] = (
        "REPLAY", now, 0, event.lineage_start_ms, event.component_id, event.component_type, event.flowfile_uuid,
        [event.flowfile_uuid], [flowfile.id], {}, attributes, claim, claim, flowfile.size, None,
        f"Replay requested by {requested_by}", None, event.group_id, connection_id, 0)
    write = _write_fn(repo, event.event_id, keys.component_key(connection_id), flowfile, msgpack.packb([record]))

    def after(result: Any) -> None:
        seq, _, file_counts = result
        repo.content.refs_committed(file_counts)
        if connection is not None:
            connection.append_committed([(seq, flowfile)])

    try:
        _, replay_id, _ = repo.writer.submit(write, after).result()
    except RepositoryError as exc:
        if isinstance(exc.__cause__, ReplayError):
            raise exc.__cause__ from None
        raise
    return ReplayResult(flowfile, connection_id, replay_id)


def _claim_size(repo: Repository, claim: Claim, event: ProvenanceEvent) -> int:
    if claim is None:
        return 0
    if claim == event.claim:
        return event.size
    if claim[0] == FILE:
        return int(claim[3])
    assert claim[0] == INLINE
    return len(repo.content.read_bytes(claim))


def _stored(env: Any, txn: Any, ref: Any) -> bool:
    """Whether a claim unit still has content: an inline value, or a referenced claim file."""
    if isinstance(ref, int):
        return txn.get(keys.u64(ref), db=env.dbs["claimrefs"]) is not None
    return txn.get(ref, db=env.dbs["content"]) is not None


def _write_fn(repo: Repository, event_id: int, conn_key: bytes, flowfile: FlowFile,
              record: bytes) -> Callable[[Any, Batch], Any]:
    env = repo.env

    def write(txn: Any, batch: Batch) -> Any:
        if not event_exists(txn, env, event_id):
            raise ReplayError(f"cannot replay event {event_id}: retention removed it (and released its content)")
        ref = claim_ref(flowfile.claim)
        if ref is not None and not _stored(env, txn, ref):
            raise ReplayError(f"cannot replay event {event_id}: its content is no longer in the repository")
        seq = batch.allocate_seqs(conn_key)
        txn.put(keys.queue_key(conn_key, seq), msgpack.packb(flowfile.pack()), db=env.dbs["queues"])
        batch.adjust_queue(conn_key, 1, flowfile.size)
        # the queued FlowFile's reference also keeps the content for the REPLAY event
        file_counts = repo.content.apply_refs(txn, {}, {ref: 1}) if ref is not None else {}
        replay_id = batch.allocate_event_ids(1)
        provenance_log.append(env, txn, replay_id, record)
        return seq, replay_id, file_counts
    return write
