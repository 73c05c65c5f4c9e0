"""Prometheus metrics of a flow controller, collected at scrape time (served at /metrics).

Gauges come from the same numbers as ``FlowController.status()``; the commit latency
histogram accumulates the writer's per-batch commit times between scrapes.
"""

from __future__ import annotations

import bisect
import threading
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from nifi_like.provenance.index import last_event_id, last_indexed
from nifi_like.provenance.retention import db_bytes

if TYPE_CHECKING:
    from nifi_like.engine.controller import FlowController

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
COMMIT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
PREFIX = "nifi_like"


class CommitLatency:
    """A cumulative histogram fed from the writer's recent commit times (a bounded list)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts = [0] * (len(COMMIT_BUCKETS) + 1)
        self.total = 0.0
        self.seen = 0

    def update(self, batches: int, recent: list[float]) -> None:
        """``batches`` is the writer's batch count; ``recent`` its latest commit times, newest last."""
        with self._lock:
            new = min(batches - self.seen, len(recent))
            for seconds in recent[len(recent) - new:] if new > 0 else ():
                self.counts[bisect.bisect_left(COMMIT_BUCKETS, seconds)] += 1
                self.total += seconds
            self.seen = max(self.seen, batches)

    def metric(self) -> HistogramMetricFamily:
        with self._lock:
            cumulative, buckets = 0, []
            for bound, count in zip((*COMMIT_BUCKETS, float("inf")), self.counts, strict=True):
                cumulative += count
                buckets.append(("+Inf" if bound == float("inf") else repr(bound), cumulative))
            total = self.total
        return HistogramMetricFamily(f"{PREFIX}_commit_latency_seconds",
                                     "Time of one group commit (one LMDB write transaction and its sync)",
                                     buckets=buckets, sum_value=total)


class ControllerCollector(Collector):
    def __init__(self, controller: FlowController) -> None:
        self.controller = controller
        self.latency = CommitLatency()

    def collect(self) -> Iterator[Metric]:
        controller = self.controller
        status = controller.status()
        yield from self._connections(status["connections"])
        yield from self._processors(status["processors"])
        writer = controller.repo.writer
        self.latency.update(writer.batches, list(writer.commit_seconds))
        yield self.latency.metric()
        commits = CounterMetricFamily(f"{PREFIX}_commits", "Session commits made durable")
        commits.add_metric([], writer.commits)
        yield commits
        yield from self._repository()

    def _connections(self, connections: list[dict[str, object]]) -> Iterator[Metric]:
        labels = ["connection_id", "connection_name", "source_id", "destination_id"]
        count = GaugeMetricFamily(f"{PREFIX}_connection_queued_count", "FlowFiles queued", labels=labels)
        size = GaugeMetricFamily(f"{PREFIX}_connection_queued_bytes", "Bytes queued", labels=labels)
        count_max = GaugeMetricFamily(f"{PREFIX}_connection_backpressure_object_threshold",
                                      "Back pressure object threshold", labels=labels)
        size_max = GaugeMetricFamily(f"{PREFIX}_connection_backpressure_bytes_threshold",
                                     "Back pressure data size threshold", labels=labels)
        full = GaugeMetricFamily(f"{PREFIX}_connection_backpressure_enabled",
                                 "1 while the connection is at back pressure", labels=labels)
        for conn in connections:
            values = [str(conn["id"]), str(conn["name"]), str(conn["source"]), str(conn["destination"])]
            queued, queued_bytes = int(str(conn["queued_count"])), int(str(conn["queued_bytes"]))
            object_threshold, size_threshold = int(str(conn["object_threshold"])), int(str(conn["size_threshold"]))
            count.add_metric(values, queued)
            size.add_metric(values, queued_bytes)
            count_max.add_metric(values, object_threshold)
            size_max.add_metric(values, size_threshold)
            full.add_metric(values, int(queued >= object_threshold or queued_bytes >= size_threshold))
        yield from (count, size, count_max, size_max, full)

    def _processors(self, processors: list[dict[str, object]]) -> Iterator[Metric]:
        labels = ["processor_id", "processor_name", "processor_type", "group_id"]
        names = {
            "in_count": ("flowfiles_received", "FlowFiles taken from input queues, last 5 minutes"),
            "in_bytes": ("bytes_received", "Bytes of FlowFiles taken from input queues, last 5 minutes"),
            "out_count": ("flowfiles_sent", "FlowFiles transferred to output queues, last 5 minutes"),
            "out_bytes": ("bytes_sent", "Bytes of FlowFiles transferred to output queues, last 5 minutes"),
            "read_bytes": ("bytes_read", "Content bytes read, last 5 minutes"),
            "written_bytes": ("bytes_written", "Content bytes written, last 5 minutes"),
            "tasks": ("tasks", "Tasks completed, last 5 minutes"),
        }
        families = {key: GaugeMetricFamily(f"{PREFIX}_processor_{name}", doc, labels=labels)
                    for key, (name, doc) in names.items()}
        task_time = GaugeMetricFamily(f"{PREFIX}_processor_task_seconds", "Task time used, last 5 minutes",
                                      labels=labels)
        threads = GaugeMetricFamily(f"{PREFIX}_processor_active_threads", "Tasks running now", labels=labels)
        nodes = self.controller.nodes
        for proc in processors:
            node = nodes.get(str(proc["id"]))
            if node is None:
                continue
            values = [node.id, node.name, node.type_name, node.group_id]
            stats = node.stats.snapshot()
            stats["in_count"], stats["out_count"] = int(str(proc["in_count"])), int(str(proc["out_count"]))
            for key, family in families.items():
                family.add_metric(values, stats[key])
            task_time.add_metric(values, stats["task_nanos"] / 1e9)
            threads.add_metric(values, int(str(proc["active_threads"])))
        yield from (*families.values(), task_time, threads)

    def _repository(self) -> Iterator[Metric]:
        env = self.controller.repo.env
        size = GaugeMetricFamily(f"{PREFIX}_lmdb_file_bytes", "Size of the LMDB data file")
        size.add_metric([], env.size_on_disk())
        map_size = GaugeMetricFamily(f"{PREFIX}_lmdb_map_bytes", "LMDB map size")
        map_size.add_metric([], env.env.info()["map_size"])
        used = GaugeMetricFamily(f"{PREFIX}_lmdb_database_bytes", "Pages used by each LMDB database",
                                 labels=["database"])
        lag = GaugeMetricFamily(f"{PREFIX}_provenance_lag_events",
                                "Provenance events committed but not yet indexed")
        with env.read() as txn:
            for name, db in env.dbs.items():
                used.add_metric([name], db_bytes(txn, db))
            lag.add_metric([], max(0, last_event_id(txn, env) - last_indexed(txn, env)))
        yield from (size, map_size, used, lag)


_registries: weakref.WeakKeyDictionary[FlowController, CollectorRegistry] = weakref.WeakKeyDictionary()
_registries_lock = threading.Lock()


def registry_for(controller: FlowController) -> CollectorRegistry:
    """One registry per controller, so the commit histogram accumulates across scrapes."""
    with _registries_lock:
        registry = _registries.get(controller)
        if registry is None:
            registry = _registries[controller] = CollectorRegistry(auto_describe=False)
            registry.register(ControllerCollector(controller))
        return registry


def render(controller: FlowController) -> str:
    """The Prometheus text exposition of the controller's metrics."""
    return generate_latest(registry_for(controller)).decode()
