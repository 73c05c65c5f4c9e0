"""A running web app over a real controller, and a small client that logs in as a user would."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from nifi_like.engine.controller import FlowController
from nifi_like.web import create_app, set_single_user_credentials

USER = "admin"
PASSWORD = "correct-horse-battery"


@dataclass
class Reply:
    status: int
    text: str
    content_type: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)


class Api:
    """Authenticated calls to /nifi-api; every call returns status, body and content type."""

    def __init__(self, client: TestClient[Any, Any], controller: FlowController) -> None:
        self.client = client
        self.controller = controller
        self.token = ""

    async def login(self, username: str = USER, password: str = PASSWORD) -> Reply:
        response = await self.client.post("/nifi-api/access/token", data={"username": username, "password": password})
        reply = Reply(response.status, await response.text(), response.content_type)
        if reply.status == 201:
            self.token = reply.text
        return reply

    async def call(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
                   params: dict[str, str] | None = None, token: str | None = None) -> Reply:
        headers = {"Content-Type": "application/json"}
        token = self.token if token is None else token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        response = await self.client.request(method, "/nifi-api" + path, data=data, params=params, headers=headers)
        return Reply(response.status, await response.text(), response.content_type)

    async def get(self, path: str, **kwargs: Any) -> Reply:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return await self.call("POST", path, body, **kwargs)

    async def put(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return await self.call("PUT", path, body, **kwargs)

    async def delete(self, path: str, version: int, client_id: str | None = None) -> Reply:
        params = {"version": str(version)}
        if client_id is not None:
            params["clientId"] = client_id
        return await self.call("DELETE", path, params=params)

    async def ok(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        reply = await self.call(method, path, body)
        assert reply.status == status, f"{method} {path}: {reply.status} {reply.text}"
        return reply.json

    # -- building blocks of a flow -------------------------------------------------------
    async def root_id(self) -> str:
        return str((await self.ok("GET", "/flow/process-groups/root"))["processGroupFlow"]["id"])

    async def create_group(self, parent: str, name: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.ok("POST", f"/process-groups/{parent}/process-groups", {
            "revision": {"version": 0}, "component": {"name": name, "position": {"x": 10.0, "y": 20.0}}}, 201)
        return result

    async def create_processor(self, group: str, short_type: str, **config: Any) -> dict[str, Any]:
        types = (await self.ok("GET", "/flow/processor-types"))["processorTypes"]
        match = next(t for t in types if t["type"].endswith("." + short_type))
        component: dict[str, Any] = {"type": match["type"], "bundle": match["bundle"],
                                     "position": {"x": 0.0, "y": 0.0}}
        if config:
            component["config"] = config
        result: dict[str, Any] = await self.ok("POST", f"/process-groups/{group}/processors",
                                               {"revision": {"version": 0}, "component": component}, 201)
        return result

    async def connect(self, group: str, source: dict[str, Any], destination: dict[str, Any],
                      relationships: list[str]) -> dict[str, Any]:
        def end(entity: dict[str, Any]) -> dict[str, Any]:
            return {"id": entity["id"], "groupId": entity["component"]["parentGroupId"], "type": "PROCESSOR"}
        result: dict[str, Any] = await self.ok("POST", f"/process-groups/{group}/connections", {
            "revision": {"version": 0},
            "component": {"source": end(source), "destination": end(destination),
                          "selectedRelationships": relationships}}, 201)
        return result


@pytest.fixture
async def api(make_controller: Callable[..., FlowController]) -> AsyncIterator[Api]:
    controller = make_controller()
    await controller.load(None)
    set_single_user_credentials(controller.settings.data_dir, USER, PASSWORD)
    app = create_app(controller)
    async with TestClient(TestServer(app)) as client:
        client_api = Api(client, controller)
        reply = await client_api.login()
        assert reply.status == 201, reply.text
        yield client_api
