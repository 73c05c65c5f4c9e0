"""Processors that run scripts or commands (NiFi's "execute code" restriction) are refused unless
[security] allow_execute_code is true: in a loaded flow and through the REST API. (No processor of
this build executes code yet; RunCommand, a test processor, stands for ExecuteScript/ExecuteProcess.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nifi_like.engine.controller import FlowController
from nifi_like.flow.errors import FlowError
from tests.conftest import eventually
from tests.integration.web.conftest import Api
from tests.support.flows import connection, flow, processor


def _command_flow() -> dict[str, object]:
    run = processor("run", "RunCommand", {"Command": "/bin/echo", "Arguments": "hello from a command"},
                    period="1 sec")
    sink = processor("sink", "Pass", state="ENABLED", auto_terminate=("success",))
    return flow([run, sink], [connection(run, sink, ["success"])])


async def test_a_command_processor_is_refused_by_default(make_controller: Callable[..., FlowController]) -> None:
    controller = make_controller()
    with pytest.raises(FlowError, match=r"RunCommand\[run, .*runs scripts or commands.*allow_execute_code = true"):
        await controller.load(_command_flow())
    assert not controller.store.exists(), "a refused flow must not be stored"


async def test_a_command_processor_runs_when_allowed(make_controller: Callable[..., FlowController]) -> None:
    controller = make_controller(allow_execute_code=True)
    document = _command_flow()
    await controller.load(document)
    link = controller.connections[document["flowContents"]["connections"][0]["identifier"]]  # type: ignore[index]
    await eventually(lambda: link.count >= 1)


async def test_the_rest_api_refuses_to_add_one(api: Api) -> None:
    root = await api.root_id()
    types = (await api.ok("GET", "/flow/processor-types"))["processorTypes"]
    listed = next(t for t in types if t["type"].endswith(".RunCommand"))
    assert listed["restricted"] is True
    assert listed["explicitRestrictions"][0]["requiredPermission"]["label"] == "execute code"
    reply = await api.post(f"/process-groups/{root}/processors", {
        "revision": {"version": 0}, "component": {"type": listed["type"], "bundle": listed["bundle"]}})
    assert reply.status == 400 and "allow_execute_code" in reply.text, reply.text
    assert not any(p["component"]["type"] == listed["type"] for p in
                   (await api.ok("GET", f"/process-groups/{root}/processors"))["processors"])
