"""Status history: one snapshot a minute, kept 24 hours (1440 points), per processor,
connection and process group, in the LMDB ``status`` database, served in NiFi's shape.

Keys of the ``status`` database:

    b"h" + component key (16) + minute (8, epoch ms)   msgpack list: the kind's metric values
    b"d" + component key (16)                          msgpack list: id, name, type, group id, kind

Processor values are NiFi's: five-minute rolling totals as the component's status shows them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgpack

from nifi_like.repository import Batch, keys
from nifi_like.repository.environment import Environment
from nifi_like.repository.writer import Writer

if TYPE_CHECKING:
    from nifi_like.engine.controller import FlowController

log = logging.getLogger(__name__)
MINUTE_MS = 60_000
KEEP_POINTS = 1440


@dataclass(frozen=True)
class Field:
    field: str
    label: str
    description: str
    formatter: str  # NiFi's: COUNT, DATA_SIZE, DURATION

    def descriptor(self) -> dict[str, str]:
        return {"field": self.field, "label": self.label, "description": self.description,
                "formatter": self.formatter}


FIELDS: dict[str, tuple[Field, ...]] = {
    "PROCESSOR": (
        Field("bytesRead", "Bytes Read (5 mins)", "The total number of bytes read from the Content "
              "Repository by this Processor in the past 5 minutes", "DATA_SIZE"),
        Field("bytesWritten", "Bytes Written (5 mins)", "The total number of bytes written to the Content "
              "Repository by this Processor in the past 5 minutes", "DATA_SIZE"),
        Field("bytesTransferred", "Bytes Transferred (5 mins)", "The total number of bytes read from or "
              "written to the Content Repository by this Processor in the past 5 minutes", "DATA_SIZE"),
        Field("inputBytes", "Bytes In (5 mins)", "The cumulative size of all FlowFiles that this Processor "
              "has pulled from its queues in the past 5 minutes", "DATA_SIZE"),
        Field("inputCount", "FlowFiles In (5 mins)", "The number of FlowFiles that this Processor has pulled "
              "from its queues in the past 5 minutes", "COUNT"),
        Field("outputBytes", "Bytes Out (5 mins)", "The cumulative size of all FlowFiles that this Processor "
              "has transferred to downstream queues in the past 5 minutes", "DATA_SIZE"),
        Field("outputCount", "FlowFiles Out (5 mins)", "The number of FlowFiles that this Processor has "
              "transferred to downstream queues in the past 5 minutes", "COUNT"),
        Field("taskCount", "Tasks (5 mins)", "The number of tasks that this Processor has completed in the "
              "past 5 minutes", "COUNT"),
        Field("taskMillis", "Total Task Duration (5 mins)", "The total number of thread-milliseconds that the "
              "Processor has used to complete its tasks in the past 5 minutes", "DURATION"),
        Field("taskNanos", "Total Task Time (nanos)", "The total number of thread-nanoseconds that the "
              "Processor has used to complete its tasks in the past 5 minutes", "COUNT"),
        Field("averageTaskNanos", "Average Task Duration (nanoseconds)", "The average number of nanoseconds it "
              "took this Processor to complete a task, over the past 5 minutes", "COUNT"),
    ),
    "CONNECTION": (
        Field("queuedBytes", "Queued Bytes", "The number of Bytes queued in this Connection", "DATA_SIZE"),
        Field("queuedCount", "Queued Count", "The number of FlowFiles queued in this Connection", "COUNT"),
    ),
    "PROCESS_GROUP": (
        Field("bytesRead", "Bytes Read (5 mins)", "The total number of bytes read from the Content Repository "
              "by Processors in this Process Group in the past 5 minutes", "DATA_SIZE"),
        Field("bytesWritten", "Bytes Written (5 mins)", "The total number of bytes written to the Content "
              "Repository by Processors in this Process Group in the past 5 minutes", "DATA_SIZE"),
        Field("bytesTransferred", "Bytes Transferred (5 mins)", "The total number of bytes read from or written "
              "to the Content Repository by Processors in this Process Group in the past 5 minutes",
              "DATA_SIZE"),
        Field("inputBytes", "Bytes In (5 mins)", "The cumulative size of all FlowFiles that have entered this "
              "Process Group via its Input Ports in the past 5 minutes", "DATA_SIZE"),
        Field("inputCount", "FlowFiles In (5 mins)", "The number of FlowFiles that have entered this Process "
              "Group via its Input Ports in the past 5 minutes", "COUNT"),
        Field("outputBytes", "Bytes Out (5 mins)", "The cumulative size of all FlowFiles that have exited this "
              "Process Group via its Output Ports in the past 5 minutes", "DATA_SIZE"),
        Field("outputCount", "FlowFiles Out (5 mins)", "The number of FlowFiles that have exited this Process "
              "Group via its Output Ports in the past 5 minutes", "COUNT"),
        Field("queuedBytes", "Queued Bytes", "The cumulative size of all FlowFiles queued in all Connections "
              "of this Process Group", "DATA_SIZE"),
        Field("queuedCount", "Queued Count", "The number of FlowFiles queued in all Connections of this "
              "Process Group", "COUNT"),
        Field("taskMillis", "Total Task Duration (5 mins)", "The total number of thread-milliseconds that the "
              "Processors within this ProcessGroup have used to complete their tasks in the past 5 minutes",
              "DURATION"),
    ),
}


@dataclass
class Snapshot:
    """One component's metrics at one minute."""

    component_id: str
    kind: str  # PROCESSOR, CONNECTION or PROCESS_GROUP
    name: str
    type_name: str
    group_id: str
    metrics: dict[str, int]


