"""Create, read, update and delete processors, connections, groups, ports, funnels and labels.

Each change checks the component's revision, edits the flow through the FlowEditor under its
lock, and answers with the component's new entity and revision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from nifi_like.flow.editor import FlowEditor
from nifi_like.flow.model import GROUP_LISTS, Located
from nifi_like.web import models
from nifi_like.web.common import (
    body_revision,
    creation_revision,
    json_response,
    matching_id,
    parse,
    query_bool,
    query_revision,
    shapes,
)
from nifi_like.web.dto import Shapes, bundle
from nifi_like.web.errors import BadRequest
from nifi_like.web.keys import EDITOR, REVISIONS
from nifi_like.web.openapi import describe
from nifi_like.web.schema import Obj

routes = web.RouteTableDef()
Fields = dict[str, Any]


# -- request bodies -> flow model fields -------------------------------------------------
def _pick(data: Fields, names: tuple[str, ...], renames: dict[str, str] | None = None) -> Fields:
    renames = renames or {}
    return {renames.get(name, name): data[name] for name in names if name in data}


def processor_fields(component: Fields) -> Fields:
    """The model fields a ProcessorDTO sets; config fields keep their names in the flow model."""
    return {**_pick(component, ("name", "position", "style")), **component.get("config", {})}


def connection_fields(component: Fields) -> Fields:
    names = tuple(n for n in models.CONNECTION.fields if n not in ("id", "source", "destination"))
    return _pick(component, names, {"loadBalancePartitionAttribute": "partitioningAttribute"})


def group_fields(component: Fields, editor: FlowEditor) -> Fields:
    names = tuple(n for n in models.PROCESS_GROUP.fields if n not in ("id", "parameterContext"))
    fields = _pick(component, names, {"flowfileConcurrency": "flowFileConcurrency",
                                      "flowfileOutboundPolicy": "flowFileOutboundPolicy"})
    if "parameterContext" in component:
        context_id = (component["parameterContext"] or {}).get("id")
        fields["parameterContextName"] = editor.context_name(context_id) if context_id else None
    return fields


def other_fields(component: Fields) -> Fields:
    """Ports, funnels and labels: the DTO's field names are the model's."""
    return {key: value for key, value in component.items() if key != "id"}


# -- processors ------------------------------------------------------------------------
def _processor(request: web.Request, processor_id: str) -> dict[str, Any]:
    loc = request.app[EDITOR].locate(processor_id, "PROCESSOR")
    return shapes(request).processor(loc)


@routes.post("/nifi-api/process-groups/{id}/processors")
@describe("Create a processor in a group (revision version 0)", body=models.PROCESSOR_ENTITY, status=201)
async def create_processor(request: web.Request) -> web.StreamResponse:
    data = await parse(request, models.PROCESSOR_ENTITY)
    revision = creation_revision(data, "Processor")
    component = data.get("component", {})
    if "type" not in component:
        raise BadRequest("'component.type' is required")
    editor = request.app[EDITOR]
    async with editor.lock:
        fields = {**processor_fields(component), "bundle": bundle()}  # kept, so downloads import into NiFi
        processor = editor.add_processor(request.match_info["id"], component["type"], fields)
        request.app[REVISIONS].created(processor["identifier"], revision.client_id)
    return json_response(_processor(request, processor["identifier"]), status=201)


@routes.get("/nifi-api/processors/{id}")
@describe("A processor with its configuration, validation and status")
async def get_processor(request: web.Request) -> web.StreamResponse:
    return json_response(_processor(request, request.match_info["id"]))


@routes.put("/nifi-api/processors/{id}")
@describe("Change a stopped processor: the fields sent are merged; a property set to null is removed",
          body=models.PROCESSOR_ENTITY)
async def update_processor(request: web.Request) -> web.StreamResponse:
    processor_id = request.match_info["id"]
    data = await parse(request, models.PROCESSOR_ENTITY)
    revision = body_revision(data)
    matching_id(data, processor_id)
    editor = request.app[EDITOR]
    async with editor.lock:
        editor.locate(processor_id, "PROCESSOR")
        request.app[REVISIONS].check(processor_id, revision)
        editor.update_processor(processor_id, processor_fields(data.get("component", {})))
        request.app[REVISIONS].bump(processor_id, revision.client_id)
    return json_response(_processor(request, processor_id))


@routes.put("/nifi-api/processors/{id}/run-status")
@describe("Start, stop or disable a processor", body=models.RUN_STATUS)
async def processor_run_status(request: web.Request) -> web.StreamResponse:
    processor_id = request.match_info["id"]
    data = await parse(request, models.RUN_STATUS)
    revision = body_revision(data)
    editor = request.app[EDITOR]
    async with editor.lock:
        editor.locate(processor_id, "PROCESSOR")
        request.app[REVISIONS].check(processor_id, revision)
        await editor.set_run_state(processor_id, data["state"])
        request.app[REVISIONS].bump(processor_id, revision.client_id)
    return json_response(_processor(request, processor_id))


@routes.delete("/nifi-api/processors/{id}")
@describe("Delete a stopped processor (and its empty outgoing connections)", query=("version", "clientId"))
async def delete_processor(request: web.Request) -> web.StreamResponse:
    processor_id = request.match_info["id"]
    revision = query_revision(request)
    editor = request.app[EDITOR]
    async with editor.lock:
        entity = _processor(request, processor_id)
        request.app[REVISIONS].check(processor_id, revision)
        before = {loc.component["identifier"] for loc in editor.flow.of_kind("CONNECTION")}
        editor.remove_processor(processor_id)
        after = {loc.component["identifier"] for loc in editor.flow.of_kind("CONNECTION")}
        for component_id in (processor_id, *(before - after)):
            request.app[REVISIONS].forget(component_id)
    return json_response(entity)


@routes.get("/nifi-api/process-groups/{id}/processors")
@describe("The processors of a group (and of its descendants with includeDescendantGroups=true)",
          query=("includeDescendantGroups",))
async def list_processors(request: web.Request) -> web.StreamResponse:
    return json_response({"processors": _listing(request, "processors", "PROCESSOR", Shapes.processor)})


def _listing(request: web.Request, list_name: str, kind: str,
             build: Callable[[Shapes, Located], dict[str, Any]]) -> list[dict[str, Any]]:
    editor = request.app[EDITOR]
    group = editor.group(request.match_info["id"])
    groups = list(editor.descendants(group)) if query_bool(request, "includeDescendantGroups") else [group]
    built = shapes(request)
    return [build(built, Located(kind, item, g)) for g in groups for item in g.get(list_name, [])]


# -- connections -----------------------------------------------------------------------
def _connection(request: web.Request, connection_id: str) -> dict[str, Any]:
    return shapes(request).connection(request.app[EDITOR].locate(connection_id, "CONNECTION"))


@routes.post("/nifi-api/process-groups/{id}/connections")
@describe("Connect two components of a group (or ports of its child groups)", body=models.CONNECTION_ENTITY,
          status=201)
async def create_connection(request: web.Request) -> web.StreamResponse:
    data = await parse(request, models.CONNECTION_ENTITY)
    revision = creation_revision(data, "Connection")
    component = data.get("component", {})
    if "source" not in component or "destination" not in component:
        raise BadRequest("'component.source' and 'component.destination' are required")
    editor = request.app[EDITOR]
    async with editor.lock:
        conn = editor.add_connection(request.match_info["id"], component["source"], component["destination"],
                                     connection_fields(component))
        request.app[REVISIONS].created(conn["identifier"], revision.client_id)
    return json_response(_connection(request, conn["identifier"]), status=201)


@routes.get("/nifi-api/connections/{id}")
@describe("A connection with its queue status")
async def get_connection(request: web.Request) -> web.StreamResponse:
    return json_response(_connection(request, request.match_info["id"]))


@routes.put("/nifi-api/connections/{id}")
@describe("Change a connection (its destination and relationships only while its ends are stopped)",
          body=models.CONNECTION_ENTITY)
async def update_connection(request: web.Request) -> web.StreamResponse:
    connection_id = request.match_info["id"]
    data = await parse(request, models.CONNECTION_ENTITY)
    revision = body_revision(data)
    matching_id(data, connection_id)
    component = data.get("component", {})
    editor = request.app[EDITOR]
    async with editor.lock:
        current = editor.locate(connection_id, "CONNECTION").component
        if "source" in component and component["source"]["id"] != current["source"]["id"]:
            raise BadRequest("The source of a connection cannot be changed; delete it and connect again")
        request.app[REVISIONS].check(connection_id, revision)
        editor.update_connection(connection_id, component.get("destination"), connection_fields(component))
        request.app[REVISIONS].bump(connection_id, revision.client_id)
    return json_response(_connection(request, connection_id))


@routes.delete("/nifi-api/connections/{id}")
@describe("Delete an empty connection whose ends are stopped", query=("version", "clientId"))
async def delete_connection(request: web.Request) -> web.StreamResponse:
    connection_id = request.match_info["id"]
    revision = query_revision(request)
    editor = request.app[EDITOR]
    async with editor.lock:
        entity = _connection(request, connection_id)
        request.app[REVISIONS].check(connection_id, revision)
        editor.remove_connection(connection_id)
        request.app[REVISIONS].forget(connection_id)
    return json_response(entity)


@routes.get("/nifi-api/process-groups/{id}/connections")
@describe("The connections of a group", query=("includeDescendantGroups",))
async def list_connections(request: web.Request) -> web.StreamResponse:
    return json_response({"connections": _listing(request, "connections", "CONNECTION", Shapes.connection)})


# -- process groups --------------------------------------------------------------------
def _group(request: web.Request, group_id: str) -> dict[str, Any]:
    return shapes(request).process_group(request.app[EDITOR].group(group_id))


@routes.post("/nifi-api/process-groups/{id}/process-groups")
@describe("Create a child process group", body=models.PROCESS_GROUP_ENTITY, status=201)
async def create_group(request: web.Request) -> web.StreamResponse:
    data = await parse(request, models.PROCESS_GROUP_ENTITY)
    revision = creation_revision(data, "Process Group")
    component = data.get("component", {})
    if not component.get("name"):
        raise BadRequest("'component.name' is required")
    editor = request.app[EDITOR]
    async with editor.lock:
        fields = {k: v for k, v in group_fields(component, editor).items() if v is not None}
        group = editor.add_group(request.match_info["id"], fields)
        request.app[REVISIONS].created(group["identifier"], revision.client_id)
    return json_response(_group(request, group["identifier"]), status=201)


@routes.get("/nifi-api/process-groups/{id}")
@describe("A process group ('root' is the root group) with its status")
async def get_group(request: web.Request) -> web.StreamResponse:
    return json_response(_group(request, request.match_info["id"]))


@routes.put("/nifi-api/process-groups/{id}")
@describe("Change a process group's name, position, comments or defaults", body=models.PROCESS_GROUP_ENTITY)
async def update_group(request: web.Request) -> web.StreamResponse:
    editor = request.app[EDITOR]
    group_id = editor.resolve_group_id(request.match_info["id"])
    data = await parse(request, models.PROCESS_GROUP_ENTITY)
    revision = body_revision(data)
    matching_id(data, group_id)
    async with editor.lock:
        editor.group(group_id)
        request.app[REVISIONS].check(group_id, revision)
        await editor.update_group(group_id, group_fields(data.get("component", {}), editor))
        request.app[REVISIONS].bump(group_id, revision.client_id)
    return json_response(_group(request, group_id))


@routes.delete("/nifi-api/process-groups/{id}")
@describe("Delete a stopped, empty-queued process group with everything in it", query=("version", "clientId"))
async def delete_group(request: web.Request) -> web.StreamResponse:
    editor = request.app[EDITOR]
    group_id = editor.resolve_group_id(request.match_info["id"])
    revision = query_revision(request)
    async with editor.lock:
        entity = _group(request, group_id)
        request.app[REVISIONS].check(group_id, revision)
        inside = [c["identifier"] for g in editor.descendants(editor.group(group_id)) for list_name in GROUP_LISTS
                  for c in ([g] if list_name == "processGroups" else g.get(list_name, []))]
        editor.remove_group(group_id)
        for component_id in inside:
            request.app[REVISIONS].forget(component_id)
    return json_response(entity)


@routes.get("/nifi-api/process-groups/{id}/process-groups")
@describe("The child groups of a group")
async def list_groups(request: web.Request) -> web.StreamResponse:
    editor = request.app[EDITOR]
    group = editor.group(request.match_info["id"])
    built = shapes(request)
    return json_response({"processGroups": [built.process_group(g) for g in group.get("processGroups", [])]})


@routes.get("/nifi-api/process-groups/{id}/remote-process-groups")
@describe("Remote process groups of a group (always none: flows with them are refused)")
async def list_remote_groups(request: web.Request) -> web.StreamResponse:
    request.app[EDITOR].group(request.match_info["id"])
    return json_response({"remoteProcessGroups": []})


# -- ports, funnels, labels: one set of handlers per kind --------------------------------
Builder = Callable[[Shapes, Located], dict[str, Any]]


def _simple_kind(kind: str, collection: str, resource: str, what: str, build: Builder, model: Obj) -> None:
    """Register create/list/get/update/delete (and run-status for ports) of a port, funnel or label kind."""

    def entity(request: web.Request, component_id: str) -> dict[str, Any]:
        return build(shapes(request), request.app[EDITOR].locate(component_id, kind))

    @describe(f"Create a {what.lower()} in a group", body=model, status=201)
    async def create(request: web.Request) -> web.StreamResponse:
        data = await parse(request, model)
        revision = creation_revision(data, what)
        editor = request.app[EDITOR]
        async with editor.lock:
            created = editor.add_component(request.match_info["id"], kind, other_fields(data.get("component", {})))
            request.app[REVISIONS].created(created["identifier"], revision.client_id)
        return json_response(entity(request, created["identifier"]), status=201)

    @describe(f"The {what.lower()}s of a group", query=("includeDescendantGroups",))
    async def listing(request: web.Request) -> web.StreamResponse:
        return json_response({collection: _listing(request, collection, kind, build)})

    @describe(f"A {what.lower()}")
    async def get(request: web.Request) -> web.StreamResponse:
        return json_response(entity(request, request.match_info["id"]))

    @describe(f"Change a {what.lower()}", body=model)
    async def update(request: web.Request) -> web.StreamResponse:
        component_id = request.match_info["id"]
        data = await parse(request, model)
        revision = body_revision(data)
        matching_id(data, component_id)
        editor = request.app[EDITOR]
        async with editor.lock:
            editor.locate(component_id, kind)
            request.app[REVISIONS].check(component_id, revision)
            editor.update_component(component_id, kind, other_fields(data.get("component", {})))
            request.app[REVISIONS].bump(component_id, revision.client_id)
        return json_response(entity(request, component_id))

    @describe(f"Delete a {what.lower()} that no connection touches", query=("version", "clientId"))
    async def delete(request: web.Request) -> web.StreamResponse:
        component_id = request.match_info["id"]
        revision = query_revision(request)
        editor = request.app[EDITOR]
        async with editor.lock:
            found = entity(request, component_id)
            request.app[REVISIONS].check(component_id, revision)
            editor.remove_component(component_id, kind)
            request.app[REVISIONS].forget(component_id)
        return json_response(found)

    @describe(f"Start, stop or disable a {what.lower()}", body=models.PORT_RUN_STATUS)
    async def run_status(request: web.Request) -> web.StreamResponse:
        component_id = request.match_info["id"]
        data = await parse(request, models.PORT_RUN_STATUS)
        revision = body_revision(data)
        editor = request.app[EDITOR]
        async with editor.lock:
            editor.locate(component_id, kind)
            request.app[REVISIONS].check(component_id, revision)
            await editor.set_run_state(component_id, data["state"])
            request.app[REVISIONS].bump(component_id, revision.client_id)
        return json_response(entity(request, component_id))

    routes.post(f"/nifi-api/process-groups/{{id}}/{resource}")(create)
    routes.get(f"/nifi-api/process-groups/{{id}}/{resource}")(listing)
    routes.get(f"/nifi-api/{resource}/{{id}}")(get)
    routes.put(f"/nifi-api/{resource}/{{id}}")(update)
    routes.delete(f"/nifi-api/{resource}/{{id}}")(delete)
    if kind in ("INPUT_PORT", "OUTPUT_PORT"):
        routes.put(f"/nifi-api/{resource}/{{id}}/run-status")(run_status)


_simple_kind("INPUT_PORT", "inputPorts", "input-ports", "Input Port", Shapes.port, models.PORT_ENTITY)
_simple_kind("OUTPUT_PORT", "outputPorts", "output-ports", "Output Port", Shapes.port, models.PORT_ENTITY)
_simple_kind("FUNNEL", "funnels", "funnels", "Funnel", Shapes.funnel, models.FUNNEL_ENTITY)
_simple_kind("LABEL", "labels", "labels", "Label", Shapes.label, models.LABEL_ENTITY)
