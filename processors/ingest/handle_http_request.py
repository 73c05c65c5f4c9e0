"""HandleHttpRequest: each HTTP request becomes a FlowFile; its client waits for HandleHttpResponse.

The aiohttp server runs on its own event loop thread (processors/ingest/_http_server.py). A request
handler queues the request (at most Container Queue Size of them; more are answered 503) and waits;
``on_trigger`` turns queued requests into FlowFiles and registers each in the HTTP Context Map under a
new ``http.context.identifier``. HandleHttpResponse later takes it from the map and answers; the map
answers 503 itself once the Request Expiration has passed. A session that rolls back answers 503 too.
"""

from __future__ import annotations

import asyncio
import queue
import re
import threading
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import parse_qsl

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
from processors.services.http_context_map_api import HttpContextMap, HttpExchange

CONTEXT_IDENTIFIER = "http.context.identifier"
#: How long one trigger waits for a request before it returns (so a stop is never kept waiting long).
POLL_WAIT = 0.1
BATCH = 100
SERVICE_UNAVAILABLE = 503
_METHODS = (("Allow GET", "GET", "true"), ("Allow POST", "POST", "true"), ("Allow PUT", "PUT", "true"),
            ("Allow DELETE", "DELETE", "true"), ("Allow HEAD", "HEAD", "false"), ("Allow OPTIONS", "OPTIONS", "false"))


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


class _Exchange(HttpExchange):
    """A received request and the future its handler awaits for the answer."""

    def __init__(self, body: bytes, attributes: dict[str, str], url: str, loop: asyncio.AbstractEventLoop) -> None:
        self.body = body
        self.attributes = attributes
        self.url = url
        self._loop = loop
        self.answer: asyncio.Future[_Answer] = loop.create_future()
        self._answered = False
        self._lock = threading.Lock()

    def respond(self, status: int, headers: Mapping[str, str], body: bytes) -> bool:
        with self._lock:
            if self._answered or self._loop.is_closed():
                return False
            self._answered = True
        answer = _Answer(status, dict(headers), body)

        def resolve() -> None:
            if not self.answer.done():
                self.answer.set_result(answer)
        try:
            self._loop.call_soon_threadsafe(resolve)
        except RuntimeError:  # the loop closed meanwhile: the server is gone
            return False
        return True


