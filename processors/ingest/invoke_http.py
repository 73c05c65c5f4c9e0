"""InvokeHTTP: call an HTTP endpoint per FlowFile and route by the status code, as NiFi does.

2xx: the request FlowFile goes to Original and the response (a child of the request) to Response;
5xx: the request goes to Retry (penalized); any other status to No Retry; a request that could not
be made (connection refused, timeout, bad URL) goes to Failure (penalized) with the error in
``invokehttp.java.exception.class`` / ``invokehttp.java.exception.message`` (NiFi's names, kept
so flows and their tests carry over; the values are the Python exception's). The request body is
streamed from the content repository and the response body streamed into it.
"""

from __future__ import annotations

import base64
import email.utils
import http.client
import re
import shutil
import time
import uuid
from collections.abc import Mapping
from typing import IO, ClassVar
from urllib.parse import urljoin, urlsplit

from nifi_like.api import (
    AllowableValue,
    ExpressionLanguageScope,
    FlowFile,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)

STATUS_CODE = "invokehttp.status.code"
STATUS_MESSAGE = "invokehttp.status.message"
RESPONSE_BODY = "invokehttp.response.body"
REQUEST_URL = "invokehttp.request.url"
REQUEST_DURATION = "invokehttp.request.duration"
RESPONSE_URL = "invokehttp.response.url"
TRANSACTION_ID = "invokehttp.tx.id"
EXCEPTION_CLASS = "invokehttp.java.exception.class"
EXCEPTION_MESSAGE = "invokehttp.java.exception.message"
DEFAULT_CONTENT_TYPE = "application/octet-stream"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
MAX_REDIRECTS = 10
NAMING_RANDOM = AllowableValue("RANDOM", "RANDOM", "FlowFile filename attribute will be a random value.")
NAMING_URL_PATH = AllowableValue("URL_PATH", "URL_PATH",
                                 "FlowFile filename attribute will be extracted from the remote URL path. The attribute "
                                 "may contain URL encoded characters. If the path doesn't exist, the attribute will be "
                                 "a random value.")


class _Response:
    """What came back: status, headers, and the final URL after redirects (the body stays unread)."""

    def __init__(self, connection: http.client.HTTPConnection, raw: http.client.HTTPResponse, url: str) -> None:
        self.connection = connection
        self.raw = raw
        self.url = url
        self.status = raw.status
        self.reason = raw.reason or ""

    def headers(self) -> dict[str, str]:
        merged: dict[str, list[str]] = {}
        for key, value in self.raw.getheaders():
            merged.setdefault(key, []).append(value)
        return {key: ", ".join(values) for key, values in merged.items()}

    def close(self) -> None:
        self.raw.close()
        self.connection.close()


class _Prefix:
    """Copies a stream to the content repository while keeping its first ``limit`` bytes."""

    def __init__(self, source: IO[bytes], limit: int) -> None:
        self._source = source
        self._limit = limit
        self.head = bytearray()

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        if len(self.head) < self._limit:
            self.head += data[: self._limit - len(self.head)]
        return data


