"""Throughput of GenerateFlowFile (1 KB) -> UpdateAttribute -> RouteOnAttribute -> auto-terminate,
sync durability, against a bare LMDB + msgpack loop doing the same queue moves in the same run."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time

from bench.baselines import asyncio_queue_chain, bare_lmdb_chain
from bench.report import Row, row
from nifi_like.config import load_settings
from nifi_like.engine import gc_policy
from nifi_like.engine.controller import FlowController
from nifi_like.flow.model import new_id

BATCH = 100
WARMUP = 2.0
MEASURE = float(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def pipeline_flow() -> dict[str, object]:
    gen, upd, route = new_id(), new_id(), new_id()

    def proc(ident: str, name: str, type_name: str, props: dict[str, str], auto: list[str]) -> dict[str, object]:
        return {"identifier": ident, "name": name, "type": type_name, "properties": props,
                "scheduledState": "RUNNING", "autoTerminatedRelationships": auto}

    def conn(src: str, dst: str) -> dict[str, object]:
        return {"identifier": new_id(), "source": {"id": src, "type": "PROCESSOR"},
                "destination": {"id": dst, "type": "PROCESSOR"}, "selectedRelationships": ["success"]}

    return {"flowContents": {"identifier": new_id(), "name": "pipeline", "processors": [
        proc(gen, "generate", "GenerateFlowFile", {"File Size": "1 KB", "Batch Size": str(BATCH)}, []),
        proc(upd, "update", "UpdateAttribute", {"stage": "updated"}, []),
        proc(route, "route", "RouteOnAttribute", {"Routing Strategy": "Route to Property name",
                                                  "updated": "${stage:equals('updated')}"},
             ["updated", "unmatched"]),
    ], "connections": [conn(gen, upd), conn(upd, route)]}}


async def _measure(provenance: bool) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as directory:
        settings = load_settings(None, data_dir=directory, durability="sync", provenance_enabled=provenance)
        controller = FlowController(settings)
        document = pipeline_flow()
        await controller.load(document)
        gc_policy.tune(settings.gc_young_threshold)  # as `nifi-like run` does once the flow is loaded
        route = next(n for n in controller.nodes.values() if n.name == "route")
        await asyncio.sleep(WARMUP)
        start_count, started = route.stats.snapshot()["in_count"], time.perf_counter()
        await asyncio.sleep(MEASURE)
        done = route.stats.snapshot()["in_count"] - start_count
        rate = done / (time.perf_counter() - started)
        batches = controller.repo.writer.batches
        await controller.shutdown()
        gc_policy.reset()
        return rate, batches


def main() -> list[Row]:
    """Rounds alternate between the bare loop and the engine so drifts in machine speed hit both;
    the medians are reported."""
    bare: list[float] = []
    with_prov: list[float] = []
    without_prov: list[float] = []
    for _ in range(ROUNDS):
        bare.append(bare_lmdb_chain(40_000, batch=BATCH, hops=3))
        with_prov.append(asyncio.run(_measure(True))[0])
        without_prov.append(asyncio.run(_measure(False))[0])
    ceiling = asyncio_queue_chain(200_000, hops=3)
    floor, on, off = statistics.median(bare), statistics.median(with_prov), statistics.median(without_prov)
    return [
        row("pipeline", "bare LMDB+msgpack loop, 3 synced hops (floor)", floor, "FlowFiles/s",
            note=f"batch {BATCH}; median of {ROUNDS}"),
        row("pipeline", "asyncio.Queue chain, nothing durable (ceiling)", ceiling, "FlowFiles/s"),
        row("pipeline", "engine, sync, provenance on", on, "FlowFiles/s", baseline=floor,
            note=f"target ratio >= 0.5; rounds: {', '.join(f'{v:,.0f}' for v in with_prov)}"),
        row("pipeline", "engine, sync, provenance off", off, "FlowFiles/s", baseline=floor,
            note=f"rounds: {', '.join(f'{v:,.0f}' for v in without_prov)}"),
        row("pipeline", "provenance on / off", on / off if off else 0.0, "ratio", note="target >= 0.7"),
    ]
