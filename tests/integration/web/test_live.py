"""The live status websocket: login by first message, a snapshot, then only what changed."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import WSMsgType

from nifi_like.web.live import CLOSE_UNAUTHORIZED
from tests.integration.web.conftest import Api


async def next_json(ws: Any, timeout: float = 5.0) -> dict[str, Any]:
    message = await ws.receive(timeout=timeout)
    assert message.type == WSMsgType.TEXT, message
    result: dict[str, Any] = json.loads(message.data)
    return result


async def test_snapshot_then_changes(api: Api) -> None:
    root = await api.root_id()
    async with api.client.ws_connect("/nifi-api/flow/live") as ws:
        await ws.send_str(json.dumps({"type": "auth", "token": api.token}))
        snapshot = await next_json(ws)
        assert snapshot["type"] == "snapshot"
        assert snapshot["components"][root]["kind"] == "PROCESS_GROUP"
        generate = await api.create_processor(root, "GenerateFlowFile", schedulingPeriod="50 ms")
        log = await api.create_processor(root, "LogAttribute", autoTerminatedRelationships=["success"])
        conn = await api.connect(root, generate, log, ["success"])
        await api.ok("PUT", f"/processors/{generate['id']}/run-status",
                     {"revision": {"version": 0}, "state": "RUNNING"})
        seen: dict[str, Any] = {}
        for _ in range(10):
            update = await next_json(ws)
            assert update["type"] == "status"
            seen.update(update["changed"])
            if seen.get(conn["id"], {}).get("flowFilesQueued", 0) > 0 and generate["id"] in seen:
                break
        assert seen[generate["id"]]["runStatus"] == "Running"
        assert seen[conn["id"]]["flowFilesQueued"] > 0
        assert seen[root]["flowFilesQueued"] > 0


async def test_a_socket_without_a_valid_token_is_closed(api: Api) -> None:
    for first in ({"type": "auth", "token": "x.y.z"}, {"hello": 1}, "not json"):
        async with api.client.ws_connect("/nifi-api/flow/live") as ws:
            await ws.send_str(first if isinstance(first, str) else json.dumps(first))
            message = await ws.receive(timeout=5)
            assert message.type == WSMsgType.CLOSE
            assert ws.close_code == CLOSE_UNAUTHORIZED


async def test_plain_get_and_foreign_origins_are_refused(api: Api) -> None:
    assert (await api.get("/flow/live")).status == 400
    response = await api.client.get("/nifi-api/flow/live", headers={"Origin": "http://evil.example",
                                                                   "Connection": "Upgrade", "Upgrade": "websocket"})
    assert response.status == 403
