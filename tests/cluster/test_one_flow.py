"""One flow for the whole cluster, the cluster views and N-instance placement, on a real etcd
with node processes: an edit through one node's REST API reaches the others, a late joiner
catches up, a stale revision is refused, and an N-instance processor moves off a killed node."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import pytest

from cluster.etcd import EtcdCoordinator
from nifi_like.flow.errors import FlowConflict
from tests.support.cluster import Etcd, Node, stamps, wait_for


def processor_on(node: Node, processor_id: str) -> dict[str, Any] | None:
    reply = node.call("GET", f"/processors/{processor_id}")
    return reply.json() if reply.status_code == 200 else None


def create_stamp(node: Node, base: str, **config: Any) -> dict[str, Any]:
    body = {"revision": {"version": 0}, "component": {
        "type": "FencedStamp", "name": "stamp",
        "config": {"properties": {"Directory": os.path.join(base, "stamps"), "Fenced": "false"},
                   "schedulingPeriod": "100 ms", **config}}}
    reply = node.call("POST", "/process-groups/root/processors", body)
    assert reply.status_code == 201, reply.text
    entity: dict[str, Any] = reply.json()
    return entity


def test_flow_edits_reach_every_node_and_stale_revisions_are_refused(tmp_path: Any, etcd: Etcd) -> None:
    base = str(tmp_path)
    n1, n2 = Node(base, "n1", etcd.url), Node(base, "n2", etcd.url)
    nodes = [n1, n2]
    try:
        n1.wait_ready()
        n2.wait_ready()
        created = create_stamp(n1, base)
        proc_id = created["id"]
        on_n2 = wait_for(lambda: processor_on(n2, proc_id), 20, "the new processor on n2")
        assert on_n2["component"]["config"]["properties"]["Directory"] == os.path.join(base, "stamps")

        # a change through n2 with the revision it shows is taken, and reaches n1
        rename = {"revision": on_n2["revision"], "component": {"id": proc_id, "name": "renamed on n2"}}
        reply = n2.call("PUT", f"/processors/{proc_id}", rename)
        assert reply.status_code == 200, reply.text
        wait_for(lambda: (processor_on(n1, proc_id) or {}).get("component", {}).get("name") == "renamed on n2",
                 20, "the rename on n1")
        # n1's client still holds the revision it got at creation: stale, refused
        stale = {"revision": created["revision"], "component": {"id": proc_id, "name": "stale edit"}}
        reply = n1.call("PUT", f"/processors/{proc_id}", stale)
        assert reply.status_code == 400 and "not the most up-to-date revision" in reply.text, reply.text

        # a node that joins late takes the cluster's flow
        n3 = Node(base, "n3", etcd.url)
        nodes.append(n3)
        n3.wait_ready()
        assert processor_on(n3, proc_id)["component"]["name"] == "renamed on n2"  # type: ignore[index]

        # the cluster views
        listing = n3.get("/controller/cluster")["cluster"]["nodes"]
        assert sorted(n["nodeId"] for n in listing) == ["n1", "n2", "n3"]
        assert all(n["status"] == "CONNECTED" for n in listing)
        assert sum("Primary Node" in n["roles"] for n in listing) == 1
        assert sum("Cluster Coordinator" in n["roles"] for n in listing) == 1
        assert all(n["address"] == "127.0.0.1" and n["apiPort"] and n["heartbeat"] for n in listing)
        summary = n1.get("/flow/cluster/summary")["clusterSummary"]
        assert summary == {"connectedNodes": "3 / 3", "connectedNodeCount": 3, "totalNodeCount": 3,
                           "connectedToCluster": True, "clustered": True}
        assert n1.get("/controller/cluster/nodes/n2")["node"]["nodeId"] == "n2"
    finally:
        for node in nodes:
            node.stop()


def test_node_status_requests_follow_nifi(tmp_path: Any, etcd: Etcd) -> None:
    base = str(tmp_path)
    nodes = [Node(base, f"n{i}", etcd.url) for i in (1, 2)]
    try:
        for node in nodes:
            node.wait_ready()
        n1 = nodes[0]

        def status_of(node_id: str) -> str:
            return str(n1.get(f"/controller/cluster/nodes/{node_id}")["node"]["status"])

        def put(node_id: str, status: str) -> Any:
            return n1.call("PUT", f"/controller/cluster/nodes/{node_id}", {"node": {"nodeId": node_id, "status": status}})

        assert put("n2", "OFFLOADING").status_code == 409  # only a disconnected node may offload
        assert n1.call("DELETE", "/controller/cluster/nodes/n2").status_code == 409
        assert put("n2", "DISCONNECTING").status_code == 200
        wait_for(lambda: status_of("n2") == "DISCONNECTED", 20, "n2 disconnected")
        listing = n1.get("/controller/cluster")["cluster"]["nodes"]
        assert all(n["roles"] == [] for n in listing if n["nodeId"] == "n2")
        assert put("n2", "OFFLOADING").status_code == 200
        # n2 stops its processors, moves what it holds (nothing here) to n1 and reports OFFLOADED
        wait_for(lambda: status_of("n2") == "OFFLOADED", 20, "n2 offloaded")
        assert put("n2", "CONNECTING").status_code == 200
        wait_for(lambda: status_of("n2") == "CONNECTED", 20, "n2 connected again")
        assert put("n2", "BOGUS").status_code == 400
        assert n1.call("GET", "/controller/cluster/nodes/nope").status_code == 404
    finally:
        for node in nodes:
            node.stop()


def test_n_instance_processor_moves_off_a_killed_node(tmp_path: Any, etcd: Etcd) -> None:
    base = str(tmp_path)
    nodes = [Node(base, f"n{i}", etcd.url, ttl=2.0) for i in (1, 2, 3)]
    try:
        for node in nodes:
            node.wait_ready()
        created = create_stamp(nodes[0], base, nifiLikeInstances=1)
        proc_id = created["id"]
        run = {"revision": created["revision"], "state": "RUNNING"}
        assert nodes[0].call("PUT", f"/processors/{proc_id}/run-status", run).status_code == 200
        placement = wait_for(lambda: (processor_on(nodes[1], proc_id) or {}).get("component", {})
                             .get("nifiLikePlacement", {}).get("nodes"), 20, "a placement")
        assert len(placement) == 1
        mark = time.time_ns()
        time.sleep(2.0)
        writers = {s["node"] for s in stamps(os.path.join(base, "stamps")) if s["time_ns"] > mark}
        assert writers == set(placement)
        by_id = {n.node_id: n for n in nodes}
        by_id[placement[0]].kill()
        killed = time.time_ns()
        survivors = [n for n in nodes if n.node_id != placement[0]]
        moved = wait_for(lambda: {s["node"] for s in stamps(os.path.join(base, "stamps")) if s["time_ns"] > killed},
                         30, "the instance on another node")
        assert len(moved) == 1 and placement[0] not in moved
        shown = processor_on(survivors[0], proc_id)["component"]["nifiLikePlacement"]  # type: ignore[index]
        assert shown["nodes"] == sorted(moved) and shown["execution"] == 1
    finally:
        for node in nodes:
            node.stop()


def test_concurrent_flow_edits_from_one_revision_only_one_wins(etcd: Etcd) -> None:
    async def run() -> None:
        a = EtcdCoordinator(etcd.url, "a", heartbeat=0.5, lease_ttl=2)
        b = EtcdCoordinator(etcd.url, "b", heartbeat=0.5, lease_ttl=2)
        await a.start()
        await b.start()
        try:
            loop = asyncio.get_running_loop()
            first = await loop.run_in_executor(None, a.publish_flow, {"flowContents": {"v": 1}}, 0)
            with pytest.raises(FlowConflict, match="changed through another node"):
                await loop.run_in_executor(None, b.publish_flow, {"flowContents": {"v": 2}}, 0)
            await loop.run_in_executor(None, wait_for, lambda: b.cluster_flow().revision == first, 10, "b to see it")
            assert b.cluster_flow().document == {"flowContents": {"v": 1}}
            second = await loop.run_in_executor(None, b.publish_flow, {"flowContents": {"v": 2}}, first)
            assert second > first
        finally:
            await a.stop()
            await b.stop()
    asyncio.run(run())
