"""StandardHttpContextMap: holds the requests HandleHttpRequest received until HandleHttpResponse answers."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from nifi_like.api import ConfigurationContext, PropertyDescriptor, validators
from processors.services.http_context_map_api import HttpContextMap, HttpExchange

SERVICE_UNAVAILABLE = 503
#: Longest pause between two looks for expired requests.
SWEEP_INTERVAL = 1.0


class StandardHttpContextMap(HttpContextMap):
    """Provides the ability to store and retrieve HTTP requests and responses external to a Processor, so that
    multiple Processors can interact with the same HTTP request. A request not answered within the Request
    Expiration is answered 503 (Service Unavailable) and forgotten."""

    tags = ("http", "request", "response")
    nifi_type = "org.apache.nifi.http.StandardHttpContextMap"

    MAX_OUTSTANDING_REQUESTS = PropertyDescriptor(
        "Maximum Outstanding Requests",
        description="The maximum number of HTTP requests that can be outstanding at any one time. Any attempt to "
                    "register an additional HTTP Request will cause an error", required=True, default="5000",
        validator=validators.POSITIVE_INTEGER)
    REQUEST_EXPIRATION = PropertyDescriptor(
        "Request Expiration",
        description="Specifies how long an HTTP Request should be left unanswered before being evicted from the "
                    "cache and being responded to with a Service Unavailable status code", required=True,
        default="1 min", validator=validators.TIME_PERIOD)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: OrderedDict[str, tuple[float, HttpExchange]] = OrderedDict()  # id -> (deadline, exchange)
        self._max = 5000
        self._expiration = 60.0
        self._stopping = threading.Event()
        self._sweeper: threading.Thread | None = None

    def on_enabled(self, context: ConfigurationContext) -> None:
        self._max = context.get_property(self.MAX_OUTSTANDING_REQUESTS).as_int() or 1
        self._expiration = context.get_property(self.REQUEST_EXPIRATION).as_time_period() or 60.0
        self._stopping.clear()
        self._sweeper = threading.Thread(target=self._sweep, name="StandardHttpContextMap expiry", daemon=True)
        self._sweeper.start()

    def on_disabled(self) -> None:
        self._stopping.set()
        if self._sweeper is not None:
            self._sweeper.join(10)
            self._sweeper = None
        with self._lock:
            pending, self._pending = list(self._pending.values()), OrderedDict()
        for _, exchange in pending:
            exchange.respond(SERVICE_UNAVAILABLE, {}, b"the HTTP context map was disabled")

    def register(self, identifier: str, exchange: HttpExchange) -> bool:
        with self._lock:
            if len(self._pending) >= self._max:
                return False
            self._pending[identifier] = (time.monotonic() + self._expiration, exchange)
            return True

    def complete(self, identifier: str) -> HttpExchange | None:
        with self._lock:
            found = self._pending.pop(identifier, None)
        return None if found is None else found[1]

    def discard(self, identifier: str) -> None:
        self.complete(identifier)

    @property
    def outstanding(self) -> int:
        return len(self._pending)

    def _sweep(self) -> None:
        interval = min(SWEEP_INTERVAL, max(self._expiration / 4, 0.01))
        while not self._stopping.wait(interval):
            now = time.monotonic()
            expired: list[HttpExchange] = []
            with self._lock:
                while self._pending:
                    identifier, (deadline, exchange) = next(iter(self._pending.items()))
                    if deadline > now:
                        break  # registered in deadline order: the rest expire later
                    del self._pending[identifier]
                    expired.append(exchange)
            for exchange in expired:
                exchange.respond(SERVICE_UNAVAILABLE, {}, b"the request was not answered in time")
