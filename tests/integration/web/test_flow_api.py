"""The REST API as a user drives it: build a flow, run it, look into a queue, empty it, delete it all."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

from nifi_like.repository import provenance_log
from tests.integration.web.conftest import Api

EMPTY_FLOW_LISTS = ("processGroups", "remoteProcessGroups", "processors", "inputPorts", "outputPorts",
                    "connections", "labels", "funnels")


async def poll(api: Api, path: str, check: Callable[[Any], bool], timeout: float = 15.0) -> Any:
    """GET ``path`` until ``check`` holds for its JSON; fail with the last answer after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        latest = await api.ok("GET", path)
        if check(latest):
            return latest
        assert time.monotonic() < deadline, f"{path}: condition not met within {timeout} s: {latest}"
        await asyncio.sleep(0.1)


async def test_read_endpoints_have_nifi_shapes(api: Api) -> None:
    about = await api.ok("GET", "/flow/about")
    assert about["about"]["version"]
    flow = (await api.ok("GET", "/flow/process-groups/root"))["processGroupFlow"]
    uuid.UUID(flow["id"])
    assert all(flow["flow"][key] == [] for key in EMPTY_FLOW_LISTS)
    assert (await api.ok("GET", f"/flow/process-groups/{flow['id']}"))["processGroupFlow"]["id"] == flow["id"]
    status = await api.ok("GET", "/flow/process-groups/root/status")
    assert status["processGroupStatus"]["aggregateSnapshot"]["connectionStatusSnapshots"] == []
    types = (await api.ok("GET", "/flow/processor-types"))["processorTypes"]
    generate = next(t for t in types if t["type"].endswith(".GenerateFlowFile"))
    assert generate["bundle"]["group"] == "org.apache.nifi" and generate["description"]
    assert (await api.ok("GET", "/flow/cluster/summary"))["clusterSummary"]["clustered"] is False
    assert (await api.ok("GET", "/flow/status"))["controllerStatus"]["flowFilesQueued"] == 0
    assert (await api.ok("GET", "/flow/bulletin-board"))["bulletinBoard"]["bulletins"] == []
    assert (await api.ok("GET", "/process-groups/root"))["id"] == flow["id"]
    diagnostics = (await api.ok("GET", "/system-diagnostics"))["systemDiagnostics"]["aggregateSnapshot"]
    assert diagnostics["availableProcessors"] >= 1 and diagnostics["contentRepositoryStorageUsage"][0]["totalSpaceBytes"]


