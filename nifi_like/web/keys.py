"""Typed application keys: what every handler can reach."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from nifi_like.config import Settings
from nifi_like.engine.controller import FlowController
from nifi_like.flow.editor import FlowEditor
from nifi_like.web.auth import TokenService
from nifi_like.web.queues import QueueRequests
from nifi_like.web.revisions import RevisionStore

CONTROLLER = web.AppKey("controller", FlowController)
SETTINGS = web.AppKey("settings", Settings)
EDITOR = web.AppKey("editor", FlowEditor)
REVISIONS = web.AppKey("revisions", RevisionStore)
TOKENS = web.AppKey("tokens", TokenService)
QUEUES = web.AppKey("queues", QueueRequests)
#: Finished parameter context update requests: request id -> (context id, entity).
PARAMETER_UPDATES: web.AppKey[dict[str, tuple[str, dict[str, Any]]]] = web.AppKey("parameter_updates")
ALLOWED_HOSTS: web.AppKey[frozenset[str]] = web.AppKey("allowed_hosts")
#: The verified token claims of the request's user.
CLAIMS: web.RequestKey[dict[str, Any]] = web.RequestKey("claims")
