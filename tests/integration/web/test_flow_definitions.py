"""Flow definitions over HTTP: upload as NiFi 2's UI does, download, and read back the same structure."""

from __future__ import annotations

import json
import os
from typing import Any

import aiohttp

from tests.integration.web.conftest import Api

DEMO_FLOW = os.path.join(os.path.dirname(__file__), "..", "..", "..", "conf", "demo-flow.json")
KINDS = ("processors", "connections", "processGroups", "inputPorts", "outputPorts", "funnels", "labels")


def nested_flow() -> dict[str, Any]:
    """A parent with a child group: data crosses the boundary through the child's ports, via a funnel."""
    def proc(ident: str, type_name: str, **extra: Any) -> dict[str, Any]:
        return {"identifier": ident, "name": type_name, "type": f"org.apache.nifi.processors.standard.{type_name}",
                "properties": {}, "scheduledState": "RUNNING", **extra}

    def end(ident: str, kind: str, group: str) -> dict[str, str]:
        return {"id": ident, "type": kind, "groupId": group}

    child = {"identifier": "child", "name": "child", "processors": [proc("log", "LogAttribute",
                                                                         autoTerminatedRelationships=["success"])],
             "inputPorts": [{"identifier": "in", "name": "in"}], "outputPorts": [],
             "connections": [{"identifier": "c3", "source": end("in", "INPUT_PORT", "child"),
                              "destination": end("log", "PROCESSOR", "child"), "selectedRelationships": [""]}]}
    return {"flowContents": {
        "identifier": "top", "name": "exported", "processors": [proc("gen", "GenerateFlowFile")],
        "funnels": [{"identifier": "funnel"}], "labels": [{"identifier": "note", "label": "hello"}],
        "processGroups": [child],
        "connections": [
            {"identifier": "c1", "source": end("gen", "PROCESSOR", "top"), "destination": end("funnel", "FUNNEL", "top"),
             "selectedRelationships": ["success"]},
            {"identifier": "c2", "source": end("funnel", "FUNNEL", "top"), "destination": end("in", "INPUT_PORT", "child"),
             "selectedRelationships": [""]}]},
        "parameterContexts": {}, "flowEncodingVersion": "1.0", "variables": {}}


def counts(group: dict[str, Any]) -> dict[str, int]:
    totals = dict.fromkeys(KINDS, 0)
    pending = [group]
    while pending:
        current = pending.pop()
        for kind in KINDS:
            totals[kind] += len(current.get(kind, []))
        pending.extend(current.get("processGroups", []))
    return totals


async def upload(api: Api, parent: str, document: bytes, name: str = "uploaded") -> Any:
    form = aiohttp.FormData()
    form.add_field("groupName", name)
    form.add_field("positionX", "10")
    form.add_field("positionY", "20.5")
    form.add_field("clientId", "test-client")
    form.add_field("file", document, filename="flow.json", content_type="application/json")
    response = await api.client.post(f"/nifi-api/process-groups/{parent}/process-groups/upload", data=form,
                                     headers={"Authorization": f"Bearer {api.token}"})
    return response.status, await response.text()


async def download(api: Api, group_id: str) -> dict[str, Any]:
    response = await api.client.get(f"/nifi-api/process-groups/{group_id}/download",
                                    headers={"Authorization": f"Bearer {api.token}"})
    assert response.status == 200
    assert "attachment" in response.headers["Content-Disposition"]
    result: dict[str, Any] = json.loads(await response.read())
    return result


async def test_uploaded_flows_read_back_with_the_same_structure(api: Api) -> None:
    root = await api.root_id()
    with open(DEMO_FLOW, "rb") as fh:
        demo = fh.read()
    documents = (demo, json.dumps(nested_flow()).encode())
    for document in documents:
        status, text = await upload(api, root, document)
        assert status == 201, text
        group = json.loads(text)
        assert group["component"]["name"] == "uploaded" and group["component"]["position"] == {"x": 10.0, "y": 20.5}
        assert group["revision"] == {"version": 0, "clientId": "test-client"}
        back = await download(api, group["id"])
        assert counts(back["flowContents"]) == counts(json.loads(document)["flowContents"])
        states = {p["identifier"]: api.controller.nodes[p["identifier"]].run_state
                  for p in back["flowContents"]["processors"]}
        assert set(states.values()) == {"STOPPED"}, "uploaded components come in stopped"
    flow = (await api.ok("GET", "/flow/process-groups/root"))["processGroupFlow"]["flow"]
    assert len(flow["processGroups"]) == 2
    ids = {p["id"] for g in flow["processGroups"] for p in (await api.ok(
        "GET", f"/process-groups/{g['id']}/processors?includeDescendantGroups=True"))["processors"]}
    expected = sum(counts(json.loads(d)["flowContents"])["processors"] for d in documents)
    assert len(ids) == expected and "gen" not in ids, "every uploaded component gets a new id"


async def test_the_same_file_uploads_twice(api: Api) -> None:
    root = await api.root_id()
    document = json.dumps(nested_flow()).encode()
    assert (await upload(api, root, document, "one"))[0] == 201
    assert (await upload(api, root, document, "two"))[0] == 201


async def test_unsupported_types_are_refused_naming_them(api: Api) -> None:
    root = await api.root_id()
    flow = nested_flow()
    flow["flowContents"]["processors"].append({"identifier": "x", "name": "x",
                                               "type": "org.apache.nifi.processors.kafka.ConsumeKafka"})
    status, text = await upload(api, root, json.dumps(flow).encode())
    assert status == 400 and "ConsumeKafka" in text
    assert (await api.ok("GET", "/flow/process-groups/root"))["processGroupFlow"]["flow"]["processGroups"] == []


async def test_bad_uploads_answer_400(api: Api) -> None:
    root = await api.root_id()
    status, text = await upload(api, root, b"{oops")
    assert status == 400 and "not valid JSON" in text
    status, text = await upload(api, root, b'{"something": 1}')
    assert status == 400 and "flowContents" in text
    response = await api.client.post(f"/nifi-api/process-groups/{root}/process-groups/upload", data=b"{}",
                                     headers={"Authorization": f"Bearer {api.token}",
                                              "Content-Type": "application/json"})
    assert response.status == 400


async def test_search_finds_components_by_name_and_property(api: Api) -> None:
    root = await api.root_id()
    generate = await api.create_processor(root, "GenerateFlowFile", properties={"Custom Text": "needle-in-text"})
    results = (await api.ok("GET", "/flow/search-results?q=NEEDLE"))["searchResultsDTO"]
    assert [r["id"] for r in results["processorResults"]] == [generate["id"]]
    assert (await api.ok("GET", "/flow/search-results?q=nothing-like-this"))["searchResultsDTO"]["processorResults"] == []


async def test_a_flow_built_over_rest_downloads_and_uploads_again(api: Api) -> None:
    root = await api.root_id()
    group = await api.create_group(root, "built")
    generate = await api.create_processor(group["id"], "GenerateFlowFile")
    log = await api.create_processor(group["id"], "LogAttribute", autoTerminatedRelationships=["success"])
    await api.connect(group["id"], generate, log, ["success"])
    exported = await download(api, group["id"])
    assert all(p["bundle"]["artifact"] == "nifi-standard-nar" for p in exported["flowContents"]["processors"])
    status, text = await upload(api, root, json.dumps(exported).encode(), "copy")
    assert status == 201, text
    assert counts((await download(api, json.loads(text)["id"]))["flowContents"]) == counts(exported["flowContents"])
