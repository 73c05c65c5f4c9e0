"""Back pressure across node processes: receivers whose consumer is stopped refuse more than their
threshold, the sender keeps the rest in its partitions and its upstream stops; once the consumers
run, everything arrives, once."""

from __future__ import annotations

import time
from pathlib import Path

from nifi_like.repository import keys
from tests.cluster.lb_support import LocalCluster, new_ids, queue_stats, split_flow, wait_for, write_lines
from tests.support.flows import uid

LINES = 9_000
THRESHOLD = 1_000
BATCH = 1_000  # a sender's batch: a receiver under its threshold takes one whole batch


def test_receivers_at_threshold_hold_the_sender_back_and_lose_nothing(tmp_path: Path) -> None:
    cluster = LocalCluster(tmp_path)
    conn_id, ids = uid(), new_ids()
    for node in cluster.ids:
        (cluster.dir(node) / "in").mkdir()
    flows = {n: split_flow(cluster.dir(n), conn_id, ids, threshold=THRESHOLD) for n in cluster.ids}
    key = keys.component_key(conn_id)
    try:
        cluster.start_all(flows)
        write_lines(cluster.dir("n1") / "in", [f"item {i}" for i in range(LINES)])

        def n1_status() -> dict[str, int]:
            conns = (cluster.engines["n1"].status_file() or {}).get("connections", [])
            found = next((c for c in conns if c["id"] == conn_id), None)
            return {} if found is None else {"queued": found["queued_count"], **found.get("partitions", {})}

        def accounted() -> int:  # what node 1 still holds plus what the receivers took: the whole split
            return int(n1_status().get("queued", 0)) + sum(queue_stats(cluster.data(n), key)[0] for n in ("n2", "n3"))

        wait_for(lambda: accounted() == LINES, 60, "the split in node 1's connection (or sent on)")
        wait_for(lambda: all(queue_stats(cluster.data(n), key)[0] >= THRESHOLD for n in ("n2", "n3")), 60,
                 "receivers filled to their threshold")
        time.sleep(2.0)  # senders keep trying (503, Retry-After) meanwhile
        held = {n: queue_stats(cluster.data(n), key)[0] for n in ("n2", "n3")}
        assert all(THRESHOLD <= v < THRESHOLD + BATCH for v in held.values()), f"receivers took more: {held}"
        status = n1_status()
        assert status["queued"] == LINES - sum(held.values()), f"node 1 counts its partitions as queued: {status}"
        assert status["n2"] > 0 and status["n3"] > 0

        write_lines(cluster.dir("n1") / "in", [f"more {i}" for i in range(10)])  # a second file
        time.sleep(2.0)
        queued_c1 = next(c for c in cluster.engines["n1"].status_file()["connections"] if c["id"] == ids["c1"])
        assert queued_c1["queued_count"] == 1, "SplitText is held back: its outgoing connection is full"

        for node in ("n2", "n3"):  # start the consumers (a restart with the hold processor running)
            cluster.engines[node].stop()
            running = split_flow(cluster.dir(node), conn_id, ids, threshold=THRESHOLD, hold_state="RUNNING")
            cluster.start(node, running).wait_started()
        wait_for(lambda: n1_status().get("n2") == 0 and n1_status().get("n3") == 0, 90,
                 "node 1's partitions delivered")

        def consumed(node: str) -> int:
            procs = (cluster.engines[node].status_file() or {}).get("processors", [])
            return sum(p["in_count"] for p in procs if p["name"] == "hold")

        sent = LINES // 3 * 2  # round robin: two thirds of the first file's lines are for n2 and n3
        wait_for(lambda: consumed("n2") + consumed("n3") >= sent, 30, "the consumers took what they were sent")
        time.sleep(1.5)  # the status files are written each second
        assert consumed("n2") + consumed("n3") == sent, "each FlowFile consumed once"
        assert queue_stats(cluster.data("n2"), key)[0] + queue_stats(cluster.data("n3"), key)[0] == 0
        assert n1_status()["queued"] == LINES // 3, "node 1's own third waits for its stopped consumer"
    finally:
        cluster.stop_all()
