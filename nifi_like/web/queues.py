"""Queue listings and drop requests (NiFi's asynchronous requests against a connection's queue).

A drop empties the queue durably: the queue records are deleted, content reference counts
lowered and DROP provenance events written in writer-thread transactions, as a session
commit would; FlowFiles that sessions hold at that moment stay (NiFi drops only what is queued).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgpack

from nifi_like.api.flowfile import FlowFile
from nifi_like.api.units import format_data_size
from nifi_like.engine.connection import Connection, Entry, now_ms
from nifi_like.engine.controller import FlowController
from nifi_like.repository import Batch, keys, provenance_log
from nifi_like.repository.content import claim_ref

MAX_LISTING = 100  # NiFi lists at most 100 FlowFiles
KEEP_FINISHED = 300.0  # seconds a finished request is kept if its client never deletes it


def _timestamp(epoch: float) -> str:
    return time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d} UTC"


@dataclass
class DropRequest:
    id: str
    connection_id: str
    submitted: float
    original_count: int
    original_size: int
    dropped_count: int = 0
    dropped_size: int = 0
    current_count: int = 0
    current_size: int = 0
    finished: bool = False
    failure: str | None = None
    updated: float = field(default_factory=time.time)
    task: asyncio.Task[None] | None = None

    def to_json(self) -> dict[str, Any]:
        total = max(self.original_count, 1)
        return {"dropRequest": {
            "id": self.id, "uri": f"/nifi-api/flowfile-queues/{self.connection_id}/drop-requests/{self.id}",
            "submissionTime": _timestamp(self.submitted), "lastUpdated": _timestamp(self.updated),
            "percentCompleted": 100 if self.finished else min(99, self.dropped_count * 100 // total),
            "finished": self.finished, "failureReason": self.failure,
            "currentCount": self.current_count, "currentSize": self.current_size,
            "current": f"{self.current_count} / {format_data_size(self.current_size)}",
            "originalCount": self.original_count, "originalSize": self.original_size,
            "original": f"{self.original_count} / {format_data_size(self.original_size)}",
            "droppedCount": self.dropped_count, "droppedSize": self.dropped_size,
            "dropped": f"{self.dropped_count} / {format_data_size(self.dropped_size)}",
            "state": ("Failed: " + self.failure if self.failure else "Completed successfully") if self.finished
            else "Dropping FlowFiles",
        }}


@dataclass
class ListingRequest:
    id: str
    connection_id: str
    submitted: float
    queue_count: int
    queue_size: int
    summaries: list[dict[str, Any]]
    source_running: bool
    destination_running: bool

    def to_json(self) -> dict[str, Any]:
        stamp = _timestamp(self.submitted)
        return {"listingRequest": {
            "id": self.id, "uri": f"/nifi-api/flowfile-queues/{self.connection_id}/listing-requests/{self.id}",
            "submissionTime": stamp, "lastUpdated": stamp, "percentCompleted": 100, "finished": True,
            "failureReason": None, "maxResults": MAX_LISTING, "state": "Completed successfully",
            "queueSize": {"byteCount": self.queue_size, "objectCount": self.queue_count},
            "flowFileSummaries": self.summaries, "sourceRunning": self.source_running,
            "destinationRunning": self.destination_running,
        }}


def flowfile_summary(connection_id: str, position: int, ff: FlowFile, now: int) -> dict[str, Any]:
    penalty = max(0, ff.penalized_until - now)
    return {"uri": f"/nifi-api/flowfile-queues/{connection_id}/flowfiles/{ff.id}", "uuid": ff.id,
            "filename": ff.attributes.get("filename", ""), "position": position, "size": ff.size,
            "queuedDuration": max(0, now - ff.entry_date), "lineageDuration": max(0, now - ff.lineage_start_date),
            "penaltyExpiresIn": penalty, "penalized": penalty > 0, "clusterNodeId": None,
            "clusterNodeAddress": None}


def flowfile_dto(connection_id: str, ff: FlowFile, position: int | None, now: int) -> dict[str, Any]:
    dto = flowfile_summary(connection_id, position or 0, ff, now)
    claim = ff.claim
    dto.update({"attributes": dict(ff.attributes), "mimeType": ff.attributes.get("mime.type"),
                "contentClaimSection": None if claim is None else ("inline" if claim[0] == 0 else "file"),
                "contentClaimContainer": None if claim is None else "default",
                "contentClaimIdentifier": None if claim is None else (
                    claim[1].hex() if isinstance(claim[1], bytes) else str(claim[1])),
                "contentClaimOffset": None if claim is None or claim[0] == 0 else claim[2],
                "contentClaimFileSize": format_data_size(ff.size), "contentClaimFileSizeBytes": ff.size})
    return {"flowFile": dto}


class QueueRequests:
    """The listing and drop requests in progress, by id."""

    def __init__(self, controller: FlowController) -> None:
        self.controller = controller
        self.drops: dict[str, DropRequest] = {}
        self.listings: dict[str, ListingRequest] = {}

    def _expire(self) -> None:
        cutoff = time.time() - KEEP_FINISHED
        for table in (self.drops, self.listings):
            for request_id in [i for i, r in table.items() if r.submitted < cutoff]:
                request = table[request_id]
                if not isinstance(request, DropRequest) or request.finished:
                    del table[request_id]

    # -- listings ------------------------------------------------------------------------
    def list_queue(self, conn: Connection) -> ListingRequest:
        self._expire()
        now = now_ms()
        entries = conn.peek(MAX_LISTING)
        summaries = [flowfile_summary(conn.id, index, ff, now) for index, (_, ff) in enumerate(entries, start=1)]
        nodes = self.controller.nodes
        source, destination = nodes.get(conn.source_id), nodes.get(conn.destination_id)
        request = ListingRequest(str(uuid.uuid4()), conn.id, time.time(), conn.count, conn.bytes, summaries,
                                 source is not None and source.run_state == "RUNNING",
                                 destination is not None and destination.run_state == "RUNNING")
        self.listings[request.id] = request
        return request

    # -- drops ---------------------------------------------------------------------------
    def start_drop(self, conn: Connection) -> DropRequest:
        self._expire()
        request = DropRequest(str(uuid.uuid4()), conn.id, time.time(), conn.count, conn.bytes)
        request.task = asyncio.get_running_loop().create_task(self._drop(conn, request))
        self.drops[request.id] = request
        return request

    async def _drop(self, conn: Connection, request: DropRequest) -> None:
        """Take the queue window by window (off the event loop) and delete each in one writer
        transaction; the next window is loaded while the previous one commits."""
        loop = asyncio.get_running_loop()
        committing: asyncio.Task[None] | None = None
        taken = 0
        try:
            while taken < request.original_count:
                entries = await loop.run_in_executor(None, conn.take_all_loaded)
                if not entries:
                    break
                if len(entries) > request.original_count - taken:  # arrived after the request: they stay
                    conn.restore(entries[request.original_count - taken:])
                    entries = entries[:request.original_count - taken]
                taken += len(entries)
                if committing is not None:
                    await committing
                committing = loop.create_task(self._delete(conn, entries, request))
            if committing is not None:
                await committing
        except Exception as exc:
            request.failure = f"{type(exc).__name__}: {exc}"
            if committing is not None and not committing.done():
                with contextlib.suppress(Exception):  # the first failure is the one reported
                    await committing
        finally:
            request.current_count, request.current_size = conn.count, conn.bytes
            request.finished = True
            request.updated = time.time()

    async def _delete(self, conn: Connection, entries: list[Entry], request: DropRequest) -> None:
        try:
            await asyncio.wrap_future(self.controller.repo.writer.submit(
                self._delete_fn(conn, entries), self._after_fn(conn, entries)))
        except BaseException:
            conn.restore(entries)  # nothing was deleted: these FlowFiles stay queued
            raise
        request.dropped_count += len(entries)
        request.dropped_size += sum(ff.size for _, ff in entries)
        request.updated = time.time()

    def _delete_fn(self, conn: Connection, entries: list[Entry]) -> Callable[[Any, Batch], Any]:
        repo = self.controller.repo
        record_events = self.controller.settings.provenance_enabled
        group_id = ""
        loc = self.controller.flow.find(conn.id)
        if loc is not None:
            group_id = str(loc.group["identifier"])

        def apply(txn: Any, batch: Batch) -> Any:
            qdb = repo.env.dbs["queues"]
            deltas: dict[Any, int] = {}
            now = now_ms()
            events: list[list[Any]] = []
            for seq, ff in entries:
                txn.delete(keys.queue_key(conn.key, seq), db=qdb)
                if ff.claim is not None:
                    ref = claim_ref(ff.claim)
                    deltas[ref] = deltas.get(ref, 0) - 1
                if record_events:
                    fields = {"event_type": "DROP", "timestamp": now, "duration_ms": 0,
                              "lineage_start_date": ff.lineage_start_date, "component_id": conn.id,
                              "component_type": "Connection", "flowfile_uuid": ff.id, "parent_uuids": [],
                              "child_uuids": [], "attributes": dict(ff.attributes), "claim": ff.claim,
                              "size": ff.size, "details": "FlowFile Queue emptied by user", "group_id": group_id}
                    events.append([fields.get(name) for name in provenance_log.FIELDS])
            batch.adjust_queue(conn.key, -len(entries), -sum(ff.size for _, ff in entries))
            if events:
                provenance_log.append(repo.env, txn, batch.allocate_event_ids(len(events)), msgpack.packb(events))
            return repo.content.apply_refs(txn, {}, deltas)
        return apply

    def _after_fn(self, conn: Connection, entries: list[Entry]) -> Callable[[Any], None]:
        content = self.controller.repo.content

        def after(file_counts: Any) -> None:
            content.refs_committed(file_counts)
            conn.acknowledge(len(entries), sum(ff.size for _, ff in entries))
        return after

    def find_flowfile(self, conn: Connection, flowfile_id: str) -> tuple[int | None, FlowFile] | None:
        """A queued FlowFile by uuid (with its position when it is among the first listed)."""
        for position, (_, ff) in enumerate(conn.peek(MAX_LISTING), start=1):
            if ff.id == flowfile_id:
                return position, ff
        after = -1
        while True:
            chunk = self.controller.repo.load_queue(conn.key, after, 1000)
            if not chunk:
                return None
            for _, ff in chunk:
                if ff.id == flowfile_id:
                    return None, ff
            after = chunk[-1][0]