async def test_build_run_inspect_empty_and_delete_a_flow(api: Api) -> None:
    root = await api.root_id()
    group = await api.create_group(root, "web test")
    gid = group["id"]
    assert group["revision"]["version"] == 0 and group["component"]["name"] == "web test"

    generate = await api.create_processor(gid, "GenerateFlowFile")
    assert generate["component"]["state"] == "STOPPED" and generate["component"]["name"] == "GenerateFlowFile"
    assert "File Size" in generate["component"]["config"]["properties"]
    update = await api.create_processor(gid, "UpdateAttribute")
    log = await api.create_processor(gid, "LogAttribute")

    generate = await api.ok("PUT", f"/processors/{generate['id']}", {
        "revision": generate["revision"],
        "component": {"id": generate["id"], "config": {"schedulingPeriod": "100 ms",
                                                        "properties": {"File Size": "1 KB", "Batch Size": "10"}}}})
    assert generate["revision"]["version"] == 1
    assert generate["component"]["config"]["properties"]["Batch Size"] == "10"
    update = await api.ok("PUT", f"/processors/{update['id']}", {
        "revision": update["revision"],
        "component": {"id": update["id"], "config": {"properties": {"web.test": "yes"}}}})
    assert update["component"]["config"]["descriptors"]["web.test"]["dynamic"] is True
    log = await api.ok("PUT", f"/processors/{log['id']}", {
        "revision": log["revision"],
        "component": {"id": log["id"], "config": {"autoTerminatedRelationships": ["success"]}}})
    assert [r["autoTerminate"] for r in log["component"]["relationships"]] == [True]

    first = await api.connect(gid, generate, update, ["success"])
    second = await api.connect(gid, update, log, ["success"])
    assert first["sourceType"] == "PROCESSOR" and first["component"]["source"]["groupId"] == gid
    for proc in (generate, update, log):
        current = await api.ok("GET", f"/processors/{proc['id']}")
        assert current["component"]["validationStatus"] == "VALID", current["component"].get("validationErrors")
        assert current["status"]["runStatus"] == "Stopped"

    scheduled = await api.ok("PUT", f"/flow/process-groups/{gid}", {"id": gid, "state": "RUNNING"})
    assert scheduled["state"] == "RUNNING"
    await poll(api, f"/processors/{log['id']}",
               lambda p: p["status"]["aggregateSnapshot"]["flowFilesIn"] > 0 and p["component"]["state"] == "RUNNING")
    log = await api.ok("GET", f"/processors/{log['id']}")
    log = await api.ok("PUT", f"/processors/{log['id']}/run-status", {"revision": log["revision"], "state": "STOPPED"})
    assert log["component"]["state"] == "STOPPED"
    await poll(api, f"/connections/{second['id']}",
               lambda c: c["status"]["aggregateSnapshot"]["flowFilesQueued"] >= 10)
    await api.ok("PUT", f"/flow/process-groups/{gid}", {"id": gid, "state": "STOPPED"})
    group_status = await api.ok("GET", f"/flow/process-groups/{gid}/status")
    queued = group_status["processGroupStatus"]["aggregateSnapshot"]
    by_id = {s["id"]: s["connectionStatusSnapshot"] for s in queued["connectionStatusSnapshots"]}
    assert queued["flowFilesQueued"] >= by_id[second["id"]]["flowFilesQueued"] >= 10

    listing = (await api.ok("POST", f"/flowfile-queues/{second['id']}/listing-requests", status=202))["listingRequest"]
    assert listing["finished"] is True and listing["failureReason"] is None
    head = listing["flowFileSummaries"][0]
    assert head["position"] == 1 and head["size"] == 1024
    again = (await api.ok("GET", f"/flowfile-queues/{second['id']}/listing-requests/{listing['id']}"))
    assert again["listingRequest"]["flowFileSummaries"][0]["uuid"] == head["uuid"]
    await api.ok("DELETE", f"/flowfile-queues/{second['id']}/listing-requests/{listing['id']}")
    flowfile = (await api.ok("GET", f"/flowfile-queues/{second['id']}/flowfiles/{head['uuid']}"))["flowFile"]
    assert flowfile["attributes"]["uuid"] == head["uuid"] and flowfile["attributes"]["web.test"] == "yes"
    content = await api.client.get(f"/nifi-api/flowfile-queues/{second['id']}/flowfiles/{head['uuid']}/content",
                                   headers={"Authorization": f"Bearer {api.token}"})
    assert content.status == 200 and len(await content.read()) == 1024

    refused = await api.delete(f"/connections/{second['id']}", second["revision"]["version"])
    assert refused.status == 409 and "empty it first" in refused.text
    dropped = 0
    for conn in (first, second):
        drop = (await api.ok("POST", f"/flowfile-queues/{conn['id']}/drop-requests", status=202))["dropRequest"]
        drop = await poll(api, f"/flowfile-queues/{conn['id']}/drop-requests/{drop['id']}",
                          lambda d: d["dropRequest"]["finished"], timeout=3.0)
        assert drop["dropRequest"]["failureReason"] is None
        assert drop["dropRequest"]["currentCount"] == 0
        dropped += drop["dropRequest"]["droppedCount"]
        await api.ok("DELETE", f"/flowfile-queues/{conn['id']}/drop-requests/{drop['dropRequest']['id']}")
    assert all(c.count == 0 for c in api.controller.connections.values())
    assert api.controller.repo.queued_connection_keys() == {}
    env = api.controller.repo.env
    with env.read() as txn:
        events = [provenance_log.as_dict(i, e) for i, e in provenance_log.iter_events(env, txn)]
    drops = [e for e in events if e["event_type"] == "DROP" and e["component_id"] in (first["id"], second["id"])]
    assert len(drops) == dropped > 0 and drops[0]["details"] == "FlowFile Queue emptied by user"

    for conn in (first, second):
        current = await api.ok("GET", f"/connections/{conn['id']}")
        await api.ok("DELETE", f"/connections/{conn['id']}?version={current['revision']['version']}")
    for proc in (generate, update, log):
        current = await api.ok("GET", f"/processors/{proc['id']}")
        await api.ok("DELETE", f"/processors/{proc['id']}?version={current['revision']['version']}&clientId=None")
    current = await api.ok("GET", f"/process-groups/{gid}")
    await api.ok("DELETE", f"/process-groups/{gid}?version={current['revision']['version']}")
    for path in (f"/processors/{generate['id']}", f"/connections/{first['id']}", f"/process-groups/{gid}",
                 f"/flow/process-groups/{gid}"):
        assert (await api.get(path)).status == 404, path
    assert (await api.ok("GET", "/flow/process-groups/root"))["processGroupFlow"]["flow"]["processGroups"] == []


