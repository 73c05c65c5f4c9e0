"""Controller services over REST, in NiFi's shapes: types, per-group listing, create, read,
update, delete, enable and disable."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from nifi_like.api.controller_service import ControllerService
from nifi_like.web import models
from nifi_like.web.common import (
    body_revision,
    creation_revision,
    json_response,
    matching_id,
    parse,
    query_revision,
    shapes,
)
from nifi_like.web.dto import bundle
from nifi_like.web.errors import BadRequest
from nifi_like.web.keys import CONTROLLER, EDITOR, REVISIONS
from nifi_like.web.openapi import describe

routes = web.RouteTableDef()
SERVICE = "CONTROLLER_SERVICE"


def _fields(component: dict[str, Any]) -> dict[str, Any]:
    return {key: component[key] for key in ("name", "comments", "properties") if key in component}


def _entity(request: web.Request, service_id: str) -> dict[str, Any]:
    return shapes(request).controller_service(request.app[EDITOR].locate(service_id, SERVICE))


@routes.get("/nifi-api/flow/controller-service-types")
@describe("Controller service types, from the services' own declarations")
async def controller_service_types(request: web.Request) -> web.StreamResponse:
    types = [{"type": cls.type_name(), "bundle": bundle(), "description": cls.description(),
              "tags": list(cls.tags), "restricted": False,
              "controllerServiceApis": [{"type": base.type_name(), "bundle": bundle()} for base in cls.__mro__[1:]
                                        if issubclass(base, ControllerService) and base is not ControllerService]}
             for cls in request.app[CONTROLLER].registry.service_types()]
    return json_response({"controllerServiceTypes": types})


@routes.get("/nifi-api/flow/process-groups/{id}/controller-services")
@describe("Controller services a group's components may use: its own and its parents'")
async def group_controller_services(request: web.Request) -> web.StreamResponse:
    editor = request.app[EDITOR]
    group = editor.group(request.match_info["id"])
    built = shapes(request)
    services = [built.controller_service(editor.locate(service_id, SERVICE))
                for service_id in editor.flow.services_in_scope(group)]
    return json_response({"controllerServices": services})


@routes.post("/nifi-api/process-groups/{id}/controller-services")
@describe("Create a controller service in a group (revision version 0); it starts disabled",
          body=models.CONTROLLER_SERVICE_ENTITY, status=201)
async def create_service(request: web.Request) -> web.StreamResponse:
    data = await parse(request, models.CONTROLLER_SERVICE_ENTITY)
    revision = creation_revision(data, "Controller Service")
    component = data.get("component", {})
    if "type" not in component:
        raise BadRequest("'component.type' is required")
    editor = request.app[EDITOR]
    async with editor.lock:
        service = editor.add_service(request.match_info["id"], component["type"],
                                     {**_fields(component), "bundle": bundle()})
        request.app[REVISIONS].created(service["identifier"], revision.client_id)
    return json_response(_entity(request, service["identifier"]), status=201)


@routes.get("/nifi-api/controller-services/{id}")
@describe("A controller service with its properties, state, validation and referencing components")
async def get_service(request: web.Request) -> web.StreamResponse:
    return json_response(_entity(request, request.match_info["id"]))


@routes.put("/nifi-api/controller-services/{id}")
@describe("Change a disabled controller service: the fields sent are merged; a property set to null is removed",
          body=models.CONTROLLER_SERVICE_ENTITY)
async def update_service(request: web.Request) -> web.StreamResponse:
    service_id = request.match_info["id"]
    data = await parse(request, models.CONTROLLER_SERVICE_ENTITY)
    revision = body_revision(data)
    matching_id(data, service_id)
    editor = request.app[EDITOR]
    async with editor.lock:
        editor.locate(service_id, SERVICE)
        request.app[REVISIONS].check(service_id, revision)
        editor.update_service(service_id, _fields(data.get("component", {})))
        request.app[REVISIONS].bump(service_id, revision.client_id)
    return json_response(_entity(request, service_id))


@routes.put("/nifi-api/controller-services/{id}/run-status")
@describe("Enable or disable a controller service", body=models.SERVICE_RUN_STATUS)
async def service_run_status(request: web.Request) -> web.StreamResponse:
    service_id = request.match_info["id"]
    data = await parse(request, models.SERVICE_RUN_STATUS)
    revision = body_revision(data)
    editor = request.app[EDITOR]
    controller = request.app[CONTROLLER]
    async with editor.lock:
        editor.locate(service_id, SERVICE)
        request.app[REVISIONS].check(service_id, revision)
        if data["state"] == "ENABLED":
            await controller.enable_service(service_id)
        else:
            await controller.disable_service(service_id)
        request.app[REVISIONS].bump(service_id, revision.client_id)
    return json_response(_entity(request, service_id))


@routes.delete("/nifi-api/controller-services/{id}")
@describe("Delete a disabled controller service that nothing references")
async def delete_service(request: web.Request) -> web.StreamResponse:
    service_id = request.match_info["id"]
    revision = query_revision(request)
    editor = request.app[EDITOR]
    async with editor.lock:
        loc = editor.locate(service_id, SERVICE)
        request.app[REVISIONS].check(service_id, revision)
        entity = shapes(request).controller_service(loc)
        editor.remove_service(service_id)
        request.app[REVISIONS].forget(service_id)
    return json_response(entity)
