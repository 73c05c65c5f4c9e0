"""Controller services: enabled as a unit, referenced by processors, guarded while in use."""

from __future__ import annotations

from typing import Any

import pytest

from nifi_like.engine.controller import ComponentStateError
from nifi_like.flow.errors import FlowError
from tests.conftest import eventually
from tests.support.flows import connection, flow, processor, uid
from tests.support.processors import Sequence


def _service(state: str = "ENABLED", start: str = "100") -> dict[str, Any]:
    return {"identifier": uid(), "name": "numbers", "type": "com.example.Sequence", "properties": {"Start": start},
            "scheduledState": state}


async def test_processor_uses_an_enabled_service_and_restart_reenables_it(make_controller: Any) -> None:
    service = _service()
    emit = processor("emit", "Emit", {"Batch Size": "3"}, state="ENABLED")
    number = processor("number", "Number", {"Sequence": service["identifier"]}, state="RUNNING")
    sink = processor("sink", "Pass", state="ENABLED", auto_terminate=("success",))
    out = connection(number, sink, ["success"])
    document = flow([emit, number, sink], [connection(emit, number, ["success"]), out],
                    controllerServices=[service])
    controller = make_controller()
    await controller.load(document)
    assert controller.services.nodes[service["identifier"]].state == "ENABLED"
    assert controller.nodes[number["identifier"]].run_state == "RUNNING", "started after its service"
    await controller.start(emit["identifier"])
    queue = controller.connections[out["identifier"]]
    await eventually(lambda: queue.count >= 3)
    await controller.stop(emit["identifier"])
    assert sorted(int(ff.attributes["seq"]) for _, ff in queue.peek(3)) == [100, 101, 102]

    with pytest.raises(ComponentStateError, match="referenced by running components: number"):
        await controller.disable_service(service["identifier"])
    await controller.stop(number["identifier"])
    await controller.disable_service(service["identifier"])
    assert Sequence.enabled == []
    with pytest.raises(ComponentStateError, match="controller service numbers.*is not enabled"):
        await controller.start(number["identifier"])
    await controller.enable_service(service["identifier"])
    await controller.shutdown()
    again = make_controller()
    await again.load(None)
    assert again.services.nodes[service["identifier"]].state == "ENABLED", "recorded state is resumed"


async def test_bad_references_and_types_are_named(make_controller: Any) -> None:
    missing = processor("number", "Number", {"Sequence": "no-such-service"}, state="ENABLED",
                        auto_terminate=("success",))
    controller = make_controller()
    await controller.load(flow([missing], []))
    with pytest.raises(ComponentStateError, match="'no-such-service' is not a controller service"):
        await controller.start(missing["identifier"])
    unknown = {**_service(), "type": "org.apache.nifi.dbcp.HikariCPConnectionPool"}
    with pytest.raises(FlowError, match="unknown controller service type 'org.apache.nifi.dbcp.HikariCPConnectionPool'"):
        await controller.load(flow([], [], controllerServices=[unknown]))
    invalid = _service(start="soon")
    with pytest.raises(FlowError, match="Property 'Start'.*'soon' is not an integer"):
        await controller.load(flow([], [], controllerServices=[invalid]))