async def test_stale_revision_is_refused_and_nothing_changes(api: Api) -> None:
    root = await api.root_id()
    group = await api.create_group(root, "before")
    renamed = await api.ok("PUT", f"/process-groups/{group['id']}", {
        "revision": group["revision"], "component": {"id": group["id"], "name": "after"}})
    assert renamed["revision"]["version"] == 1
    stale = await api.put(f"/process-groups/{group['id']}", {
        "revision": group["revision"], "component": {"id": group["id"], "name": "stale"}})
    assert stale.status == 400 and stale.content_type == "text/plain"
    assert "is not the most up-to-date revision" in stale.text
    assert (await api.ok("GET", f"/process-groups/{group['id']}"))["component"]["name"] == "after"
    assert (await api.delete(f"/process-groups/{group['id']}", 0)).status == 400
    assert (await api.delete(f"/process-groups/{group['id']}", 0, client_id="None")).status == 400


async def test_last_writers_client_id_passes_an_old_version(api: Api) -> None:
    root = await api.root_id()
    group = await api.create_group(root, "g")
    mine = {"version": 0, "clientId": "client-a"}
    await api.ok("PUT", f"/process-groups/{group['id']}", {"revision": mine, "component": {"name": "one"}})
    await api.ok("PUT", f"/process-groups/{group['id']}", {"revision": mine, "component": {"name": "two"}})
    other = await api.put(f"/process-groups/{group['id']}", {"revision": {"version": 0, "clientId": "client-b"},
                                                             "component": {"name": "three"}})
    assert other.status == 400


async def test_unknown_ids_answer_404(api: Api) -> None:
    missing = str(uuid.uuid4())
    for path in (f"/processors/{missing}", f"/connections/{missing}", f"/process-groups/{missing}",
                 f"/flow/process-groups/{missing}", f"/flow/process-groups/{missing}/status",
                 f"/input-ports/{missing}", f"/funnels/{missing}", f"/flowfile-queues/{missing}/listing-requests/x"):
        reply = await api.get(path)
        assert reply.status == 404, path
        assert missing in reply.text or "x" in reply.text
    reply = await api.put(f"/processors/{missing}", {"revision": {"version": 0}, "component": {"name": "x"}})
    assert reply.status == 404
    assert (await api.delete(f"/processors/{missing}", 0)).status == 404
    assert (await api.get("/no-such-endpoint")).status == 404


