"""/flowfile-queues/...: list a queue, read a queued FlowFile and its content, empty a queue."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from nifi_like.engine.connection import Connection, now_ms
from nifi_like.repository.errors import RepositoryError
from nifi_like.web.common import json_response
from nifi_like.web.errors import NotFound
from nifi_like.web.keys import CONTROLLER, EDITOR, QUEUES
from nifi_like.web.openapi import describe
from nifi_like.web.queues import flowfile_dto

routes = web.RouteTableDef()
DROP_WAIT = 1.0  # a drop that finishes within this is answered finished at once
CHUNK = 256 * 1024


def _queue(request: web.Request) -> Connection:
    connection_id = request.match_info["id"]
    request.app[EDITOR].locate(connection_id, "CONNECTION")
    conn = request.app[CONTROLLER].connections.get(connection_id)
    if conn is None:
        raise NotFound(f"Unable to find connection with id '{connection_id}'.")
    return conn


@routes.post("/nifi-api/flowfile-queues/{id}/listing-requests")
@describe("List the first 100 FlowFiles of a queue", status=202)
async def create_listing(request: web.Request) -> web.StreamResponse:
    listing = request.app[QUEUES].list_queue(_queue(request))
    return json_response(listing.to_json(), status=202)


def _listing(request: web.Request) -> Any:
    _queue(request)
    listing = request.app[QUEUES].listings.get(request.match_info["request_id"])
    if listing is None or listing.connection_id != request.match_info["id"]:
        raise NotFound(f"Unable to find listing request with id '{request.match_info['request_id']}'.")
    return listing


@routes.get("/nifi-api/flowfile-queues/{id}/listing-requests/{request_id}")
@describe("A queue listing")
async def get_listing(request: web.Request) -> web.StreamResponse:
    return json_response(_listing(request).to_json())


@routes.delete("/nifi-api/flowfile-queues/{id}/listing-requests/{request_id}")
@describe("Forget a queue listing")
async def delete_listing(request: web.Request) -> web.StreamResponse:
    listing = _listing(request)
    del request.app[QUEUES].listings[listing.id]
    return json_response(listing.to_json())


@routes.post("/nifi-api/flowfile-queues/{id}/drop-requests")
@describe("Empty a queue (durably)", status=202)
async def create_drop(request: web.Request) -> web.StreamResponse:
    drop = request.app[QUEUES].start_drop(_queue(request))
    if drop.task is not None:
        await asyncio.wait([drop.task], timeout=DROP_WAIT)
    return json_response(drop.to_json(), status=202)


def _drop(request: web.Request) -> Any:
    _queue(request)
    drop = request.app[QUEUES].drops.get(request.match_info["request_id"])
    if drop is None or drop.connection_id != request.match_info["id"]:
        raise NotFound(f"Unable to find drop request with id '{request.match_info['request_id']}'.")
    return drop


@routes.get("/nifi-api/flowfile-queues/{id}/drop-requests/{request_id}")
@describe("Progress of emptying a queue")
async def get_drop(request: web.Request) -> web.StreamResponse:
    return json_response(_drop(request).to_json())


@routes.delete("/nifi-api/flowfile-queues/{id}/drop-requests/{request_id}")
@describe("Forget a finished drop request")
async def delete_drop(request: web.Request) -> web.StreamResponse:
    drop = _drop(request)
    if drop.finished:
        del request.app[QUEUES].drops[drop.id]
    return json_response(drop.to_json())


def _flowfile(request: web.Request) -> tuple[Connection, int | None, Any]:
    conn = _queue(request)
    flowfile_id = request.match_info["flowfile_id"]
    found = request.app[QUEUES].find_flowfile(conn, flowfile_id)
    if found is None:
        raise NotFound(f"Unable to find FlowFile with UUID '{flowfile_id}' in connection '{conn.id}'; "
                       "it may have left the queue.")
    position, ff = found
    return conn, position, ff


@routes.get("/nifi-api/flowfile-queues/{id}/flowfiles/{flowfile_id}")
@describe("A queued FlowFile with its attributes")
async def get_flowfile(request: web.Request) -> web.StreamResponse:
    conn, position, ff = _flowfile(request)
    return json_response(flowfile_dto(conn.id, ff, position, now_ms()))


@routes.get("/nifi-api/flowfile-queues/{id}/flowfiles/{flowfile_id}/content")
@describe("The content of a queued FlowFile", produces="application/octet-stream")
async def get_content(request: web.Request) -> web.StreamResponse:
    _, _, ff = _flowfile(request)
    loop = asyncio.get_running_loop()
    content = request.app[CONTROLLER].repo.content
    try:
        stream = await loop.run_in_executor(None, content.open, ff.claim)
    except RepositoryError:
        raise NotFound(f"The content of FlowFile '{ff.id}' is gone; the FlowFile has left the queue.") from None
    filename = ff.attributes.get("filename", ff.id).replace('"', "")
    response = web.StreamResponse(headers={
        "Content-Type": ff.attributes.get("mime.type") or "application/octet-stream",
        "Content-Disposition": f'attachment; filename="{filename}"', "Content-Length": str(ff.size)})
    await response.prepare(request)
    try:
        while chunk := await loop.run_in_executor(None, stream.read, CHUNK):
            await response.write(chunk)
    finally:
        stream.close()
    await response.write_eof()
    return response
