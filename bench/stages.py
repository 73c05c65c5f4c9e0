"""CPU cost per FlowFile of each stage of the `pipeline` flow, one session at a time.

One thread drives GenerateFlowFile (batches of 100, 1 KB) -> UpdateAttribute -> RouteOnAttribute
-> auto-terminate through real sessions and the real writer (sync, provenance on), waiting for
each commit, so no thread competes for the interpreter lock and the figures are the work itself:
CPU seconds of the driving thread per stage (on_trigger + commit) and of the writer thread.
The baseline is the CPU the bare LMDB + msgpack loop spends per FlowFile for the same moves.

The counts are deterministic enough to compare changes with valgrind: run it with
``BENCH_STAGE_ROUNDS=20`` and ``=80`` under ``valgrind --tool=callgrind`` and divide the
difference of the instruction totals by 6,000 FlowFiles.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
import time

import psutil

from bench.baselines import bare_lmdb_chain
from bench.pipeline import BATCH, pipeline_flow
from bench.report import Row, row
from nifi_like.config import load_settings
from nifi_like.engine.controller import FlowController
from nifi_like.engine.session import StandardProcessSession

ROUNDS = int(os.environ.get("BENCH_STAGE_ROUNDS", "300"))
WARMUP_ROUNDS = 5
STAGES = ("generate", "update", "route")


def _thread_cpu(native_id: int | None) -> float:
    for thread in psutil.Process().threads():
        if thread.id == native_id:
            return float(thread.user_time + thread.system_time)
    return 0.0


async def _measure(rounds: int) -> tuple[dict[str, float], float, int]:
    """CPU seconds per FlowFile: per stage in this thread, and in the writer thread; and how many
    FlowFiles reached the last stage."""
    with tempfile.TemporaryDirectory() as directory:
        settings = load_settings(None, data_dir=directory, durability="sync", provenance_enabled=True)
        controller = FlowController(settings)
        document = pipeline_flow()
        for processor in document["flowContents"]["processors"]:  # type: ignore[index]
            processor["scheduledState"] = "ENABLED"  # valid, not scheduled: this thread triggers them
        await controller.load(document)
        nodes = {node.name: node for node in controller.nodes.values()}
        contexts = {name: controller.scheduler.context_for(nodes[name]) for name in STAGES}
        for name in STAGES:
            nodes[name].processor.on_scheduled(contexts[name])
        spent = dict.fromkeys(STAGES, 0.0)

        def trigger(name: str) -> None:
            node = nodes[name]
            started = time.thread_time()
            session = StandardProcessSession(node, controller.repo, provenance=True)
            node.processor.on_trigger(contexts[name], session)
            future = session.commit_async()
            paused = time.thread_time()
            future.result()  # durable: the writer's share is measured on its own thread
            resumed = time.thread_time()
            session.finish_commit(future)
            spent[name] += (paused - started) + (time.thread_time() - resumed)

        def drive(count: int) -> None:
            for _ in range(count):
                for name in STAGES:
                    trigger(name)

        drive(WARMUP_ROUNDS)
        spent = dict.fromkeys(STAGES, 0.0)
        writer = controller.repo.writer._thread.native_id
        writer_before = _thread_cpu(writer)
        drive(rounds)
        writer_cpu = _thread_cpu(writer) - writer_before
        arrived = nodes["route"].stats.snapshot()["in_count"]
        await controller.shutdown()
    flowfiles = rounds * BATCH
    return {name: value / flowfiles for name, value in spent.items()}, writer_cpu / flowfiles, arrived


def _bare_cpu_per_flowfile(count: int) -> float:
    started = time.process_time()
    bare_lmdb_chain(count, batch=BATCH, hops=3)
    return (time.process_time() - started) / count


def main() -> list[Row]:
    assert threading.current_thread() is threading.main_thread()
    bare = _bare_cpu_per_flowfile(30_000)
    stages, writer, _ = asyncio.run(_measure(ROUNDS))
    total = sum(stages.values()) + writer
    rows = [row("stages", f"{name}: on_trigger + commit", value * 1e6, "µs CPU per FlowFile")
            for name, value in stages.items()]
    rows.append(row("stages", "writer thread (LMDB, fsync)", writer * 1e6, "µs CPU per FlowFile",
                    note="one session per transaction here: no group commit to share the fsync"))
    rows.append(row("stages", "engine total, sync, provenance on", total * 1e6, "µs CPU per FlowFile",
                    baseline=bare * 1e6, note=f"baseline: bare LMDB+msgpack loop; {ROUNDS * BATCH:,} FlowFiles"))
    return rows
