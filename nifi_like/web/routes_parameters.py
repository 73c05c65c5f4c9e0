"""Parameter contexts: list, create, read, delete, and NiFi's asynchronous update requests."""

from __future__ import annotations

import time
import uuid
from typing import Any

from aiohttp import web

from nifi_like.web import models
from nifi_like.web.common import (
    body_revision,
    creation_revision,
    json_response,
    parse,
    query_revision,
    shapes,
)
from nifi_like.web.errors import BadRequest, NotFound
from nifi_like.web.keys import EDITOR, PARAMETER_UPDATES, REVISIONS
from nifi_like.web.openapi import describe
from nifi_like.web.schema import JsonObj

routes = web.RouteTableDef()
MAX_KEPT_UPDATES = 100


def _changes(component: JsonObj) -> tuple[list[dict[str, Any]], list[str] | None]:
    parameters = [entry["parameter"] for entry in component.get("parameters", [])]
    inherited = None
    if "inheritedParameterContexts" in component:
        inherited = [ref["id"] for ref in component["inheritedParameterContexts"] if ref and ref.get("id")]
    return parameters, inherited


@routes.get("/nifi-api/flow/parameter-contexts")
@describe("Every parameter context")
async def list_contexts(request: web.Request) -> web.StreamResponse:
    built = shapes(request)
    contexts = request.app[EDITOR].parameter_contexts().values()
    return json_response({"parameterContexts": [built.parameter_context(c) for c in contexts]})


@routes.post("/nifi-api/parameter-contexts")
@describe("Create a parameter context", body=models.PARAMETER_CONTEXT_ENTITY, status=201)
async def create_context(request: web.Request) -> web.StreamResponse:
    data = await parse(request, models.PARAMETER_CONTEXT_ENTITY)
    revision = creation_revision(data, "Parameter Context")
    component = data.get("component", {})
    if not component.get("name"):
        raise BadRequest("'component.name' is required")
    parameters, inherited = _changes(component)
    editor = request.app[EDITOR]
    async with editor.lock:
        context = editor.add_parameter_context(component["name"], component.get("description") or "", parameters,
                                               inherited or [])
        request.app[REVISIONS].created(context["identifier"], revision.client_id)
    return json_response(shapes(request).parameter_context(context), status=201)


@routes.get("/nifi-api/parameter-contexts/{id}")
@describe("A parameter context (sensitive values are masked)")
async def get_context(request: web.Request) -> web.StreamResponse:
    context = request.app[EDITOR].parameter_context(request.match_info["id"])
    return json_response(shapes(request).parameter_context(context))


@routes.delete("/nifi-api/parameter-contexts/{id}")
@describe("Delete a parameter context no group uses", query=("version", "clientId"))
async def delete_context(request: web.Request) -> web.StreamResponse:
    context_id = request.match_info["id"]
    revision = query_revision(request)
    editor = request.app[EDITOR]
    async with editor.lock:
        entity = shapes(request).parameter_context(editor.parameter_context(context_id))
        request.app[REVISIONS].check(context_id, revision)
        editor.remove_parameter_context(context_id)
        request.app[REVISIONS].forget(context_id)
    return json_response(entity)


@routes.post("/nifi-api/parameter-contexts/{id}/update-requests")
@describe("Change a parameter context; running processors that use it are restarted with the new values",
          body=models.PARAMETER_CONTEXT_ENTITY, status=200)
async def submit_update(request: web.Request) -> web.StreamResponse:
    context_id = request.match_info["id"]
    data = await parse(request, models.PARAMETER_CONTEXT_ENTITY)
    revision = body_revision(data)
    component = data.get("component", {})
    if component.get("id") not in (None, context_id):
        raise BadRequest(f"The context id in the request body ('{component['id']}') does not match the URL")
    parameters, inherited = _changes(component)
    editor = request.app[EDITOR]
    async with editor.lock:
        editor.parameter_context(context_id)
        request.app[REVISIONS].check(context_id, revision)
        restarted = await editor.update_parameter_context(context_id, component.get("name"),
                                                          component.get("description"), parameters, inherited)
        new_revision = request.app[REVISIONS].bump(context_id, revision.client_id)
    built = shapes(request)
    now = time.strftime("%m/%d/%Y %H:%M:%S UTC", time.gmtime())
    request_id = str(uuid.uuid4())
    update = {"parameterContextRevision": new_revision.to_json(), "request": {
        "requestId": request_id, "uri": f"/nifi-api/parameter-contexts/{context_id}/update-requests/{request_id}",
        "submissionTime": now, "lastUpdated": now, "complete": True, "failureReason": None,
        "percentCompleted": 100, "state": "Complete",
        "updateSteps": [{"description": "Stopping affected processors", "complete": True, "failureReason": None},
                        {"description": "Updating parameter context", "complete": True, "failureReason": None},
                        {"description": "Restarting affected processors", "complete": True, "failureReason": None}],
        "parameterContext": built.parameter_context(editor.parameter_context(context_id))["component"],
        "referencingComponents": [{"id": i, "component": {"id": i}} for i in restarted]}}
    updates = request.app[PARAMETER_UPDATES]
    updates[request_id] = (context_id, update)
    while len(updates) > MAX_KEPT_UPDATES:  # clients normally delete theirs; bound the ones they forget
        del updates[next(iter(updates))]
    return json_response(update)


def _update(request: web.Request) -> JsonObj:
    found = request.app[PARAMETER_UPDATES].get(request.match_info["request_id"])
    if found is None or found[0] != request.match_info["id"]:
        raise NotFound(f"Unable to find update request with id '{request.match_info['request_id']}'.")
    return found[1]


@routes.get("/nifi-api/parameter-contexts/{id}/update-requests/{request_id}")
@describe("A parameter context update request")
async def get_update(request: web.Request) -> web.StreamResponse:
    return json_response(_update(request))


@routes.delete("/nifi-api/parameter-contexts/{id}/update-requests/{request_id}")
@describe("Forget a finished parameter context update request")
async def delete_update(request: web.Request) -> web.StreamResponse:
    update = _update(request)
    del request.app[PARAMETER_UPDATES][request.match_info["request_id"]]
    return json_response(update)
