"""Coordination through etcd v3 (aetcd): leased membership, elections with fencing, the cluster's
flow under compare-and-swap, and placement written by the elected coordinator.

Keys, under ``/nifi_like/<cluster>/``:

  nodes/<id>     address and ports of a node that ever joined (kept after it is lost, so it shows
                 as DISCONNECTED)
  alive/<id>     leased: the node's status and last heartbeat (queued FlowFiles, threads)
  control/<id>   a requested status (DISCONNECTED, CONNECTED, OFFLOADING) from any node's REST API
  roles/primary, roles/coordinator
                 leased: the holder's node id; created only if absent, so the key's create
                 revision is the fencing token of one term
  flow           the cluster's flow (zstd-compressed JSON); its mod revision is the flow revision
  placement      processor id -> node ids, written by the coordinator under its token

Fencing is by a locally held lease deadline: before a keepalive is sent the node reads its
monotonic clock (t0); etcd renews the lease on receipt, after t0, so it cannot expire before
t0 + TTL. The node counts its lease valid only until t0 + TTL - margin, which is strictly
earlier. ``fencing_token`` answers None past that deadline without any I/O, so a node stopped
(SIGSTOP) or cut off past its lease does no primary-only work when it resumes, before it has
even learned that it lost the role. When the deadline passes, or a keepalive finds the lease
gone, the node demotes itself at once and joins again with a new lease.

The client runs on a thread of its own with its own event loop, so heartbeats go out on time
however busy the engine's loop is, and the engine's synchronous paths (saving the flow) may
wait for etcd without blocking it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import json
import logging
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import aetcd
import zstandard

from cluster.coordinator import (
    FLOW,
    MEMBERS,
    PLACEMENT,
    ROLES,
    ChangeListener,
    ClusterFlow,
    FlowConflict,
    LoadProvider,
    NodeDetails,
    NodeStateError,
    check_status_request,
)
from cluster.placement import instances_wanted, place
from cluster.view import (
    CONNECTED,
    COORDINATOR,
    DISCONNECTED,
    OFFLOADED,
    PRIMARY,
    MembersListener,
    NodeInfo,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
ROLE_KEYS = {PRIMARY: "roles/primary", COORDINATOR: "roles/coordinator"}
CALL_TIMEOUT = 5.0  # longest wait for one etcd request


@dataclass(frozen=True)
class _Entry:
    value: bytes
    create_revision: int
    mod_revision: int
    lease: int


def parse_endpoint(url: str) -> tuple[str, int]:
    """``etcd://host:port`` (or ``http://``, or bare ``host:port``) -> (host, port)."""
    rest = url.split("://", 1)[1] if "://" in url else url
    host, _, port = rest.rstrip("/").rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"the etcd endpoint '{url}' is not of the form etcd://HOST:PORT")
    return host.strip("[]"), int(port)


