"""RedisConnectionPoolService: a pool of connections to one Redis server (standalone mode), shared by the
Redis map cache client and any other Redis component."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import redis

from nifi_like.api import (
    AllowableValue,
    ConfigurationContext,
    ControllerService,
    ExpressionLanguageScope,
    PropertyDescriptor,
    parse_time_period,
    validators,
)
from processors.services.ssl_context_service import PROTOCOLS, SSLContextService

STANDALONE = AllowableValue("Standalone", "Standalone", "A single standalone Redis instance.")


def _connection_string_problem(value: str) -> str | None:
    host, _, port = value.strip().rpartition(":")
    if "," in value:
        return "names several servers; only Standalone mode (one host:port) is supported"
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        return "is not host:port, such as localhost:6379"
    return None


class RedisConnectionPoolService(ControllerService):
    """A service that provides connections to Redis (standalone mode; Sentinel and Cluster are not in this
    build). Calls block: use them from plain (threaded) on_trigger methods."""

    tags = ("redis", "cache")
    nifi_type = "org.apache.nifi.redis.service.RedisConnectionPoolService"

    REDIS_MODE = PropertyDescriptor(
        "Redis Mode", description="The type of Redis being communicated with", allowable_values=(STANDALONE,),
        default=STANDALONE.value, required=True)
    CONNECTION_STRING = PropertyDescriptor(
        "Connection String", description="The connection string for Redis: host:port, e.g. localhost:6379",
        required=True, expression_language=ExpressionLanguageScope.ENVIRONMENT, validator=_connection_string_problem)
    DATABASE = PropertyDescriptor(
        "Database Index", description="The database index to be used by connections created from this connection "
        "pool.", default="0", required=True, validator=validators.NON_NEGATIVE_INTEGER,
        expression_language=ExpressionLanguageScope.ENVIRONMENT)
    COMMUNICATION_TIMEOUT = PropertyDescriptor(
        "Communication Timeout", description="The timeout to use when attempting to communicate with Redis.",
        default="10 seconds", required=True, validator=validators.TIME_PERIOD)
    USERNAME = PropertyDescriptor(
        "Username", description="The username used to authenticate to the Redis server (ACL).",
        expression_language=ExpressionLanguageScope.ENVIRONMENT)
    PASSWORD = PropertyDescriptor(
        "Password", description="The password used to authenticate to the Redis server.", sensitive=True)
    SSL_CONTEXT_SERVICE = PropertyDescriptor(
        "SSL Context Service", description="If specified, this service will be used to create an SSL Context that "
        "will be used to secure communications; if not specified, communications will not be secure",
        controller_service=SSLContextService)
    POOL_MAX_TOTAL = PropertyDescriptor(
        "Pool - Max Total", description="The maximum number of connections that can be allocated by the pool "
        "(checked out to clients, or idle awaiting checkout).", default="8", required=True,
        validator=validators.POSITIVE_INTEGER)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._client: redis.Redis | None = None
        self.address = ""

    def on_enabled(self, context: ConfigurationContext) -> None:
        host, _, port = (context.get_property(self.CONNECTION_STRING).evaluate().value or "").strip().rpartition(":")
        timeout = parse_time_period(context.get_property(self.COMMUNICATION_TIMEOUT).value or "10 seconds")
        options: dict[str, Any] = {
            "host": host, "port": int(port), "db": int(context.get_property(self.DATABASE).evaluate().value or "0"),
            "username": context.get_property(self.USERNAME).evaluate().value or None,
            "password": context.get_property(self.PASSWORD).value or None,
            "socket_timeout": timeout, "socket_connect_timeout": timeout,
            "max_connections": context.get_property(self.POOL_MAX_TOTAL).as_int() or 8, "timeout": timeout,
        }
        ssl: SSLContextService | None = context.get_property(self.SSL_CONTEXT_SERVICE).as_controller_service()
        scheme = "redis"
        if ssl is not None:
            scheme = "rediss"
            options |= {"connection_class": redis.SSLConnection, "ssl_ca_certs": ssl.ca_file,
                        "ssl_certfile": ssl.certificate_file, "ssl_keyfile": ssl.key_file or ssl.certificate_file,
                        "ssl_password": ssl.key_password, "ssl_min_version": PROTOCOLS[ssl.protocol][0]}
        pool = redis.BlockingConnectionPool(**options)  # type: ignore[no-untyped-call]
        with self._lock:
            self._client = redis.Redis(connection_pool=pool)
            self.address = f"{scheme}://{host}:{port}/{options['db']}"

    def on_disabled(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.connection_pool.disconnect()

    def client(self) -> redis.Redis:
        """A client drawing on the pool (thread-safe)."""
        client = self._client
        if client is None:
            raise redis.ConnectionError("the RedisConnectionPoolService is not enabled")
        return client

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        return []
