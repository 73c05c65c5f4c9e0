"""A round-robin connection across three node processes: 30,000 FlowFiles made on node 1 spread
over the nodes, and a receiving node killed with SIGKILL mid-transfer and restarted loses and
duplicates none.

Node 1 splits a 30,000-line file (GetFile -> SplitText, so each FlowFile carries its line number
in ``fragment.index``) into a ROUND_ROBIN connection whose destination is stopped on every node:
what each node received stays in its queue, where the test reads it from the node's LMDB.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

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

COUNT = 30_000


@pytest.mark.parametrize("killed", ["n2", pytest.param("n1", marks=pytest.mark.slow, id="sender")])
def test_round_robin_spreads_30000_and_survives_a_receiver_killed_mid_transfer(tmp_path: Path, killed: str) -> None:
    """Killing the receiver n2 loses answers to commits it made; killing the sender n1 loses
    acknowledgements it had not yet acted on: either way the resend is filtered, nothing is lost."""
    cluster = LocalCluster(tmp_path)
    conn_id, ids = uid(), new_ids()
    try:
        for node in cluster.ids:
            (cluster.dir(node) / "in").mkdir()
        cluster.start_all({n: split_flow(cluster.dir(n), conn_id, ids) for n in cluster.ids})
        write_lines(cluster.dir("n1") / "in", [f"line {i}" for i in range(1, COUNT + 1)])
        n2_key = keys.component_key(conn_id)
        wait_for(lambda: queue_stats(cluster.data("n2"), n2_key)[0] > 0, 60, "node 2 received a first batch",
                 interval=0.01)
        received_before_kill = queue_stats(cluster.data("n2"), n2_key)[0]
        cluster.engines[killed].kill()
        time.sleep(0.5)
        cluster.start(killed).wait_started()

        def delivered() -> bool:
            return sum(queue_stats(cluster.data(n), keys.component_key(conn_id))[0] for n in cluster.ids) >= COUNT

        wait_for(delivered, 120, "all FlowFiles in the nodes' local queues")
        status = cluster.engines["n1"].status_file() or {}
        wait_for(lambda: all(v == 0 for c in (cluster.engines["n1"].status_file() or {}).get("connections", [])
                             for v in c.get("partitions", {}).values()), 30, "node 1's partitions emptied")
    finally:
        cluster.stop_all()
    per_node = {n: [int(a["fragment.index"]) for a in queued_attributes(cluster.data(n), conn_id)] for n in cluster.ids}
    every = Counter(i for values in per_node.values() for i in values)
    duplicated = [i for i, c in every.items() if c > 1]
    missing = set(range(1, COUNT + 1)) - set(every)
    assert not missing, f"{len(missing)} FlowFiles lost, e.g. {sorted(missing)[:5]}"
    assert not duplicated, f"{len(duplicated)} FlowFiles duplicated, e.g. {duplicated[:5]}"
    assert sum(len(v) for v in per_node.values()) == COUNT
    assert {n: len(v) for n, v in per_node.items()} == {n: COUNT // 3 for n in cluster.ids}, \
        "round robin gives each of the three nodes a third"
    assert 0 < received_before_kill < COUNT // 3, f"the kill came mid-transfer (node 2 had {received_before_kill})"
    print(f"{killed} was killed after node 2 received {received_before_kill}; status before stop: {status}")
