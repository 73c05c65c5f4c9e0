"""What PublishNATS and ConsumeNATS share: connection properties and a NATS client living on its own event
loop thread, so the processors' blocking (threaded) on_trigger never runs on, or stalls, the engine's loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import nats
from nats.aio.client import Client

from nifi_like.api import (
    ExpressionLanguageScope,
    ProcessContext,
    ProcessException,
    PropertyDescriptor,
    validators,
)
from processors.services.ssl_context_service import SSLContextService

T = TypeVar("T")
ERROR_MESSAGE = "nats.error.message"


def _servers_problem(value: str) -> str | None:
    for url in value.split(","):
        parts = urlsplit(url.strip())
        if parts.scheme not in ("nats", "tls") or not parts.hostname:
            return "is not a NATS server URL such as nats://localhost:4222 (schemes: nats, tls)"
        try:
            parts.port  # noqa: B018 - raises ValueError for a bad port
        except ValueError:
            return "has an invalid port"
    return None


SERVERS = PropertyDescriptor(
    "NATS Servers", description="Comma-separated URLs of the NATS servers (nats://host:4222, or tls://host:4222 "
    "with an SSL Context Service); the client connects to one and fails over to the others.", required=True,
    expression_language=ExpressionLanguageScope.ENVIRONMENT, validator=_servers_problem)
USERNAME = PropertyDescriptor("Username", description="The user to authenticate as",
                              expression_language=ExpressionLanguageScope.ENVIRONMENT)
PASSWORD = PropertyDescriptor("Password", description="The password of the user", sensitive=True)
TOKEN = PropertyDescriptor("Token", description="An authentication token (instead of user and password)",
                           sensitive=True)
SSL_CONTEXT_SERVICE = PropertyDescriptor(
    "SSL Context Service", description="TLS settings for the connection to the NATS servers",
    controller_service=SSLContextService)
CONNECTION_TIMEOUT = PropertyDescriptor(
    "Connection Timeout", description="How long to wait for a connection to a server, and for a server to "
    "confirm what was published", default="5 secs", required=True, validator=validators.TIME_PERIOD)

CONNECTION_PROPERTIES = (SERVERS, USERNAME, PASSWORD, TOKEN, SSL_CONTEXT_SERVICE, CONNECTION_TIMEOUT)


def validate_connection(properties: Mapping[str, str | None]) -> list[str]:
    problems = []
    if properties.get(USERNAME.name) and not properties.get(PASSWORD.name):
        problems.append("'Password' is required when 'Username' is set")
    if properties.get(TOKEN.name) and properties.get(USERNAME.name):
        problems.append("set either 'Token' or 'Username'/'Password', not both")
    servers = properties.get(SERVERS.name) or ""
    if "tls://" in servers and not properties.get(SSL_CONTEXT_SERVICE.name):
        problems.append("'SSL Context Service' must be set for tls:// servers")
    return problems


class NatsConnection:
    """A connected client and the private event loop (on its own daemon thread) it runs on."""

    def __init__(self, context: ProcessContext, **options: Any) -> None:
        self.timeout = context.get_property(CONNECTION_TIMEOUT).as_time_period() or 5.0
        self.servers = [url.strip() for url in (context.get_property(SERVERS).evaluate().value or "").split(",")
                        if url.strip()]
        self.errors: list[str] = []
        ssl: SSLContextService | None = context.get_property(SSL_CONTEXT_SERVICE).as_controller_service()
        self._options: dict[str, Any] = {
            "servers": self.servers, "connect_timeout": max(1, int(self.timeout)),
            # one pass over the servers: a processor retries by yielding, not by blocking its thread, and
            # reconnects on a later trigger when the connection is gone
            "allow_reconnect": False, "max_reconnect_attempts": 0, "error_cb": self._error,
            "user": context.get_property(USERNAME).evaluate().value or None,
            "password": context.get_property(PASSWORD).value or None,
            "token": context.get_property(TOKEN).value or None,
            "tls": ssl.create_context() if ssl is not None else None, **options}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="nats-client", daemon=True)
        self._thread.start()
        self.client: Client | None = None

    async def _error(self, error: Exception) -> None:
        self.errors.append(f"{type(error).__name__}: {error}")
        del self.errors[:-20]

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run a coroutine on the client's loop and wait for its result (up to ``timeout`` seconds)."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(self.timeout * 2 if timeout is None else timeout)
        except TimeoutError:
            future.cancel()
            raise

    def connect(self) -> Client:
        async def connect() -> Client:
            # nats-py keeps retrying refused servers by itself: bound the attempt, report the last refusal
            try:
                return await asyncio.wait_for(nats.connect(**self._options), self.timeout)
            except TimeoutError:
                raise ConnectionError(self.errors[-1] if self.errors else
                                      f"no server answered within {self.timeout:g} s") from None
        try:
            client = self.run(connect(), timeout=self.timeout * 2 + 1)
        except Exception as exc:
            self.close()
            raise ProcessException(f"cannot connect to the NATS servers {', '.join(self.servers)}: "
                                   f"{type(exc).__name__}: {exc}") from exc
        self.client = client
        return client

    @property
    def server(self) -> str:
        client = self.client
        url = client.connected_url if client is not None else None
        return f"{url.scheme}://{url.netloc}" if url is not None else ",".join(self.servers)

    @property
    def is_connected(self) -> bool:
        return self.client is not None and self.client.is_connected

    def close(self) -> None:
        client = self.client
        if client is not None and not client.is_closed:
            try:
                self.run(client.close(), timeout=self.timeout)
            except Exception:  # closing a broken connection may fail; the loop goes away regardless
                pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(self.timeout)
        if not self._loop.is_running():
            self._loop.close()
