"""Login, logout and who is logged in."""

from __future__ import annotations

import asyncio

from aiohttp import web

from nifi_like.web.auth import INVALID_CREDENTIALS, TOKEN_LIFETIME
from nifi_like.web.common import json_response
from nifi_like.web.errors import BadRequest
from nifi_like.web.keys import CLAIMS, TOKENS
from nifi_like.web.openapi import describe, document
from nifi_like.web.public import public

routes = web.RouteTableDef()
PERMISSIONS = {"canRead": True, "canWrite": True}


@routes.post("/nifi-api/access/token")
@public
@describe("Log in: form username and password; answers the JWT as text/plain", status=201, produces="text/plain")
async def create_token(request: web.Request) -> web.StreamResponse:
    tokens = request.app[TOKENS]
    client = request.remote or "unknown"
    tokens.check_throttle(client)
    form = await request.post()
    username, password = form.get("username"), form.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise BadRequest("The username and password must be specified.")
    loop = asyncio.get_running_loop()
    if not await loop.run_in_executor(None, tokens.credentials.matches, username, password):
        tokens.record_failure(client)
        raise BadRequest(INVALID_CREDENTIALS)
    tokens.clear_failures(client)
    return web.Response(status=201, text=tokens.issue(), content_type="text/plain")


@routes.delete("/nifi-api/access/logout")
@describe("Log out: the token stops working", produces="text/plain")
async def logout(request: web.Request) -> web.StreamResponse:
    request.app[TOKENS].revoke(request[CLAIMS])
    return web.Response(status=200, text="", content_type="text/plain")


@routes.get("/nifi-api/access/token/expiration")
@describe("When the current token expires")
async def token_expiration(request: web.Request) -> web.StreamResponse:
    claims = request[CLAIMS]
    return json_response({"accessTokenExpiration": {"expiration": claims["exp"], "now": int(claims["iat"])}})


@routes.get("/nifi-api/authentication/configuration")
@public
@describe("How to log in (no token needed)")
async def authentication_configuration(request: web.Request) -> web.StreamResponse:
    return json_response({"authenticationConfiguration": {
        "externalLoginRequired": False, "loginSupported": True, "loginUri": "/nifi-api/access/token",
        "logoutUri": "/nifi-api/access/logout", "tokenLifetimeSeconds": TOKEN_LIFETIME}})


@routes.get("/nifi-api/access/config")
@public
@describe("Whether login is supported (no token needed)")
async def access_config(request: web.Request) -> web.StreamResponse:
    return json_response({"config": {"supportsLogin": True}})


@routes.get("/nifi-api/flow/current-user")
@describe("The logged-in user")
async def current_user(request: web.Request) -> web.StreamResponse:
    return json_response({
        "identity": request[CLAIMS]["sub"], "anonymous": False, "canVersionFlows": False,
        "logoutSupported": True, "provenancePermissions": PERMISSIONS, "countersPermissions": PERMISSIONS,
        "tenantsPermissions": PERMISSIONS, "controllerPermissions": PERMISSIONS,
        "policiesPermissions": PERMISSIONS, "systemPermissions": PERMISSIONS,
        "parameterContextPermissions": PERMISSIONS, "restrictedComponentsPermissions": PERMISSIONS,
        "componentRestrictionPermissions": []})


@routes.get("/nifi-api/openapi.json")
@public
@describe("This document: the OpenAPI 3 description of the API, generated from the request models")
async def openapi_document(request: web.Request) -> web.StreamResponse:
    return json_response(document(request.app))
