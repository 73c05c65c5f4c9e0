"""Flow definitions over HTTP: download a group, upload a file as a new group (as NiFi 2's UI does)."""

from __future__ import annotations

import copy
from typing import Any

from aiohttp import BodyPartReader, web

from nifi_like.flow.model import Component
from nifi_like.flow.store import parse_flow_json
from nifi_like.web.common import json_response, shapes, to_json
from nifi_like.web.errors import BadRequest
from nifi_like.web.keys import EDITOR, REVISIONS
from nifi_like.web.openapi import describe

routes = web.RouteTableDef()
MAX_FILE = 64 * 1024 * 1024


def _contexts_used(document: dict[str, Any], groups: list[Component]) -> dict[str, Any]:
    """The parameter contexts the groups reference, with the ones they inherit."""
    contexts = document.get("parameterContexts") or {}
    pending = [g.get("parameterContextName") for g in groups if g.get("parameterContextName")]
    used: dict[str, Any] = {}
    while pending:
        name = str(pending.pop())
        if name in used or name not in contexts:
            continue
        used[name] = copy.deepcopy(contexts[name])
        pending.extend(contexts[name].get("inheritedParameterContexts") or [])
    return used


@routes.get("/nifi-api/process-groups/{id}/download")
@describe("A group as a NiFi flow definition (JSON file)")
async def download(request: web.Request) -> web.StreamResponse:
    editor = request.app[EDITOR]
    group = editor.group(request.match_info["id"])
    groups = list(editor.descendants(group))
    definition = {"flowContents": group, "externalControllerServices": {},
                  "parameterContexts": _contexts_used(editor.flow.document, groups),
                  "parameterProviders": {}, "flowEncodingVersion": "1.0", "latest": False}
    definition = editor.controller.sensitivity.omit(definition)  # as NiFi: sensitive values stay behind
    filename = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(group.get("name") or "flow"))
    return web.Response(body=to_json(definition, indent=True), content_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{filename}.json"'})


async def _form(request: web.Request) -> tuple[dict[str, str], bytes]:
    if not request.content_type.startswith("multipart/"):
        raise BadRequest("The upload must be multipart/form-data with the fields groupName, positionX, positionY, "
                         "clientId and file")
    fields: dict[str, str] = {}
    content: bytes | None = None
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise BadRequest("Nested multipart bodies are not supported")
        if part.name == "file":
            content = await part.read()
        elif part.name:
            fields[part.name] = await part.text()
    if content is None:
        raise BadRequest("The 'file' field (the flow definition JSON) is required")
    return fields, content


def _number(fields: dict[str, str], name: str) -> float:
    raw = fields.get(name)
    if raw is None or not raw.strip():
        raise BadRequest(f"The '{name}' field is required")
    try:
        return float(raw)
    except ValueError:
        raise BadRequest(f"The '{name}' field must be a number, not '{raw}'") from None


@routes.post("/nifi-api/process-groups/{id}/process-groups/upload")
@describe("Upload a flow definition as a new child group (multipart: groupName, positionX, positionY, clientId, file)", status=201)
async def upload(request: web.Request) -> web.StreamResponse:
    fields, content = await _form(request)
    name = fields.get("groupName", "").strip()
    if not name:
        raise BadRequest("The 'groupName' field is required and must not be blank")
    client_id = fields.get("clientId", "").strip()
    if not client_id:
        raise BadRequest("The 'clientId' field is required and must not be blank")
    position = {"x": _number(fields, "positionX"), "y": _number(fields, "positionY")}
    document = parse_flow_json(content, fields.get("file", "the uploaded flow definition"))
    editor = request.app[EDITOR]
    async with editor.lock:
        group = editor.import_group(request.match_info["id"], document, name, position)
        request.app[REVISIONS].created(group["identifier"], client_id)
    return json_response(shapes(request).process_group(group), status=201)
