"""Joins a FlowController to a cluster through a Coordinator.

- Placement: the scheduler asks ``permits`` before every trigger: ALL processors run on every
  node, PRIMARY ones only while this node holds a valid fencing token, N-instance ones only on
  the nodes the coordinator placed them on. ``reconcile`` starts and stops processors as roles
  and placement move (their recorded run state, which is the cluster's, stays as it is).
- One flow: every save of the flow is published to the cluster under compare-and-swap on the
  revision this node last applied; a newer cluster flow is applied here (processors whose
  configuration changed are stopped first), and a node that joins takes the cluster's flow.
- Offload: a node set to OFFLOADING (or OFFLOADED) runs no processor; once they are stopped its
  ``offloader`` (the load balancing's ``offload``) moves its queued FlowFiles to the connected
  nodes and the node reports OFFLOADED.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from cluster.coordinator import Coordinator
from cluster.placement import ALL, PRIMARY, execution_of
from cluster.view import CONNECTED, OFFLOADED, OFFLOADING
from nifi_like.engine.controller import FlowController
from nifi_like.engine.node import Node
from nifi_like.flow.errors import FlowConflict, FlowError
from nifi_like.flow.model import Flow

log = logging.getLogger(__name__)
#: Processor fields a running processor may change without a restart (as the REST editor allows).
RUNTIME_FIELDS = ("position", "style", "scheduledState")


def _canonical(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _config(component: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in component.items() if k not in RUNTIME_FIELDS}


class ClusterBinding:
    def __init__(self, controller: FlowController, coordinator: Coordinator) -> None:
        self.controller = controller
        self.coordinator = coordinator
        self.revision = 0  # the cluster flow revision this node runs
        self._published = ""  # the canonical JSON of the flow at that revision
        self._refused = 0  # a cluster revision that could not be applied here (reported once)
        self._placement: dict[str, list[str]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: asyncio.Task[None] | None = None
        self._leaving = False
        self._again = False
        self._halted = False  # this node is OFFLOADING or OFFLOADED: no processor runs
        #: Moves every FlowFile queued here to the other nodes, returns how many (None: nothing to do).
        self.offloader: Callable[[], Awaitable[int]] | None = None
        controller.cluster = coordinator
        controller.scheduler.placement = self
        controller.flow_publisher = self.publish
        coordinator.set_load_provider(self._load)
        coordinator.on_change(self._changed)

    # -- start --------------------------------------------------------------------------------
    async def join(self, document: dict[str, Any] | None, source: str) -> None:
        """Start the coordinator, then load the cluster's flow (a late joiner catches up); the
        first node of a new cluster publishes its own (``document``, or the stored flow)."""
        self._loop = asyncio.get_running_loop()
        await self.coordinator.start()
        self._placement = self.coordinator.placement()
        cluster_flow = self.coordinator.cluster_flow()
        if cluster_flow.document is not None:
            if document is not None:
                log.warning("%s is not loaded: the cluster already has a flow (revision %d), which this node "
                            "takes", source, cluster_flow.revision)
            await self.controller.load(copy.deepcopy(cluster_flow.document),
                                       source=f"the cluster's flow (revision {cluster_flow.revision})")
            self._applied(cluster_flow.revision)
        else:
            await self.controller.load(document, source=source)
            try:
                self.controller.save()  # publishes it as the first revision of the cluster's flow
            except FlowConflict:  # another node published first: take its flow
                await self.apply_cluster_flow()
        await self.reconcile()

    async def leave(self) -> None:
        # From here on no cluster change is applied: one that started processors while the engine
        # shuts down would race its stop (a processor started after the stop looked at it keeps running,
        # and the shutdown waits for it forever).
        self._leaving = True
        if self._pending is not None:
            await asyncio.gather(self._pending, return_exceptions=True)
        await self.coordinator.stop()

    # -- Placement (the scheduler's question) -------------------------------------------------
    def permits(self, node: Node) -> bool:
        if node.kind != "PROCESSOR":
            return True
        if self._halted:
            return False
        loc = self.controller.flow.find(node.id)
        if loc is None:
            return True
        execution = execution_of(loc.component, type(node.processor).primary_node_only)
        if execution == ALL:
            return True
        if execution == PRIMARY:
            return self.coordinator.fencing_token() is not None
        return self.coordinator.local_node_id in self._placement.get(node.id, ())

    def fencing_token(self) -> int | None:
        return self.coordinator.fencing_token()

    # -- publishing local changes ---------------------------------------------------------------
    def publish(self, document: dict[str, Any]) -> None:
        text = _canonical(document)
        if text == self._published:
            return
        revision = self.coordinator.publish_flow(document, self.revision)
        self.revision = revision
        self._published = text
        log.info("published the flow as cluster revision %d", revision)

    def _applied(self, revision: int) -> None:
        self.revision = revision
        self._published = _canonical(self.controller.flow.document)

    # -- changes from the cluster ---------------------------------------------------------------
    def _changed(self, kind: str) -> None:
        """From the coordinator's thread: run ``_follow`` on the engine's loop (coalesced)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._schedule, kind)

    def _schedule(self, kind: str) -> None:
        if self.controller.closed or self._leaving:
            return
        if self._pending is not None and not self._pending.done():
            self._again = True
            return
        self._pending = asyncio.ensure_future(self._follow())

    async def _follow(self) -> None:
        while True:
            self._again = False
            try:
                self._placement = self.coordinator.placement()
                status = self._local_status()
                self._halted = status in (OFFLOADING, OFFLOADED)
                await self.apply_cluster_flow()
                await self.reconcile()
                if status == OFFLOADING:
                    await self.offload()
            except Exception:
                log.exception("applying a cluster change failed")
            if not self._again or self.controller.closed or self._leaving:
                return

    async def offload(self) -> None:
        """With this node's processors stopped: move its FlowFiles away, then report OFFLOADED."""
        try:
            moved = await self.offloader() if self.offloader is not None else 0
        except Exception as exc:  # e.g. no other connected node: it stays OFFLOADING, retried on the next change
            log.error("node %s could not offload: %s", self.coordinator.local_node_id, exc)
            self.controller.bulletins.add("ERROR", "cluster", "Cluster", f"offloading failed: {exc}")
            return
        await asyncio.get_running_loop().run_in_executor(None, self.coordinator.report_offloaded)
        log.warning("node %s offloaded %d queued FlowFile(s) to the other nodes", self.coordinator.local_node_id,
                    moved)

    def _local_status(self) -> str:
        me = next((m for m in self.coordinator.members() if m.node_id == self.coordinator.local_node_id), None)
        return me.status if me is not None else CONNECTED

    async def apply_cluster_flow(self) -> None:
        cluster_flow = self.coordinator.cluster_flow()
        if cluster_flow.document is None or cluster_flow.revision <= max(self.revision, self._refused):
            return
        if self._local_status() != CONNECTED:
            return  # as NiFi: a disconnected node keeps its flow until it connects again
        controller = self.controller
        source = f"the cluster's flow (revision {cluster_flow.revision})"
        try:
            flow = controller.check(cluster_flow.document, source)
        except FlowError as exc:
            self._refused = cluster_flow.revision
            log.error("%s", exc)
            controller.bulletins.add("ERROR", "cluster", "Cluster", f"not applied on this node: {exc}")
            return
        await self._stop_changed(controller.flow, flow)
        changed = {i for i in set(controller.flow.index) | set(flow.index)
                   if (a := controller.flow.find(i)) is None or (b := flow.find(i)) is None
                   or a.component != b.component}
        controller.flow = flow
        controller.sync_runtime()
        self._applied(cluster_flow.revision)
        controller.store.save(flow.document)
        await self._enable_services()
        for listener in list(controller.flow_listeners):
            listener(changed)
        log.info("applied %s", source)

    async def _stop_changed(self, old: Flow, new: Flow) -> None:
        for node_id, node in list(self.controller.nodes.items()):
            if not self.controller.scheduler.is_scheduled(node):
                continue
            before, after = old.find(node_id), new.find(node_id)
            if after is None or before is None or _config(before.component) != _config(after.component):
                await self.controller.scheduler.stop(node)

    async def _enable_services(self) -> None:
        for service in list(self.controller.services.nodes.values()):
            loc = self.controller.flow.find(service.id)
            if loc is not None and loc.component.get("scheduledState") == "ENABLED" and service.state != "ENABLED":
                try:
                    await self.controller.enable_service(service.id, save=False)
                except Exception as exc:
                    log.warning("service %s not enabled: %s", service.name, exc)

    async def reconcile(self) -> None:
        """Start the processors the flow runs and placement puts here; stop the others."""
        controller = self.controller
        for node in list(controller.nodes.values()):
            if node.kind != "PROCESSOR" or node.run_state == "DISABLED":
                continue
            loc = controller.flow.find(node.id)
            wanted = loc is not None and loc.component.get("scheduledState") == "RUNNING" and self.permits(node)
            scheduled = controller.scheduler.is_scheduled(node)
            if scheduled and not wanted:
                await controller.scheduler.stop(node)
            elif wanted and not scheduled and not controller.validation_errors(node.id):
                try:
                    await controller.scheduler.start(node)
                except Exception as exc:
                    controller.bulletins.add("ERROR", node.id, node.name, f"not started: {exc}", node.group_id)

    def _load(self) -> tuple[int, int, int]:
        connections = list(self.controller.connections.values())
        return (sum(c.count for c in connections), sum(c.bytes for c in connections),
                sum(n.active_threads for n in list(self.controller.nodes.values())))
