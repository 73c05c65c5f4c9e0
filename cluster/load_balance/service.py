"""Load-balanced connections on one node of a cluster: the router, the receiver, the senders.

``LoadBalancing(controller, view, secret)`` plugs the cluster's router into the engine (set it
up before the flow is loaded), ``start`` serves the receiver on this node's load-balance port
and runs one sender per other node; ``stop`` ends both (a batch in flight is simply sent again
later: it leaves its partition only when acknowledged).

When a node is no longer CONNECTED, what waits for it in round-robin connections goes to the
remaining nodes; partition-by-attribute and single-node connections keep it for its return,
as NiFi does. ``offload`` moves everything queued on this node to the others (NiFi's node
offload, which the coordinator runs before a node leaves).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web

from cluster.load_balance.received import ReceivedIds
from cluster.load_balance.receiver import Receiver
from cluster.load_balance.router import ClusterRouter
from cluster.load_balance.sender import PeerSender
from cluster.view import CONNECTED, ClusterView, NodeInfo
from nifi_like.engine.connection import Connection, Entry, QueueTarget
from nifi_like.engine.partition import move_fn

if TYPE_CHECKING:
    from nifi_like.engine.controller import FlowController

log = logging.getLogger(__name__)
BATCH_COUNT = 1000
BATCH_BYTES = 8 << 20
REDISTRIBUTE_BATCH = 5000


class LoadBalancing:
    def __init__(self, controller: FlowController, view: ClusterView, secret: bytes, *,
                 batch_count: int = BATCH_COUNT, batch_bytes: int = BATCH_BYTES) -> None:
        self.controller = controller
        self.view = view
        self.secret = secret
        self.local_node_id = view.local_node_id
        self.batch_count = batch_count
        self.batch_bytes = batch_bytes
        self.router = ClusterRouter(view)
        self.receiver = Receiver(controller, secret, ReceivedIds(controller.repo.env.dbs["meta"]),
                                 self.accepting)
        self.senders: dict[str, PeerSender] = {}
        self.stopping = False
        self.started = False
        self._tasks: list[asyncio.Task[None]] = []
        self._members = {n.node_id: n for n in view.members()}
        self._hooked: set[int] = set()
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.http: aiohttp.ClientSession
        controller.cluster = view
        controller.partition_router = self.router
        for conn in controller.connections.values():
            conn.router = self.router
        view.subscribe(self._members_changed)

    # -- membership ----------------------------------------------------------------------
    def member(self, node_id: str) -> NodeInfo | None:
        return self._members.get(node_id)

    def accepting(self) -> bool:
        """This node takes FlowFiles from others only while it is CONNECTED (not offloading)."""
        local = self._members.get(self.local_node_id)
        return local is not None and local.status == CONNECTED

    def _members_changed(self, members: list[NodeInfo]) -> None:
        """From any thread."""
        self._members = {n.node_id: n for n in members}
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._sync_senders)

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._members = {n.node_id: n for n in self.view.members()}  # a coordinator knows them once joined
        local = self._members[self.local_node_id]
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300, sock_connect=5),
                                          connector=aiohttp.TCPConnector(limit=64))
        self.started = True  # stop() undoes what follows
        # at stop, a transfer still being read is cut off after a moment: its sender sends it again
        self._runner = web.AppRunner(self.receiver.app(), access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, local.address, local.load_balance_port).start()
        self._tasks.append(asyncio.create_task(self._supervise()))
        self._sync_senders()

    async def stop(self) -> None:
        self.stopping = True
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)
        self._tasks = []
        if self._runner is not None:
            await self._runner.cleanup()
        await self.receiver.drain()
        await self.http.close()

    async def _supervise(self) -> None:
        """Pick up partitions made since the last look (a flow change, a node that joined)."""
        while not self.stopping:
            self._sync_senders()
            await asyncio.sleep(1.0)

    def _sync_senders(self) -> None:
        assert self._loop is not None
        wanted = {n for n in self._members if n != self.local_node_id}
        for conn in list(self.controller.connections.values()):
            for node_id, partition in conn.partitions.items():
                wanted.add(node_id)
                if id(partition) not in self._hooked:
                    self._hooked.add(id(partition))
                    partition.on_data.append(self._waker(node_id))
        for node_id in wanted:
            if node_id not in self.senders:
                sender = self.senders[node_id] = PeerSender(self, node_id)
                self._tasks.append(self._loop.create_task(sender.run()))
        for sender in self.senders.values():
            sender.wake.set()

    def _waker(self, node_id: str) -> Callable[[], None]:
        loop = self._loop
        assert loop is not None

        def wake() -> None:  # on the writer thread, once per commit
            sender = self.senders.get(node_id)
            if sender is not None:
                loop.call_soon_threadsafe(sender.wake.set)
        return wake

    # -- re-homing -------------------------------------------------------------------------
    async def redistribute(self, node_id: str) -> int:
        """Move what round-robin connections hold for a node that left to the remaining nodes."""
        moved = 0
        for conn in list(self.controller.connections.values()):
            partition = conn.partitions.get(node_id)
            if partition is None or partition.count <= 0:
                continue
            strategy = conn.load_balance[0]
            if strategy not in ("ROUND_ROBIN", "DO_NOT_LOAD_BALANCE"):
                continue  # partitioned and single-node data waits for its node
            while partition.count > 0:
                entries = await asyncio.get_running_loop().run_in_executor(None, partition.head, REDISTRIBUTE_BATCH)
                targets = [self._reroute(conn, ff, node_id, strategy) for _, ff in entries]
                if not entries or any(t is partition for t in targets):
                    break  # nowhere else to go: it stays
                await self._move(partition.key, entries, targets)
                partition.removed(len(entries), sum(ff.size for _, ff in entries))
                moved += len(entries)
        if moved:
            log.info("load balancing: moved %d FlowFile(s) queued for node %s to the other nodes", moved, node_id)
        return moved

    def _reroute(self, conn: Connection, ff: object, leaving: str, strategy: str) -> QueueTarget:
        if strategy == "DO_NOT_LOAD_BALANCE":
            return conn  # the connection is no longer balanced: its FlowFiles stay here
        target = self.router.reroute(conn, ff, leaving)  # type: ignore[arg-type]
        return conn if target is None else conn.partition(target)

    async def _move(self, from_key: bytes, entries: list[Entry], targets: list[QueueTarget]) -> None:
        apply, after = move_fn(self.controller.repo, [(from_key, entry, target)
                                                      for entry, target in zip(entries, targets, strict=True)])
        await asyncio.wrap_future(self.controller.repo.writer.submit(apply, after))

    async def offload(self) -> int:
        """Move every FlowFile queued on this node (every connection) to the connected other nodes,
        round robin. Run it with this node's processors stopped; returns how many moved."""
        others = sorted(n.node_id for n in self._members.values()
                        if n.status == CONNECTED and n.node_id != self.local_node_id)
        if not others:
            raise RuntimeError("there is no other connected node to offload to")
        moved = 0
        loop = asyncio.get_running_loop()
        for conn in list(self.controller.connections.values()):
            while True:
                entries = await loop.run_in_executor(None, conn.take_all_loaded)
                if not entries:
                    break
                targets: list[QueueTarget] = [conn.partition(others[(moved + i) % len(others)])
                                              for i in range(len(entries))]
                try:
                    await self._move(conn.key, entries, targets)
                except BaseException:
                    conn.restore(entries)
                    raise
                conn.acknowledge(len(entries), sum(ff.size for _, ff in entries))
                moved += len(entries)
        self._sync_senders()
        return moved

