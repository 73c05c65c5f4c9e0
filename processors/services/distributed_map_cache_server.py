"""DistributedMapCacheServer: a map cache that DistributedMapCacheClientServices reach over TCP."""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
from typing import Any

from nifi_like.api import ConfigurationContext, ControllerService, PropertyDescriptor, validators
from nifi_like.api.processor import ProcessException
from processors.services import _map_cache_protocol as protocol
from processors.services._map_cache_store import EVICTION_STRATEGIES, LFU, MapCacheStore

log = logging.getLogger(__name__)
#: A refused frame up to this size is read and dropped, so its connection stays usable; a larger one closes it.
MAX_SKIP = 64 << 20


class DistributedMapCacheServer(ControllerService):
    """Provides a map (key/value) cache that can be accessed over a socket. Interaction with this service is
    typically accomplished via a DistributedMapCacheClientService. Entries are kept in memory, at most
    'Maximum Cache Entries' of them; with a 'Persistence Directory' they are also written to disk (LMDB) as
    they change, and a restarted server starts with them."""

    tags = ("distributed", "cluster", "map", "cache", "server", "key/value")
    nifi_type = "org.apache.nifi.distributed.cache.server.map.DistributedMapCacheServer"

    PORT = PropertyDescriptor("Port", description="The port to listen on for incoming connections", required=True,
                              default="4557", validator=validators.PORT)
    ADDRESS = PropertyDescriptor(
        "Listening Address",
        description="The address to bind to (a nifi_like addition: NiFi binds every interface). 127.0.0.1 accepts "
                    "local clients only.", required=True, default="127.0.0.1", validator=validators.NON_EMPTY)
    MAX_CACHE_ENTRIES = PropertyDescriptor(
        "Maximum Cache Entries", description="The maximum number of cache entries that the cache can hold",
        required=True, default="10000", validator=validators.POSITIVE_INTEGER)
    EVICTION_POLICY = PropertyDescriptor(
        "Eviction Strategy",
        description="Determines which strategy should be used to evict values from the cache to make room for new "
                    "entries", required=True, default=LFU, allowable_values=EVICTION_STRATEGIES)
    PERSISTENCE_PATH = PropertyDescriptor(
        "Persistence Directory",
        description="If specified, the cache will be persisted in the given directory; if not specified, the cache "
                    "will be in-memory only")
    MAX_READ_SIZE = PropertyDescriptor(
        "maximum-read-size", display_name="Maximum Read Size", description="The maximum number of network bytes to read for a single cache item",
        required=True, default="1 MB", validator=validators.DATA_SIZE)

    def __init__(self) -> None:
        self._store: MapCacheStore | None = None
        self._server: _Server | None = None

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._server is None:
            raise ProcessException("DistributedMapCacheServer is not enabled")
        return int(self._server.server_address[1])

    def on_enabled(self, context: ConfigurationContext) -> None:
        port = context.get_property(self.PORT).as_int() or 0
        host = context.get_property(self.ADDRESS).value or "127.0.0.1"
        store = MapCacheStore(context.get_property(self.MAX_CACHE_ENTRIES).as_int() or 1,
                              context.get_property(self.EVICTION_POLICY).value or LFU,
                              context.get_property(self.PERSISTENCE_PATH).value or None)
        try:
            server = _Server((host, port), store, context.get_property(self.MAX_READ_SIZE).as_data_size() or 1)
        except OSError as exc:
            store.close()
            raise ProcessException(f"DistributedMapCacheServer cannot listen on {host}:{port}: "
                                   f"{exc.strerror or exc}") from exc
        self._store, self._server = store, server
        threading.Thread(target=server.serve_forever, args=(0.2,), name=f"DistributedMapCacheServer :{port}",
                         daemon=True).start()
        log.info("DistributedMapCacheServer listening on %s:%s", host, self.port)

    def on_disabled(self) -> None:
        server, store = self._server, self._store
        self._server = self._store = None
        if server is not None:
            server.shutdown()
            server.close_connections()
            server.server_close()
        if store is not None:
            store.close()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], store: MapCacheStore, max_read_size: int) -> None:
        self.store = store
        self.max_read_size = max_read_size
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, sock: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            (self._connections.add if open_ else self._connections.discard)(sock)

    def close_connections(self) -> None:
        """Disconnect every client, so a disabled server holds nothing open."""
        with self._connections_lock:
            for sock in self._connections:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        sock: socket.socket = self.request
        self.server.track(sock, True)
        try:
            self._serve(sock)
        except OSError as exc:
            log.debug("map cache connection from %s ended: %s", self.client_address, exc)
        finally:
            self.server.track(sock, False)

    def _serve(self, sock: socket.socket) -> None:
        limit = self.server.max_read_size + 1024  # room for the operation name, key and framing
        hello = protocol.receive(sock, limit)
        if not (isinstance(hello, list) and hello[:1] == [protocol.HELLO]):
            protocol.send(sock, [protocol.ERROR, f"not a {protocol.HELLO} client"])
            return
        protocol.send(sock, [protocol.OK, protocol.VERSION])
        while True:
            try:
                request = protocol.receive(sock, limit)
            except protocol.FrameTooLarge as exc:
                if exc.length > MAX_SKIP:
                    protocol.send(sock, [protocol.ERROR, str(exc)])
                    return
                protocol.skip(sock, exc.length)  # the connection stays usable: answer and carry on
                protocol.send(sock, [protocol.ERROR, str(exc)])
                continue
            except protocol.ProtocolError as exc:
                protocol.send(sock, [protocol.ERROR, str(exc)])
                return
            if request is None:
                return
            protocol.send(sock, self._answer(request))

    def _answer(self, request: Any) -> list[Any]:
        if not (isinstance(request, list) and len(request) == 4 and request[0] in protocol.OPERATIONS
                and isinstance(request[1], bytes)):
            return [protocol.ERROR, f"not a request: expected [operation, key, value, revision] with one of "
                                    f"{', '.join(protocol.OPERATIONS)}"]
        operation, key, value, revision = request
        store = self.server.store
        if operation in ("put", "put_if_absent", "get_and_put_if_absent", "replace") and not isinstance(value, bytes):
            return [protocol.ERROR, f"{operation} needs a value of bytes"]
        if operation == "replace" and not isinstance(revision, int):
            return [protocol.ERROR, "replace needs an integer revision"]
        if operation == "get":
            return [protocol.OK, store.get(key)]
        if operation == "fetch":
            found = store.fetch(key)
            return [protocol.OK, None if found is None else list(found)]
        if operation == "contains_key":
            return [protocol.OK, store.contains_key(key)]
        if operation == "put":
            store.put(key, value)
            return [protocol.OK, None]
        if operation == "put_if_absent":
            return [protocol.OK, store.put_if_absent(key, value)]
        if operation == "get_and_put_if_absent":
            return [protocol.OK, store.get_and_put_if_absent(key, value)]
        if operation == "replace":
            return [protocol.OK, store.replace(key, value, revision)]
        return [protocol.OK, store.remove(key)]