async def test_bad_input_answers_400_saying_what_is_wrong(api: Api) -> None:
    root = await api.root_id()
    path = f"/process-groups/{root}/process-groups"
    cases = [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b"", "empty"),
        (b'{"revision": {"version": "abc"}, "component": {"name": "x"}}', "'revision.version' must be an integer"),
        (b'{"revision": {"version": 0}, "component": {"name": 5}}', "'component.name' must be a string"),
        (b'{"revision": {"version": 0}}', "'component.name' is required"),
        (b'{"revision": {"version": 3}, "component": {"name": "x"}}', "A revision of 0 must be specified"),
    ]
    for raw, expected in cases:
        reply = await api.post(path, raw=raw)
        assert reply.status == 400, raw
        assert expected in reply.text, (raw, reply.text)
    generate = await api.create_processor(root, "GenerateFlowFile")
    bad = await api.put(f"/processors/{generate['id']}", {
        "revision": generate["revision"], "component": {"config": {"properties": {"Batch Size": "ten"}}}})
    assert bad.status == 400 and "Batch Size" in bad.text
    bad = await api.put(f"/processors/{generate['id']}", {
        "revision": generate["revision"], "component": {"config": {"schedulingPeriod": "often"}}})
    assert bad.status == 400 and "often" in bad.text
    bad = await api.put(f"/processors/{generate['id']}", {
        "revision": generate["revision"], "component": {"config": {"autoTerminatedRelationships": ["nope"]}}})
    assert bad.status == 400 and "nope" in bad.text
    current = await api.ok("GET", f"/processors/{generate['id']}")
    assert current["revision"]["version"] == 0
    assert current["component"]["config"]["properties"]["Batch Size"] == "1"
    assert current["component"]["config"]["schedulingPeriod"] != "often"
    huge = await api.put(f"/processors/{generate['id']}", {
        "revision": generate["revision"], "component": {"config": {"concurrentlySchedulableTaskCount": 2**70}}})
    assert huge.status == 400 and "concurrentlySchedulableTaskCount" in huge.text
    not_a_number = await api.put(f"/processors/{generate['id']}", raw=b'{"revision": {"version": NaN}}')
    assert not_a_number.status == 400 and "NaN" in not_a_number.text
    bad_regex = await api.get("/flow/bulletin-board", params={"message": "("})
    assert bad_regex.status == 400 and "bulletin board query" in bad_regex.text
    bad_version = await api.call("DELETE", f"/processors/{generate['id']}", params={"version": "two"})
    assert bad_version.status == 400 and "'version'" in bad_version.text
    unknown_type = await api.post(f"/process-groups/{root}/processors", {
        "revision": {"version": 0}, "component": {"type": "com.example.Nope"}})
    assert unknown_type.status == 400 and "com.example.Nope" in unknown_type.text


async def test_running_processor_and_queued_connection_are_protected(api: Api) -> None:
    root = await api.root_id()
    generate = await api.create_processor(root, "GenerateFlowFile", schedulingPeriod="50 ms")
    log = await api.create_processor(root, "LogAttribute", autoTerminatedRelationships=["success"])
    conn = await api.connect(root, generate, log, ["success"])
    generate = await api.ok("PUT", f"/processors/{generate['id']}/run-status",
                            {"revision": {"version": 0}, "state": "RUNNING"})
    changed = await api.put(f"/processors/{generate['id']}", {
        "revision": generate["revision"], "component": {"name": "renamed"}})
    assert changed.status == 409 and "running" in changed.text
    deleted = await api.delete(f"/processors/{generate['id']}", generate["revision"]["version"])
    assert deleted.status == 409
    await poll(api, f"/connections/{conn['id']}", lambda c: c["status"]["aggregateSnapshot"]["flowFilesQueued"] > 0)
    generate = await api.ok("PUT", f"/processors/{generate['id']}/run-status",
                            {"revision": generate["revision"], "state": "STOPPED"})
    refused = await api.delete(f"/connections/{conn['id']}", 0)
    assert refused.status == 409
    assert (await api.ok("GET", f"/connections/{conn['id']}"))["status"]["aggregateSnapshot"]["flowFilesQueued"] > 0
    disabled = await api.ok("PUT", f"/processors/{generate['id']}/run-status",
                            {"revision": generate["revision"], "state": "DISABLED"})
    assert disabled["component"]["state"] == "DISABLED" and disabled["status"]["runStatus"] == "Disabled"
    lonely = await api.create_processor(root, "UpdateAttribute")
    assert lonely["component"]["validationStatus"] == "INVALID" and lonely["status"]["runStatus"] == "Invalid"
    invalid_start = await api.put(f"/processors/{lonely['id']}/run-status", {"revision": {"version": 0},
                                                                            "state": "RUNNING"})
    assert invalid_start.status == 409 and "not connected" in invalid_start.text


