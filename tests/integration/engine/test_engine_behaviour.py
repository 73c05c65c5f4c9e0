"""The engine core as a user meets it: back pressure, atomic sessions, restarts."""

from __future__ import annotations

import asyncio
from typing import Any

from nifi_like.engine.session import StandardProcessSession
from tests.conftest import eventually
from tests.support.flows import connection, flow, processor
from tests.support.processors import Emit, Explode


async def test_full_queue_stops_upstream_trigger(make_controller: Any) -> None:
    emit = processor("emit", "Emit", {"Batch Size": "10"})
    sink = processor("sink", "Pass", state="ENABLED", auto_terminate=("success",))
    link = connection(emit, sink, ["success"], threshold=100)
    controller = make_controller()
    await controller.load(flow([emit, sink], [link]))
    queue = controller.connections[link["identifier"]]
    await eventually(lambda: queue.count >= 100)
    triggers = Emit.triggers
    await asyncio.sleep(1.0)
    assert queue.count <= 100 + 10, "at most the threshold plus one session's output"
    assert Emit.triggers == triggers, "the upstream processor must not be triggered while the queue is full"
    await controller.stop(emit["identifier"])
    await controller.start(sink["identifier"])
    await eventually(lambda: queue.count == 0)


async def test_exception_mid_session_leaves_inputs_untouched(make_controller: Any) -> None:
    emit = processor("emit", "Emit", {"Batch Size": "5"}, state="ENABLED")
    boom = processor("boom", "Explode", state="ENABLED", auto_terminate=("success",))
    link = connection(emit, boom, ["success"])
    controller = make_controller()
    await controller.load(flow([emit, boom], [link]))
    await controller.start(emit["identifier"])
    queue = controller.connections[link["identifier"]]
    await eventually(lambda: queue.count >= 5)
    await controller.stop(emit["identifier"])
    before = {ff.id: (dict(ff.attributes), controller.repo.content.read_bytes(ff.claim))
              for _, ff in queue.peek(1000)}
    await controller.start(boom["identifier"])
    await eventually(lambda: Explode.calls >= 1 and bool(controller.bulletins.for_component(boom["identifier"])))
    await asyncio.sleep(0.5)
    assert Explode.calls == 1, "administratively yielded after the exception"
    bulletin = controller.bulletins.for_component(boom["identifier"])[-1]
    assert bulletin.level == "ERROR" and "boom in the middle of a session" in bulletin.message
    assert "administratively yielded" in bulletin.message
    node = controller.nodes[boom["identifier"]]
    await eventually(lambda: node.active_threads == 0)
    assert queue.count == len(before)
    after = {ff.id: (dict(ff.attributes), controller.repo.content.read_bytes(ff.claim))
             for _, ff in queue.peek(1000)}
    assert after == before, "inputs are back in the queue, attributes and content untouched"


async def test_restart_resumes_recorded_run_states_and_keeps_queues(make_controller: Any, tmp_path: Any) -> None:
    emit = processor("emit", "Emit", {"Batch Size": "10"})
    sink = processor("sink", "Pass", state="DISABLED", auto_terminate=("success",))
    link = connection(emit, sink, ["success"], threshold=50)
    controller = make_controller()
    await controller.load(flow([emit, sink], [link]))
    queue = controller.connections[link["identifier"]]
    await eventually(lambda: queue.count >= 50)
    await controller.shutdown()
    queued = queue.count
    again = make_controller()
    await again.load(None)
    assert again.nodes[emit["identifier"]].run_state == "RUNNING"
    assert again.nodes[sink["identifier"]].run_state == "DISABLED"
    restored = again.connections[link["identifier"]]
    assert restored.count == queued
    assert [ff.attributes["n"] for _, ff in restored.peek(5)] == [str(n) for n in range(1, 6)]


async def test_relationship_to_two_connections_clones(make_controller: Any) -> None:
    emit = processor("emit", "Emit", {"Batch Size": "3"}, state="ENABLED")
    a = processor("a", "Pass", state="ENABLED", auto_terminate=("success",))
    b = processor("b", "Pass", state="ENABLED", auto_terminate=("success",))
    to_a, to_b = connection(emit, a, ["success"]), connection(emit, b, ["success"])
    controller = make_controller()
    await controller.load(flow([emit, a, b], [to_a, to_b]))
    node = controller.nodes[emit["identifier"]]
    session = StandardProcessSession(node, controller.repo)
    node.processor.on_trigger(controller.scheduler.context_for(node), session)
    session.commit()
    qa, qb = controller.connections[to_a["identifier"]], controller.connections[to_b["identifier"]]
    assert qa.count == qb.count == 3
    ids_a = {ff.id for _, ff in qa.peek(10)}
    ids_b = {ff.id for _, ff in qb.peek(10)}
    assert not ids_a & ids_b
    assert sorted(ff.attributes["n"] for _, ff in qa.peek(10)) == sorted(ff.attributes["n"] for _, ff in qb.peek(10))
