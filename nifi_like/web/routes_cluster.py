"""The cluster as NiFi serves it: /flow/cluster/summary, /controller/cluster and its nodes.

A standalone node answers the summary with ``clustered: false`` and the node endpoints with
409, as NiFi does. In a cluster every node answers for the whole cluster, from what its
coordinator knows (membership from etcd, each node's heartbeat with its queue counts).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

from cluster.coordinator import Coordinator, NodeDetails, NodeStateError
from cluster.view import CONNECTED, DISCONNECTED, OFFLOADING, NodeInfo
from nifi_like.api.units import format_data_size
from nifi_like.web.common import json_response, parse
from nifi_like.web.errors import ApiError, BadRequest, Conflict, NotFound
from nifi_like.web.keys import CONTROLLER
from nifi_like.web.openapi import describe
from nifi_like.web.schema import Obj, Text

routes = web.RouteTableDef()
NODE = Obj("NodeEntity", {"node": Obj("NodeDTO", {
    "nodeId": Text(), "status": Text(enum=("CONNECTING", "DISCONNECTING", "OFFLOADING"),
                                     description="CONNECTING, DISCONNECTING or OFFLOADING, as NiFi's node PUT"),
})}, required=("node",))
#: NiFi's requested transitions -> the status a node takes.
REQUESTED = {"CONNECTING": CONNECTED, "DISCONNECTING": DISCONNECTED, "OFFLOADING": OFFLOADING}
STANDALONE = "Only a node connected to a cluster can process the request."


class Unavailable(ApiError):
    status = 503


def _coordinator(request: web.Request) -> Coordinator:
    cluster = request.app[CONTROLLER].cluster
    if not isinstance(cluster, Coordinator):
        raise Conflict(STANDALONE)
    return cluster


def _stamp(epoch: float | None) -> str | None:
    """NiFi's node time stamps: "MM/dd/yyyy HH:mm:ss z"."""
    return None if epoch is None else time.strftime("%m/%d/%Y %H:%M:%S UTC", time.gmtime(epoch))


def node_dto(info: NodeInfo, details: NodeDetails | None) -> dict[str, Any]:
    count = details.queued_count if details else 0
    size = details.queued_bytes if details else 0
    return {"nodeId": info.node_id, "address": info.address, "apiPort": info.api_port, "status": info.status,
            "heartbeat": _stamp(details.heartbeat if details else None), "connectionRequested": None,
            "roles": sorted(info.roles), "activeThreadCount": details.active_threads if details else 0,
            "queued": f"{count:,} / {format_data_size(size)}", "flowFileCount": count, "flowFileBytes": size,
            "events": [], "nodeStartTime": _stamp(details.node_start_time if details else None),
            "loadBalancePort": info.load_balance_port}


def _nodes(coordinator: Coordinator) -> list[dict[str, Any]]:
    details = {d.node_id: d for d in coordinator.details()}
    return [node_dto(m, details.get(m.node_id)) for m in coordinator.members()]


def _node(coordinator: Coordinator, node_id: str) -> dict[str, Any]:
    node = next((n for n in _nodes(coordinator) if n["nodeId"] == node_id), None)
    if node is None:
        raise NotFound(f"Unable to find node with id '{node_id}'.")
    return node


@routes.get("/nifi-api/flow/cluster/summary")
@describe("Cluster membership: connected and total nodes (clustered: false on a standalone node)")
async def cluster_summary(request: web.Request) -> web.StreamResponse:
    cluster = request.app[CONTROLLER].cluster
    if not isinstance(cluster, Coordinator):
        return json_response({"clusterSummary": {"connectedNodes": None, "connectedNodeCount": 0,
                                                 "totalNodeCount": 0, "connectedToCluster": False,
                                                 "clustered": False}})
    members = cluster.members()
    connected = sum(1 for m in members if m.status == CONNECTED)
    me = next((m for m in members if m.node_id == cluster.local_node_id), None)
    return json_response({"clusterSummary": {
        "connectedNodes": f"{connected} / {len(members)}", "connectedNodeCount": connected,
        "totalNodeCount": len(members), "connectedToCluster": me is not None and me.status == CONNECTED,
        "clustered": True}})


@routes.get("/nifi-api/controller/cluster")
@describe("Cluster nodes with status, roles, heartbeat and queue counts: 409 on a standalone node, as NiFi")
async def cluster(request: web.Request) -> web.StreamResponse:
    coordinator = _coordinator(request)
    return json_response({"cluster": {"nodes": _nodes(coordinator),
                                      "generated": time.strftime("%H:%M:%S UTC", time.gmtime())}})


@routes.get("/nifi-api/controller/cluster/nodes/{id}")
@describe("One node of the cluster: status, roles, heartbeat and queue counts")
async def get_node(request: web.Request) -> web.StreamResponse:
    return json_response({"node": _node(_coordinator(request), request.match_info["id"])})


@routes.put("/nifi-api/controller/cluster/nodes/{id}")
@describe("Disconnect, connect or offload a node (status DISCONNECTING, CONNECTING or OFFLOADING)", body=NODE)
async def update_node(request: web.Request) -> web.StreamResponse:
    coordinator = _coordinator(request)
    node_id = request.match_info["id"]
    data = await parse(request, NODE)
    requested = (data["node"].get("status") or "").upper()
    if requested not in REQUESTED:
        raise BadRequest(f"node status '{requested}' is not one of {', '.join(REQUESTED)}")
    if data["node"].get("nodeId") not in (None, node_id):
        raise BadRequest(f"the body's nodeId '{data['node']['nodeId']}' is not the node of the URL ('{node_id}')")
    _node(coordinator, node_id)
    try:
        await _off_loop(coordinator.request_status, node_id, REQUESTED[requested])
    except NodeStateError as exc:
        raise Conflict(str(exc)) from None
    node = _node(coordinator, node_id)
    node["status"] = requested  # as NiFi answers: the transition has been requested
    return json_response({"node": node})


@routes.delete("/nifi-api/controller/cluster/nodes/{id}")
@describe("Remove a disconnected or lost node from the cluster")
async def delete_node(request: web.Request) -> web.StreamResponse:
    coordinator = _coordinator(request)
    node_id = request.match_info["id"]
    node = _node(coordinator, node_id)
    try:
        await _off_loop(coordinator.remove_node, node_id)
    except NodeStateError as exc:
        raise Conflict(str(exc)) from None
    return json_response({"node": node})


async def _off_loop(call: Any, *args: Any) -> None:
    """Coordinator requests wait for etcd: not on the event loop."""
    try:
        await asyncio.get_running_loop().run_in_executor(None, call, *args)
    except KeyError:
        raise NotFound(f"Unable to find node with id '{args[0]}'.") from None
    except (TimeoutError, ConnectionError) as exc:
        raise Unavailable(f"the cluster could not be reached: {exc}") from None
