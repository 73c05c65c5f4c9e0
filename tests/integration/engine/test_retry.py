"""NiFi's relationship retry: back to the queue with a back-off until the count is used up."""

from __future__ import annotations

from typing import Any

from tests.conftest import eventually
from tests.support.flows import connection, flow, processor
from tests.support.processors import Fail


async def test_retried_relationship_requeues_then_delivers(make_controller: Any) -> None:
    emit = processor("emit", "Emit", {"Batch Size": "1"}, state="ENABLED")
    fail = processor("fail", "Fail", retriedRelationships=["failure"], retryCount=2, penaltyDuration="100 ms",
                     backoffMechanism="PENALIZE_FLOWFILE", maxBackoffPeriod="1 sec")
    sink = processor("sink", "Pass", state="ENABLED", auto_terminate=("success",))
    failed = connection(fail, sink, ["failure"])
    controller = make_controller()
    await controller.load(flow([emit, fail, sink], [connection(emit, fail, ["success"]), failed]))
    node = controller.nodes[emit["identifier"]]
    from nifi_like.engine.session import StandardProcessSession

    session = StandardProcessSession(node, controller.repo)
    node.processor.on_trigger(controller.scheduler.context_for(node), session)
    session.commit()
    queue = controller.connections[failed["identifier"]]
    await eventually(lambda: queue.count == 1)
    assert Fail.seen == ["1", "1", "1"], "two retries, then the relationship"
    (_, ff), = queue.peek(1)
    assert ff.attributes["failed"] == "yes"
    assert not any(k.startswith("retryCount.") for k in ff.attributes), "the count is dropped once delivered"
