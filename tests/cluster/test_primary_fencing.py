"""A primary-only processor runs on exactly one node at any time: after the primary is killed a
new one takes over within two lease TTLs, and a primary stopped (SIGSTOP) past its lease does no
primary-only work when it resumes (fencing). Evidence: FencedStamp's files, one per trigger,
stamped with the node, the fencing token it held and the time."""

from __future__ import annotations

import json
import os
import signal
import time
from typing import Any

from tests.support import flows
from tests.support.cluster import Etcd, Node, stamps, wait_for

TTL = 2.0


def primary_flow(base: str) -> str:
    stamp = flows.processor("stamp", "FencedStamp", {"Directory": os.path.join(base, "stamps")},
                            period="100 ms", executionNode="PRIMARY")
    path = os.path.join(base, "flow.json")
    with open(path, "w") as fh:
        json.dump(flows.flow([stamp], []), fh)
    return path


def start_cluster(base: str, etcd: Etcd, count: int = 3) -> list[Node]:
    first = Node(base, "n1", etcd.url, ttl=TTL, flow_file=primary_flow(base))
    first.wait_ready()
    nodes = [first] + [Node(base, f"n{i}", etcd.url, ttl=TTL) for i in range(2, count + 1)]
    for node in nodes:
        node.wait_ready()
    return nodes


def assert_one_primary_at_a_time(written: list[dict[str, Any]]) -> None:
    """In time order the tokens never go back, and each token belongs to one node: the terms of
    the primaries do not overlap."""
    owners: dict[int, str] = {}
    for before, after in zip(written, written[1:], strict=False):
        assert after["token"] >= before["token"], f"token {before['token']} of {before['node']} wrote after " \
                                                  f"token {after['token']} of {after['node']}"
    for stamp in written:
        assert stamp["token"] is not None
        assert owners.setdefault(stamp["token"], stamp["node"]) == stamp["node"]


def writers_since(base: str, since_ns: int) -> set[str]:
    return {s["node"] for s in stamps(os.path.join(base, "stamps")) if s["time_ns"] > since_ns}


def test_primary_only_processor_runs_on_one_node_and_fails_over(tmp_path: Any, etcd: Etcd) -> None:
    base = str(tmp_path)
    nodes = start_cluster(base, etcd)
    try:
        by_id = {n.node_id: n for n in nodes}
        wait_for(lambda: stamps(os.path.join(base, "stamps")), 30, "the primary to write")
        time.sleep(1.0)
        mark = time.time_ns()
        time.sleep(1.5)
        first_writers = writers_since(base, mark)
        assert len(first_writers) == 1, first_writers
        primary = by_id[first_writers.pop()]
        roles = {n["nodeId"]: n["roles"] for n in nodes[1].get("/controller/cluster")["cluster"]["nodes"]}
        assert "Primary Node" in roles[primary.node_id]

        # kill -9 the primary: another node takes over within two lease TTLs
        last_before = max(s["time_ns"] for s in stamps(os.path.join(base, "stamps")))
        primary.kill()
        killed_at = time.time_ns()
        successor = wait_for(lambda: writers_since(base, killed_at), 30, "a new primary")
        assert len(successor) == 1, successor
        first_after = min(s["time_ns"] for s in stamps(os.path.join(base, "stamps")) if s["time_ns"] > killed_at)
        assert (first_after - last_before) / 1e9 < 2 * TTL, "the new primary took longer than two lease TTLs"

        # SIGSTOP the new primary past its lease, then let it go on: it must not act as primary again
        second = by_id[successor.pop()]
        second.signal(signal.SIGSTOP)
        stopped_at = time.time_ns()
        third = wait_for(lambda: writers_since(base, stopped_at) - {second.node_id}, 30, "a third primary")
        time.sleep(TTL)
        second.signal(signal.SIGCONT)
        resumed_at = time.time_ns()
        time.sleep(3 * TTL)
        late = [s for s in stamps(os.path.join(base, "stamps")) if s["node"] == second.node_id
                and s["time_ns"] > resumed_at]
        assert late == [], f"{second.node_id} wrote as primary after it was resumed: {late[:3]}"
        assert writers_since(base, resumed_at + int(TTL * 1e9)) == third
        assert_one_primary_at_a_time(stamps(os.path.join(base, "stamps")))
    finally:
        for node in nodes:
            node.stop()
