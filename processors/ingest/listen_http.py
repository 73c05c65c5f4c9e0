"""ListenHTTP: an HTTP server whose every POST/PUT becomes a FlowFile, acknowledged only once durable.

The aiohttp server runs on its own event loop thread, started in ``on_scheduled`` and stopped in
``on_stopped``. A request handler puts the received body on a queue and waits; ``on_trigger`` takes
what is queued into FlowFiles, and the session's ``on_commit`` callback answers each request with
the Return Code (200) while ``on_rollback`` answers 503. So a client that got the Return Code knows
its data is committed; a client that got anything else (503 after a rollback, a stop, or when no
trigger took it within Max Unconfirmed Flowfile Time) may send it again: at least once, never lost.
"""

from __future__ import annotations

import asyncio
import queue
import re
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from aiohttp import web

from nifi_like.api import (
    ExpressionLanguageScope,
    InputRequirement,
    ProcessContext,
    ProcessException,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)
from processors.ingest._http_server import MAX_REQUEST_SIZE, HttpServer, take_batch

REMOTE_HOST = "restlistener.remote.source.host"
REQUEST_URI = "restlistener.request.uri"
#: How long one trigger waits for a request before it returns (so a stop is never kept waiting long).
POLL_WAIT = 0.1
#: Requests one session takes.
BATCH = 1000
UNAVAILABLE = 503
QUEUED, TAKEN, ABANDONED = "queued", "taken", "abandoned"


@dataclass
class _Received:
    """A request body waiting to become a FlowFile; ``answer`` settles the client's response."""

    body: bytes
    attributes: dict[str, str]
    uri: str
    loop: asyncio.AbstractEventLoop
    answer: asyncio.Future[int]
    state: str = QUEUED
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        with self.lock:
            if self.state != QUEUED:
                return False
            self.state = TAKEN
            return True

    def abandon(self) -> bool:
        """Give up on a request no trigger has taken; False when a session already holds it."""
        with self.lock:
            if self.state != QUEUED:
                return False
            self.state = ABANDONED
            return True

    def settle(self, status: int) -> None:
        def resolve() -> None:
            if not self.answer.done():
                self.answer.set_result(status)
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(resolve)


async def _healthy(request: web.Request) -> web.Response:
    return web.Response(text="OK")


