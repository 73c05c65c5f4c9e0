"""Flow definition files as NiFi writes them upload, read back with the same structure, and work.

The files in nifi_flows/ carry every field NiFi 1.16-2.x puts in a "Download flow definition"
file or a registry snapshot: bundles, property descriptors, instance identifiers, name-based
versioned ids, nested groups with ports crossing group boundaries, funnels, labels, controller
services referenced by id, inherited parameter contexts, a sensitive parameter exported without
a value, a CRON schedule taken from a parameter, Expression Language, and 1.x-era ``variables``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from tests.integration.web.conftest import Api
from tests.integration.web.test_flow_definitions import counts, download, upload

FLOWS = os.path.join(os.path.dirname(__file__), "nifi_flows")
SUPPORTED = ("orders-ingest.nifi2-download.json", "log-tailer.registry-snapshot.json")


def read(name: str) -> bytes:
    with open(os.path.join(FLOWS, name), "rb") as fh:
        return fh.read()


def ports(group: dict[str, Any]) -> int:
    found = counts(group)
    return found["inputPorts"] + found["outputPorts"]


def walk(group: dict[str, Any]) -> list[dict[str, Any]]:
    groups = [group]
    for child in group.get("processGroups", []):
        groups.extend(walk(child))
    return groups


@pytest.mark.parametrize("name", SUPPORTED)
async def test_nifi_files_upload_and_read_back_with_the_same_counts(api: Api, name: str) -> None:
    document = read(name)
    original = json.loads(document)["flowContents"]
    root = await api.root_id()
    status, text = await upload(api, root, document, name)
    assert status == 201, text
    group_id = json.loads(text)["id"]
    back = (await download(api, group_id))["flowContents"]
    assert counts(back) == counts(original)
    assert ports(back) == ports(original) and len(walk(back)) == len(walk(original))
    listed = await api.ok("GET", f"/process-groups/{group_id}/processors?includeDescendantGroups=true")
    assert len(listed["processors"]) == counts(original)["processors"]
    # the flow as the REST API shows it: the same connections, each end resolved to a component
    flow = (await api.ok("GET", f"/flow/process-groups/{group_id}"))["processGroupFlow"]["flow"]
    top = original
    assert len(flow["connections"]) == len(top["connections"])
    assert len(flow["funnels"]) == len(top["funnels"]) and len(flow["labels"]) == len(top["labels"])
    assert len(flow["processGroups"]) == len(top["processGroups"])


async def test_the_uploaded_nifi_2_flow_is_valid_and_its_services_follow_the_new_ids(api: Api) -> None:
    root = await api.root_id()
    status, text = await upload(api, root, read("orders-ingest.nifi2-download.json"), "orders")
    assert status == 201, text
    group_id = json.loads(text)["id"]
    processors = {p["component"]["name"]: p for p in (await api.ok(
        "GET", f"/process-groups/{group_id}/processors?includeDescendantGroups=true"))["processors"]}
    services = {s["component"]["name"]: s for s in (await api.ok(
        "GET", f"/flow/process-groups/{group_id}/controller-services"))["controllerServices"]}
    convert = processors["Orders to CSV"]["component"]
    # NiFi 2.0's 'record-reader' is renamed to today's 'Record Reader', as NiFi's migrateProperties does
    assert "record-reader" not in convert["config"]["properties"]
    assert convert["config"]["properties"]["Record Reader"] == services["Orders JSON reader"]["id"]
    assert convert["config"]["properties"]["Record Writer"] == services["Orders CSV writer"]["id"]
    custom_text = processors["Generate orders"]["component"]["config"]["properties"]["Custom Text"]
    assert custom_text.startswith('{"id": "${random()')
    generate = processors["Generate orders"]["component"]["config"]
    assert generate["schedulingStrategy"] == "CRON_DRIVEN" and generate["schedulingPeriod"] == "#{Trigger Schedule}"
    # Services come in disabled, so ConvertRecord says so; nothing else is wrong with the flow.
    problems = {name: p["component"].get("validationErrors") or [] for name, p in processors.items()}
    assert all("disabled" in e or "not enabled" in e.lower() for e in problems.pop("Orders to CSV")), problems
    assert problems == dict.fromkeys(problems, []), problems
    contexts = {c["component"]["name"] for c in (await api.ok("GET", "/flow/parameter-contexts"))["parameterContexts"]}
    assert {"Orders", "Common"} <= contexts


async def test_a_nifi_file_with_types_nifi_like_lacks_is_refused_naming_each(api: Api) -> None:
    root = await api.root_id()
    status, text = await upload(api, root, read("kafka-to-s3.unsupported-types.json"), "kafka")
    assert status == 400
    assert "org.apache.nifi.kafka.processors.ConsumeKafka" in text and "org.apache.nifi.processors.aws.s3.PutS3Object" in text, text
    assert "UpdateAttribute" not in text.replace("s3.key", ""), "only the unknown types are named"
    assert (await api.ok("GET", "/flow/process-groups/root"))["processGroupFlow"]["flow"]["processGroups"] == []


async def test_properties_nifi_like_lacks_make_the_processor_invalid_naming_them(api: Api) -> None:
    root = await api.root_id()
    status, text = await upload(api, root, read("log-tailer.registry-snapshot.json"), "tailer")
    assert status == 201, text
    processors = {p["component"]["name"]: p["component"] for p in (await api.ok(
        "GET", f"/process-groups/{json.loads(text)['id']}/processors?includeDescendantGroups=true"))["processors"]}
    tail = processors["TailFile"]
    assert tail["validationStatus"] == "INVALID"
    assert any("'tailfile-lookup-frequency'" in e and "not a property of TailFile" in e
               for e in tail["validationErrors"]), tail["validationErrors"]
    assert tail["config"]["properties"]["File(s) to Tail"] == "in/app.log", "NiFi's 'File to Tail', renamed"
    assert processors["SplitText"]["validationStatus"] == "VALID", processors["SplitText"].get("validationErrors")
