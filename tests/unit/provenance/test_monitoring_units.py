"""The commit latency histogram and status history pruning."""

from __future__ import annotations

from typing import Any

from nifi_like.monitoring.history import MINUTE_MS, Snapshot, StatusHistory
from nifi_like.monitoring.metrics import COMMIT_BUCKETS, CommitLatency
from nifi_like.repository import Repository


def test_commit_latency_counts_each_batch_once() -> None:
    latency = CommitLatency()
    latency.update(3, [0.0001, 0.003, 7.0])
    latency.update(3, [0.0001, 0.003, 7.0])  # no new batch
    latency.update(5, [0.003, 7.0, 0.02, 0.02])  # two new ones at the end of the window
    metric = latency.metric()
    buckets = {s.labels["le"]: s.value for s in metric.samples if s.name.endswith("_bucket")}
    assert buckets["0.0005"] == 1 and buckets["0.005"] == 2 and buckets["0.025"] == 4 and buckets["+Inf"] == 5
    assert len(buckets) == len(COMMIT_BUCKETS) + 1


def test_history_keeps_1440_points_per_component(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), durability="nosync")
    try:
        history = StatusHistory(repo.env, repo.writer, keep_points=3)
        for minute in range(5):
            snaps = [Snapshot(f"conn-{i}", "CONNECTION", f"c{i}", "Connection", "g", {"queuedCount": minute + i})
                     for i in range(3)]
            history.record(snaps, minute * MINUTE_MS + 5)
        for i in range(3):
            entity = history.history(f"conn-{i}")
            assert entity is not None
            points = entity["statusHistory"]["aggregateSnapshots"]
            assert [p["timestamp"] for p in points] == [2 * MINUTE_MS, 3 * MINUTE_MS, 4 * MINUTE_MS]
            assert points[-1]["statusMetrics"] == {"queuedCount": 4 + i, "queuedBytes": 0}
    finally:
        repo.close()
