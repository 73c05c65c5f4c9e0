"""REST errors: what NiFi's exception mappers answer, as text a person can act on."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from nifi_like.engine.controller import ComponentStateError
from nifi_like.flow.editor import ComponentNotFound
from nifi_like.flow.errors import FlowConflict, FlowError

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    """An error answered with ``status`` and a text/plain ``message`` (as NiFi's mappers do)."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class TooManyRequests(ApiError):
    status = 429


def text_error(status: int, message: str) -> web.Response:
    return web.Response(status=status, text=message, content_type="text/plain")


def _flow_error_text(exc: FlowError) -> str:
    return "; ".join(exc.problems) if exc.problems else str(exc)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Map every failure to a 4xx with a message; anything else is a bug, logged and answered 500."""
    try:
        return await handler(request)
    except ApiError as exc:
        response = text_error(exc.status, exc.message)
        if isinstance(exc, Unauthorized):
            response.headers["WWW-Authenticate"] = 'Bearer realm="nifi-like"'
        return response
    except ComponentNotFound as exc:
        return text_error(404, str(exc))
    except (ComponentStateError, FlowConflict) as exc:
        return text_error(409, str(exc))
    except FlowError as exc:
        return text_error(400, _flow_error_text(exc))
    except web.HTTPException as exc:
        if exc.status < 400 or exc.text and exc.content_type != "text/plain":
            raise
        reason = exc.reason
        if exc.status == 404:
            reason = f"No REST endpoint at {request.method} {request.path}"
        elif exc.status == 405:
            reason = f"Method {request.method} is not allowed on {request.path}"
        response = text_error(exc.status, reason)
        for name in ("Allow",):
            if name in exc.headers:
                response.headers[name] = exc.headers[name]
        return response
    except json.JSONDecodeError as exc:  # a handler parsed something itself
        return text_error(400, f"Invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
