"""The OpenAPI 3 document of /nifi-api, built from the routes and the request models they declare."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web

from nifi_like.web.dto import engine_version
from nifi_like.web.public import PUBLIC_ATTR
from nifi_like.web.schema import JsonObj, Obj

API_ATTR = "nifi_like_api"
H = TypeVar("H", bound=Callable[..., Any])
ERRORS = {"400": "Bad input or a stale revision (text/plain message)",
          "401": "Not logged in, or the token expired (text/plain message)",
          "404": "No such component (text/plain message)",
          "409": "The change conflicts with the component's state (text/plain message)"}


@dataclass(frozen=True)
class Operation:
    summary: str
    body: Obj | None = None
    status: int = 200
    produces: str = "application/json"
    query: tuple[str, ...] = ()


def describe(summary: str, *, body: Obj | None = None, status: int = 200, produces: str = "application/json",
             query: tuple[str, ...] = ()) -> Callable[[H], H]:
    """Attach what the OpenAPI document says about a handler; ``body`` is also what parses its request."""
    def mark(handler: H) -> H:
        setattr(handler, API_ATTR, Operation(summary, body, status, produces, query))
        return handler
    return mark


def _operation(method: str, path: str, handler: Any) -> JsonObj:
    op: Operation = getattr(handler, API_ATTR, None) or Operation(handler.__doc__ or handler.__name__)
    name = re.sub(r"[^A-Za-z0-9]+", "_", f"{method}_{path}").strip("_").lower()
    out: JsonObj = {"operationId": name, "summary": op.summary.strip().splitlines()[0],
                    "tags": [path.split("/")[2] if path.count("/") > 1 else "root"]}
    parameters: list[JsonObj] = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                                 for p in re.findall(r"\{(\w+)[^}]*\}", path)]
    parameters += [{"name": q, "in": "query", "required": q == "version" and method == "DELETE",
                    "schema": {"type": "string"}} for q in op.query]
    if parameters:
        out["parameters"] = parameters
    if op.body is not None:
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.body.openapi()}}}
    elif path.endswith("/access/token"):
        out["requestBody"] = {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object", "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
            "required": ["username", "password"]}}}}
    text = {"text/plain": {"schema": {"type": "string"}}}
    success: JsonObj = {"description": "Success"}
    if op.produces == "application/json":
        success["content"] = {"application/json": {"schema": {"type": "object"}}}
    elif op.produces:
        success["content"] = {op.produces: {"schema": {"type": "string"}}}
    out["responses"] = {str(op.status): success, **{code: {"description": text_, "content": text}
                                                    for code, text_ in ERRORS.items()}}
    if getattr(handler, PUBLIC_ATTR, False):
        out["security"] = []
    return out


def document(app: web.Application) -> JsonObj:
    paths: dict[str, JsonObj] = {}
    schemas: dict[str, JsonObj] = {}
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = str(info.get("path") or info.get("formatter") or "")
        if not path.startswith("/nifi-api") or route.method == "HEAD":
            continue
        api_path = re.sub(r"\{(\w+):[^}]*\}", r"{\1}", path[len("/nifi-api"):])
        paths.setdefault(api_path, {})[route.method.lower()] = _operation(route.method, path, route.handler)
        op = getattr(route.handler, API_ATTR, None)
        if op is not None and op.body is not None:
            schemas.update({name: model.definition() for name, model in op.body.models().items()})
    return {
        "openapi": "3.0.3",
        "info": {"title": "nifi-like REST API", "version": engine_version(),
                 "description": "A NiFi-compatible subset of /nifi-api. Errors are text/plain messages."},
        "servers": [{"url": "/nifi-api"}],
        "security": [{"bearerAuth": []}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(schemas.items())),
                       "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }
