"""/flow/...: the canvas of a group, status, types, bulletins, and scheduling a whole group."""

from __future__ import annotations

import re
import time

from aiohttp import web

from nifi_like.api.units import format_data_size
from nifi_like.web import models
from nifi_like.web.common import json_response, parse, query_bool, shapes
from nifi_like.web.dto import bulletin_entity, engine_version, processor_type
from nifi_like.web.errors import BadRequest, Conflict
from nifi_like.web.keys import CONTROLLER, EDITOR, REVISIONS
from nifi_like.web.openapi import describe
from nifi_like.web.revisions import Revision

routes = web.RouteTableDef()
#: The NiFi REST API level this server speaks (nipyapi compares versions against it).
NIFI_API_VERSION = "2.0.0"


@routes.get("/nifi-api/flow/about")
@describe("Version information")
async def about(request: web.Request) -> web.StreamResponse:
    return json_response({"about": {
        "title": "NiFi", "version": NIFI_API_VERSION, "uri": f"{request.scheme}://{request.host}/nifi-api/",
        "contentViewerUrl": "", "timezone": time.strftime("%Z"), "buildTag": f"nifi-like-{engine_version()}",
        "buildRevision": "", "buildBranch": "", "buildTimestamp": ""}})


@routes.get("/nifi-api/flow/process-groups/{id}")
@describe("A group's canvas: its components with their status ('root' is the root group)")
async def group_flow(request: web.Request) -> web.StreamResponse:
    group = request.app[EDITOR].group(request.match_info["id"])
    return json_response(shapes(request).group_flow(group))


@routes.get("/nifi-api/flow/process-groups/{id}/status")
@describe("Status of a group: totals and per-component snapshots", query=("recursive",))
async def group_status(request: web.Request) -> web.StreamResponse:
    group = request.app[EDITOR].group(request.match_info["id"])
    status = shapes(request).group_status(group, recursive=query_bool(request, "recursive"))
    return json_response({"processGroupStatus": status, "canRead": True})


@routes.put("/nifi-api/flow/process-groups/{id}")
@describe("Start, stop, enable or disable everything in a group and its descendants", body=models.SCHEDULE)
async def schedule_group(request: web.Request) -> web.StreamResponse:
    data = await parse(request, models.SCHEDULE)
    editor = request.app[EDITOR]
    group = editor.group(request.match_info["id"])
    revisions = request.app[REVISIONS]
    async with editor.lock:
        for component_id, revision in (data.get("components") or {}).items():
            revisions.check(component_id, Revision(revision["version"], revision.get("clientId")))
        changed = await editor.schedule_group(group["identifier"], data["state"])
        for component_id in changed:
            revisions.bump(component_id, None)
    return json_response({"id": group["identifier"], "state": data["state"],
                          "components": {i: revisions.get(i).to_json() for i in changed}})


@routes.get("/nifi-api/flow/processor-types")
@describe("The processor types this engine runs", query=("type", "bundleGroupFilter", "bundleArtifactFilter"))
async def processor_types(request: web.Request) -> web.StreamResponse:
    wanted_type = request.query.get("type")
    types = [processor_type(cls) for cls in request.app[CONTROLLER].registry.types()]
    if wanted_type:
        types = [t for t in types if t["type"] == wanted_type or t["type"].rsplit(".", 1)[-1] == wanted_type]
    for key in ("bundleGroupFilter", "bundleArtifactFilter"):
        value = request.query.get(key)
        if value:
            field = "group" if key == "bundleGroupFilter" else "artifact"
            types = [t for t in types if t["bundle"][field] == value]
    return json_response({"processorTypes": types})


@routes.get("/nifi-api/flow/status")
@describe("Totals of the whole flow: threads, queued FlowFiles, component counts")
async def controller_status(request: web.Request) -> web.StreamResponse:
    controller = request.app[CONTROLLER]
    built = shapes(request)
    counts = built.group_counts(controller.flow.root)
    count = sum(c.count for c in controller.connections.values())
    size = sum(c.bytes for c in controller.connections.values())
    return json_response({"controllerStatus": {
        "activeThreadCount": sum(n.active_threads for n in controller.nodes.values()), "terminatedThreadCount": 0,
        "queued": f"{count:,} / {format_data_size(size)}", "flowFilesQueued": count, "bytesQueued": size,
        **counts, "activeRemotePortCount": 0, "inactiveRemotePortCount": 0, "upToDateCount": 0,
        "locallyModifiedCount": 0, "staleCount": 0, "locallyModifiedAndStaleCount": 0, "syncFailureCount": 0}})


