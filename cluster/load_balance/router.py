"""Which node a FlowFile entering a load-balanced connection goes to.

NiFi's strategies: ROUND_ROBIN cycles over the connected nodes; PARTITION_BY_ATTRIBUTE sends
equal values of an attribute to the same node (rendezvous hashing, so when a node leaves or
joins only the values that were or become its own move); SINGLE_NODE sends everything to one
node, the connected node with the lowest id. With fewer than two connected nodes, or while this
node is not connected itself, everything stays local.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Iterator

from cluster.view import CONNECTED, ClusterView, NodeInfo
from nifi_like.api.flowfile import FlowFile
from nifi_like.engine.connection import Connection


def rendezvous(value: str, node_ids: list[str]) -> str:
    """The node with the highest hash of (value, node): stable as long as that node is there."""
    def score(node_id: str) -> bytes:
        return hashlib.blake2b(f"{node_id}\0{value}".encode(), digest_size=8).digest()
    return max(node_ids, key=score)


class ClusterRouter:
    """The PartitionRouter of a node in a cluster; reads membership from the ClusterView."""

    def __init__(self, view: ClusterView) -> None:
        self.local = view.local_node_id
        self._lock = threading.Lock()
        self._connected: list[str] = []
        self._counters: dict[str, Iterator[int]] = {}
        self.members_changed(view.members())
        view.subscribe(self.members_changed)

    def members_changed(self, members: list[NodeInfo]) -> None:
        connected = sorted(n.node_id for n in members if n.status == CONNECTED)
        self._connected = connected if self.local in connected else []

    @property
    def connected(self) -> list[str]:
        return self._connected

    def route(self, conn: Connection, flowfile: FlowFile) -> str | None:
        nodes = self._connected
        if len(nodes) < 2:
            return None
        strategy, attribute, _ = conn.load_balance
        if strategy == "ROUND_ROBIN":
            target = nodes[next(self._counter(conn.id)) % len(nodes)]
        elif strategy == "PARTITION_BY_ATTRIBUTE":
            target = rendezvous(flowfile.attributes.get(attribute, ""), nodes)
        elif strategy == "SINGLE_NODE":
            target = nodes[0]
        else:
            return None
        return None if target == self.local else target

    def reroute(self, conn: Connection, flowfile: FlowFile, leaving: str) -> str | None:
        """Where a FlowFile queued for ``leaving`` goes instead: round robin over the others."""
        nodes = [n for n in self._connected if n != leaving]
        if not nodes:
            return leaving
        target = nodes[next(self._counter(conn.id)) % len(nodes)]
        return None if target == self.local else target

    def _counter(self, conn_id: str) -> Iterator[int]:
        counter = self._counters.get(conn_id)
        if counter is None:
            with self._lock:
                counter = self._counters.setdefault(conn_id, itertools.count())
        return counter
