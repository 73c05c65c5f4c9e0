"""Emptying a queue longer than its in-memory window, durably, while data may still arrive."""

from __future__ import annotations

from collections.abc import Callable

from nifi_like.engine.controller import FlowController
from nifi_like.flow.model import new_id
from nifi_like.web.queues import QueueRequests
from tests.conftest import eventually


async def deep_queue(make_controller: Callable[..., FlowController], **settings: object) -> tuple[FlowController, str,
                                                                                                str]:
    controller = make_controller(queue_window=64, **settings)
    gen, log, conn = new_id(), new_id(), new_id()
    await controller.load({"flowContents": {"identifier": new_id(), "name": "deep", "processors": [
        {"identifier": gen, "name": "generate", "type": "GenerateFlowFile", "scheduledState": "RUNNING",
         "properties": {"File Size": "100 B", "Batch Size": "500"}, "schedulingPeriod": "10 ms"},
        {"identifier": log, "name": "log", "type": "LogAttribute", "autoTerminatedRelationships": ["success"]}],
        "connections": [{"identifier": conn, "source": {"id": gen, "type": "PROCESSOR"},
                         "destination": {"id": log, "type": "PROCESSOR"}, "selectedRelationships": ["success"],
                         "backPressureObjectThreshold": 100_000}]}})
    return controller, gen, conn


async def test_a_queue_far_longer_than_its_window_is_emptied(make_controller: Callable[..., FlowController]) -> None:
    controller, gen, conn_id = await deep_queue(make_controller)
    conn = controller.connections[conn_id]
    await eventually(lambda: conn.count >= 3000)
    await controller.stop(gen)
    original = conn.count
    drop = QueueRequests(controller).start_drop(conn)
    assert drop.task is not None
    await drop.task
    assert (drop.failure, drop.dropped_count, drop.dropped_size) == (None, original, original * 100)
    assert conn.count == 0 and conn.bytes == 0 and not conn.has_available()
    assert controller.repo.queued_connection_keys() == {}
    assert controller.repo.queue_stats(conn.key) == (0, 0)


async def test_what_arrives_during_a_drop_stays_queued(make_controller: Callable[..., FlowController]) -> None:
    controller, gen, conn_id = await deep_queue(make_controller)
    conn = controller.connections[conn_id]
    await eventually(lambda: conn.count >= 2000)
    drop = QueueRequests(controller).start_drop(conn)
    assert drop.task is not None
    await drop.task
    assert drop.failure is None and drop.dropped_count == drop.original_count
    await eventually(lambda: conn.count > 0)
    await controller.stop(gen)
    assert controller.repo.queue_stats(conn.key) == (conn.count, conn.bytes), "memory and disk agree"
    assert len(controller.repo.load_queue(conn.key, -1, 1_000_000)) == conn.count
