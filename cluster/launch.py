"""A node's part in a cluster, from ``[cluster] url`` (``nifi-like run --cluster URL``).

- ``etcd://HOST:PORT``: the EtcdCoordinator and the ClusterBinding (membership, elections, one
  flow, placement) and, when ``[cluster] secret_file`` is set, load balancing with the
  coordinator as its view; a node set to OFFLOADING moves its queued FlowFiles to the others.
  Without a secret file the node runs without load balancing (said in a log line) and refuses to
  start if the flow it runs has a load-balanced connection.
- ``static://ID@ADDRESS:API_PORT:LB_PORT,...``: a fixed node list, load balancing only; the secret
  file is required.

``cluster_plan`` checks the settings (and reads the secret) before the data directory is opened;
``ClusterNode`` does the rest around the engine's start and stop.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cluster.secret import load_cluster_secret
from cluster.static import SCHEME as STATIC
from nifi_like.flow.model import Flow

if TYPE_CHECKING:
    from cluster.binding import ClusterBinding
    from cluster.load_balance.service import LoadBalancing
    from cluster.view import ClusterView
    from nifi_like.config import Settings
    from nifi_like.engine.controller import FlowController

log = logging.getLogger(__name__)
ETCD = "etcd://"
SCHEMES = (ETCD, STATIC)


@dataclass(frozen=True)
class ClusterPlan:
    url: str
    scheme: str  # ETCD or STATIC
    node_id: str
    secret: bytes | None  # None: no load balancing (etcd without [cluster] secret_file)


def cluster_plan(settings: Settings) -> ClusterPlan:
    """What ``[cluster] url`` asks for; ValueError names what is wrong (never the secret)."""
    url = settings.cluster_url
    scheme = next((s for s in SCHEMES if url.startswith(s)), None)
    if scheme is None:
        raise ValueError(f"--cluster '{url}': unknown scheme (supported: {', '.join(s + '...' for s in SCHEMES)})")
    if scheme == STATIC:
        if not settings.cluster_node_id:
            raise ValueError("a static:// cluster needs --node-id (this node's id among the listed nodes)")
        return ClusterPlan(url, scheme, settings.cluster_node_id, load_cluster_secret(settings.cluster_secret_file))
    node_id = settings.cluster_node_id or f"{settings.cluster_node_address}:{settings.port}"
    secret = load_cluster_secret(settings.cluster_secret_file) if settings.cluster_secret_file else None
    return ClusterPlan(url, scheme, node_id, secret)


def balanced_connections(document: dict[str, Any]) -> list[str]:
    """Names (or ids) of the load-balanced connections of a flow document."""
    return sorted(loc.component.get("name") or loc.component["identifier"]
                  for loc in Flow(copy.deepcopy(document)).of_kind("CONNECTION")
                  if (loc.component.get("loadBalanceStrategy") or "DO_NOT_LOAD_BALANCE") != "DO_NOT_LOAD_BALANCE")


class ClusterNode:
    """The coordination (etcd) and load balancing of one node; set up before the flow is loaded."""

    def __init__(self, controller: FlowController, plan: ClusterPlan) -> None:
        self.controller = controller
        self.plan = plan
        self.binding: ClusterBinding | None = None
        self.balancing: LoadBalancing | None = None
        view: ClusterView
        if plan.scheme == ETCD:
            from cluster.binding import ClusterBinding
            from cluster.etcd import EtcdCoordinator

            settings = controller.settings
            coordinator = EtcdCoordinator(plan.url, plan.node_id, address=settings.cluster_node_address,
                                          api_port=settings.port,
                                          load_balance_port=settings.cluster_load_balance_port,
                                          heartbeat=settings.cluster_heartbeat, lease_ttl=settings.cluster_lease_ttl,
                                          cluster_name=settings.cluster_name)
            self.binding = ClusterBinding(controller, coordinator)
            view = coordinator
        else:
            from cluster.static import static_view

            view = static_view(plan.url, plan.node_id)
        if plan.secret is not None:
            from cluster.load_balance.service import LoadBalancing

            self.balancing = LoadBalancing(controller, view, plan.secret)
            if self.binding is not None:
                self.binding.offloader = self.balancing.offload

    async def join(self, document: dict[str, Any] | None, source: str) -> None:
        """Load the flow (through the cluster with etcd)."""
        if self.binding is None:
            await self.controller.load(document, source=source)
            return
        if self.balancing is None and document is not None:
            self._refuse_balanced(document, source)  # before it could become the cluster's flow
        await self.binding.join(document, source)
        if self.balancing is None:
            self._refuse_balanced(self.controller.flow.document, "the cluster's flow")
            log.warning("[cluster] secret_file is not set: load balancing is off on node %s (load-balanced "
                        "connections keep their FlowFiles on the node that queued them)", self.plan.node_id)

    def _refuse_balanced(self, document: dict[str, Any], source: str) -> None:
        balanced = balanced_connections(document)
        if balanced:
            raise ValueError(f"{source} has load-balanced connections ({', '.join(balanced)}) but [cluster] "
                             "secret_file is not set: give every node the same secret file "
                             "(`openssl rand -hex 32`, mode 600)")

    async def start_transfers(self) -> None:
        """Serve the load-balance port and send to the other nodes (after the flow is loaded)."""
        if self.balancing is not None:
            await self.balancing.start()

    async def leave(self) -> None:
        if self.balancing is not None and self.balancing.started:
            await self.balancing.stop()
        if self.binding is not None:
            await self.binding.leave()  # gives up the roles at once; other nodes take them over

    def joined_message(self) -> str:
        if self.binding is None:
            return f"nifi-like: node {self.plan.node_id} is in the cluster {self.plan.url}"
        return (f"nifi-like: node {self.plan.node_id} joined the cluster at {self.plan.url} "
                f"(cluster flow revision {self.binding.revision}"
                f"{'' if self.balancing else ', no load balancing: no [cluster] secret_file'})")