async def test_ports_funnels_and_labels(api: Api) -> None:
    root = await api.root_id()
    port = await api.ok("POST", f"/process-groups/{root}/input-ports",
                        {"revision": {"version": 0}, "component": {"name": "in"}}, 201)
    assert port["component"]["type"] == "INPUT_PORT" and port["status"]["runStatus"] in ("Stopped", "Invalid")
    duplicate = await api.post(f"/process-groups/{root}/input-ports",
                               {"revision": {"version": 0}, "component": {"name": "in"}})
    assert duplicate.status == 400
    funnel = await api.ok("POST", f"/process-groups/{root}/funnels",
                          {"revision": {"version": 0}, "component": {"position": {"x": 1, "y": 2}}}, 201)
    label = await api.ok("POST", f"/process-groups/{root}/labels",
                         {"revision": {"version": 0}, "component": {"label": "note", "width": 200}}, 201)
    connected = await api.ok("POST", f"/process-groups/{root}/connections", {"revision": {"version": 0}, "component": {
        "source": {"id": port["id"], "groupId": root, "type": "INPUT_PORT"},
        "destination": {"id": funnel["id"], "groupId": root, "type": "FUNNEL"}}}, 201)
    flow = (await api.ok("GET", "/flow/process-groups/root"))["processGroupFlow"]["flow"]
    assert [len(flow[k]) for k in ("inputPorts", "funnels", "labels", "connections")] == [1, 1, 1, 1]
    assert flow["labels"][0]["component"]["label"] == "note"
    assert (await api.delete(f"/funnels/{funnel['id']}", 0)).status == 409
    await api.ok("DELETE", f"/connections/{connected['id']}?version=0")
    for path in (f"/funnels/{funnel['id']}", f"/labels/{label['id']}", f"/input-ports/{port['id']}"):
        await api.ok("DELETE", f"{path}?version=0")
    flow = (await api.ok("GET", "/flow/process-groups/root"))["processGroupFlow"]["flow"]
    assert [len(flow[k]) for k in ("inputPorts", "funnels", "labels", "connections")] == [0, 0, 0, 0]


async def test_edits_are_saved_and_survive_a_restart(api: Api) -> None:
    root = await api.root_id()
    await api.create_group(root, "kept")
    document = api.controller.store.load()
    assert [g["name"] for g in document["flowContents"]["processGroups"]] == ["kept"]


async def test_run_once_triggers_a_stopped_processor_once(api: Api) -> None:
    root = await api.root_id()
    generate = await api.create_processor(root, "GenerateFlowFile", properties={"Batch Size": "3"})
    log = await api.create_processor(root, "LogAttribute", autoTerminatedRelationships=["success"])
    conn = await api.connect(root, generate, log, ["success"])
    for expected in (3, 6):
        generate = await api.ok("PUT", f"/processors/{generate['id']}/run-status",
                                {"revision": generate["revision"], "state": "RUN_ONCE"})
        assert generate["component"]["state"] == "STOPPED" and generate["status"]["runStatus"] == "Stopped"
        queued = (await api.ok("GET", f"/connections/{conn['id']}"))["status"]["aggregateSnapshot"]["flowFilesQueued"]
        assert queued == expected, "one trigger of a batch of 3, durable before the answer"
    running = await api.ok("PUT", f"/processors/{log['id']}/run-status", {"revision": log["revision"],
                                                                          "state": "RUNNING"})
    busy = await api.put(f"/processors/{log['id']}/run-status", {"revision": running["revision"],
                                                                 "state": "RUN_ONCE"})
    assert busy.status == 409 and "running" in busy.text
    lonely = await api.create_processor(root, "UpdateAttribute")
    invalid = await api.put(f"/processors/{lonely['id']}/run-status", {"revision": {"version": 0},
                                                                      "state": "RUN_ONCE"})
    assert invalid.status == 409 and "not connected" in invalid.text
