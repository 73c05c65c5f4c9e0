"""The coordination interface: membership, roles with a fencing token, the cluster's flow, placement.

Two implementations: ``cluster.memory`` (one process, no etcd; one or several nodes sharing a
hub) and ``cluster.etcd`` (etcd v3 through aetcd). Both are a ClusterView as well, so the
load-balanced connections and the REST views read them the same way.

Thread-safety: every method may be called from any thread. ``fencing_token`` does no I/O and is
cheap enough to call before every trigger of a primary-only processor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from cluster.view import DISCONNECTED, OFFLOADED, OFFLOADING, ClusterView
from nifi_like.flow.errors import FlowConflict as FlowConflict  # raised by publish_flow

#: Kinds of change a coordinator reports to its listeners.
MEMBERS = "members"  # a node joined, left, or changed status or roles
ROLES = "roles"  # this node gained or lost the primary or coordinator role
FLOW = "flow"  # a newer cluster flow is available
PLACEMENT = "placement"  # the processor instances were placed anew

ChangeListener = Callable[[str], None]


class NodeStateError(Exception):
    """A node status request that the node's current status does not allow (409)."""


def check_status_request(node_id: str, current: str, status: str) -> None:
    """Refuse a status change NiFi refuses: a node is offloaded only once it is disconnected."""
    if status == OFFLOADING and current not in (DISCONNECTED, OFFLOADING, OFFLOADED):
        raise NodeStateError(f"node {node_id} is {current}; disconnect it before offloading it")


@dataclass(frozen=True)
class ClusterFlow:
    document: dict[str, Any] | None  # None: no node has published a flow yet
    revision: int  # 0 before the first publish


@dataclass(frozen=True)
class NodeDetails:
    """What /controller/cluster shows of a node beyond its NodeInfo."""

    node_id: str
    heartbeat: float | None  # epoch seconds of the last heartbeat; None once the node is lost
    node_start_time: float
    queued_count: int = 0
    queued_bytes: int = 0
    active_threads: int = 0


#: What a node reports with each heartbeat: (queued FlowFiles, queued bytes, active threads).
LoadProvider = Callable[[], tuple[int, int, int]]


@runtime_checkable
class Coordinator(ClusterView, Protocol):
    async def start(self) -> None:
        """Join: register this node, take part in the elections, read the cluster's flow."""
        ...

    async def stop(self) -> None:
        """Leave: give up the roles held and unregister (the lease is revoked)."""
        ...

    def fencing_token(self) -> int | None:
        """The token of this node's current primary-node term, or None when it must not do
        primary-only work (not primary, or its lease may already have expired)."""
        ...

    def is_coordinator(self) -> bool: ...

    def on_change(self, listener: ChangeListener) -> None:
        """Call ``listener(kind)`` (from any thread) with MEMBERS, ROLES, FLOW or PLACEMENT."""
        ...

    def cluster_flow(self) -> ClusterFlow:
        """The newest cluster flow this node has seen."""
        ...

    def publish_flow(self, document: dict[str, Any], base_revision: int) -> int:
        """Store ``document`` as the cluster's flow if the stored one is still at ``base_revision``
        (compare-and-swap); return the new revision or raise FlowConflict. Blocks until stored."""
        ...

    def placement(self) -> dict[str, list[str]]:
        """Processor id -> the node ids its instances are placed on (N-instance processors only)."""
        ...

    def details(self) -> list[NodeDetails]: ...

    def set_load_provider(self, provider: LoadProvider) -> None: ...

    def request_status(self, node_id: str, status: str) -> None:
        """Ask a node to become DISCONNECTED, CONNECTED or OFFLOADING (NiFi's node PUT)."""
        ...

    def remove_node(self, node_id: str) -> None:
        """Forget a disconnected or lost node (NiFi's node DELETE)."""
        ...

    def report_offloaded(self) -> None:
        """The load-balance layer moved this OFFLOADING node's data away: status OFFLOADED."""
        ...