class HandleHttpRequest(Processor):
    """Starts an HTTP Server and listens for HTTP Requests. For each request, creates a FlowFile and transfers
    to 'success'. This Processor is designed to be used in conjunction with the HandleHttpResponse Processor
    in order to create a Web Service. A request whose method is not allowed is answered 405, one whose path
    does not match Allowed Paths 404, and one that finds the queue or the HTTP Context Map full 503."""

    tags = ("http", "https", "request", "listen", "ingress", "web service")
    nifi_type = "org.apache.nifi.processors.standard.HandleHttpRequest"
    input_requirement = InputRequirement.INPUT_FORBIDDEN
    writes_attributes: ClassVar[Mapping[str, str]] = {
        CONTEXT_IDENTIFIER: "An identifier that allows the HandleHttpRequest and HandleHttpResponse to coordinate "
                            "which FlowFile belongs to which HTTP Request/Response.",
        "mime.type": "The MIME Type of the data, according to the HTTP Header \"Content-Type\"",
        "http.servlet.path": "The part of the request URL that is considered the Servlet Path",
        "http.context.path": "The part of the request URL that is considered to be the Context Path",
        "http.method": "The HTTP Method that was used for the request, such as GET or POST",
        "http.local.name": "IP address/hostname of the server",
        "http.server.port": "Listening port of the server",
        "http.query.string": "The query string portion of the Request URL",
        "http.remote.host": "The hostname of the requestor",
        "http.remote.addr": "The hostname:port combination of the requestor",
        "http.protocol": "The protocol used to communicate",
        "http.request.uri": "The path of the request, without the query string",
        "http.request.url": "The request URL (scheme, host, port and path, without the query string)",
        "http.character.encoding": "The character set of the request body, from its Content-Type",
        "http.server.name": "The name of the server (the Host header)",
        "http.query.param.XXX": "Each of query parameters in the request will be added as an attribute, prefixed "
                                "with \"http.query.param.\"",
        "http.param.XXX": "Form parameters in the request that are configured by \"Parameters to Attributes List\" "
                          "will be added as an attribute, prefixed with \"http.param.\"",
        "http.headers.XXX": "Each of the HTTP Headers that is received in the request will be added as an attribute, "
                            "prefixed with \"http.headers.\" For example, if the request contains an HTTP Header "
                            "named \"x-my-header\", then the value will be added to an attribute named "
                            "\"http.headers.x-my-header\"",
    }

    PORT = PropertyDescriptor("Listening Port", description="The Port to listen on for incoming HTTP requests",
                              required=True, default="80", validator=validators.PORT,
                              expression_language=ExpressionLanguageScope.ENVIRONMENT)
    HOSTNAME = PropertyDescriptor(
        "Hostname", description="The Hostname to bind to. nifi_like binds 127.0.0.1 (local clients only) unless "
                                "another address is given; 0.0.0.0 binds all interfaces.",
        default="127.0.0.1", expression_language=ExpressionLanguageScope.ENVIRONMENT)
    HTTP_CONTEXT_MAP = PropertyDescriptor(
        "HTTP Context Map", description="The HTTP Context Map Controller Service to use for caching the HTTP Request "
                                        "Information", required=True, controller_service=HttpContextMap)
    PATH_REGEX = PropertyDescriptor(
        "Allowed Paths", description="A Regular Expression that specifies the valid HTTP Paths that are allowed in "
                                     "the incoming URL Requests. If this value is specified and the path of the HTTP "
                                     "Requests does not match this Regular Expression, the Processor will respond "
                                     "with a 404: NotFound", validator=validators.REGULAR_EXPRESSION)
    URL_CHARACTER_SET = PropertyDescriptor(
        "Default URL Character Set", description="The character set to use for decoding URL parameters if the HTTP "
                                                 "Request does not supply one", required=True, default="UTF-8",
        validator=validators.CHARACTER_SET)
    ALLOW_GET = PropertyDescriptor("Allow GET", description="Allow HTTP GET Method", required=True, default="true",
                                   allowable_values=("true", "false"))
    ALLOW_POST = PropertyDescriptor("Allow POST", description="Allow HTTP POST Method", required=True, default="true",
                                    allowable_values=("true", "false"))
    ALLOW_PUT = PropertyDescriptor("Allow PUT", description="Allow HTTP PUT Method", required=True, default="true",
                                   allowable_values=("true", "false"))
    ALLOW_DELETE = PropertyDescriptor("Allow DELETE", description="Allow HTTP DELETE Method", required=True,
                                      default="true", allowable_values=("true", "false"))
    ALLOW_HEAD = PropertyDescriptor("Allow HEAD", description="Allow HTTP HEAD Method", required=True,
                                    default="false", allowable_values=("true", "false"))
    ALLOW_OPTIONS = PropertyDescriptor("Allow OPTIONS", description="Allow HTTP OPTIONS Method", required=True,
                                       default="false", allowable_values=("true", "false"))
    ADDITIONAL_METHODS = PropertyDescriptor(
        "Additional HTTP Methods", description="A comma-separated list of non-standard HTTP Methods that should be "
                                               "allowed")
    CONTAINER_QUEUE_SIZE = PropertyDescriptor(
        "container-queue-size", display_name="Container Queue Size",
        description="The size of the queue for Http Request Containers", required=True, default="50",
        validator=validators.POSITIVE_INTEGER)
    PARAMETERS_TO_ATTRIBUTES = PropertyDescriptor(
        "parameters-to-attributes", display_name="Parameters to Attributes List",
        description="A comma-separated list of HTTP parameters or form data to output as attributes")
    MAX_REQUEST_SIZE = MAX_REQUEST_SIZE

    SUCCESS = Relationship("success", "All content that is received is routed to the 'success' relationship")

    def __init__(self) -> None:
        self._queue: queue.Queue[_Exchange] = queue.Queue()
        self._server: HttpServer | None = None
        self._waiting: set[_Exchange] = set()  # requests whose handler awaits an answer (server thread only)

    def on_scheduled(self, context: ProcessContext) -> None:
        port = int(context.get_property(self.PORT).evaluate().value or "0")
        host = context.get_property(self.HOSTNAME).evaluate().value or "127.0.0.1"
        self._queue = queue.Queue(context.get_property(self.CONTAINER_QUEUE_SIZE).as_int() or 50)
        max_size = context.get_property(self.MAX_REQUEST_SIZE).as_data_size() or 1
        app = web.Application(client_max_size=max_size)
        app.router.add_route("*", "/{tail:.*}", self._handler(context, max_size))
        try:
            self._server = HttpServer(host, port, app, f"HandleHttpRequest :{port}")
        except OSError as exc:
            raise ProcessException(f"HandleHttpRequest cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        context.logger.info(f"listening on http://{host}:{port}")

    def _handler(self, context: ProcessContext,
                 max_size: int) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        methods = {method for name, method, _ in _METHODS if context.get_property(name).value == "true"}
        methods |= {m.strip().upper() for m in (context.get_property(self.ADDITIONAL_METHODS).value or "").split(",")
                    if m.strip()}
        pattern = context.get_property(self.PATH_REGEX).value
        allowed_paths = re.compile(pattern) if pattern else None
        charset = context.get_property(self.URL_CHARACTER_SET).value or "UTF-8"
        parameters = {p.strip() for p in (context.get_property(self.PARAMETERS_TO_ATTRIBUTES).value or "").split(",")
                      if p.strip()}

        async def handle(request: web.Request) -> web.StreamResponse:
            if request.method not in methods:
                return web.Response(status=405, text=f"method {request.method} is not allowed")
            if allowed_paths is not None and not allowed_paths.fullmatch(request.path):
                return web.Response(status=404, text=f"no resource at {request.path}")
            try:
                body = await request.read()
            except web.HTTPRequestEntityTooLarge:
                return web.Response(status=413, text=f"the body is larger than {max_size} bytes")
            form = await _form(request, body, charset) if parameters else {}
            exchange = _Exchange(body, _attributes(request, charset, parameters, form), str(request.url),
                                 asyncio.get_running_loop())
            try:
                self._queue.put_nowait(exchange)
            except queue.Full:
                return web.Response(status=SERVICE_UNAVAILABLE, text="too many requests are waiting; try again")
            self._waiting.add(exchange)
            try:
                answer = await exchange.answer
            finally:
                self._waiting.discard(exchange)
            return web.Response(status=answer.status, headers=answer.headers, body=answer.body)

        return handle

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        exchanges = take_batch(self._queue, POLL_WAIT, BATCH)
        if not exchanges:
            return
        context_map: HttpContextMap = context.get_property(self.HTTP_CONTEXT_MAP).as_controller_service()
        registered: list[tuple[str, _Exchange]] = []
        session.on_rollback(lambda: _refuse(context_map, registered))
        for exchange in exchanges:
            identifier = str(uuid.uuid4())
            if not context_map.register(identifier, exchange):
                context.logger.warn(f"the HTTP Context Map is full; refusing the request to {exchange.url} with 503")
                exchange.respond(SERVICE_UNAVAILABLE, {}, b"too many outstanding requests; try again")
                continue
            registered.append((identifier, exchange))
            flowfile = session.create()
            if exchange.body:
                flowfile = session.write(flowfile, exchange.body)
            flowfile = session.put_all_attributes(flowfile, {**exchange.attributes, CONTEXT_IDENTIFIER: identifier})
            session.provenance.receive(flowfile, exchange.url)
            session.transfer(flowfile, self.SUCCESS)

    def on_stopped(self, context: ProcessContext) -> None:
        """Answer every request still waiting with 503 (a FlowFile in the flow for one of them will fail at
        HandleHttpResponse), then stop the server."""
        server, self._server = self._server, None
        if server is None:
            return
        asyncio.run_coroutine_threadsafe(self._refuse_waiting(), server.loop).result(30)
        server.stop()

    async def _refuse_waiting(self) -> None:
        for exchange in list(self._waiting):
            exchange.respond(SERVICE_UNAVAILABLE, {}, b"the service is stopping")
        await asyncio.sleep(0)  # let the answers be written before the server closes


def _refuse(context_map: HttpContextMap, registered: list[tuple[str, _Exchange]]) -> None:
    """A rolled-back session: its requests never became FlowFiles, so nothing will answer them but this."""
    for identifier, exchange in registered:
        context_map.discard(identifier)
        exchange.respond(SERVICE_UNAVAILABLE, {}, b"the request could not be taken into the flow; try again")


async def _form(request: web.Request, body: bytes, charset: str) -> dict[str, str]:
    if request.content_type != "application/x-www-form-urlencoded":
        return {}
    return dict(parse_qsl(body.decode(request.charset or charset, errors="replace"), keep_blank_values=True))


def _attributes(request: web.Request, charset: str, parameters: set[str], form: Mapping[str, str]) -> dict[str, str]:
    raw_query = request.raw_path.partition("?")[2]
    local = request.transport.get_extra_info("sockname") if request.transport else None
    peer = request.transport.get_extra_info("peername") if request.transport else None
    attributes = {
        "http.method": request.method,
        "http.request.uri": request.path,
        "http.request.url": str(request.url.with_query(None)),
        "http.query.string": raw_query,
        "http.context.path": "",
        "http.servlet.path": "",
        "http.protocol": f"HTTP/{request.version.major}.{request.version.minor}",
        "http.remote.host": request.remote or "",
        "http.remote.addr": f"{peer[0]}:{peer[1]}" if peer else (request.remote or ""),
        "http.local.name": local[0] if local else "",
        "http.server.port": str(local[1]) if local else "",
        "http.server.name": request.host.rsplit(":", 1)[0] if request.host else "",
    }
    if request.headers.get("Content-Type"):
        attributes["mime.type"] = request.headers["Content-Type"]
    if request.charset:
        attributes["http.character.encoding"] = request.charset
    for name, value in parse_qsl(raw_query, keep_blank_values=True, encoding=charset, errors="replace"):
        attributes[f"http.query.param.{name}"] = value
        if name in parameters:
            attributes[f"http.param.{name}"] = value
    for name in parameters & set(form):
        attributes[f"http.param.{name}"] = form[name]
    for name in request.headers:
        attributes[f"http.headers.{name}"] = ",".join(request.headers.getall(name))
    return attributes
