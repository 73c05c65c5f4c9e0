"""Provenance, lineage, replay, status history and /metrics over REST, as NiFi clients call them."""

from __future__ import annotations

import asyncio
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import eventually
from tests.integration.web.conftest import Api
from tests.support.flows import connection, flow, processor


async def _run_flow(api: Api) -> dict[str, Any]:
    emit = processor("emit", "Emit", {"Batch Size": "3"}, state="ENABLED")
    sink = processor("sink", "Pass", state="ENABLED", auto_terminate=("success",))
    link = connection(emit, sink, ["success"], name="to-sink")
    await api.controller.load(flow([emit, sink], [link]))
    await api.controller.start(emit["identifier"])
    queue = api.controller.connections[link["identifier"]]
    await eventually(lambda: queue.count >= 3)
    await api.controller.stop(emit["identifier"])
    return {"emit": emit, "sink": sink, "link": link, "queue": queue}


async def test_search_event_lineage_content_and_replay(api: Api) -> None:
    parts = await _run_flow(api)
    (_, ff), *_ = parts["queue"].peek(1)
    search = await api.ok("POST", "/provenance", {"provenance": {"request": {
        "searchTerms": {"FlowFileUUID": {"value": ff.id, "inverse": False}}, "maxResults": 100}}}, 201)
    query = search["provenance"]
    assert query["finished"] is True
    events = query["results"]["provenanceEvents"]
    assert [e["eventType"] for e in events] == ["CREATE"] and events[0]["flowFileUuid"] == ff.id
    assert events[0]["componentName"] == "emit"
    again = await api.ok("GET", f"/provenance/{query['id']}")
    assert again["provenance"]["results"]["totalCount"] == 1
    by_component = await api.ok("POST", "/provenance", {"provenance": {"request": {
        "searchTerms": {"ProcessorID": {"value": parts["emit"]["identifier"]}}, "maxResults": 2}}}, 201)
    assert len(by_component["provenance"]["results"]["provenanceEvents"]) == 2
    assert (await api.delete(f"/provenance/{query['id']}", 0)).status == 200
    assert (await api.get(f"/provenance/{query['id']}")).status == 404

    lineage = await api.ok("POST", "/provenance/lineage", {"lineage": {"request": {
        "lineageRequestType": "FLOWFILE", "uuid": ff.id}}}, 201)
    nodes = lineage["lineage"]["results"]["nodes"]
    assert any(n.get("flowFileUuid") == ff.id for n in nodes) and lineage["lineage"]["results"]["links"]

    event_id = events[0]["eventId"]
    event = await api.ok("GET", f"/provenance-events/{event_id}")
    assert event["provenanceEvent"]["eventType"] == "CREATE"
    content = await api.get(f"/provenance-events/{event_id}/content/output")
    assert content.status == 200 and content.text == ff.attributes["n"]
    assert (await api.get("/provenance-events/999999999")).status == 404
    assert (await api.get("/provenance-events/abc")).status == 400
    assert (await api.get("/provenance-events/99999999999999999999999")).status == 400
    huge = await api.post("/provenance/lineage", {"lineage": {"request": {"eventId": 2**64}}})
    assert huge.status == 400, "found by schemathesis: an event id past 8 bytes was a 500"


async def test_replay_requeues_the_recorded_flowfile(api: Api) -> None:
    parts = await _run_flow(api)
    queue = parts["queue"]
    await api.controller.start(parts["sink"]["identifier"])
    await eventually(lambda: queue.count == 0)
    await api.controller.stop(parts["sink"]["identifier"])
    await asyncio.sleep(0.2)
    drops = await api.ok("POST", "/provenance", {"provenance": {"request": {
        "searchTerms": {"EventType": {"value": "DROP"}}, "maxResults": 1}}}, 201)
    (drop,) = drops["provenance"]["results"]["provenanceEvents"]
    replayed = await api.ok("POST", "/provenance-events/replays", {"eventId": drop["eventId"]}, 201)
    assert replayed["provenanceEvent"]["eventType"] == "REPLAY"
    await eventually(lambda: queue.count == 1)


async def test_status_history_and_prometheus_metrics_match_status(api: Api) -> None:
    parts = await _run_flow(api)
    history = await api.ok("GET", f"/flow/processors/{parts['emit']['identifier']}/status/history")
    assert "aggregateSnapshots" in history["statusHistory"]
    assert (await api.get("/flow/processors/00000000-0000-4000-8000-000000000000/status/history")).status == 404
    reply = await api.client.get("/metrics", headers={"Authorization": f"Bearer {api.token}"})
    assert reply.status == 200
    text = await reply.text()
    queued = {s.labels["connection_id"]: s.value for family in text_string_to_metric_families(text)
              for s in family.samples if s.name == "nifi_like_connection_queued_count"}
    (conn,) = api.controller.status()["connections"]
    assert queued == {parts["link"]["identifier"]: conn["queued_count"]} and conn["queued_count"] >= 3
    unauthenticated = await api.client.get("/metrics")
    assert unauthenticated.status == 401
