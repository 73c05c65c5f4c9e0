"""DistributedMapCacheClientService: a DistributedMapCacheClient speaking to a DistributedMapCacheServer over TCP.

The server counts revisions as integers; this client hands them out as their decimal text (the opaque
``CacheEntry.revision`` of map_cache_api) and parses them back in ``replace``."""

from __future__ import annotations

import socket
import threading
from typing import Any

from nifi_like.api import ConfigurationContext, PropertyDescriptor, validators
from processors.services import _map_cache_protocol as protocol
from processors.services._map_cache_store import ABSENT
from processors.services.map_cache_api import CacheEntry, CacheUnavailable, DistributedMapCacheClient

#: Largest answer accepted from the server (values are bounded by the server's Maximum Read Size).
MAX_ANSWER = 64 << 20
#: Idle connections kept open for reuse.
POOL_SIZE = 8


class DistributedMapCacheClientService(DistributedMapCacheClient):
    """Provides the ability to communicate with a DistributedMapCacheServer. This can be used in order to share
    a Map between nodes in a NiFi cluster. Every operation is one request and one answer on a pooled
    connection; an unreachable or failing server is a CacheUnavailable naming the server and the cause."""

    tags = ("distributed", "cache", "state", "map", "cluster")
    nifi_type = "org.apache.nifi.distributed.cache.client.DistributedMapCacheClientService"

    HOSTNAME = PropertyDescriptor(
        "Server Hostname", description="The name of the server that is running the DistributedMapCacheServer "
                                       "service", required=True, validator=validators.NON_EMPTY)
    PORT = PropertyDescriptor(
        "Server Port", description="The port on the remote server that is to be used when communicating with the "
                                   "DistributedMapCacheServer service", required=True, default="4557",
        validator=validators.PORT)
    COMMUNICATIONS_TIMEOUT = PropertyDescriptor(
        "Communications Timeout",
        description="Specifies how long to wait when communicating with the remote server before determining that "
                    "there is a communications failure if data cannot be sent or received", required=True,
        default="30 secs", validator=validators.TIME_PERIOD)

    def __init__(self) -> None:
        self._address = ("127.0.0.1", 4557)
        self._timeout = 30.0
        self._idle: list[socket.socket] = []
        self._lock = threading.Lock()

    def on_enabled(self, context: ConfigurationContext) -> None:
        self._address = (context.get_property(self.HOSTNAME).value or "", context.get_property(self.PORT).as_int() or 0)
        self._timeout = context.get_property(self.COMMUNICATIONS_TIMEOUT).as_time_period() or 30.0

    def on_disabled(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for sock in idle:
            sock.close()

    # -- DistributedMapCacheClient ------------------------------------------------------------------
    def get(self, key: bytes) -> bytes | None:
        return self._call("get", key)  # type: ignore[no-any-return]

    def put(self, key: bytes, value: bytes) -> None:
        self._call("put", key, value)

    def put_if_absent(self, key: bytes, value: bytes) -> bool:
        return bool(self._call("put_if_absent", key, value))

    def contains_key(self, key: bytes) -> bool:
        return bool(self._call("contains_key", key))

    def remove(self, key: bytes) -> bool:
        return bool(self._call("remove", key))

    def get_and_put_if_absent(self, key: bytes, value: bytes) -> bytes | None:
        found = self._call("get_and_put_if_absent", key, value)
        return None if found is None else bytes(found)

    def fetch(self, key: bytes) -> CacheEntry | None:
        found = self._call("fetch", key)
        return None if found is None else CacheEntry(bytes(key), bytes(found[1]), str(int(found[0])))

    def replace(self, key: bytes, value: bytes, revision: str | None) -> bool:
        return bool(self._call("replace", key, value, _server_revision(revision)))

    # -- the connection ------------------------------------------------------------------
    def _where(self) -> str:
        return f"DistributedMapCacheServer at {self._address[0]}:{self._address[1]}"

    def _call(self, operation: str, key: bytes, value: bytes | None = None, revision: int | None = None) -> Any:
        request = [operation, bytes(key), value, revision]
        sock, reused = self._borrow()
        answer = self._exchange(sock, request, operation, quiet=reused)
        if answer is None:  # a pooled connection the server had closed (e.g. it restarted): once more, fresh
            sock, _ = self._borrow(fresh=True)
            answer = self._exchange(sock, request, operation, quiet=False)
        status, result = answer
        if status != protocol.OK:
            sock.close()
            raise CacheUnavailable(f"{operation} failed: {self._where()} answered: {result}")
        self._give_back(sock)
        return result

    def _exchange(self, sock: socket.socket, request: list[Any], operation: str, *, quiet: bool) -> Any:
        """The answer to ``request``; None (when ``quiet``) if the connection turned out closed."""
        try:
            protocol.send(sock, request)
            answer = protocol.receive(sock, MAX_ANSWER)
        except (ConnectionError, protocol.ProtocolError) as exc:
            sock.close()
            if quiet:
                return None
            raise CacheUnavailable(f"{operation} failed: {self._where()}: {exc}") from exc
        except OSError as exc:
            sock.close()
            raise CacheUnavailable(f"{operation} failed: {self._where()}: {exc}") from exc
        if answer is None:
            sock.close()
            if quiet:
                return None
            raise CacheUnavailable(f"{operation} failed: {self._where()} closed the connection")
        return answer

    def _borrow(self, fresh: bool = False) -> tuple[socket.socket, bool]:
        """A connected socket, and whether it was reused from the pool."""
        with self._lock:
            if self._idle and not fresh:
                return self._idle.pop(), True
        try:
            sock = socket.create_connection(self._address, timeout=self._timeout)
        except OSError as exc:
            raise CacheUnavailable(f"cannot connect to the {self._where()}: {exc.strerror or exc}") from exc
        try:
            protocol.send(sock, [protocol.HELLO, protocol.VERSION])
            answer = protocol.receive(sock, MAX_ANSWER)
        except OSError as exc:
            sock.close()
            raise CacheUnavailable(f"the {self._where()} did not answer the handshake: {exc}") from exc
        if not (isinstance(answer, list) and answer[:1] == [protocol.OK]):
            sock.close()
            raise CacheUnavailable(f"the {self._where()} refused the handshake: {answer!r}")
        return sock, False

    def _give_back(self, sock: socket.socket) -> None:
        with self._lock:
            if len(self._idle) < POOL_SIZE:
                self._idle.append(sock)
                return
        sock.close()


def _server_revision(revision: str | None) -> int:
    """The server's integer revision for a ``CacheEntry.revision`` this client handed out (None: absent)."""
    if revision is None:
        return ABSENT
    if not revision.isdecimal() or int(revision) <= ABSENT:
        raise ValueError(f"'{revision}' is not a revision of a DistributedMapCacheServer entry (fetch the entry "
                         "from this service and pass its revision)")
    return int(revision)