class EtcdCoordinator:
    def __init__(self, endpoint: str, node_id: str, *, address: str = "127.0.0.1", api_port: int = 8080,
                 load_balance_port: int = 6342, heartbeat: float = 5.0, lease_ttl: float = 15.0,
                 cluster_name: str = "default") -> None:
        if lease_ttl < 2 * heartbeat:
            raise ValueError(f"the lease TTL ({lease_ttl:g} s) must be at least twice the heartbeat "
                             f"({heartbeat:g} s), or one late heartbeat loses the lease")
        self._host, self._port = parse_endpoint(endpoint)
        self._node_id = node_id
        self._info = {"address": address, "apiPort": api_port, "loadBalancePort": load_balance_port,
                      "nodeStartTime": time.time()}
        self._heartbeat = heartbeat
        self._ttl = max(1, round(lease_ttl))
        self._margin = min(0.5, self._ttl * 0.1)
        self._prefix = f"/nifi_like/{cluster_name}/".encode()
        self._lock = threading.Lock()
        self._listeners: list[ChangeListener] = []
        self._member_listeners: list[MembersListener] = []
        self._load: LoadProvider | None = None
        # state of this node
        self._status = CONNECTED
        self._lease_id: int | None = None
        self._stale_leases: list[int] = []
        self._deadline = 0.0  # time.monotonic() until which the lease surely lives
        self._primary_token: int | None = None
        self._coordinator_token: int | None = None
        # mirror of the cluster's keys and what follows from it
        self._mirror: dict[str, _Entry] = {}
        self._members: list[NodeInfo] = []
        self._flow = ClusterFlow(None, 0)
        self._placement: dict[str, list[str]] = {}
        self._control_seen: bytes | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: aetcd.Client | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._wake = asyncio.Event()

    # -- the private loop ------------------------------------------------------------------
    def _run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 2 * CALL_TIMEOUT) -> T:
        """Run a coroutine on the coordinator's loop from another thread and wait for it."""
        assert self._loop is not None, "the coordinator is not started"
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"etcd at {self._host}:{self._port} did not answer in {timeout:g} s") from None

    async def start(self) -> None:
        started = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            started.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name=f"etcd-coordinator-{self._node_id}", daemon=True)
        self._thread.start()
        started.wait()
        assert self._loop is not None
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._join(), self._loop))

    async def stop(self) -> None:
        if self._loop is None:
            return
        leaving = asyncio.run_coroutine_threadsafe(self._leave(), self._loop)
        try:
            await asyncio.wait_for(asyncio.wrap_future(leaving), 3 * CALL_TIMEOUT)
        except TimeoutError:
            log.warning("node %s: leaving the cluster timed out; its lease expires by itself", self._node_id)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._thread.join, 10)
        self._loop = None

    async def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return await asyncio.wait_for(coroutine, CALL_TIMEOUT)

    def _key(self, name: str) -> bytes:
        return self._prefix + name.encode()

    async def _join(self) -> None:
        self._wake = asyncio.Event()
        self._client = aetcd.Client(host=self._host, port=self._port)
        try:
            await self._call(self._client.connect())
            await self._call(self._client.delete(self._key(f"control/{self._node_id}")))
            await self._new_lease()
            await self._load_mirror()
        except Exception as exc:
            await self._client.close()
            raise ConnectionError(f"cannot join the cluster through etcd at {self._host}:{self._port}: "
                                  f"{exc!r}") from exc
        self._tasks = [asyncio.create_task(self._keepalive_loop()), asyncio.create_task(self._watch_loop()),
                       asyncio.create_task(self._watchdog())]
        await self._act()

    async def _leave(self) -> None:
        self._stopping = True
        self._wake.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        client = self._client
        if client is not None:
            lease_id = self._lease_id
            self._demote("leaving the cluster")
            if lease_id is not None:
                try:
                    await self._call(client.revoke_lease(lease_id))
                except Exception as exc:
                    log.warning("could not revoke the lease on leaving (it expires by itself): %r", exc)
            try:
                await self._call(client.close())
            except Exception as exc:
                log.warning("closing the etcd client: %r", exc)

    # -- lease and heartbeat ---------------------------------------------------------------
    async def _new_lease(self) -> None:
        assert self._client is not None
        for stale in list(self._stale_leases):  # a lease given up locally may still live in etcd
            try:
                await self._call(self._client.revoke_lease(stale))
            except Exception as exc:
                log.debug("revoking stale lease %x: %r", stale, exc)
            self._stale_leases.remove(stale)
        started = time.monotonic()
        lease = await self._call(self._client.lease(self._ttl))
        self._lease_id = lease.id
        self._deadline = started + lease.ttl - self._margin
        await self._call(self._client.put(self._key(f"nodes/{self._node_id}"), json.dumps(self._info).encode()))
        await self._put_alive()
        log.info("node %s joined with lease %x (TTL %d s)", self._node_id, lease.id, lease.ttl)

    async def _put_alive(self) -> None:
        assert self._client is not None
        if self._lease_id is None:
            return
        count, size, threads = self._load() if self._load is not None else (0, 0, 0)
        record = {"status": self._status, "heartbeat": time.time(), "queuedCount": count, "queuedBytes": size,
                  "activeThreads": threads, "lease": self._lease_id}
        await self._call(self._client.put(self._key(f"alive/{self._node_id}"), json.dumps(record).encode(),
                                          lease=self._lease_id))

    async def _keepalive_loop(self) -> None:
        while not self._stopping:
            try:
                await asyncio.wait_for(self._wake.wait(), self._heartbeat)
            except TimeoutError:
                pass
            self._wake.clear()
            if self._stopping:
                return
            try:
                if self._lease_id is None:
                    await self._new_lease()
                    await self._load_mirror()
                    await self._act()
                    continue
                await self._keepalive()
            except Exception as exc:
                log.warning("node %s: heartbeat to etcd failed: %r", self._node_id, exc)

    async def _keepalive(self) -> None:
        assert self._client is not None and self._lease_id is not None
        lease_id = self._lease_id
        sent = time.monotonic()
        reply = await asyncio.wait_for(self._client.refresh_lease(lease_id), min(CALL_TIMEOUT, self._heartbeat))
        if lease_id != self._lease_id:
            return
        if reply is None or reply.TTL <= 0:
            self._demote("its lease expired in etcd")
            self._wake.set()
            return
        self._deadline = sent + reply.TTL - self._margin
        await self._put_alive()

    async def _watchdog(self) -> None:
        """Demote at the lease deadline if no keepalive moved it."""
        while not self._stopping:
            remaining = self._deadline - time.monotonic()
            if self._lease_id is not None and remaining <= 0:
                self._demote("no keepalive was answered before its lease deadline")
                self._wake.set()
                remaining = self._heartbeat
            await asyncio.sleep(max(0.05, min(remaining, self._heartbeat)))

    def _demote(self, reason: str) -> None:
        """Give up the lease locally at once: no role, no fencing token, join again later."""
        held = [role for role, token in ((PRIMARY, self._primary_token), (COORDINATOR, self._coordinator_token))
                if token is not None]
        if self._lease_id is not None:
            self._stale_leases.append(self._lease_id)
        self._lease_id = None
        self._deadline = 0.0
        self._primary_token = None
        self._coordinator_token = None
        if not self._stopping:
            log.warning("node %s lost its lease (%s)%s", self._node_id, reason,
                        f"; no longer {' and '.join(held)}" if held else "")
            self._notify(ROLES, MEMBERS)

    # -- the mirror of the keys --------------------------------------------------------------
    async def _load_mirror(self) -> int:
        assert self._client is not None
        found = await self._call(self._client.get_prefix(self._prefix))
        mirror = {}
        for kv in found:
            mirror[kv.key[len(self._prefix):].decode()] = _Entry(kv.value, kv.create_revision, kv.mod_revision,
                                                                 kv.lease)
        self._mirror = mirror
        self._derive()
        return int(found.header.revision)

    async def _watch_loop(self) -> None:
        assert self._client is not None
        while not self._stopping:
            try:
                revision = await self._load_mirror()
                await self._act()
                watch = await self._call(self._client.watch_prefix(self._prefix, start_revision=revision + 1))
                async for event in watch:
                    name = event.kv.key[len(self._prefix):].decode()
                    if event.kind == "DELETE":
                        self._mirror.pop(name, None)
                    else:
                        self._mirror[name] = _Entry(event.kv.value, event.kv.create_revision,
                                                    event.kv.mod_revision, event.kv.lease)
                    self._derive()
                    await self._act()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("node %s: watching etcd failed (%r); reading again", self._node_id, exc)
                await asyncio.sleep(min(1.0, self._heartbeat))

    def _derive(self) -> None:
        """Members, roles, flow and placement from the mirror; tell listeners what changed."""
        changed: list[str] = []
        holders = {role: self._mirror.get(key) for role, key in ROLE_KEYS.items()}
        mine = {role: entry.create_revision for role, entry in holders.items()
                if entry is not None and entry.value.decode() == self._node_id and self._lease_id is not None
                and entry.lease == self._lease_id}
        if (mine.get(PRIMARY), mine.get(COORDINATOR)) != (self._primary_token, self._coordinator_token):
            self._primary_token, self._coordinator_token = mine.get(PRIMARY), mine.get(COORDINATOR)
            changed.append(ROLES)
        # a requested status first: this node's entry in the members shows it at once
        control = self._mirror.get(f"control/{self._node_id}")
        requested = control.value if control is not None else None
        status_changed = False
        if requested != self._control_seen:
            self._control_seen = requested
            if requested is not None and requested.decode() != self._status:
                self._status = requested.decode()
                log.warning("node %s is now %s (requested through the cluster)", self._node_id, self._status)
                self._wake.set()  # report the status with a heartbeat now
                status_changed = True
        members = self._derive_members(holders)
        if members != self._members or status_changed:
            with self._lock:
                self._members = members
            changed.append(MEMBERS)
        flow = self._mirror.get("flow")
        if flow is not None and flow.mod_revision > self._flow.revision:
            document = json.loads(zstandard.ZstdDecompressor().decompress(flow.value))
            with self._lock:
                self._flow = ClusterFlow(document, flow.mod_revision)
            changed.append(FLOW)
        placement_entry = self._mirror.get("placement")
        placement = json.loads(placement_entry.value) if placement_entry is not None else {}
        if placement != self._placement:
            with self._lock:
                self._placement = placement
            changed.append(PLACEMENT)
        if changed:
            self._notify(*changed)

    def _derive_members(self, holders: dict[str, _Entry | None]) -> list[NodeInfo]:
        members = []
        for name, entry in sorted(self._mirror.items()):
            if not name.startswith("nodes/"):
                continue
            node_id = name[len("nodes/"):]
            info = json.loads(entry.value)
            alive = self._mirror.get(f"alive/{node_id}")
            status = json.loads(alive.value).get("status", CONNECTED) if alive is not None else DISCONNECTED
            if node_id == self._node_id and self._lease_id is not None:
                status = self._status
            roles = frozenset(role for role, holder in holders.items()
                              if holder is not None and holder.value.decode() == node_id)
            members.append(NodeInfo(node_id, str(info["address"]), int(info["apiPort"]),
                                    int(info["loadBalancePort"]), status, roles))
        return members

    def _notify(self, *kinds: str) -> None:
        for listener in list(self._listeners):
            for kind in kinds:
                try:
                    listener(kind)
                except Exception:
                    log.exception("a cluster change listener failed")
        if MEMBERS in kinds or ROLES in kinds:
            members = self.members()
            for member_listener in list(self._member_listeners):
                try:
                    member_listener(members)
                except Exception:
                    log.exception("a cluster membership listener failed")

    # -- elections and placement ---------------------------------------------------------------
    async def _act(self) -> None:
        """Campaign for vacant roles, give up roles this node may not hold, place as coordinator."""
        if self._client is None or self._lease_id is None or self._stopping:
            return
        client = self._client
        eligible = self._status == CONNECTED
        for role, key in ROLE_KEYS.items():
            entry = self._mirror.get(key)
            full_key = self._key(key)
            try:
                if entry is None and eligible:
                    await self._call(client.transaction(
                        compare=[client.transactions.create(full_key) == 0],
                        success=[client.transactions.put(full_key, self._node_id.encode(), lease=self._lease_id)],
                        failure=[]))
                elif entry is not None and entry.lease == self._lease_id and not eligible:
                    await self._call(client.transaction(
                        compare=[client.transactions.create(full_key) == entry.create_revision],
                        success=[client.transactions.delete(full_key)], failure=[]))
            except Exception as exc:
                log.warning("node %s: election for %s failed: %r", self._node_id, role, exc)
        if self._coordinator_token is not None:
            await self._place(self._coordinator_token)

    async def _place(self, token: int) -> None:
        assert self._client is not None
        client = self._client
        document = self._flow.document
        processors: list[dict[str, Any]] = []
        if document is not None:
            pending = [document["flowContents"]]
            while pending:
                group = pending.pop()
                processors += group.get("processors", [])
                pending += group.get("processGroups", [])
        available = [m.node_id for m in self._members if m.status == CONNECTED
                     and (m.node_id == self._node_id or f"alive/{m.node_id}" in self._mirror)]
        placement = place(instances_wanted(processors), available, self._placement)
        if placement == self._placement:
            return
        key = self._key(ROLE_KEYS[COORDINATOR])
        try:
            await self._call(client.transaction(
                compare=[client.transactions.create(key) == token],
                success=[client.transactions.put(self._key("placement"), json.dumps(placement).encode())],
                failure=[]))
        except Exception as exc:
            log.warning("node %s: writing the placement failed: %r", self._node_id, exc)

    # -- ClusterView -------------------------------------------------------------------------
    @property
    def local_node_id(self) -> str:
        return self._node_id

    def members(self) -> list[NodeInfo]:
        with self._lock:
            return list(self._members)

    def subscribe(self, listener: MembersListener) -> None:
        self._member_listeners.append(listener)

    # -- Coordinator ---------------------------------------------------------------------------
    def fencing_token(self) -> int | None:
        token = self._primary_token
        if token is None or time.monotonic() >= self._deadline:
            return None
        return token

    def is_coordinator(self) -> bool:
        return self._coordinator_token is not None and time.monotonic() < self._deadline

    def on_change(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    def cluster_flow(self) -> ClusterFlow:
        with self._lock:
            return self._flow

    def publish_flow(self, document: dict[str, Any], base_revision: int) -> int:
        try:
            return self._run(self._publish(copy.deepcopy(document), base_revision), CALL_TIMEOUT)
        except (TimeoutError, ConnectionError, aetcd.ClientError) as exc:
            raise FlowConflict(f"the change was not stored: etcd at {self._host}:{self._port} could not be "
                               f"reached ({exc})") from exc

    async def _publish(self, document: dict[str, Any], base_revision: int) -> int:
        assert self._client is not None
        client = self._client
        if self._status != CONNECTED or self._lease_id is None:
            raise FlowConflict(f"node {self._node_id} is {self._status if self._lease_id else 'not connected'}: "
                               "the cluster's flow cannot be changed through it now")
        key = self._key("flow")
        data = zstandard.ZstdCompressor().compress(json.dumps(document).encode())
        ok, responses = await self._call(client.transaction(
            compare=[client.transactions.mod(key) == base_revision],
            success=[client.transactions.put(key, data)], failure=[]))
        if not ok:
            current = await self._call(client.get(key))
            raise FlowConflict(f"the flow was changed through another node (cluster flow revision "
                               f"{current.mod_revision if current else 0}; this change was based on revision "
                               f"{base_revision}); reload and try again")
        revision = int(responses[0].response_put.header.revision)
        if revision <= 0:
            stored = await self._call(client.get(key))
            revision = int(stored.mod_revision)
        with self._lock:
            if revision > self._flow.revision:
                self._flow = ClusterFlow(document, revision)
        return revision

    def placement(self) -> dict[str, list[str]]:
        with self._lock:
            return {pid: list(nodes) for pid, nodes in self._placement.items()}

    def details(self) -> list[NodeDetails]:
        mirror = dict(self._mirror)
        out = []
        for name, entry in sorted(mirror.items()):
            if not name.startswith("nodes/"):
                continue
            node_id = name[len("nodes/"):]
            started = float(json.loads(entry.value).get("nodeStartTime") or 0.0)
            alive = mirror.get(f"alive/{node_id}")
            if alive is None:
                out.append(NodeDetails(node_id, None, started))
                continue
            record = json.loads(alive.value)
            out.append(NodeDetails(node_id, float(record["heartbeat"]), started, int(record["queuedCount"]),
                                   int(record["queuedBytes"]), int(record["activeThreads"])))
        return out

    def set_load_provider(self, provider: LoadProvider) -> None:
        self._load = provider

    def _member(self, node_id: str) -> NodeInfo:
        member = next((m for m in self.members() if m.node_id == node_id), None)
        if member is None:
            raise KeyError(node_id)
        return member

    def request_status(self, node_id: str, status: str) -> None:
        member = self._member(node_id)
        check_status_request(node_id, member.status, status)
        if member.status == DISCONNECTED and f"alive/{node_id}" not in self._mirror and node_id != self._node_id:
            raise NodeStateError(f"node {node_id} is not running (its lease expired); it cannot change status")
        self._run(self._put_control(node_id, status))

    async def _put_control(self, node_id: str, status: str) -> None:
        assert self._client is not None
        await self._call(self._client.put(self._key(f"control/{node_id}"), status.encode()))

    def remove_node(self, node_id: str) -> None:
        member = self._member(node_id)
        if member.status not in (DISCONNECTED, OFFLOADED):
            raise NodeStateError(f"node {node_id} is {member.status}; disconnect it before removing it")
        self._run(self._remove(node_id))

    async def _remove(self, node_id: str) -> None:
        assert self._client is not None
        client = self._client
        alive = self._mirror.get(f"alive/{node_id}")
        if alive is not None and alive.lease:
            await self._call(client.revoke_lease(alive.lease))
        for name in (f"nodes/{node_id}", f"control/{node_id}"):
            await self._call(client.delete(self._key(name)))

    def report_offloaded(self) -> None:
        self._run(self._put_control(self._node_id, OFFLOADED))
