"""The status a running engine publishes in its data directory, and the same read offline."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import msgpack

from nifi_like.flow.model import Flow
from nifi_like.flow.store import FlowStore
from nifi_like.repository import keys
from nifi_like.repository.environment import Environment

STATUS_FILE = "status.json"


def publish(data_dir: str, status: dict[str, Any]) -> None:
    path = os.path.join(data_dir, STATUS_FILE)
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump({**status, "pid": os.getpid(), "time": time.time()}, fh)
    os.replace(tmp, path)


def read_published(data_dir: str) -> dict[str, Any] | None:
    try:
        with open(os.path.join(data_dir, STATUS_FILE)) as fh:
            status: dict[str, Any] = json.load(fh)
    except (OSError, ValueError):
        return None
    return status


def offline_status(data_dir: str) -> dict[str, Any]:
    """Status of a stopped engine: queue counts from the repository, nothing running."""
    store = FlowStore(data_dir)
    if not store.exists():
        return {"connections": [], "processors": []}
    flow = Flow(store.load())
    stats: dict[bytes, tuple[int, int]] = {}
    if os.path.exists(os.path.join(data_dir, "repository", "data.mdb")):
        env = Environment(os.path.join(data_dir, "repository"), readonly=True)
        try:
            with env.read() as txn:
                for key, value in txn.cursor(db=env.dbs["qstats"]):
                    count, size = msgpack.unpackb(value)
                    stats[bytes(key)] = (count, size)
        finally:
            env.close()
    connections = []
    for loc in flow.of_kind("CONNECTION"):
        conn = loc.component
        count, size = stats.get(keys.component_key(conn["identifier"]), (0, 0))
        connections.append({"id": conn["identifier"], "name": conn.get("name") or "", "source": conn["source"]["id"],
                            "destination": conn["destination"]["id"], "queued_count": count, "queued_bytes": size,
                            "object_threshold": conn["backPressureObjectThreshold"],
                            "size_threshold": conn["backPressureDataSizeThreshold"]})
    processors = [{"id": p.component["identifier"], "name": p.component.get("name") or "",
                   "type": p.component["type"], "run_status": "Disabled" if p.component.get("scheduledState") ==
                   "DISABLED" else "Stopped", "in_count": 0, "out_count": 0}
                  for p in flow.of_kind("PROCESSOR")]
    return {"connections": connections, "processors": processors}
