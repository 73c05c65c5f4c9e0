"""Scheduling as NiFi users know it: CRON, run schedule, yield, penalty, ports and funnels."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from nifi_like.engine.controller import ComponentStateError
from tests.conftest import eventually
from tests.support.flows import connection, flow, processor, uid
from tests.support.processors import Emit, Lifecycle, Penalize, Yielder


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


async def test_lifecycle_and_concurrent_tasks(make_controller: Any) -> None:
    emit = processor("emit", "Emit", {"Batch Size": "20"}, state="ENABLED")
    life = processor("life", "Lifecycle", state="ENABLED", auto_terminate=("success",), tasks=3,
                     schedulingStrategy="EVENT_DRIVEN")
    controller = make_controller()
    await controller.load(flow([emit, life], [connection(emit, life, ["success"])]))
    await controller.start(emit["identifier"])
    await eventually(lambda: Emit.counter >= 40)
    await controller.stop(emit["identifier"])
    await controller.start(life["identifier"])
    queue = next(iter(controller.connections.values()))
    await eventually(lambda: queue.count == 0)
    await controller.stop(life["identifier"])
    assert Lifecycle.calls == ["on_scheduled", "on_stopped"]
    assert len(Lifecycle.threads) == 3 and Lifecycle.overlap >= 2, "three tasks ran side by side"


async def test_run_duration_shares_one_session_between_triggers(make_controller: Any) -> None:
    # one trigger of Emit (a long period): a busy machine would otherwise queue thousands before the stop
    emit = processor("emit", "Emit", {"Batch Size": "30"}, state="ENABLED", period="1 min")
    life = processor("life", "Lifecycle", state="ENABLED", auto_terminate=("success",), runDurationMillis=500)
    controller = make_controller()
    await controller.load(flow([emit, life], [connection(emit, life, ["success"])]))
    await controller.start(emit["identifier"])
    await eventually(lambda: Emit.counter >= 30)
    await controller.stop(emit["identifier"])
    await controller.start(life["identifier"])
    queue = next(iter(controller.connections.values()))
    await eventually(lambda: queue.count == 0)
    assert max(Lifecycle.per_session.values()) >= 5, f"triggers per session: {Lifecycle.per_session}"


async def test_invalid_processor_is_not_started(make_controller: Any) -> None:
    emit = processor("emit", "Emit", {"Batch Size": "5"}, state="ENABLED")
    sink = processor("sink", "Pass", state="ENABLED")  # 'success' neither connected nor auto-terminated
    controller = make_controller()
    await controller.load(flow([emit, sink], [connection(emit, sink, ["success"])]))
    with pytest.raises(ComponentStateError, match="relationship 'success' is not connected"):
        await controller.start(sink["identifier"])
    assert controller.status()["processors"][1]["run_status"] == "Invalid"


async def test_a_stop_racing_a_start_wins_and_nothing_hangs(make_controller: Any, monkeypatch: Any) -> None:
    """A cluster change may start a processor while the engine stops it: the stop must win, and the
    old trigger threads must not be revived (the stop would then wait for them forever)."""
    life = processor("life", "Lifecycle", state="ENABLED", auto_terminate=("success",))
    controller = make_controller()
    await controller.load(flow([life], []))
    node = controller.nodes[life["identifier"]]
    slow = time.sleep

    def slow_on_scheduled(self: Any, context: Any) -> None:
        Lifecycle.calls.append("on_scheduled")
        slow(0.3)

    monkeypatch.setattr(Lifecycle, "on_scheduled", slow_on_scheduled)
    starting = asyncio.ensure_future(controller.scheduler.start(node))
    await asyncio.sleep(0.05)  # on_scheduled is running
    await asyncio.wait_for(controller.scheduler.stop(node), 5)
    await asyncio.wait_for(starting, 5)
    assert not controller.scheduler.is_scheduled(node) and node.run_state != "RUNNING"
    assert Lifecycle.calls[-2:] == ["on_scheduled", "on_stopped"]
    await controller.scheduler.start(node)  # a running processor being stopped...
    stopping = asyncio.ensure_future(controller.scheduler.stop(node))
    await controller.scheduler.start(node)  # ...is not restarted under the stop's feet
    await asyncio.wait_for(stopping, 5)
    assert not controller.scheduler.is_scheduled(node)
    await asyncio.wait_for(controller.shutdown(), 10)


async def test_stop_reaches_the_tasks_even_when_a_flow_change_replaced_the_node(make_controller: Any,
                                                                               monkeypatch: Any) -> None:
    life = processor("life", "Lifecycle", state="ENABLED", auto_terminate=("success",))
    controller = make_controller()
    await controller.load(flow([life], []))
    started = controller.nodes[life["identifier"]]
    slow = time.sleep
    monkeypatch.setattr(Lifecycle, "on_scheduled", lambda self, context: slow(0.3))
    starting = asyncio.ensure_future(controller.scheduler.start(started))
    await asyncio.sleep(0.05)
    controller.sync_runtime()  # a cluster flow arriving mid-start rebuilds the node (not RUNNING yet)
    replaced = controller.nodes[life["identifier"]]
    assert replaced is not started
    await asyncio.wait_for(starting, 5)
    await asyncio.wait_for(controller.scheduler.stop(replaced), 5)
    assert started.run_state != "RUNNING" and not controller.scheduler.is_scheduled(replaced)
    await asyncio.wait_for(controller.shutdown(), 10)
