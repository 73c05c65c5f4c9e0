"""Live status over a websocket: one snapshot, then each second only what changed.

Browsers cannot put a bearer token on a websocket handshake, so the client sends it as the first
message: ``{"type": "auth", "token": "<jwt>"}``. The server answers ``{"type": "snapshot",
"components": {id: record}}`` and then ``{"type": "status", "changed": {id: record}, "removed": [id]}``
once a second (nothing is sent while nothing changes). Records are small per-component status rows
(processor, port, connection, group), computed once per tick for every client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from nifi_like.flow.model import Located
from nifi_like.web.dto import Shapes
from nifi_like.web.errors import BadRequest, Forbidden, Unauthorized
from nifi_like.web.hosts import host_of
from nifi_like.web.keys import ALLOWED_HOSTS, EDITOR, REVISIONS, TOKENS
from nifi_like.web.openapi import describe
from nifi_like.web.public import public

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
INTERVAL = 1.0
AUTH_TIMEOUT = 10.0
CLOSE_UNAUTHORIZED = 4401  # the websocket analogue of HTTP 401
Record = dict[str, Any]


def status_records(shapes: Shapes) -> dict[str, Record]:
    """Every component's live status, keyed by id."""
    records: dict[str, Record] = {}
    for loc in shapes.controller.flow.index.values():
        comp, group_id = loc.component, str(loc.group["identifier"])
        if loc.kind == "PROCESSOR":
            node = shapes.controller.nodes.get(comp["identifier"])
            invalid = bool(shapes.problems(comp["identifier"]))
            snap = shapes.processor_status(comp, group_id, node, invalid)["aggregateSnapshot"]
            records[comp["identifier"]] = {
                "kind": loc.kind, "groupId": group_id, "validationStatus": "INVALID" if invalid else "VALID",
                **{k: snap[k] for k in ("runStatus", "activeThreadCount", "flowFilesIn", "bytesIn", "flowFilesOut",
                                        "bytesOut", "bytesRead", "bytesWritten", "taskCount")},
                "bulletins": len(shapes.controller.bulletins.for_component(comp["identifier"]))}
        elif loc.kind in ("INPUT_PORT", "OUTPUT_PORT"):
            snap = shapes.port(Located(loc.kind, comp, loc.group))["status"]["aggregateSnapshot"]
            records[comp["identifier"]] = {"kind": loc.kind, "groupId": group_id, **{
                k: snap[k] for k in ("runStatus", "activeThreadCount", "flowFilesIn", "flowFilesOut")}}
        elif loc.kind == "CONNECTION":
            ends = shapes.connectable(comp["source"]), shapes.connectable(comp["destination"])
            snap = shapes.connection_status(comp, group_id, *ends)["aggregateSnapshot"]
            records[comp["identifier"]] = {"kind": loc.kind, "groupId": group_id, **{
                k: snap[k] for k in ("flowFilesQueued", "bytesQueued", "percentUseCount", "percentUseBytes")}}
        elif loc.kind == "PROCESS_GROUP":
            snap = shapes.group_status(comp, recursive=False, details=False)["aggregateSnapshot"]
            records[comp["identifier"]] = {"kind": loc.kind, **shapes.group_counts(comp), **{
                k: snap[k] for k in ("flowFilesQueued", "bytesQueued", "activeThreadCount")}}
    return records


class LiveStatus:
    """The connected clients and the one task that computes and sends status while any is connected."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.clients: set[web.WebSocketResponse] = set()
        self.last: dict[str, Record] = {}
        self.task: asyncio.Task[None] | None = None

    def records(self) -> dict[str, Record]:
        return status_records(Shapes(self.app[EDITOR], self.app[REVISIONS]))

    def join(self, ws: web.WebSocketResponse) -> None:
        self.clients.add(ws)
        if self.task is None or self.task.done():
            self.last = self.records()
            self.task = asyncio.get_running_loop().create_task(self._run(), name="live-status")

    async def _run(self) -> None:
        while self.clients:
            await asyncio.sleep(INTERVAL)
            current = self.records()
            changed = {i: r for i, r in current.items() if self.last.get(i) != r}
            removed = [i for i in self.last if i not in current]
            self.last = current
            if changed or removed:
                message = json.dumps({"type": "status", "at": int(time.time() * 1000), "changed": changed,
                                      "removed": removed})
                await asyncio.gather(*(self._send(ws, message) for ws in list(self.clients)))

    async def _send(self, ws: web.WebSocketResponse, message: str) -> None:
        try:
            await ws.send_str(message)
        except (ConnectionError, RuntimeError):
            self.clients.discard(ws)

    async def close(self) -> None:
        for ws in list(self.clients):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")
        self.clients.clear()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


LIVE = web.AppKey("live", LiveStatus)


async def live_ctx(app: web.Application) -> AsyncIterator[None]:
    app[LIVE] = LiveStatus(app)
    yield
    await app[LIVE].close()


async def _authenticate(request: web.Request, ws: web.WebSocketResponse) -> bool:
    try:
        message = await ws.receive(timeout=AUTH_TIMEOUT)
    except TimeoutError:
        await ws.close(code=CLOSE_UNAUTHORIZED, message=b"send {\"type\": \"auth\", \"token\": ...} first")
        return False
    try:
        data = json.loads(message.data) if message.type == WSMsgType.TEXT else None
        if not isinstance(data, dict) or data.get("type") != "auth" or not isinstance(data.get("token"), str):
            raise Unauthorized("the first message must be {\"type\": \"auth\", \"token\": \"<jwt>\"}")
        request.app[TOKENS].verify(data["token"])
    except (ValueError, Unauthorized) as exc:
        reason = exc.message if isinstance(exc, Unauthorized) else "the first message is not JSON"
        await ws.close(code=CLOSE_UNAUTHORIZED, message=reason.encode()[:120])
        return False
    return True


@routes.get("/nifi-api/flow/live")
@public
@describe("Websocket of live status: send {type: auth, token} first; then a snapshot and per-second changes",
          status=101, produces="")
async def live(request: web.Request) -> web.StreamResponse:
    origin = request.headers.get("Origin")
    if origin and host_of(origin) not in request.app[ALLOWED_HOSTS]:
        raise Forbidden(f"Websocket connections from origin '{origin}' are not allowed")
    if not web.WebSocketResponse().can_prepare(request).ok:
        raise BadRequest("This endpoint is a websocket; connect with an Upgrade: websocket request")
    ws = web.WebSocketResponse(heartbeat=30.0)
    await ws.prepare(request)
    if not await _authenticate(request, ws):
        return ws
    hub = request.app[LIVE]
    await ws.send_str(json.dumps({"type": "snapshot", "at": int(time.time() * 1000), "components": hub.records()}))
    hub.join(ws)
    try:
        async for _ in ws:  # the client has nothing more to say; keep the socket until it closes
            pass
    finally:
        hub.clients.discard(ws)
    return ws
