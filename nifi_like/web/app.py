"""The aiohttp application: NiFi's REST API at /nifi-api, login, and the built canvas."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from nifi_like.config import Settings
from nifi_like.engine.controller import FlowController
from nifi_like.flow.editor import FlowEditor
from nifi_like.web import (
    live,
    routes_access,
    routes_cluster,
    routes_components,
    routes_definitions,
    routes_flow,
    routes_parameters,
    routes_provenance,
    routes_queues,
    routes_services,
    routes_system,
)
from nifi_like.web.auth import TokenService, ensure_credentials
from nifi_like.web.errors import Forbidden, Handler, Unauthorized, error_middleware, text_error
from nifi_like.web.hosts import allowed_hosts, host_of
from nifi_like.web.keys import (
    ALLOWED_HOSTS,
    CLAIMS,
    CONTROLLER,
    EDITOR,
    PARAMETER_UPDATES,
    QUEUES,
    REVISIONS,
    SETTINGS,
    TOKENS,
)
from nifi_like.web.public import is_public, public
from nifi_like.web.queues import QueueRequests
from nifi_like.web.revisions import RevisionStore
from nifi_like.web.tls import server_context

log = logging.getLogger(__name__)
CANVAS_DIST = Path(__file__).resolve().parents[2] / "canvas_ui" / "dist"
MAX_BODY = 64 * 1024 * 1024  # flow definitions can be large


@web.middleware
async def host_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse requests for other host names (DNS rebinding) and cross-site browser writes."""
    allowed = request.app[ALLOWED_HOSTS]
    host = host_of(request.headers.get("Host", ""))
    if host not in allowed:
        return text_error(421, f"The Host header '{request.headers.get('Host', '')}' is not one this server "
                               f"answers to ({', '.join(sorted(allowed))}); add it to web.proxy_hosts")
    origin = request.headers.get("Origin")
    if origin and request.method not in ("GET", "HEAD", "OPTIONS") and host_of(origin) not in allowed:
        raise Forbidden(f"Requests from origin '{origin}' are not allowed")
    return await handler(request)


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bearer token required everywhere except the login endpoints and the canvas's static files."""
    if is_public(request):
        return await handler(request)
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Authentication is required: log in with POST /nifi-api/access/token and send "
                           "'Authorization: Bearer <token>'")
    request[CLAIMS] = request.app[TOKENS].verify(token.strip())
    return await handler(request)


@public
async def canvas(request: web.Request) -> web.StreamResponse:
    """The built canvas (canvas_ui/dist), a single-page app under /nifi."""
    tail = request.match_info.get("tail", "")
    dist = CANVAS_DIST
    if not (dist / "index.html").is_file():
        return web.Response(text="<!doctype html><title>nifi-like</title><p>nifi-like is running. The canvas is "
                                 "not built: run <code>npm run build</code> in canvas_ui/. The REST API is at "
                                 "<code>/nifi-api</code>.</p>", content_type="text/html")
    target = (dist / tail).resolve()
    if tail and target.is_file() and dist.resolve() in target.parents:
        return web.FileResponse(target)
    return web.FileResponse(dist / "index.html")


@public
async def to_canvas(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/nifi/")


def create_app(controller: FlowController, settings: Settings | None = None) -> web.Application:
    """The web application for a loaded controller; credentials are created at first start."""
    settings = settings or controller.settings
    app = web.Application(middlewares=[error_middleware, host_middleware, auth_middleware],
                          client_max_size=MAX_BODY)
    app[CONTROLLER] = controller
    app[SETTINGS] = settings
    app[ALLOWED_HOSTS] = allowed_hosts(settings)
    app[REVISIONS] = RevisionStore()
    controller.flow_listeners.append(app[REVISIONS].changed_elsewhere)
    app[EDITOR] = FlowEditor(controller)
    app[TOKENS] = TokenService(settings.data_dir, ensure_credentials(settings.data_dir))
    app[QUEUES] = QueueRequests(controller)
    app[PARAMETER_UPDATES] = {}
    app[routes_provenance.REQUESTS] = {}
    app.cleanup_ctx.append(_queue_requests)
    app.cleanup_ctx.append(live.live_ctx)
    app.on_shutdown.append(_close_live)  # before aiohttp waits for open handlers, or it waits 60 s
    for module in (routes_access, routes_flow, routes_components, routes_queues, routes_definitions,
                   routes_parameters, routes_provenance, routes_services, routes_system, routes_cluster, live):
        app.router.add_routes(module.routes)
    app.router.add_get("/", to_canvas)
    app.router.add_get("/nifi", canvas)
    app.router.add_get("/nifi/{tail:.*}", canvas)
    return app


async def _close_live(app: web.Application) -> None:
    await app[live.LIVE].close()


async def _queue_requests(app: web.Application) -> AsyncIterator[None]:
    """Drops still running at shutdown are awaited, so none is cut off between two commits."""
    yield
    for request in list(app[QUEUES].drops.values()):
        if request.task is not None and not request.task.done():
            await request.task


async def serve(controller: FlowController, host: str, port: int) -> web.AppRunner:
    """Start serving; the caller stops it with ``await runner.cleanup()``."""
    app = create_app(controller)
    tls = server_context(controller.settings)
    runner = web.AppRunner(app, access_log=None if os.environ.get("NIFI_LIKE_ACCESS_LOG") is None else log)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=tls)
    await site.start()
    print(f"nifi-like: web UI at {'https' if tls else 'http'}://{'[' + host + ']' if ':' in host else host}:{port}"
          f"/nifi/ (REST at /nifi-api)", flush=True)
    return runner