class ListenHTTP(Processor):
    """Starts an HTTP Server and listens on a given base path to transform incoming requests into FlowFiles.
    The default URI of the Service will be http://{hostname}:{port}/contentListener. Only HEAD, GET (a health
    check), POST and PUT requests are supported. A POST or PUT is answered with the Return Code only once the
    FlowFile holding its body is committed; otherwise with 503, so the client can send it again."""

    tags = ("ingest", "http", "https", "rest", "listen")
    nifi_type = "org.apache.nifi.processors.standard.ListenHTTP"
    input_requirement = InputRequirement.INPUT_FORBIDDEN
    writes_attributes: ClassVar[Mapping[str, str]] = {
        REMOTE_HOST: "The host of the client that sent the request",
        REQUEST_URI: "The path of the request",
        "mime.type": "The Content-Type of the request, when it has one",
        "filename": "A random identifier (or the request's 'filename' header, when it has one)",
        "(headers)": "Each request header whose name matches 'HTTP Headers to receive as Attributes (Regex)'",
    }

    BASE_PATH = PropertyDescriptor(
        "Base Path", description="Base path for incoming connections", required=True, default="contentListener",
        validator=validators.NON_EMPTY, expression_language=ExpressionLanguageScope.ENVIRONMENT)
    PORT = PropertyDescriptor(
        "Listening Port", description="The Port to listen on for incoming connections", required=True,
        validator=validators.PORT, expression_language=ExpressionLanguageScope.ENVIRONMENT)
    ADDRESS = PropertyDescriptor(
        "Listening Address",
        description="The address to bind to (a nifi_like addition: NiFi binds every interface). 127.0.0.1 accepts "
                    "local clients only; 0.0.0.0 accepts every client that can reach the host.",
        required=True, default="127.0.0.1", validator=validators.NON_EMPTY)
    MAX_UNCONFIRMED_TIME = PropertyDescriptor(
        "Max Unconfirmed Flowfile Time",
        description="The maximum amount of time to wait for a FlowFile to be committed before the request is "
                    "answered with 503 (Service Unavailable)", required=True, default="60 secs",
        validator=validators.TIME_PERIOD)
    HEADERS_AS_ATTRIBUTES = PropertyDescriptor(
        "HTTP Headers to receive as Attributes (Regex)",
        description="Specifies the Regular Expression that determines the names of HTTP Headers that should be passed "
                    "along as FlowFile attributes", validator=validators.REGULAR_EXPRESSION)
    RETURN_CODE = PropertyDescriptor(
        "Return Code", description="The HTTP return code returned after every HTTP call", default="200",
        validator=validators.number_in_range(200, 299))
    MAX_REQUEST_SIZE = MAX_REQUEST_SIZE

    SUCCESS = Relationship("success", "Relationship for successfully received FlowFiles")

    def __init__(self) -> None:
        self._queue: queue.Queue[_Received] = queue.Queue()
        self._server: HttpServer | None = None

    def on_scheduled(self, context: ProcessContext) -> None:
        path = "/" + (context.get_property(self.BASE_PATH).evaluate().value or "").strip("/")
        port = int(context.get_property(self.PORT).evaluate().value or "0")
        host = context.get_property(self.ADDRESS).value or "127.0.0.1"
        pattern = context.get_property(self.HEADERS_AS_ATTRIBUTES).value
        headers = re.compile(pattern) if pattern else None
        wait = context.get_property(self.MAX_UNCONFIRMED_TIME).as_time_period() or 60.0
        max_size = context.get_property(self.MAX_REQUEST_SIZE).as_data_size() or 1

        async def receive(request: web.Request) -> web.Response:
            try:
                body = await request.read()
            except web.HTTPRequestEntityTooLarge:
                return web.Response(status=413, text=f"the body is larger than {max_size} bytes")
            item = _Received(body, _attributes(request, headers), str(request.url), asyncio.get_running_loop(),
                             asyncio.get_running_loop().create_future())
            self._queue.put(item)
            try:
                status = await asyncio.wait_for(asyncio.shield(item.answer), wait)
            except TimeoutError:
                if item.abandon():
                    return web.Response(status=UNAVAILABLE, text="not taken into the flow in time; send it again")
                status = await item.answer  # a session holds it: its commit or rollback decides
            if status == UNAVAILABLE:
                return web.Response(status=status, text="not taken into the flow; send it again")
            return web.Response(status=status)

        try:
            app = web.Application(client_max_size=max_size)
            app.router.add_route("POST", path, receive)
            app.router.add_route("PUT", path, receive)
            app.router.add_route("GET", path, _healthy)
            self._server = HttpServer(host, port, app, f"ListenHTTP :{port}")
        except OSError as exc:
            raise ProcessException(f"ListenHTTP cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        context.logger.info(f"listening on http://{host}:{port}{path}")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        taken = [item for item in take_batch(self._queue, POLL_WAIT, BATCH) if item.take()]
        if not taken:
            return
        status = int(context.get_property(self.RETURN_CODE).value or "200")
        session.on_commit(lambda: _settle(taken, status))
        session.on_rollback(lambda: _settle(taken, UNAVAILABLE))
        for item in taken:
            flowfile = session.create()
            if item.body:
                flowfile = session.write(flowfile, item.body)
            flowfile = session.put_all_attributes(flowfile, item.attributes)
            session.provenance.receive(flowfile, item.uri)
            session.transfer(flowfile, self.SUCCESS)

    def on_stopped(self, context: ProcessContext) -> None:
        server, self._server = self._server, None
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item.abandon():
                item.settle(UNAVAILABLE)
        if server is not None:
            server.stop()


def _settle(items: list[_Received], status: int) -> None:
    for item in items:
        item.settle(status)


def _attributes(request: web.Request, headers: re.Pattern[str] | None) -> dict[str, str]:
    attributes = {REMOTE_HOST: request.remote or "", REQUEST_URI: request.path,
                  "filename": request.headers.get("filename") or str(uuid.uuid4())}
    if request.content_type and request.headers.get("Content-Type"):
        attributes["mime.type"] = request.headers["Content-Type"]
    if headers is not None:
        attributes.update({name: value for name, value in request.headers.items() if headers.fullmatch(name)})
    return attributes