def processor_metrics(stats: dict[str, int]) -> dict[str, int]:
    tasks = stats["tasks"]
    return {"bytesRead": stats["read_bytes"], "bytesWritten": stats["written_bytes"],
            "bytesTransferred": stats["read_bytes"] + stats["written_bytes"], "inputBytes": stats["in_bytes"],
            "inputCount": stats["in_count"], "outputBytes": stats["out_bytes"], "outputCount": stats["out_count"],
            "taskCount": tasks, "taskMillis": stats["task_nanos"] // 1_000_000, "taskNanos": stats["task_nanos"],
            "averageTaskNanos": stats["task_nanos"] // tasks if tasks else 0}


def take_snapshots(controller: FlowController) -> list[Snapshot]:
    """The current status of every processor, connection and group (call on the event loop)."""
    flow = controller.flow
    parents: dict[str, str] = {}
    names: dict[str, str] = {}
    for group in flow.groups():
        loc = flow.find(group["identifier"])
        names[group["identifier"]] = group.get("name") or ""
        if loc is not None and loc.group["identifier"] != group["identifier"]:
            parents[group["identifier"]] = loc.group["identifier"]

    def lineage(group_id: str) -> Iterable[str]:
        while group_id:
            yield group_id
            group_id = parents.get(group_id, "")

    totals = {gid: dict.fromkeys((f.field for f in FIELDS["PROCESS_GROUP"]), 0) for gid in names}
    out: list[Snapshot] = []
    for node in list(controller.nodes.values()):
        stats = node.stats.snapshot()
        if node.kind == "PROCESSOR":
            metrics = processor_metrics(stats)
            out.append(Snapshot(node.id, "PROCESSOR", node.name, node.type_name, node.group_id, metrics))
            for gid in lineage(node.group_id):
                if gid in totals:
                    for name in ("bytesRead", "bytesWritten", "bytesTransferred", "taskMillis"):
                        totals[gid][name] += metrics[name]
        elif node.kind in ("INPUT_PORT", "OUTPUT_PORT"):
            direction = "input" if node.kind == "INPUT_PORT" else "output"
            for gid in lineage(node.group_id):
                if gid in totals:
                    totals[gid][f"{direction}Count"] += stats["in_count"]
                    totals[gid][f"{direction}Bytes"] += stats["in_bytes"]
    for conn in list(controller.connections.values()):
        loc = flow.find(conn.id)
        group_id = loc.group["identifier"] if loc is not None else ""
        out.append(Snapshot(conn.id, "CONNECTION", conn.name or "Connection", "Connection", group_id,
                            {"queuedBytes": conn.bytes, "queuedCount": conn.count}))
        for gid in lineage(group_id):
            if gid in totals:
                totals[gid]["queuedBytes"] += conn.bytes
                totals[gid]["queuedCount"] += conn.count
    for gid, metrics in totals.items():
        out.append(Snapshot(gid, "PROCESS_GROUP", names[gid], "ProcessGroup", parents.get(gid, ""), metrics))
    return out


class StatusHistory:
    """Stores and serves status history; writes go through the repository's writer."""

    def __init__(self, env: Environment, writer: Writer | None = None, *, keep_points: int = KEEP_POINTS) -> None:
        self.env = env
        self.writer = writer
        self.keep_points = keep_points

    def record(self, snapshots: list[Snapshot], now_ms: int | None = None) -> int:
        """Store snapshots as the point of the current minute; drop points older than 24 hours.
        Returns the minute (epoch ms) recorded."""
        if self.writer is None:
            raise RuntimeError("this StatusHistory is read-only (it was opened without a writer)")
        minute = (int(time.time() * 1000) if now_ms is None else now_ms) // MINUTE_MS * MINUTE_MS
        oldest = minute - (self.keep_points - 1) * MINUTE_MS
        rows = []
        for snap in snapshots:
            ckey = keys.component_key(snap.component_id)
            values = [int(snap.metrics.get(f.field, 0)) for f in FIELDS[snap.kind]]
            details = [snap.component_id, snap.name, snap.type_name, snap.group_id, snap.kind]
            rows.append((ckey, msgpack.packb(values), msgpack.packb(details)))
        self.writer.call(self._write_fn(rows, minute, oldest))
        return minute

    def _write_fn(self, rows: list[tuple[bytes, bytes, bytes]], minute: int,
                  oldest: int) -> Callable[[Any, Batch], None]:
        db = self.env.dbs["status"]

        def write(txn: Any, batch: Batch) -> None:
            for ckey, values, details in rows:
                txn.put(b"h" + ckey + keys.u64(minute), values, db=db)
                txn.put(b"d" + ckey, details, db=db)
            _prune(txn, db, oldest)
        return write

    def history(self, component_id: str, *, start_ms: int | None = None,
                end_ms: int | None = None) -> dict[str, Any] | None:
        """NiFi's StatusHistoryEntity for one component, or None if nothing was recorded."""
        ckey = keys.component_key(component_id)
        db = self.env.dbs["status"]
        with self.env.read() as txn:
            raw = txn.get(b"d" + ckey, db=db)
            if raw is None:
                return None
            cid, name, type_name, group_id, kind = msgpack.unpackb(raw)
            fields = FIELDS[kind]
            prefix = b"h" + ckey
            points = []
            cursor = txn.cursor(db=db)
            if cursor.set_range(prefix + keys.u64(start_ms or 0)):
                for key, value in cursor:
                    if key[:17] != prefix:
                        break
                    stamp = keys.from_u64(key[17:])
                    if end_ms is not None and stamp > end_ms:
                        break
                    metrics = dict(zip((f.field for f in fields), msgpack.unpackb(value), strict=False))
                    points.append({"timestamp": stamp, "statusMetrics": metrics})
        details = {"Id": cid, "Name": name, "Type": type_name, "Group Id": group_id}
        if kind == "CONNECTION":
            details = {"Id": cid, "Name": name, "Group Id": group_id}
        return {"statusHistory": {
            "generated": time.strftime("%H:%M:%S UTC", time.gmtime()),
            "componentDetails": details,
            "fieldDescriptors": [f.descriptor() for f in fields],
            "aggregateSnapshots": points,
            "nodeSnapshots": [],
        }}


def _prune(txn: Any, db: Any, oldest: int) -> None:
    """Delete every point older than ``oldest``, jumping from one component to the next."""
    cursor = txn.cursor(db=db)
    stale: list[bytes] = []
    found = cursor.set_range(b"h")
    while found and cursor.key()[:1] == b"h":
        key = cursor.key()
        prefix = bytes(key[:17])
        if keys.from_u64(key[17:]) < oldest:
            stale.append(bytes(key))
            found = cursor.next()
        else:
            found = cursor.set_range(prefix + b"\xff" * 8)  # this component's remaining points are younger
            if found and cursor.key()[:17] == prefix:
                found = cursor.next()
    for key in stale:
        txn.delete(key, db=db)


class HistoryRecorder:
    """Captures a controller's status once a minute on a background thread."""

    def __init__(self, controller: FlowController, *, interval: float = 60.0) -> None:
        self.controller = controller
        self.history = StatusHistory(controller.repo.env, controller.repo.writer)
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def capture(self, now_ms: int | None = None) -> int:
        return self.history.record(take_snapshots(self.controller), now_ms)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="status-history", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval - time.time() % self.interval):
            try:
                self.capture()
            except Exception:  # e.g. the flow changed under the snapshot: the next minute retries
                log.exception("status history capture failed")
