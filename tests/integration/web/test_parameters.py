"""Parameter contexts: create, bind to a group, use in a property, change while running, delete."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.integration.web.conftest import Api


async def wait_for(check: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_a_parameter_change_reaches_a_running_processor(api: Api) -> None:
    root = await api.root_id()
    context = await api.ok("POST", "/parameter-contexts", {"revision": {"version": 0}, "component": {
        "name": "sizes", "parameters": [
            {"parameter": {"name": "size", "value": "3 B"}},
            {"parameter": {"name": "secret", "value": "hunter2", "sensitive": True}}]}}, 201)
    assert context["component"]["parameters"][1]["parameter"]["value"] == "********"
    group = await api.create_group(root, "uses parameters")
    group = await api.ok("PUT", f"/process-groups/{group['id']}", {
        "revision": group["revision"], "component": {"parameterContext": {"id": context["id"]}}})
    assert group["component"]["parameterContext"]["component"]["name"] == "sizes"
    bound = await api.ok("GET", f"/parameter-contexts/{context['id']}")
    assert [g["id"] for g in bound["component"]["boundProcessGroups"]] == [group["id"]]

    generate = await api.create_processor(group["id"], "GenerateFlowFile", schedulingPeriod="20 ms",
                                          properties={"File Size": "#{size}"})
    log = await api.create_processor(group["id"], "LogAttribute", autoTerminatedRelationships=["success"])
    conn = await api.connect(group["id"], generate, log, ["success"])
    await api.ok("PUT", f"/processors/{generate['id']}/run-status", {"revision": {"version": 0}, "state": "RUNNING"})
    queue = api.controller.connections[conn["id"]]
    await wait_for(lambda: queue.count > 0)
    assert {ff.size for _, ff in queue.peek(100)} == {3}

    update = await api.ok("POST", f"/parameter-contexts/{context['id']}/update-requests", {
        "revision": bound["revision"], "id": context["id"],
        "component": {"id": context["id"], "parameters": [{"parameter": {"name": "size", "value": "5 B"}},
                                                          {"parameter": {"name": "secret", "value": "********",
                                                                         "sensitive": True}}]}})
    assert update["request"]["complete"] is True and update["request"]["failureReason"] is None
    assert [c["id"] for c in update["request"]["referencingComponents"]] == [generate["id"]]
    assert api.controller.nodes[generate["id"]].run_state == "RUNNING", "restarted after the change"
    await wait_for(lambda: 5 in {ff.size for _, ff in queue.peek(10_000)})
    request_path = f"/parameter-contexts/{context['id']}/update-requests/{update['request']['requestId']}"
    assert (await api.ok("GET", request_path))["request"]["complete"] is True
    await api.ok("DELETE", request_path)
    secret = next(p for p in api.controller.flow.document["parameterContexts"]["sizes"]["parameters"]
                  if p["name"] == "secret")
    assert secret["value"] == "hunter2", "a masked value sent back keeps the stored one"

    current = await api.ok("GET", f"/parameter-contexts/{context['id']}")
    refused = await api.delete(f"/parameter-contexts/{context['id']}", current["revision"]["version"])
    assert refused.status == 409 and "uses parameters" in refused.text
    stale = await api.post(f"/parameter-contexts/{context['id']}/update-requests", {
        "revision": {"version": 0}, "component": {"parameters": [{"parameter": {"name": "size"}}]}})
    assert stale.status == 400
    removed = await api.ok("POST", f"/parameter-contexts/{context['id']}/update-requests", {
        "revision": current["revision"], "component": {"parameters": [{"parameter": {"name": "secret"}}]}})
    assert [p["parameter"]["name"] for p in removed["request"]["parameterContext"]["parameters"]] == ["size"]


async def test_unbinding_and_deleting_a_context(api: Api) -> None:
    root = await api.root_id()
    context = await api.ok("POST", "/parameter-contexts",
                           {"revision": {"version": 0}, "component": {"name": "temporary"}}, 201)
    duplicate = await api.post("/parameter-contexts", {"revision": {"version": 0}, "component": {"name": "temporary"}})
    assert duplicate.status == 400
    group = await api.create_group(root, "g")
    group = await api.ok("PUT", f"/process-groups/{group['id']}", {
        "revision": group["revision"], "component": {"parameterContext": {"id": context["id"]}}})
    group = await api.ok("PUT", f"/process-groups/{group['id']}", {
        "revision": group["revision"], "component": {"parameterContext": {}}})
    assert "parameterContext" not in group["component"]
    await api.ok("DELETE", f"/parameter-contexts/{context['id']}?version=0")
    assert (await api.ok("GET", "/flow/parameter-contexts"))["parameterContexts"] == []
    assert (await api.get(f"/parameter-contexts/{context['id']}")).status == 404
    unknown = await api.put(f"/process-groups/{group['id']}", {
        "revision": group["revision"], "component": {"parameterContext": {"id": context["id"]}}})
    assert unknown.status == 404
