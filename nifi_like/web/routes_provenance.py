"""Provenance, lineage, replay, status history and Prometheus metrics in NiFi's REST shapes.

Queries and lineage are computed when submitted (the indexed store answers in milliseconds),
kept under an id for the client to poll and delete, as NiFi's asynchronous requests are.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from nifi_like.monitoring import metrics
from nifi_like.monitoring.history import StatusHistory
from nifi_like.provenance.lineage import LineageError
from nifi_like.provenance.replay import ReplayError, replay_event
from nifi_like.provenance.store import ProvenanceQuery
from nifi_like.web.common import json_response, parse
from nifi_like.web.errors import BadRequest, Conflict, NotFound
from nifi_like.web.keys import CLAIMS, CONTROLLER
from nifi_like.web.openapi import describe
from nifi_like.web.schema import Boolean, Integer, MapOf, Obj, Text

routes = web.RouteTableDef()
REQUESTS: web.AppKey[dict[str, dict[str, Any]]] = web.AppKey("provenance_requests")
KEEP_SECONDS = 600
MAX_EVENT_ID = 2**63 - 1  # event ids are stored as 8-byte keys
SEARCH_TERMS = {"ProcessorID": "component_id", "FlowFileUUID": "flowfile_uuid", "Filename": "filename",
                "EventType": "event_type"}

SEARCH_VALUE = Obj("ProvenanceSearchValueDTO", {"value": Text(), "inverse": Boolean()})
PROVENANCE_REQUEST = Obj("ProvenanceEntity", {"provenance": Obj("ProvenanceDTO", {"request": Obj(
    "ProvenanceRequestDTO", {
        "searchTerms": MapOf(SEARCH_VALUE, "ProcessorID, FlowFileUUID, Filename, EventType"),
        "startDate": Text("MM/dd/yyyy HH:mm:ss z, as NiFi's UI sends it, or ISO 8601"),
        "endDate": Text(), "maxResults": Integer(minimum=0, maximum=10_000), "summarize": Boolean(),
        "incrementalResults": Boolean(), "clusterNodeId": Text(nullable=True)})})}, required=("provenance",))
LINEAGE_REQUEST = Obj("LineageEntity", {"lineage": Obj("LineageDTO", {"request": Obj("LineageRequestDTO", {
    "lineageRequestType": Text(enum=("FLOWFILE", "PARENTS", "CHILDREN")), "uuid": Text(),
    "eventId": Integer(minimum=1, maximum=MAX_EVENT_ID),
    "clusterNodeId": Text(nullable=True)})})}, required=("lineage",))
REPLAY_REQUEST = Obj("SubmitReplayRequestEntity", {"eventId": Integer(minimum=1, maximum=MAX_EVENT_ID),
                                                   "clusterNodeId": Text(nullable=True)},
                     required=("eventId",))


def _when(text: str | None, field: str) -> int | None:
    if not text:
        return None
    for pattern in ("%m/%d/%Y %H:%M:%S %Z", "%m/%d/%Y %H:%M:%S"):
        try:
            return int(datetime.strptime(text, pattern).replace(tzinfo=UTC).timestamp() * 1000)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"'{field}' is '{text}', not a date like '11/23/2026 15:00:00 UTC'") from None
    return int((parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp() * 1000)


def _stamp(millis: float | None = None) -> str:
    moment = datetime.fromtimestamp((millis if millis is not None else time.time() * 1000) / 1000, UTC)
    return moment.strftime("%m/%d/%Y %H:%M:%S.%f")[:-3] + " UTC"


def _remember(request: web.Request, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    store = request.app[REQUESTS]
    now = time.time()
    for key in [k for k, v in store.items() if v["_expires"] < now]:
        del store[key]
    request_id = str(uuid.uuid4())
    body.update({"id": request_id, "uri": f"/nifi-api/{kind}/{request_id}", "submissionTime": _stamp(),
                 "expiration": _stamp((now + KEEP_SECONDS) * 1000), "percentCompleted": 100, "finished": True})
    store[request_id] = {"_expires": now + KEEP_SECONDS, "_kind": kind, "body": body}
    return body


def _recall(request: web.Request, kind: str) -> dict[str, Any]:
    found = request.app[REQUESTS].get(request.match_info["id"])
    if found is None or found["_kind"] != kind:
        raise NotFound(f"Unable to find {kind.replace('/', ' ')} request with id '{request.match_info['id']}'.")
    body: dict[str, Any] = found["body"]
    return body


def _names(request: web.Request) -> dict[str, str]:
    return {node.id: node.name for node in request.app[CONTROLLER].nodes.values()}


@routes.post("/nifi-api/provenance")
@describe("Search provenance: searchTerms ProcessorID, FlowFileUUID, Filename, EventType and a time range",
          body=PROVENANCE_REQUEST, status=201)
async def submit_query(request: web.Request) -> web.StreamResponse:
    body = (await parse(request, PROVENANCE_REQUEST))["provenance"].get("request", {})
    terms: dict[str, Any] = {}
    for name, value in (body.get("searchTerms") or {}).items():
        if name not in SEARCH_TERMS:
            raise BadRequest(f"unknown search term '{name}' (known: {', '.join(SEARCH_TERMS)})")
        if value.get("inverse"):
            raise BadRequest(f"inverse search on '{name}' is not supported")
        if value.get("value"):
            terms[SEARCH_TERMS[name]] = value["value"]
    query = ProvenanceQuery(**terms, start_ms=_when(body.get("startDate"), "startDate"),
                            end_ms=_when(body.get("endDate"), "endDate"), max_results=body.get("maxResults", 1000))
    controller = request.app[CONTROLLER]
    result = await asyncio.get_running_loop().run_in_executor(None, controller.provenance.query, query)
    names = _names(request)
    results = {"provenanceEvents": [e.to_dto(names.get(e.componentId)) for e in result.events],
               "total": f"{result.total:,}{'' if result.total_exact else '+'}", "totalCount": result.total,
               "generated": _stamp(), "oldestEvent": _stamp(result.oldest_event_ms) if result.oldest_event_ms else None,
               "timeOffset": 0, "errors": []}
    entity = _remember(request, "provenance", {"request": body, "results": results})
    return json_response({"provenance": entity}, status=201)


@routes.get("/nifi-api/provenance/{id}")
@describe("A provenance query and its results")
async def get_query(request: web.Request) -> web.StreamResponse:
    return json_response({"provenance": _recall(request, "provenance")})


@routes.delete("/nifi-api/provenance/{id}")
@describe("Forget a provenance query")
async def delete_query(request: web.Request) -> web.StreamResponse:
    body = _recall(request, "provenance")
    del request.app[REQUESTS][request.match_info["id"]]
    return json_response({"provenance": body})


@routes.post("/nifi-api/provenance/lineage")
@describe("The lineage of a FlowFile (lineageRequestType FLOWFILE with its uuid): nodes and links",
          body=LINEAGE_REQUEST, status=201)
async def submit_lineage(request: web.Request) -> web.StreamResponse:
    body = (await parse(request, LINEAGE_REQUEST))["lineage"].get("request", {})
    controller = request.app[CONTROLLER]
    flowfile_uuid = body.get("uuid")
    if not flowfile_uuid and body.get("eventId"):
        event = controller.provenance.store.event(int(body["eventId"]))
        flowfile_uuid = event.flowFileUuid if event is not None else None
    if not flowfile_uuid:
        raise BadRequest("a lineage request needs 'uuid' (or the 'eventId' of an event of the FlowFile)")
    try:
        lineage = await asyncio.get_running_loop().run_in_executor(None, controller.provenance.lineage,
                                                                   flowfile_uuid)
    except LineageError as exc:
        raise NotFound(str(exc)) from exc
    entity = _remember(request, "provenance/lineage", {"request": body, "results": {**lineage.to_dto(),
                                                                                       "errors": []}})
    return json_response({"lineage": entity}, status=201)


@routes.get("/nifi-api/provenance/lineage/{id}")
@describe("A lineage request and its graph")
async def get_lineage(request: web.Request) -> web.StreamResponse:
    return json_response({"lineage": _recall(request, "provenance/lineage")})


@routes.delete("/nifi-api/provenance/lineage/{id}")
@describe("Forget a lineage request")
async def delete_lineage(request: web.Request) -> web.StreamResponse:
    body = _recall(request, "provenance/lineage")
    del request.app[REQUESTS][request.match_info["id"]]
    return json_response({"lineage": body})


def _event(request: web.Request) -> Any:
    raw = request.match_info["id"]
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= MAX_EVENT_ID:  # '³'.isdigit() is True
        raise BadRequest(f"'{raw}' is not a provenance event id (a number from 1 to {MAX_EVENT_ID})")
    event = request.app[CONTROLLER].provenance.store.event(int(raw))
    if event is None:
        raise NotFound(f"Unable to find provenance event with id '{raw}'; it may have aged off.")
    return event


@routes.get("/nifi-api/provenance-events/{id}")
@describe("One provenance event with its attributes before and after")
async def get_event(request: web.Request) -> web.StreamResponse:
    event = _event(request)
    return json_response({"provenanceEvent": event.to_dto(_names(request).get(event.componentId))})


async def _content(request: web.Request, side: str) -> web.StreamResponse:
    event = _event(request)
    claim = event.input_claim if side == "input" else event.claim
    if claim is None:
        raise NotFound(f"Provenance event {event.eventId} has no {side} content.")
    content = request.app[CONTROLLER].repo.content
    try:
        data = await asyncio.get_running_loop().run_in_executor(None, content.read_bytes, claim)
    except Exception as exc:
        raise NotFound(f"The {side} content of provenance event {event.eventId} is no longer available: {exc}") \
            from exc
    mime = event.attributes.get("mime.type") or "application/octet-stream"
    filename = event.attributes.get("filename", f"event-{event.eventId}")
    return web.Response(body=data, content_type=mime,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@routes.get("/nifi-api/provenance-events/{id}/content/input")
@describe("The content a provenance event started from", produces="application/octet-stream")
async def input_content(request: web.Request) -> web.StreamResponse:
    return await _content(request, "input")


@routes.get("/nifi-api/provenance-events/{id}/content/output")
@describe("The content a provenance event left", produces="application/octet-stream")
async def output_content(request: web.Request) -> web.StreamResponse:
    return await _content(request, "output")


@routes.post("/nifi-api/provenance-events/replays")
@describe("Replay an event: its input content and attributes go back into the queue it came from",
          body=REPLAY_REQUEST, status=201)
async def replay(request: web.Request) -> web.StreamResponse:
    data = await parse(request, REPLAY_REQUEST)
    controller = request.app[CONTROLLER]
    user = str(request[CLAIMS].get("sub", "anonymous")) if CLAIMS in request else "anonymous"
    try:
        result = await asyncio.get_running_loop().run_in_executor(
            None, lambda: replay_event(controller, int(data["eventId"]), requested_by=user))
    except ReplayError as exc:
        raise Conflict(str(exc)) from exc
    event = controller.provenance.store.event(result.replay_event_id)
    if event is None:
        raise NotFound(f"the REPLAY event {result.replay_event_id} is not readable yet")
    return json_response({"provenanceEvent": event.to_dto(_names(request).get(event.componentId))}, status=201)


async def _history(request: web.Request, kind: str) -> web.StreamResponse:
    component_id = request.match_info["id"]
    controller = request.app[CONTROLLER]
    if kind == "PROCESS_GROUP" and component_id == "root":
        component_id = str(controller.flow.root["identifier"])
    loc = controller.flow.find(component_id)
    if loc is None or loc.kind != kind:
        raise NotFound(f"Unable to find {kind.lower().replace('_', ' ')} with id '{component_id}'.")
    history = StatusHistory(controller.repo.env).history(component_id)
    if history is None:
        history = {"statusHistory": {"generated": _stamp(), "componentDetails": {"Id": component_id},
                                     "fieldDescriptors": [], "aggregateSnapshots": [], "nodeSnapshots": []}}
    return json_response(history)


@routes.get("/nifi-api/flow/processors/{id}/status/history")
@describe("A processor's status at one-minute points over the last 24 h")
async def processor_history(request: web.Request) -> web.StreamResponse:
    return await _history(request, "PROCESSOR")


@routes.get("/nifi-api/flow/connections/{id}/status/history")
@describe("A connection's queue at one-minute points over the last 24 h")
async def connection_history(request: web.Request) -> web.StreamResponse:
    return await _history(request, "CONNECTION")


@routes.get("/nifi-api/flow/process-groups/{id}/status/history")
@describe("A process group's status at one-minute points over the last 24 h")
async def group_history(request: web.Request) -> web.StreamResponse:
    return await _history(request, "PROCESS_GROUP")


@routes.get("/metrics")
@describe("Prometheus metrics (queues, processors, commit latency, LMDB size, provenance lag)",
          produces=metrics.CONTENT_TYPE)
async def prometheus(request: web.Request) -> web.StreamResponse:
    text = metrics.render(request.app[CONTROLLER])
    return web.Response(body=text.encode(), headers={"Content-Type": metrics.CONTENT_TYPE})


@routes.get("/nifi-api/flow/metrics/prometheus")
@describe("Prometheus metrics, at NiFi 2's path", produces=metrics.CONTENT_TYPE)
async def prometheus_nifi_path(request: web.Request) -> web.StreamResponse:
    return await prometheus(request)