class InvokeHTTP(Processor):
    """An HTTP client processor which can interact with a configurable HTTP Endpoint. The destination URL and
    HTTP Method are configurable. When the HTTP Method is PUT, POST or PATCH, the FlowFile contents are included
    as the body of the request and FlowFile attributes are converted to HTTP headers, optionally, based on
    configuration properties. Dynamic properties are sent as request headers."""

    tags = ("http", "https", "rest", "client")
    nifi_type = "org.apache.nifi.processors.standard.InvokeHTTP"
    input_requirement = InputRequirement.INPUT_ALLOWED
    supports_dynamic_properties = True
    writes_attributes: ClassVar[Mapping[str, str]] = {
        STATUS_CODE: "The status code that is returned",
        STATUS_MESSAGE: "The status message that is returned",
        RESPONSE_BODY: "In the instance where the status code received is not a success (2xx) then the response body "
                       "will be put to the 'invokehttp.response.body' attribute of the request FlowFile.",
        REQUEST_URL: "The original request URL",
        REQUEST_DURATION: "Duration (in milliseconds) of the HTTP call to the external endpoint",
        RESPONSE_URL: "The URL that was ultimately requested after any redirects were followed",
        TRANSACTION_ID: "The transaction ID that is returned after reading the response",
        EXCEPTION_CLASS: "The exception class raised when the processor fails (a Python class name here)",
        EXCEPTION_MESSAGE: "The exception message raised when the processor fails",
        "user-defined": "If the 'Response Body Attribute Name' property is set then whatever it is set to will become "
                        "the attribute key and the value would be the body of the HTTP response.",
    }

    HTTP_METHOD = PropertyDescriptor(
        "HTTP Method",
        description="HTTP request method (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS). Arbitrary methods are also "
                    "supported. Methods other than POST, PUT and PATCH will be sent without a message body.",
        required=True, default="GET", expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    HTTP_URL = PropertyDescriptor(
        "HTTP URL", aliases=('Remote URL',),
        description="HTTP remote URL including a scheme of http or https, as well as a hostname or IP address with "
                    "optional port and path elements. Any encoding of the URL must be done by the user.",
        required=True, validator=validators.NON_EMPTY, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    CONNECT_TIMEOUT = PropertyDescriptor(
        "Connection Timeout", description="Maximum time to wait for initial socket connection to the HTTP URL.",
        required=True, default="5 secs", validator=validators.TIME_PERIOD)
    READ_TIMEOUT = PropertyDescriptor(
        "Socket Read Timeout", aliases=('Read Timeout',),
        description="Maximum time to wait for receiving responses from a socket connection to the HTTP URL.",
        required=True, default="15 secs", validator=validators.TIME_PERIOD)
    USERNAME = PropertyDescriptor(
        "Request Username", aliases=('Basic Authentication Username',),
        description="The username provided for authentication of HTTP requests. Encoded using Base64 for HTTP Basic "
                    "Authentication as described in RFC 7617.")
    PASSWORD = PropertyDescriptor(
        "Request Password", aliases=('Basic Authentication Password',),
        description="The password provided for authentication of HTTP requests. Encoded using Base64 for HTTP Basic "
                    "Authentication as described in RFC 7617.", sensitive=True)
    PENALIZE_NO_RETRY = PropertyDescriptor(
        "Request Failure Penalization Enabled", aliases=('Penalize on "No Retry"',),
        description="Enable penalization of request FlowFiles when receiving HTTP response with a status code between "
                    "400 and 499.", default="false", allowable_values=("true", "false"))
    BODY_ENABLED = PropertyDescriptor(
        "Request Body Enabled", aliases=('send-message-body',), description="Enable sending HTTP request body for PATCH, POST, or PUT methods.",
        default="true", allowable_values=("true", "false"))
    CONTENT_TYPE = PropertyDescriptor(
        "Request Content-Type", aliases=('Content-Type',),
        description="HTTP Content-Type Header applied to when sending an HTTP request body for PATCH, POST, or PUT "
                    f"methods. The Content-Type defaults to {DEFAULT_CONTENT_TYPE} when not configured.",
        required=True, default="${mime.type}", expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    DATE_HEADER = PropertyDescriptor(
        "Request Date Header Enabled", aliases=('Include Date Header',),
        description="Enable sending HTTP Date Header on HTTP requests as described in RFC 7231 Section 7.1.1.2.",
        required=True, default="True", allowable_values=("True", "False"))
    HEADER_ATTRIBUTES = PropertyDescriptor(
        "Request Header Attributes Pattern", aliases=('Attributes to Send',),
        description="Regular expression that defines which FlowFile attributes to send as HTTP headers in the "
                    "request. If not defined, no attributes are sent as headers. Dynamic properties will be always be "
                    "sent as headers. The dynamic property name will be the header key and the dynamic property value, "
                    "interpreted as Expression Language, will be the header value.",
        validator=validators.REGULAR_EXPRESSION)
    USER_AGENT = PropertyDescriptor(
        "Request User-Agent", aliases=('Useragent',), description="HTTP User-Agent Header applied to requests.",
        validator=validators.NON_EMPTY, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    BODY_ATTRIBUTE_NAME = PropertyDescriptor(
        "Response Body Attribute Name", aliases=('Put Response Body In Attribute',),
        description="FlowFile attribute name used to write an HTTP response body for FlowFiles transferred to the "
                    "Original relationship.", expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    BODY_ATTRIBUTE_SIZE = PropertyDescriptor(
        "Response Body Attribute Size", aliases=('Max Length To Put In Attribute',),
        description="Maximum size in bytes applied when writing an HTTP response body to a FlowFile attribute. "
                    "Attributes exceeding the maximum will be truncated.",
        required=True, default="256", validator=validators.POSITIVE_INTEGER)
    BODY_IGNORED = PropertyDescriptor(
        "Response Body Ignored", aliases=('ignore-response-content',), description="Disable writing HTTP response FlowFiles to Response relationship",
        required=True, default="false", allowable_values=("true", "false"))
    GENERATION_REQUIRED = PropertyDescriptor(
        "Response Generation Required", aliases=('Always Output Response',),
        description="Enable generation and transfer of a FlowFile to the Response relationship regardless of HTTP "
                    "response status code received.", default="false", allowable_values=("true", "false"))
    NAMING_STRATEGY = PropertyDescriptor(
        "Response FlowFile Naming Strategy", aliases=('flow-file-naming-strategy',),
        description="Determines the strategy used for setting the filename attribute of FlowFiles transferred to the "
                    "Response relationship.", required=True, default=NAMING_RANDOM.value,
        allowable_values=(NAMING_RANDOM, NAMING_URL_PATH))
    HEADER_REQUEST_ATTRIBUTES = PropertyDescriptor(
        "Response Header Request Attributes Enabled", aliases=('Add Response Headers to Request',),
        description="Enable adding HTTP response headers as attributes to FlowFiles transferred to the Original, Retry "
                    "or No Retry relationships.", default="false", allowable_values=("true", "false"))
    HEADER_REQUEST_PREFIX = PropertyDescriptor(
        "Response Header Request Attributes Prefix",
        description="Prefix to HTTP response headers when included as attributes to FlowFiles transferred to the "
                    "Original, Retry or No Retry relationships. It is recommended to end with a separator character "
                    "like '.' or '-'.", validator=validators.NON_EMPTY,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    REDIRECTS = PropertyDescriptor(
        "Response Redirects Enabled", aliases=('Follow Redirects',),
        description="Enable following HTTP redirects sent with HTTP 300 series responses as described in RFC 7231 "
                    "Section 6.4.", required=True, default="True", allowable_values=("True", "False"))

    ORIGINAL = Relationship("Original", "Request FlowFiles transferred when receiving HTTP responses with a status "
                                        "code between 200 and 299.")
    RESPONSE = Relationship("Response", "Response FlowFiles transferred when receiving HTTP responses with a status "
                                        "code between 200 and 299. Enabling Response Generation Required sends a "
                                        "response FlowFile whatever the status code.")
    RETRY = Relationship("Retry", "Request FlowFiles transferred when receiving HTTP responses with a status code "
                                  "between 500 and 599.")
    NO_RETRY = Relationship("No Retry", "Request FlowFiles transferred when receiving HTTP responses with a status "
                                        "code between 400 an 499.")
    FAILURE = Relationship("Failure", "Request FlowFiles transferred when receiving socket communication errors.")

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor | None:
        return PropertyDescriptor(name, description="A request header, its value an Expression Language template",
                                  dynamic=True, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        request = session.get()
        if request is None and context.has_incoming_connection():
            return
        transaction = str(uuid.uuid4())
        url = context.get_property(self.HTTP_URL).evaluate(request).value or ""
        started = time.monotonic()
        try:
            response = self._send(context, session, request, url)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            self._failed(context, session, request, url, exc)
            return
        try:
            self._route(context, session, request, response, url, transaction, started)
        except (OSError, http.client.HTTPException) as exc:  # the body broke off while being read
            self._failed(context, session, request, url, exc)
        finally:
            response.close()

    # -- the request -----------------------------------------------------------------------
    def _headers(self, context: ProcessContext, request: FlowFile | None, body: bool) -> dict[str, str]:
        headers: dict[str, str] = {}
        pattern = context.get_property(self.HEADER_ATTRIBUTES).value
        if pattern and request is not None:
            matcher = re.compile(pattern)
            headers.update({k: v for k, v in request.attributes.items() if matcher.fullmatch(k) and v.isascii()})
        for name in context.dynamic_properties:
            value = context.get_property(name).evaluate(request).value
            if value:
                headers[name] = value
        if context.get_property(self.DATE_HEADER).value == "True":
            headers["Date"] = email.utils.formatdate(usegmt=True)
        agent = context.get_property(self.USER_AGENT).evaluate(request).value
        if agent:
            headers["User-Agent"] = agent
        username = context.get_property(self.USERNAME).value
        if username:
            secret = f"{username}:{context.get_property(self.PASSWORD).value or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(secret).decode("ascii")
        if body:
            content_type = context.get_property(self.CONTENT_TYPE).evaluate(request).value
            headers["Content-Type"] = content_type or DEFAULT_CONTENT_TYPE
        return headers

    def _send(self, context: ProcessContext, session: ProcessSession, request: FlowFile | None,
              url: str) -> _Response:
        method = (context.get_property(self.HTTP_METHOD).evaluate(request).value or "GET").upper()
        follow = context.get_property(self.REDIRECTS).value == "True"
        for _ in range(MAX_REDIRECTS + 1):
            body = (method in BODY_METHODS and request is not None
                    and context.get_property(self.BODY_ENABLED).as_bool())
            headers = self._headers(context, request, body)
            response = self._exchange(context, session, request if body else None, method, url, headers)
            location = response.raw.getheader("Location")
            if not follow or response.status not in (301, 302, 303, 307, 308) or not location:
                return response
            response.close()
            url = urljoin(url, location)
            if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                method = "GET"
        raise http.client.HTTPException(f"more than {MAX_REDIRECTS} redirects, last to {url}")

    def _exchange(self, context: ProcessContext, session: ProcessSession, body: FlowFile | None, method: str,
                  url: str, headers: dict[str, str]) -> _Response:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"'{url}' is not an http or https URL")
        connect = context.get_property(self.CONNECT_TIMEOUT).as_time_period()
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = kind(parts.hostname, parts.port, timeout=connect)
        try:
            connection.connect()
            assert connection.sock is not None
            connection.sock.settimeout(context.get_property(self.READ_TIMEOUT).as_time_period())
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            if body is None:
                connection.request(method, target, headers=headers)
            else:
                with session.read(body) as stream:
                    connection.request(method, target, body=stream,
                                       headers={**headers, "Content-Length": str(body.size)})
            return _Response(connection, connection.getresponse(), url)
        except BaseException:
            connection.close()
            raise

    # -- the response ----------------------------------------------------------------------
    def _route(self, context: ProcessContext, session: ProcessSession, request: FlowFile | None,
               response: _Response, url: str, transaction: str, started: float) -> None:
        status = response.status
        success = 200 <= status <= 299
        statuses = {STATUS_CODE: str(status), STATUS_MESSAGE: response.reason, REQUEST_URL: url,
                    REQUEST_DURATION: str(int((time.monotonic() - started) * 1000)), RESPONSE_URL: response.url,
                    TRANSACTION_ID: transaction}
        headers = response.headers()
        make_response = (success and not context.get_property(self.BODY_IGNORED).as_bool()) or \
            context.get_property(self.GENERATION_REQUIRED).as_bool()
        body_attribute = context.get_property(self.BODY_ATTRIBUTE_NAME).evaluate(request).value
        attribute_limit = context.get_property(self.BODY_ATTRIBUTE_SIZE).as_int() or 256
        keep = attribute_limit if (body_attribute or not success) and request is not None else 0
        reader = _Prefix(response.raw, keep)
        if make_response:
            answer = session.create(request) if request is not None else session.create()
            try:
                answer = session.write(answer, lambda out: shutil.copyfileobj(reader, out, 1 << 16))
            except BaseException:
                session.remove(answer)
                raise
            answer = session.put_all_attributes(answer, {**headers, **statuses, **self._naming(context, url)})
            if "Content-Type" in headers:
                answer = session.put_attribute(answer, "mime.type", headers["Content-Type"])
            if request is not None:
                session.provenance.fetch(answer, url)
            else:
                session.provenance.receive(answer, url)
            session.transfer(answer, self.RESPONSE)
        elif keep:
            reader.read(keep)
        if request is None:
            return
        extra = dict(statuses)
        if context.get_property(self.HEADER_REQUEST_ATTRIBUTES).as_bool():
            prefix = context.get_property(self.HEADER_REQUEST_PREFIX).evaluate(request).value or ""
            extra.update({prefix + key: value for key, value in headers.items()})
        text = bytes(reader.head).decode("utf-8", errors="replace")
        if body_attribute:
            extra[body_attribute] = text
        elif not success:
            extra[RESPONSE_BODY] = text
        request = session.put_all_attributes(request, extra)
        if success:
            session.transfer(request, self.ORIGINAL)
        elif status >= 500:
            session.transfer(session.penalize(request), self.RETRY)
        else:
            if context.get_property(self.PENALIZE_NO_RETRY).as_bool():
                request = session.penalize(request)
            session.transfer(request, self.NO_RETRY)

    @staticmethod
    def _naming(context: ProcessContext, url: str) -> dict[str, str]:
        name = ""
        if context.get_property(InvokeHTTP.NAMING_STRATEGY).value == NAMING_URL_PATH.value:
            name = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
        return {"filename": name or str(uuid.uuid4())}

    def _failed(self, context: ProcessContext, session: ProcessSession, request: FlowFile | None, url: str,
                exc: BaseException) -> None:
        reason = str(exc) or type(exc).__name__
        context.logger.error(f"request to {url or '(no URL)'} for {request or 'no FlowFile'} failed: {reason}")
        if request is None:
            context.yield_()
            return
        request = session.put_all_attributes(request, {
            EXCEPTION_CLASS: f"{type(exc).__module__}.{type(exc).__qualname__}", EXCEPTION_MESSAGE: reason,
            REQUEST_URL: url})
        session.transfer(session.penalize(request), self.FAILURE)