@routes.get("/nifi-api/flow/bulletin-board")
@describe("Recent bulletins", query=("after", "limit", "sourceName", "message", "sourceId", "groupId"))
async def bulletin_board(request: web.Request) -> web.StreamResponse:
    query = request.query
    try:
        after = int(query.get("after", "0"))
        limit = int(query["limit"]) if "limit" in query else None
        patterns = {key: re.compile(query[key]) for key in ("sourceName", "message", "sourceId", "groupId")
                    if query.get(key)}
    except (ValueError, re.error) as exc:
        raise BadRequest(f"Invalid bulletin board query: {exc}") from None
    bulletins = request.app[CONTROLLER].bulletins.all(after_id=after)
    fields = {"sourceName": "source_name", "message": "message", "sourceId": "source_id", "groupId": "group_id"}
    selected = [b for b in bulletins if all(p.search(getattr(b, fields[k])) for k, p in patterns.items())]
    if limit is not None:
        selected = selected[-limit:] if limit > 0 else []
    return json_response({"bulletinBoard": {"bulletins": [bulletin_entity(b) for b in selected],
                                            "generated": time.strftime("%H:%M:%S UTC", time.gmtime())}})


@routes.get("/nifi-api/flow/controller/controller-services")
@describe("Controller-level controller services (nifi_like keeps services in process groups)")
async def controller_services(request: web.Request) -> web.StreamResponse:
    return json_response({"controllerServices": []})


@routes.get("/nifi-api/flow/parameter-providers")
@describe("Parameter providers (none yet)")
async def parameter_providers(request: web.Request) -> web.StreamResponse:
    return json_response({"parameterProviders": []})


@routes.get("/nifi-api/flow/search-results")
@describe("Search components by name, id, type, comments, properties", query=("q",))
async def search(request: web.Request) -> web.StreamResponse:
    """Components whose name, id, type, comments or properties contain ``q`` (case-insensitive)."""
    needle = request.query.get("q", "").strip().lower()
    flow = request.app[CONTROLLER].flow
    results: dict[str, list[dict[str, object]]] = {key: [] for key in SEARCH_LISTS.values()}
    results.update(remoteProcessGroupResults=[], controllerServiceNodeResults=[], parameterContextResults=[],
                   parameterProviderNodeResults=[], parameterResults=[])
    if needle:
        for loc in flow.index.values():
            key = SEARCH_LISTS.get(loc.kind)
            if key is None:
                continue
            matches = _matches(loc.component, needle, request.app[CONTROLLER].sensitivity.names(loc.component))
            if matches:
                parent = loc.group if loc.group is not loc.component else None
                results[key].append({
                    "id": loc.component["identifier"], "name": loc.component.get("name") or loc.component.get("label")
                    or "", "groupId": parent["identifier"] if parent else None, "matches": matches,
                    "parentGroup": {"id": parent["identifier"], "name": parent.get("name") or ""} if parent else None})
    return json_response({"searchResultsDTO": results})


SEARCH_LISTS = {"PROCESSOR": "processorResults", "CONNECTION": "connectionResults",
                "PROCESS_GROUP": "processGroupResults", "INPUT_PORT": "inputPortResults",
                "OUTPUT_PORT": "outputPortResults", "FUNNEL": "funnelResults", "LABEL": "labelResults"}


def _matches(component: dict[str, object], needle: str, hidden: set[str]) -> list[str]:
    """What of a component contains ``needle``; sensitive property values are never searched."""
    found = [f"{title}: {value}" for title, key in (("Id", "identifier"), ("Name", "name"), ("Type", "type"),
                                                    ("Comments", "comments"), ("Label", "label"))
             if isinstance(value := component.get(key), str) and needle in value.lower()]
    properties = component.get("properties")
    if isinstance(properties, dict):
        found += [f"Property: {name} - {value}" for name, value in properties.items()
                  if needle in name.lower() or (name not in hidden and isinstance(value, str) and needle in value.lower())]
    relationships = component.get("selectedRelationships")
    if isinstance(relationships, list):
        found += [f"Relationship: {r}" for r in relationships if isinstance(r, str) and r and needle in r.lower()]
    return found


@routes.get("/nifi-api/tenants/users")
@describe("Users: 409 in single-user mode, as NiFi answers")
async def tenants_users(request: web.Request) -> web.StreamResponse:
    raise Conflict("This NiFi is not configured to internally manage users, groups, or policies. Please contact "
                   "your system administrator.")
