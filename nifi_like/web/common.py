"""Helpers shared by the route modules: JSON answers, revisions from requests, entity builders."""

from __future__ import annotations

import json
from typing import Any

import orjson
from aiohttp import web

from nifi_like.web.dto import Shapes
from nifi_like.web.errors import BadRequest
from nifi_like.web.keys import EDITOR, REVISIONS
from nifi_like.web.revisions import Revision
from nifi_like.web.schema import JsonObj, Obj, parse_json


def to_json(data: Any, *, indent: bool = False) -> bytes:
    """orjson (a 500-processor canvas is ~4 MB of JSON); json for what orjson refuses, such as an
    integer beyond 64 bits that an uploaded flow file may hold."""
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 if indent else None)
    except orjson.JSONEncodeError:
        return json.dumps(data, indent=2 if indent else None, separators=None if indent else (",", ":")).encode()


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=to_json(data), content_type="application/json")


def shapes(request: web.Request) -> Shapes:
    return Shapes(request.app[EDITOR], request.app[REVISIONS])


async def parse(request: web.Request, model: Obj) -> JsonObj:
    """The request's JSON body, checked against its model."""
    return parse_json(await request.read(), model)


def body_revision(data: JsonObj) -> Revision:
    revision = data["revision"]
    return Revision(revision["version"], revision.get("clientId"))


def creation_revision(data: JsonObj, what: str) -> Revision:
    revision = body_revision(data)
    if revision.version != 0:
        raise BadRequest(f"A revision of 0 must be specified when creating a new {what}.")
    if "id" in data.get("component", {}):
        raise BadRequest(f"{what} ID cannot be specified.")
    return revision


def query_revision(request: web.Request) -> Revision:
    """The revision of a DELETE, from ?version=&clientId= (nipyapi sends clientId=None literally)."""
    raw = request.query.get("version")
    if raw is None:
        raise BadRequest("The 'version' query parameter (the component's revision) is required")
    try:
        version = int(raw)
    except ValueError:
        raise BadRequest(f"The 'version' query parameter must be an integer, not '{raw}'") from None
    return Revision(version, request.query.get("clientId"))


def matching_id(data: JsonObj, path_id: str) -> None:
    given = data.get("component", {}).get("id")
    if given is not None and given != path_id:
        raise BadRequest(f"The component id in the request body ('{given}') does not match the id in the "
                         f"URL ('{path_id}').")


def query_bool(request: web.Request, name: str) -> bool:
    """A boolean query value; nipyapi sends Python's True/False."""
    return request.query.get(name, "false").strip().lower() == "true"
