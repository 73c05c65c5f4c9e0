"""The sending end: one task per other node moves its partitions' FlowFiles there.

A batch is read from the head of a partition, streamed to the node (content in chunks, never
whole), and deleted from the partition only after the node answered that its commit is
durable. A refusal for back pressure (503) waits the Retry-After; an unreachable node is
retried with a growing pause; nothing leaves the partition without an acknowledgement.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import aiohttp
import msgpack

from cluster.load_balance import protocol
from cluster.view import CONNECTED, NodeInfo
from nifi_like.engine.connection import Entry

if TYPE_CHECKING:
    from cluster.load_balance.service import LoadBalancing
    from nifi_like.engine.partition import RemotePartition

log = logging.getLogger(__name__)
FLUSH_AT = 256 * 1024
MAX_PAUSE = 2.0


class PeerSender:
    def __init__(self, service: LoadBalancing, node_id: str) -> None:
        self.service = service
        self.node_id = node_id
        self.wake = asyncio.Event()
        self.sent = 0
        self.requests = 0
        self._turn = 0
        self._pause = 0.05
        self._warned = 0.0

    async def run(self) -> None:
        while not self.service.stopping:
            self.wake.clear()
            node = self.service.member(self.node_id)
            if node is None or node.status != CONNECTED:
                await self.service.redistribute(self.node_id)
                await self._sleep(1.0)
                continue
            partition = self._next_partition()
            if partition is None:
                await self._sleep(1.0)
                continue
            entries = await asyncio.get_running_loop().run_in_executor(
                None, partition.head, self.service.batch_count, self.service.batch_bytes)
            if not entries:
                await self._sleep(0.05)
                continue
            pause = await self._send(node, partition, entries)
            if pause:
                await self._sleep(pause)

    async def _sleep(self, seconds: float) -> None:
        """Until woken (new data, membership change) or ``seconds`` pass."""
        try:
            async with asyncio.timeout(seconds):  # unlike wait_for in 3.11, never swallows a cancel
                await self.wake.wait()
        except TimeoutError:
            pass

    def _next_partition(self) -> RemotePartition | None:
        """Partitions for this node that hold FlowFiles, taken in turn across connections."""
        waiting = [p for conn in list(self.service.controller.connections.values())
                   for node_id, p in conn.partitions.items() if node_id == self.node_id and p.count > 0]
        if not waiting:
            return None
        self._turn += 1
        return waiting[self._turn % len(waiting)]

    async def _send(self, node: NodeInfo, partition: RemotePartition, entries: list[Entry]) -> float:
        """Send one batch; the pause before the next attempt (0 after a success)."""
        conn = partition.connection
        compression = conn.load_balance[2]
        headers = protocol.request_headers(self.service.secret, self.service.local_node_id, conn.id, compression)
        url = f"http://{_host(node.address)}:{node.load_balance_port}" + \
              protocol.PATH.format(connection_id=conn.id)
        body = self._body(entries, headers[protocol.SIGNATURE_HEADER], compression)
        self.requests += 1
        try:
            async with self.service.http.post(url, data=body, headers=headers) as response:
                payload = await response.read()
                if response.status == 200:
                    msgpack.unpackb(payload)
                    await asyncio.wrap_future(partition.remove(entries))
                    self.sent += len(entries)
                    self._pause = 0.05
                    return 0.0
                if response.status == 503:
                    return float(response.headers.get("Retry-After", "1"))
                self._warn(f"node {node.node_id} answered {response.status} for connection {conn.id}: "
                           f"{payload[:300].decode(errors='replace')}")
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            self._warn(f"cannot reach node {node.node_id} at {url}: {exc!r}")
        self._pause = min(MAX_PAUSE, self._pause * 2)
        return self._pause

    async def _body(self, entries: list[Entry], signed: str, compression: str) -> AsyncIterator[bytes]:
        writer = protocol.BodyWriter(self.service.secret, signed, compression)
        content = self.service.controller.repo.content
        buffer = bytearray()
        for seq, ff in entries:
            buffer += writer.record(ff.id, ff.attributes, ff.size, ff.entry_date, ff.lineage_start_date, seq)
            if ff.claim is not None:
                with content.open(ff.claim) as stream:
                    for chunk in protocol.chunks(stream):
                        buffer += writer.content(chunk)
                        if len(buffer) >= FLUSH_AT:
                            yield bytes(buffer)
                            buffer.clear()
            buffer += writer.end()
            if len(buffer) >= FLUSH_AT:
                yield bytes(buffer)
                buffer.clear()
        buffer += writer.trailer()
        yield bytes(buffer)

    def _warn(self, message: str) -> None:
        now = time.monotonic()
        if now - self._warned > 30:  # a node that is down would otherwise fill the log
            self._warned = now
            log.warning("load balancing: %s (retrying)", message)


def _host(address: str) -> str:
    return f"[{address}]" if ":" in address else address
