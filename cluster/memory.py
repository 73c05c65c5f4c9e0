"""Coordination in memory: one process, no etcd. The default for one node; several nodes of one
process may share a hub (embedded tests), with ``expire`` standing in for a lost lease."""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

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

ROLE_NAMES = (PRIMARY, COORDINATOR)


@dataclass
class _Member:
    info: NodeInfo
    started: float
    alive: bool = True
    load: LoadProvider | None = None
    listeners: list[ChangeListener] = field(default_factory=list)
    member_listeners: list[MembersListener] = field(default_factory=list)


class InMemoryHub:
    """The shared state of the nodes of one process: what etcd holds for a real cluster."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.revision = 0
        self.members: dict[str, _Member] = {}
        self.roles: dict[str, tuple[str, int]] = {}  # role -> (node id, token)
        self.flow = ClusterFlow(None, 0)
        self.placement: dict[str, list[str]] = {}

    def next_revision(self) -> int:
        self.revision += 1
        return self.revision

    def members_view(self) -> list[NodeInfo]:
        out = []
        for node_id, member in sorted(self.members.items()):
            roles = frozenset(role for role, (holder, _) in self.roles.items() if holder == node_id)
            status = member.info.status if member.alive else DISCONNECTED
            out.append(replace(member.info, status=status, roles=roles))
        return out

    def reelect(self) -> None:
        eligible = sorted(n for n, m in self.members.items() if m.alive and m.info.status == CONNECTED)
        for role in ROLE_NAMES:
            holder = self.roles.get(role)
            if holder is not None and holder[0] not in eligible:
                del self.roles[role]
            if role not in self.roles and eligible:
                self.roles[role] = (eligible[0], self.next_revision())

    def replace_placement(self) -> None:
        document = self.flow.document
        processors = []
        if document is not None:
            pending = [document["flowContents"]]
            while pending:
                group = pending.pop()
                processors += group.get("processors", [])
                pending += group.get("processGroups", [])
        available = [n for n, m in self.members.items() if m.alive and m.info.status == CONNECTED]
        self.placement = place(instances_wanted(processors), available, self.placement)

    def changed(self, *kinds: str) -> None:
        """Recompute roles and placement, then tell every node (outside the lock's critical part)."""
        self.reelect()
        self.replace_placement()
        members = self.members_view()
        calls = [(listener, kind) for m in self.members.values() if m.alive for listener in m.listeners
                 for kind in (*kinds, ROLES, PLACEMENT)]
        member_calls = [listener for m in self.members.values() if m.alive for listener in m.member_listeners]
        for listener, kind in calls:
            listener(kind)
        for member_listener in member_calls:
            member_listener(members)


class InMemoryCoordinator:
    def __init__(self, node_id: str, *, address: str = "127.0.0.1", api_port: int = 8080,
                 load_balance_port: int = 6342, hub: InMemoryHub | None = None) -> None:
        self.hub = hub or InMemoryHub()
        self._info = NodeInfo(node_id, address, api_port, load_balance_port, CONNECTED)
        self._listeners: list[ChangeListener] = []
        self._member_listeners: list[MembersListener] = []
        self._load: LoadProvider | None = None

    # -- ClusterView ---------------------------------------------------------------------
    @property
    def local_node_id(self) -> str:
        return self._info.node_id

    def members(self) -> list[NodeInfo]:
        with self.hub.lock:
            return self.hub.members_view()

    def subscribe(self, listener: MembersListener) -> None:
        self._member_listeners.append(listener)

    # -- Coordinator ---------------------------------------------------------------------
    async def start(self) -> None:
        with self.hub.lock:
            self.hub.members[self.local_node_id] = _Member(self._info, time.time(), load=self._load,
                                                          listeners=self._listeners,
                                                          member_listeners=self._member_listeners)
            self.hub.changed(MEMBERS)

    async def stop(self) -> None:
        with self.hub.lock:
            self.hub.members.pop(self.local_node_id, None)
            self.hub.changed(MEMBERS)

    def expire(self) -> None:
        """The node's lease ran out (a test's stand-in for a lost etcd lease)."""
        with self.hub.lock:
            member = self.hub.members.get(self.local_node_id)
            if member is not None:
                member.alive = False
                for listener in member.listeners:
                    listener(ROLES)
                self.hub.changed(MEMBERS)

    def fencing_token(self) -> int | None:
        with self.hub.lock:
            member = self.hub.members.get(self.local_node_id)
            holder = self.hub.roles.get(PRIMARY)
            if member is None or not member.alive or holder is None or holder[0] != self.local_node_id:
                return None
            return holder[1]

    def is_coordinator(self) -> bool:
        with self.hub.lock:
            holder = self.hub.roles.get(COORDINATOR)
            return holder is not None and holder[0] == self.local_node_id

    def on_change(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    def cluster_flow(self) -> ClusterFlow:
        with self.hub.lock:
            return self.hub.flow

    def publish_flow(self, document: dict[str, Any], base_revision: int) -> int:
        with self.hub.lock:
            if self.hub.flow.revision != base_revision:
                raise FlowConflict(f"the flow was changed by another node (cluster flow revision "
                                   f"{self.hub.flow.revision}, this change was based on {base_revision})")
            self.hub.flow = ClusterFlow(copy.deepcopy(document), self.hub.next_revision())
            revision = self.hub.flow.revision
            self.hub.changed(FLOW)
            return revision

    def placement(self) -> dict[str, list[str]]:
        with self.hub.lock:
            return {pid: list(nodes) for pid, nodes in self.hub.placement.items()}

    def details(self) -> list[NodeDetails]:
        with self.hub.lock:
            out = []
            for node_id, member in sorted(self.hub.members.items()):
                count, size, threads = member.load() if member.load is not None else (0, 0, 0)
                out.append(NodeDetails(node_id, time.time() if member.alive else None, member.started,
                                       count, size, threads))
            return out

    def set_load_provider(self, provider: LoadProvider) -> None:
        self._load = provider
        with self.hub.lock:
            member = self.hub.members.get(self.local_node_id)
            if member is not None:
                member.load = provider

    def request_status(self, node_id: str, status: str) -> None:
        with self.hub.lock:
            member = self.hub.members.get(node_id)
            if member is None:
                raise KeyError(node_id)
            check_status_request(node_id, member.info.status, status)
            member.info = replace(member.info, status=status)
            if member is self.hub.members.get(self.local_node_id):
                self._info = member.info
            self.hub.changed(MEMBERS)

    def remove_node(self, node_id: str) -> None:
        with self.hub.lock:
            member = self.hub.members.get(node_id)
            if member is None:
                raise KeyError(node_id)
            if member.alive and member.info.status not in (DISCONNECTED, OFFLOADED):
                raise NodeStateError(f"node {node_id} is {member.info.status}; disconnect it before removing it")
            del self.hub.members[node_id]
            self.hub.changed(MEMBERS)

    def report_offloaded(self) -> None:
        self.request_status(self.local_node_id, OFFLOADED)
