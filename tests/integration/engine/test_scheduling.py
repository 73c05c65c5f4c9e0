"""Scheduling as NiFi users know it: CRON, run schedule, yield, penalty, ports and funnels."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.conftest import eventually
from tests.support.flows import connection, flow, processor, uid
from tests.support.processors import Emit, Penalize, Yielder


async def test_cron_driven_processor_fires_on_the_second(make_controller: Any) -> None:
    emit = processor("emit", "Emit", {"Batch Size": "1"}, schedulingStrategy="CRON_DRIVEN", period="* * * * * ?")
    sink = processor("sink", "Pass", state="ENABLED", auto_terminate=("success",))
    link = connection(emit, sink, ["success"])
    controller = make_controller()
    await controller.load(flow([emit, sink], [link]))
    await asyncio.sleep(2.6)
    assert 2 <= Emit.triggers <= 4, f"once a second, got {Emit.triggers} in 2.6 s"


async def test_timer_period_spaces_triggers(make_controller: Any) -> None:
    emit = processor("emit", "Emit", {"Batch Size": "1"}, period="500 ms")
    sink = processor("sink", "Pass", state="ENABLED", auto_terminate=("success",))
    controller = make_controller()
    await controller.load(flow([emit, sink], [connection(emit, sink, ["success"])]))
    await asyncio.sleep(1.3)
    assert 2 <= Emit.triggers <= 4


async def test_yield_pauses_the_processor(make_controller: Any) -> None:
    yielder = processor("y", "Yielder", auto_terminate=("success",), yieldDuration="400 ms")
    controller = make_controller()
    await controller.load(flow([yielder], []))
    await asyncio.sleep(1.0)
    gaps = [b - a for a, b in zip(Yielder.triggers, Yielder.triggers[1:], strict=False)]
    assert 2 <= len(Yielder.triggers) <= 4 and all(gap >= 0.35 for gap in gaps), Yielder.triggers


async def test_penalized_flowfile_waits_out_its_penalty(make_controller: Any) -> None:
    emit = processor("emit", "Emit", {"Batch Size": "1"}, state="ENABLED")
    pen = processor("pen", "Penalize", penaltyDuration="600 ms", auto_terminate=("success",))
    controller = make_controller()
    await controller.load(flow([emit, pen], [connection(emit, pen, ["success"])]))
    await controller.start(emit["identifier"])
    await eventually(lambda: len([n for n, _ in Penalize.seen if n == "1"]) >= 2)
    await controller.stop(emit["identifier"])
    first = [t for n, t in Penalize.seen if n == "1"]
    assert len(first) == 2 and first[1] - first[0] >= 0.55, "seen again only after the penalty"


async def test_flowfiles_cross_ports_funnels_and_groups(make_controller: Any) -> None:
    emit = processor("emit", "Emit", {"Batch Size": "5"}, state="ENABLED")
    inner = processor("inner", "Pass", state="RUNNING")
    sink = processor("sink", "Pass", state="ENABLED", auto_terminate=("success",))
    child_id = uid()
    port_in = {"identifier": uid(), "name": "in", "componentType": "INPUT_PORT", "scheduledState": "RUNNING"}
    port_out = {"identifier": uid(), "name": "out", "componentType": "OUTPUT_PORT", "scheduledState": "RUNNING"}
    funnel = {"identifier": uid(), "componentType": "FUNNEL"}
    child = {"identifier": child_id, "name": "child", "processors": [inner], "inputPorts": [port_in],
             "outputPorts": [port_out],
             "connections": [connection(port_in, inner, []), connection(inner, port_out, ["success"])]}
    to_sink = connection(funnel, sink, [])
    document = flow([emit, sink], [connection(emit, port_in, ["success"]), connection(port_out, funnel, []),
                                   to_sink], processGroups=[child], funnels=[funnel])
    controller = make_controller()
    await controller.load(document)
    await controller.start(emit["identifier"])
    queue = controller.connections[to_sink["identifier"]]
    await eventually(lambda: queue.count >= 5)
    await controller.stop(emit["identifier"])
    started = time.monotonic()
    await eventually(lambda: sum(c.count for c in controller.connections.values()) == queue.count)
    assert time.monotonic() - started < 10
    assert all(ff.attributes["passed"] == "yes" for _, ff in queue.peek(100)), "went through the inner processor"
    skipped = await controller.schedule_group(child_id, "STOPPED")
    assert skipped == []
    assert controller.nodes[inner["identifier"]].run_state == "STOPPED"
