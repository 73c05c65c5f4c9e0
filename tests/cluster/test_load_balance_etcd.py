"""Load-balanced connections in an etcd cluster: three node processes on a real etcd, the members
and their load-balance ports coming from etcd (no static node list).

The cluster's flow: GetFile on the primary node only splits a 3,000-line file (SplitText, so each
FlowFile carries its line number in ``fragment.index``) into a ROUND_ROBIN connection whose
destination is stopped on every node, so what each node received stays in its queue, where the
test reads it from the node's LMDB. Then node 3 is disconnected and offloaded through the REST
API: its share moves to nodes 1 and 2 and it reports OFFLOADED.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from nifi_like.repository import keys
from tests.cluster.lb_support import new_ids, queue_stats, queued_attributes, split_flow, write_lines
from tests.support.cluster import Etcd, Node, wait_for
from tests.support.flows import uid

COUNT = 3_000
KILL_COUNT = 30_000


def _fragment_indexes(nodes: list[Node], conn_id: str) -> dict[str, list[int]]:
    return {n.node_id: [int(a["fragment.index"]) for a in queued_attributes(n.data, conn_id)] for n in nodes}


def _assert_exactly_once(per_node: dict[str, list[int]], count: int = COUNT) -> None:
    every = Counter(i for values in per_node.values() for i in values)
    duplicated = [i for i, c in every.items() if c > 1]
    missing = set(range(1, count + 1)) - set(every)
    assert not missing, f"{len(missing)} FlowFiles lost, e.g. {sorted(missing)[:5]}"
    assert not duplicated, f"{len(duplicated)} FlowFiles duplicated, e.g. {duplicated[:5]}"
    assert sum(len(v) for v in per_node.values()) == count


def _start_cluster(tmp_path: Path, etcd: Etcd, nodes: list[Node], *, ttl: float) -> str:
    """Three connected node processes on ``etcd`` running the split flow (GetFile on the primary
    only -> SplitText -> ROUND_ROBIN connection to a stopped processor); the connection's id."""
    base = str(tmp_path)
    conn_id, ids = uid(), new_ids()
    document: dict[str, Any] = split_flow(tmp_path, conn_id, ids)  # GetFile reads tmp_path / "in"
    get = next(p for p in document["flowContents"]["processors"] if p["identifier"] == ids["get"])
    get["executionNode"] = "PRIMARY"  # one reader of the input directory in the whole cluster
    (tmp_path / "in").mkdir()
    flow_file = tmp_path / "flow.json"
    flow_file.write_text(json.dumps(document))
    nodes.append(Node(base, "n1", etcd.url, ttl=ttl, heartbeat=1.0, flow_file=str(flow_file)))
    nodes[0].wait_ready()
    nodes += [Node(base, n, etcd.url, ttl=ttl, heartbeat=1.0) for n in ("n2", "n3")]
    for node in nodes[1:]:
        node.wait_ready()
    wait_for(lambda: _statuses(nodes[0]) == {"n1": "CONNECTED", "n2": "CONNECTED", "n3": "CONNECTED"}, 30,
             "three connected nodes")
    wait_for(lambda: all(os.path.exists(os.path.join(n.data, "status.json")) for n in nodes), 30,
             "every node publishing its status")
    return conn_id


def _statuses(node: Node) -> dict[str, str]:
    return {n["nodeId"]: n["status"] for n in node.get("/controller/cluster")["cluster"]["nodes"]}


