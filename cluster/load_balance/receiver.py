"""The receiving end of load-balanced connections: an aiohttp server on the node's load-balance port.

A batch is read frame by frame, its content streamed into the content repository; once the
trailer's HMAC checks out, the FlowFiles not received before are appended to this node's queue
of the same connection in ONE writer transaction (queue records, content references and the
received-ids record together), and only after that transaction is durable does the answer go
back. Anything that fails before leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgpack
from aiohttp import web

from cluster.load_balance import protocol
from cluster.load_balance.received import ReceivedIds
from nifi_like.api.flowfile import FlowFile
from nifi_like.repository import keys
from nifi_like.repository.content import FILE, INLINE, ContentWriter, PendingContent, claim_ref

if TYPE_CHECKING:
    from nifi_like.engine.connection import Connection
    from nifi_like.engine.controller import FlowController
    from nifi_like.repository import Batch

log = logging.getLogger(__name__)
RETRY_AFTER_S = 1
Received = tuple[FlowFile, PendingContent, str]  # FlowFile, its content, its transfer id


def _answer(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"message": message}, status=status, headers=headers)


class Receiver:
    def __init__(self, controller: FlowController, secret: bytes, received: ReceivedIds,
                 accepting: Callable[[], bool]) -> None:
        self.controller = controller
        self.accepting = accepting
        self.secret = secret
        self.received = received
        self.accepted = 0
        self.duplicates = 0
        self.refused = 0
        self._committing: set[asyncio.Future[tuple[int, int]]] = set()

    def app(self) -> web.Application:
        app = web.Application(client_max_size=1 << 20)
        app.router.add_post(protocol.PATH, self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        connection_id = request.match_info["connection_id"]
        try:
            sender, compression, signed = protocol.check_headers(self.secret, request.headers, connection_id)
        except protocol.ProtocolError as exc:
            return _answer(401, str(exc))
        if not self.accepting():
            return _answer(503, "this node is not connected to the cluster", **{"Retry-After": str(RETRY_AFTER_S)})
        conn = self.controller.connections.get(connection_id)
        if conn is None:
            return _answer(404, f"connection {connection_id} is not in this node's flow")
        if conn.local_full():
            self.refused += 1
            return _answer(503, f"connection {connection_id} is at back pressure on this node",
                           **{"Retry-After": str(RETRY_AFTER_S)})
        reader = protocol.BodyReader(self.secret, signed, compression)
        items: list[Received] = []
        open_writer: list[ContentWriter] = []
        try:
            await self._read(request, reader, sender, items, open_writer)
            commit = asyncio.get_running_loop().run_in_executor(None, self._commit, conn, items)
            self._committing.add(commit)
            commit.add_done_callback(self._committing.discard)
            accepted, duplicates = await asyncio.shield(commit)
        except protocol.ProtocolError as exc:
            log.warning("load-balance transfer from node %s for connection %s refused: %s", sender,
                        connection_id, exc)
            return _answer(401 if isinstance(exc, protocol.AuthenticationError) else 400, str(exc))
        finally:
            for writer in open_writer:
                if writer.result is None:
                    writer.abandon()
            self._release(items)
        self.accepted += accepted
        self.duplicates += duplicates
        return web.Response(body=msgpack.packb({"accepted": accepted, "duplicates": duplicates}),
                            content_type="application/x-msgpack")

    async def drain(self) -> None:
        """Wait for commits still running (the server stopping must not leave one half-done)."""
        if self._committing:
            await asyncio.gather(*self._committing, return_exceptions=True)

    async def _read(self, request: web.Request, reader: protocol.BodyReader, sender: str,
                    items: list[Received], open_writer: list[ContentWriter]) -> None:
        """Frames until the trailer, into ``items``; ``open_writer`` holds the writer of the
        FlowFile being read (for the caller to abandon if the body is cut off)."""
        frames = protocol.FrameReader(request.content)
        content = self.controller.repo.content
        current: tuple[str, dict[str, str], int, int, int, int] | None = None
        writer: ContentWriter | None = None
        while True:
            header, kind, payload = await frames.next()
            if kind == protocol.TRAILER:
                if current is not None:
                    raise protocol.ProtocolError("the trailer came in the middle of a FlowFile")
                reader.check_trailer(payload)
                return
            reader.seen(header, payload)
            if kind == protocol.RECORD:
                if current is not None:
                    raise protocol.ProtocolError("a FlowFile record came before the previous one ended")
                current = reader.record(payload)
                writer = content.writer()
                open_writer[:] = [writer]
            elif current is None or writer is None:
                raise protocol.ProtocolError("content came outside a FlowFile")
            elif kind == protocol.CONTENT:
                writer.write(reader.content(payload))
            else:
                pending = writer.finish()
                writer = None
                open_writer.clear()
                flowfile_id, attributes, size, entry_date, lineage_start, seq = current
                current = None
                if pending.size != size:
                    items.append((_flowfile(flowfile_id, attributes, pending, entry_date, lineage_start), pending, ""))
                    raise protocol.ProtocolError(f"FlowFile {flowfile_id} announced {size} bytes but carried "
                                                 f"{pending.size}")
                attributes["uuid"] = flowfile_id
                items.append((_flowfile(flowfile_id, attributes, pending, entry_date, lineage_start), pending,
                              f"{sender}/{flowfile_id}/{seq}"))

    def _commit(self, conn: Connection, items: list[Received]) -> tuple[int, int]:
        """Runs off the event loop: sync new claim files, then one durable writer transaction."""
        repo = self.controller.repo
        repo.content.sync_files({claim_ref(p.claim) for _, p, _ in items if p.claim is not None
                                 and p.claim[0] == FILE})
        entries, _, duplicates = repo.writer.submit(*self._write_fns(conn, items)).result()
        return len(entries), int(duplicates)

    def _write_fns(self, conn: Connection, items: list[Received]) -> tuple[Callable[[Any, Batch], Any],
                                                                           Callable[[Any], None]]:
        repo = self.controller.repo
        qdb = repo.env.dbs["queues"]
        received = self.received

        def apply(txn: Any, batch: Batch) -> Any:
            fresh: list[Received] = []
            batch_ids: set[str] = set()
            for item in items:
                transfer_id = item[2]
                if transfer_id not in batch_ids and not received.seen(txn, conn.key, transfer_id):
                    fresh.append(item)
                    batch_ids.add(transfer_id)
            entries: list[tuple[int, FlowFile]] = []
            deltas: dict[Any, int] = {}
            inline_new: dict[bytes, bytes] = {}
            if fresh:
                first = batch.allocate_seqs(conn.key, len(fresh))
                for index, (ff, pending, _) in enumerate(fresh):
                    txn.put(keys.queue_key(conn.key, first + index), msgpack.packb(ff.pack()), db=qdb)
                    entries.append((first + index, ff))
                    if pending.claim is not None:
                        ref = claim_ref(pending.claim)
                        deltas[ref] = deltas.get(ref, 0) + 1
                        if pending.claim[0] == INLINE and pending.data is not None:
                            inline_new[ref] = pending.data
                batch.adjust_queue(conn.key, len(fresh), sum(ff.size for ff, _, _ in fresh))
                received.add(txn, conn.key, [transfer_id for _, _, transfer_id in fresh])
            file_counts = repo.content.apply_refs(txn, inline_new, deltas)
            return entries, file_counts, len(items) - len(fresh)

        def after(result: Any) -> None:
            entries, file_counts, _ = result
            repo.content.refs_committed(file_counts)
            if entries:
                conn.reserve(len(entries), sum(ff.size for _, ff in entries))
                conn.append_committed(entries)
        return apply, after

    def _release(self, items: list[Received]) -> None:
        """The claim files these FlowFiles were written into are no longer pending."""
        files = [p.claim[1] for _, p, _ in items if p.claim is not None and p.claim[0] == FILE]
        self.controller.repo.content.release_pending(files)


def _flowfile(flowfile_id: str, attributes: dict[str, str], pending: PendingContent, entry_date: int,
              lineage_start: int) -> FlowFile:
    return FlowFile({**attributes, "uuid": flowfile_id}, pending.size, pending.claim, entry_date, lineage_start)
