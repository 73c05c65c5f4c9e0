"""1,000,000 FlowFiles queued in one connection: resident memory, and time until a restarted
engine serves them. Each phase runs in a fresh process; the baseline is the same engine with
an empty queue."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

import psutil

from bench.report import Row, row
from nifi_like.config import load_settings
from nifi_like.engine.controller import FlowController
from nifi_like.engine.session import StandardProcessSession
from nifi_like.flow.model import new_id

COUNT = int(os.environ.get("DEEP_QUEUE_COUNT", "1000000"))


def _flow() -> dict[str, Any]:
    gen, sink = new_id(), new_id()
    return {"flowContents": {"identifier": new_id(), "name": "deep queue", "processors": [
        {"identifier": gen, "name": "generate", "type": "GenerateFlowFile", "scheduledState": "ENABLED",
         "properties": {"File Size": "100 B", "Batch Size": "5000"}},
        {"identifier": sink, "name": "sink", "type": "LogAttribute", "scheduledState": "ENABLED",
         "autoTerminatedRelationships": ["success"]}],
        "connections": [{"identifier": new_id(), "name": "deep", "source": {"id": gen, "type": "PROCESSOR"},
                         "destination": {"id": sink, "type": "PROCESSOR"}, "selectedRelationships": ["success"],
                         "backPressureObjectThreshold": COUNT * 2, "backPressureDataSizeThreshold": "10 GB"}]}}


def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / 1e6


async def _fill(data_dir: str, count: int) -> dict[str, float]:
    controller = FlowController(load_settings(None, data_dir=data_dir, durability="nosync"))
    await controller.load(_flow())
    queue = next(iter(controller.connections.values()))
    gen = next(n for n in controller.nodes.values() if n.name == "generate")
    peak = _rss_mb()
    started = time.perf_counter()
    if count:
        await controller.start(gen.id)
        while queue.count < count:
            await asyncio.sleep(0.5)
            peak = max(peak, _rss_mb())
        await controller.stop(gen.id)
    elapsed = time.perf_counter() - started
    result = {"queued": float(queue.count), "rss_mb": _rss_mb(), "peak_rss_mb": max(peak, _rss_mb()),
              "fill_seconds": elapsed}
    await controller.shutdown()
    return result


async def _serve(data_dir: str) -> dict[str, float]:
    """Start on an existing data dir; time until the first queued FlowFile is handed to a session."""
    controller = FlowController(load_settings(None, data_dir=data_dir, durability="nosync"))
    await controller.load(None)
    sink = next(n for n in controller.nodes.values() if n.name == "sink")
    session = StandardProcessSession(sink, controller.repo)
    first = session.get()
    serving = time.time()
    session.rollback()
    queue = next(iter(controller.connections.values()))
    result = {"serving_at": serving, "queued": float(queue.count), "rss_mb": _rss_mb(),
              "got_flowfile": float(first is not None)}
    await controller.shutdown()
    return result


def _phase(name: str, data_dir: str, count: int = 0) -> dict[str, float]:
    started = time.time()
    out = subprocess.run([sys.executable, "-m", "bench.deep_queue", name, data_dir, str(count)],
                         capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_started"] = started
    return result


def main() -> list[Row]:
    with tempfile.TemporaryDirectory() as deep, tempfile.TemporaryDirectory() as empty:
        filled = _phase("fill", deep, COUNT)
        baseline = _phase("fill", empty, 0)
        served = _phase("serve", deep)
        served_empty = _phase("serve", empty)
    restart = served["serving_at"] - served["process_started"]
    restart_empty = served_empty["serving_at"] - served_empty["process_started"]
    return [
        row("deep_queue", "FlowFiles queued in one connection", filled["queued"], "FlowFiles",
            note=f"filled in {filled['fill_seconds']:.0f} s"),
        row("deep_queue", "peak RSS while filling", filled["peak_rss_mb"], "MB", baseline=baseline["rss_mb"],
            note="target < 300 MB; baseline = same engine, empty queue"),
        row("deep_queue", "RSS after restart with the queue loaded", served["rss_mb"], "MB",
            baseline=served_empty["rss_mb"]),
        row("deep_queue", "restart until the first queued FlowFile is served", restart, "s",
            baseline=restart_empty, note="process start to first session.get(); target < 5 s"),
    ]


if __name__ == "__main__":
    phase, directory, number = sys.argv[1], sys.argv[2], int(sys.argv[3])
    fn = _fill(directory, number) if phase == "fill" else _serve(directory)
    print(json.dumps(asyncio.run(fn)))
