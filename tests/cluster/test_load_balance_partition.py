"""PARTITION_BY_ATTRIBUTE across three node processes: equal values go to the same node."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from nifi_like.repository import keys
from tests.cluster.lb_support import (
    LocalCluster,
    new_ids,
    queue_stats,
    queued_attributes,
    split_flow,
    wait_for,
    write_lines,
)
from tests.support.flows import uid

COUNT = 3_000
GROUPS = 12


def test_partition_by_attribute_sends_equal_values_to_the_same_node(tmp_path: Path) -> None:
    cluster = LocalCluster(tmp_path)
    conn_id, ids = uid(), new_ids()
    tag = {"customer": f"${{fragment.index:mod({GROUPS})}}"}
    for node in cluster.ids:
        (cluster.dir(node) / "in").mkdir()
    try:
        cluster.start_all({n: split_flow(cluster.dir(n), conn_id, ids, strategy="PARTITION_BY_ATTRIBUTE",
                                         attribute="customer", compression="COMPRESS_ATTRIBUTES_ONLY", tag=tag)
                           for n in cluster.ids})
        write_lines(cluster.dir("n1") / "in", [f"order {i}" for i in range(1, COUNT + 1)])
        key = keys.component_key(conn_id)
        wait_for(lambda: sum(queue_stats(cluster.data(n), key)[0] for n in cluster.ids) >= COUNT, 90,
                 "every FlowFile in a node's local queue")
    finally:
        cluster.stop_all()
    nodes_of: dict[str, set[str]] = defaultdict(set)
    total = 0
    for node in cluster.ids:
        for attributes in queued_attributes(cluster.data(node), conn_id):
            nodes_of[attributes["customer"]].add(node)
            assert int(attributes["fragment.index"]) % GROUPS == int(attributes["customer"])
            total += 1
    assert total == COUNT
    assert len(nodes_of) == GROUPS
    split = {value: sorted(nodes) for value, nodes in nodes_of.items() if len(nodes) > 1}
    assert not split, f"values sent to several nodes: {split}"
    used = {node for nodes in nodes_of.values() for node in nodes}
    assert len(used) >= 2, f"{GROUPS} values all went to {used}"
