"""What the engine sees of a cluster: the nodes, their addresses and roles.

The coordination layer (in-memory for one node, etcd for many) implements ClusterView; the
load-balanced connections and the REST cluster views read it. A FlowController has
``cluster: ClusterView | None`` (None: a standalone node).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

# NiFi's NodeConnectionState names and role names, as /controller/cluster shows them.
CONNECTED = "CONNECTED"
CONNECTING = "CONNECTING"
DISCONNECTED = "DISCONNECTED"
OFFLOADING = "OFFLOADING"
OFFLOADED = "OFFLOADED"
PRIMARY = "Primary Node"
COORDINATOR = "Cluster Coordinator"


@dataclass(frozen=True)
class NodeInfo:
    node_id: str
    address: str
    api_port: int
    load_balance_port: int
    status: str = CONNECTED
    roles: frozenset[str] = field(default_factory=frozenset)


MembersListener = Callable[[list[NodeInfo]], None]


class ClusterView(Protocol):
    @property
    def local_node_id(self) -> str: ...

    def members(self) -> list[NodeInfo]:
        """Every known node, this one included, sorted by node_id."""
        ...

    def subscribe(self, listener: MembersListener) -> None:
        """Call ``listener(members)`` (from any thread) whenever membership or a status changes."""
        ...


class StaticClusterView:
    """A fixed set of nodes: for tests and for clusters configured by hand."""

    def __init__(self, local_node_id: str, nodes: Iterable[NodeInfo]) -> None:
        self._local = local_node_id
        self._nodes = {n.node_id: n for n in nodes}
        if local_node_id not in self._nodes:
            raise ValueError(f"the local node {local_node_id!r} is not among the nodes {sorted(self._nodes)}")
        self._listeners: list[MembersListener] = []
        self._lock = threading.Lock()

    @property
    def local_node_id(self) -> str:
        return self._local

    def members(self) -> list[NodeInfo]:
        with self._lock:
            return sorted(self._nodes.values(), key=lambda n: n.node_id)

    def subscribe(self, listener: MembersListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def update(self, node: NodeInfo) -> None:
        with self._lock:
            self._nodes[node.node_id] = node
            listeners = list(self._listeners)
        members = self.members()
        for listener in listeners:
            listener(members)