def test_round_robin_spreads_over_the_etcd_clusters_nodes_and_offload_moves_a_nodes_share(
        tmp_path: Path, etcd: Etcd) -> None:
    nodes: list[Node] = []
    try:
        # a lease long enough that a busy machine does not lose a node mid-test (that would change
        # the round-robin order, not the exactly-once result)
        conn_id = _start_cluster(tmp_path, etcd, nodes, ttl=10.0)
        n1 = nodes[0]

        def statuses() -> dict[str, str]:
            return _statuses(n1)

        listing = n1.get("/controller/cluster")["cluster"]["nodes"]
        assert {n["nodeId"]: n["loadBalancePort"] for n in listing} == {n.node_id: n.load_balance_port for n in nodes}

        write_lines(tmp_path / "in", [f"line {i}" for i in range(1, COUNT + 1)])
        key = keys.component_key(conn_id)

        def local_counts() -> dict[str, int]:
            return {n.node_id: queue_stats(n.data, key)[0] for n in nodes}

        wait_for(lambda: sum(local_counts().values()) >= COUNT, 90, "all FlowFiles in the nodes' local queues")
        per_node = _fragment_indexes(nodes, conn_id)
        _assert_exactly_once(per_node)
        assert {n: len(v) for n, v in per_node.items()} == {n.node_id: COUNT // 3 for n in nodes}, \
            "round robin gives each of the three nodes a third"

        # offload node 3 (NiFi's order: disconnect, then offload): its third goes to nodes 1 and 2
        def put(node_id: str, status: str) -> int:
            body = {"node": {"nodeId": node_id, "status": status}}
            return n1.call("PUT", f"/controller/cluster/nodes/{node_id}", body).status_code

        assert put("n3", "DISCONNECTING") == 200
        wait_for(lambda: statuses()["n3"] == "DISCONNECTED", 20, "n3 disconnected")
        assert put("n3", "OFFLOADING") == 200
        wait_for(lambda: statuses()["n3"] == "OFFLOADED", 60, "n3 offloaded")

        def offloaded() -> bool:
            counts = local_counts()
            return counts["n3"] == 0 and counts["n1"] + counts["n2"] == COUNT

        wait_for(offloaded, 60, "n3's FlowFiles on n1 and n2")
        after = _fragment_indexes(nodes, conn_id)
        assert after["n3"] == []
        _assert_exactly_once(after)
        assert len(after["n1"]) > COUNT // 3 and len(after["n2"]) > COUNT // 3, {n: len(v) for n, v in after.items()}
    finally:
        for node in nodes:
            node.stop()


def test_thirty_thousand_round_robin_flowfiles_survive_a_receiver_killed_mid_transfer(
        tmp_path: Path, etcd: Etcd) -> None:
    """The acceptance run with etcd as the cluster: 30,000 FlowFiles round robin over three nodes,
    node 2 killed with SIGKILL once it has taken some and restarted: none lost, none twice."""
    nodes: list[Node] = []
    try:
        # the lease outlives the restart, so node 2 keeps its share (the sender waits for it)
        conn_id = _start_cluster(tmp_path, etcd, nodes, ttl=30.0)
        key = keys.component_key(conn_id)
        write_lines(tmp_path / "in", [f"line {i}" for i in range(1, KILL_COUNT + 1)])
        n2 = nodes[1]
        wait_for(lambda: queue_stats(n2.data, key)[0] >= 1_000, 90, "node 2 receiving")
        n2.kill()
        received_before = queue_stats(n2.data, key)[0]
        assert received_before < KILL_COUNT // 3, "killed mid-transfer, not after it"
        n2.start()
        n2.wait_ready()
        wait_for(lambda: sum(queue_stats(n.data, key)[0] for n in nodes) >= KILL_COUNT, 120,
                 "all FlowFiles in the nodes' local queues")
        per_node = _fragment_indexes(nodes, conn_id)
        _assert_exactly_once(per_node, KILL_COUNT)
        assert all(per_node.values()), {n: len(v) for n, v in per_node.items()}
    finally:
        for node in nodes:
            node.stop()


def test_without_a_secret_file_an_etcd_node_runs_unbalanced_and_refuses_a_balanced_flow(
        tmp_path: Path, etcd: Etcd) -> None:
    base = str(tmp_path)
    conn_id, ids = uid(), new_ids()
    (tmp_path / "in").mkdir()
    balanced = tmp_path / "balanced.json"
    balanced.write_text(json.dumps(split_flow(tmp_path, conn_id, ids)))
    refused = Node(base, "n1", etcd.url, ttl=10.0, heartbeat=1.0, flow_file=str(balanced), secret=False)
    plain = None
    try:
        assert refused.proc is not None and refused.proc.wait(60) == 2
        log = (tmp_path / "n1" / "node.log").read_text()
        assert f"{balanced} has load-balanced connections" in log and "[cluster] secret_file is not set" in log, log
        plain = Node(base, "n2", etcd.url, ttl=10.0, heartbeat=1.0, secret=False)
        plain.wait_ready()
        wait_for(lambda: "load balancing is off on node n2" in (tmp_path / "n2" / "node.log").read_text(), 20,
                 "the log line saying load balancing is off")
        # the refused node's flow never became the cluster's
        assert plain.get("/flow/process-groups/root")["processGroupFlow"]["flow"]["connections"] == []
    finally:
        refused.stop()
        if plain is not None:
            plain.stop()
