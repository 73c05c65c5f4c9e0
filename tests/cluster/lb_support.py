"""Start a static cluster of node processes on loopback ports, and read what their queues hold."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgpack

from nifi_like.repository import keys
from nifi_like.repository.environment import Environment
from tests.support.engine_process import EngineProcess, free_port
from tests.support.flows import connection, flow, processor, uid


class LocalCluster:
    """Nodes n1..nN, each with its own directory under ``root`` and the same shared secret."""

    def __init__(self, root: Path, size: int = 3) -> None:
        self.root = root
        self.ids = [f"n{i + 1}" for i in range(size)]
        self.api_ports = {node: free_port() for node in self.ids}
        self.lb_ports = {node: free_port() for node in self.ids}
        self.url = "static://" + ",".join(f"{n}@127.0.0.1:{self.api_ports[n]}:{self.lb_ports[n]}" for n in self.ids)
        secret = root / "cluster.secret"
        secret.write_text(os.urandom(32).hex())
        secret.chmod(0o600)
        self.conf = f'\n[cluster]\nsecret_file = {json.dumps(str(secret))}\n'
        self.engines: dict[str, EngineProcess] = {}
        for node in self.ids:
            (root / node).mkdir()

    def dir(self, node: str) -> Path:
        return self.root / node

    def data(self, node: str) -> str:
        return str(self.root / node / "data")

    def start(self, node: str, flow: dict[str, Any] | None = None) -> EngineProcess:
        flow_file = None
        if flow is not None:
            path = self.dir(node) / "flow.json"
            path.write_text(json.dumps(flow))
            flow_file = str(path)
        engine = EngineProcess(self.data(node), flow_file, port=self.api_ports[node], extra_conf=self.conf,
                               extra_args=("--cluster", self.url, "--node-id", node),
                               log_path=str(self.dir(node) / "engine.log"))
        self.engines[node] = engine
        return engine

    def start_all(self, flows: dict[str, dict[str, Any]]) -> None:
        for node in self.ids:
            self.start(node, flows[node])
        for node in self.ids:
            self.engines[node].wait_started()

    def stop_all(self) -> None:
        for engine in self.engines.values():
            if engine.proc.poll() is None:
                engine.stop()

    def kill_all(self) -> None:
        for engine in self.engines.values():
            if engine.proc.poll() is None:
                engine.kill()


def split_flow(node_dir: Path, conn_id: str, ids: dict[str, str], *, strategy: str = "ROUND_ROBIN",
               attribute: str = "", compression: str = "DO_NOT_COMPRESS", threshold: int = 100_000,
               hold_state: str = "ENABLED", tag: dict[str, str] | None = None) -> dict[str, Any]:
    """GetFile -> SplitText [-> UpdateAttribute with ``tag``] -> (load-balanced) -> hold, with the
    same component ids on every node; only the input directory is the node's own."""
    get = processor("get", "GetFile", {"Input Directory": str(node_dir / "in"), "Batch Size": "1"},
                    identifier=ids["get"])
    split = processor("split", "SplitText", {"Line Split Count": "1"}, identifier=ids["split"],
                      auto_terminate=("original", "failure"))
    hold = processor("hold", "LogAttribute", {"Log Level": "debug"}, identifier=ids["hold"], state=hold_state,
                     auto_terminate=("success",))
    processors = [get, split, hold]
    connections = [connection(get, split, ["success"], identifier=ids["c1"])]
    last, relationship = split, "splits"
    if tag is not None:
        update = processor("tag", "UpdateAttribute", tag, identifier=ids["tag"])
        processors.append(update)
        connections.append(connection(split, update, ["splits"], identifier=ids["c2"], threshold=threshold))
        last, relationship = update, "success"
    connections.append(connection(last, hold, [relationship], identifier=conn_id, threshold=threshold,
                                  loadBalanceStrategy=strategy, partitioningAttribute=attribute,
                                  loadBalanceCompression=compression))
    return flow(processors, connections)


def new_ids() -> dict[str, str]:
    return {name: uid() for name in ("get", "split", "hold", "tag", "c1", "c2")}


def write_lines(path: Path, lines: list[str]) -> None:
    tmp = path.parent / "lines.tmp"
    tmp.write_text("".join(f"{line}\n" for line in lines))
    tmp.rename(path / "lines.txt")


def queue_stats(data_dir: str, key: bytes) -> tuple[int, int]:
    """A queue's durable count and size, read while the engine may be running."""
    env = Environment(os.path.join(data_dir, "repository"), readonly=True)
    try:
        with env.read() as txn:
            raw = txn.get(key, db=env.dbs["qstats"])
    finally:
        env.close()
    if not raw:
        return 0, 0
    count, size = msgpack.unpackb(raw)
    return int(count), int(size)


def queued_attributes(data_dir: str, connection_id: str) -> list[dict[str, str]]:
    """The attributes of every FlowFile in this node's local queue of a connection."""
    prefix = keys.component_key(connection_id)
    env = Environment(os.path.join(data_dir, "repository"), readonly=True)
    try:
        with env.read() as txn:
            cursor = txn.cursor(db=env.dbs["queues"])
            out: list[dict[str, str]] = []
            if cursor.set_range(prefix):
                for key, value in cursor:
                    if key[:16] != prefix:
                        break
                    out.append(msgpack.unpackb(value)[0])
    finally:
        env.close()
    return out


def wait_for(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise AssertionError(f"{what}: not within {timeout:g} s")
