"""A real DistributedMapCacheServer on 127.0.0.1 and a client service speaking to it, inside a TestRunner."""

from __future__ import annotations

from collections.abc import Mapping

from nifi_like.testing import TestRunner
from processors.services.distributed_map_cache_client import DistributedMapCacheClientService
from processors.services.distributed_map_cache_server import DistributedMapCacheServer
from tests.unit.processors.local_http import free_port

SERVER, CLIENT = "cache-server", "cache"


def add_map_cache(runner: TestRunner, server_properties: Mapping[str, str] | None = None,
                  timeout: str = "5 secs") -> int:
    """Add and enable a server and a client (id ``CLIENT``) in the runner; the server's port."""
    port = free_port()
    runner.add_controller_service(SERVER, DistributedMapCacheServer, {"Port": str(port), **(server_properties or {})})
    runner.add_controller_service(CLIENT, DistributedMapCacheClientService,
                                  {"Server Hostname": "127.0.0.1", "Server Port": str(port),
                                   "Communications Timeout": timeout})
    runner.enable_controller_service(SERVER)
    runner.enable_controller_service(CLIENT)
    return port


def add_unreachable_cache(runner: TestRunner) -> None:
    """A client service whose server does not run: every operation fails to connect."""
    runner.add_controller_service(CLIENT, DistributedMapCacheClientService,
                                  {"Server Hostname": "127.0.0.1", "Server Port": str(free_port()),
                                   "Communications Timeout": "2 secs"})
    runner.enable_controller_service(CLIENT)
