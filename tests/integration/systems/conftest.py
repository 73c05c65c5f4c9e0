"""Session-scoped real servers for the external-systems processors (see tests/support/servers.py)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator

import pytest

from tests.support import servers


def _server(binary: str, start: Callable[[], servers.Server]) -> Iterator[servers.Server]:
    reason = servers.missing_binary(binary)
    if reason:
        pytest.skip(reason)
    server = start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def tls_files() -> Iterator[servers.TlsFiles]:
    directory = tempfile.mkdtemp(prefix="nifi_like-tls-")
    try:
        yield servers.make_tls_files(directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def mosquitto(tls_files: servers.TlsFiles) -> Iterator[servers.Server]:
    yield from _server(servers.MOSQUITTO, lambda: servers.start_mosquitto(tls_files))


@pytest.fixture(scope="session")
def redis_server() -> Iterator[servers.Server]:
    yield from _server(servers.REDIS_SERVER, servers.start_redis)


@pytest.fixture(scope="session")
def nats_server() -> Iterator[servers.Server]:
    yield from _server(servers.NATS_SERVER, servers.start_nats)


@pytest.fixture(scope="session")
def postgres(tls_files: servers.TlsFiles) -> Iterator[servers.Server]:
    yield from _server(f"{servers.PG_BIN}/postgres", lambda: servers.start_postgres(tls_files))
