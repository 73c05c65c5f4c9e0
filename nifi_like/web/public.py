"""Marking the few handlers that answer without a login (login itself, the canvas files)."""

from __future__ import annotations

from aiohttp import web

from nifi_like.web.errors import Handler

PUBLIC_ATTR = "nifi_like_public"


def public(handler: Handler) -> Handler:
    setattr(handler, PUBLIC_ATTR, True)
    return handler


def is_public(request: web.Request) -> bool:
    return bool(getattr(request.match_info.handler, PUBLIC_ATTR, False))
