"""InvokeHTTP against a real aiohttp server on 127.0.0.1: routing by status, attributes, failures."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from aiohttp import web

from nifi_like.flow_testing import FlowRunner
from nifi_like.testing import TestRunner
from processors.ingest.invoke_http import (
    EXCEPTION_CLASS,
    EXCEPTION_MESSAGE,
    REQUEST_URL,
    RESPONSE_BODY,
    STATUS_CODE,
    STATUS_MESSAGE,
    TRANSACTION_ID,
    InvokeHTTP,
)
from tests.support.flows import connection, flow, processor
from tests.unit.processors.local_http import free_port, serve


async def echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.json_response({"method": request.method, "body": body.decode(), "query": request.query_string,
                              "headers": dict(request.headers)}, headers={"X-Served-By": "echo"})


async def status(request: web.Request) -> web.Response:
    code = int(request.match_info["code"])
    return web.Response(status=code, text=f"status {code} body")


async def redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound("/echo?from=redirect")


async def slow(request: web.Request) -> web.Response:
    await asyncio.sleep(3)
    return web.Response(text="late")


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    app = web.Application()
    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/status/{code}", status)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/slow", slow)
    with serve(app) as url:
        yield url


def invoke(url: str, **properties: str) -> TestRunner:
    return TestRunner(InvokeHTTP, properties={"HTTP URL": url, **properties})


def test_2xx_sends_original_to_original_and_the_body_to_response(base_url: str) -> None:
    with invoke(base_url + "/echo", **{"HTTP Method": "POST", "X-Custom": "${greeting}"}) as runner:
        runner.enqueue(b"payload", {"greeting": "hi", "mime.type": "text/plain"})
        runner.run()
        [original] = runner.get_flowfiles_for_relationship("Original")
        [response] = runner.get_flowfiles_for_relationship("Response")
        for flowfile in (original, response):
            flowfile.assert_attribute_equals(STATUS_CODE, "200")
            flowfile.assert_attribute_equals(STATUS_MESSAGE, "OK")
            flowfile.assert_attribute_equals(REQUEST_URL, base_url + "/echo")
            flowfile.assert_attribute_exists(TRANSACTION_ID)
        original.assert_content_equals(b"payload")
        sent = json.loads(response.content)
        assert sent["method"] == "POST" and sent["body"] == "payload"
        assert sent["headers"]["X-Custom"] == "hi"
        assert sent["headers"]["Content-Type"] == "text/plain"
        response.assert_attribute_equals("X-Served-By", "echo")
        response.assert_attribute_equals("mime.type", "application/json; charset=utf-8")
        response.assert_attribute_equals("greeting", "hi")  # a child of the request
        runner.assert_transferred("Retry", 0)
        assert {"FETCH"} <= {e["event_type"] for e in runner.provenance_events}


def test_get_sends_no_body_and_follows_redirects(base_url: str) -> None:
    with invoke(base_url + "/redirect") as runner:
        runner.enqueue(b"not sent")
        runner.run()
        [response] = runner.get_flowfiles_for_relationship("Response")
        sent = json.loads(response.content)
        assert sent["method"] == "GET" and sent["body"] == "" and sent["query"] == "from=redirect"
        response.assert_attribute_equals("invokehttp.response.url", base_url + "/echo?from=redirect")


def test_redirects_disabled_routes_the_3xx_to_no_retry(base_url: str) -> None:
    with invoke(base_url + "/redirect", **{"Response Redirects Enabled": "False"}) as runner:
        runner.enqueue(b"")
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("No Retry")
        flowfile.assert_attribute_equals(STATUS_CODE, "302")


def test_5xx_goes_to_retry_penalized_with_the_response_body(base_url: str) -> None:
    with invoke(base_url + "/status/503") as runner:
        runner.enqueue(b"x")
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("Retry")
        flowfile.assert_attribute_equals(STATUS_CODE, "503")
        flowfile.assert_attribute_equals(RESPONSE_BODY, "status 503 body")
        assert flowfile.is_penalized
        runner.assert_transferred("Response", 0)


def test_4xx_goes_to_no_retry_not_penalized_by_default(base_url: str) -> None:
    with invoke(base_url + "/status/404") as runner:
        runner.enqueue(b"x")
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("No Retry")
        flowfile.assert_attribute_equals(STATUS_CODE, "404")
        assert not flowfile.is_penalized


def test_response_generation_required_also_emits_the_error_response(base_url: str) -> None:
    with invoke(base_url + "/status/404", **{"Response Generation Required": "true"}) as runner:
        runner.enqueue(b"x")
        runner.run()
        [response] = runner.get_flowfiles_for_relationship("Response")
        response.assert_content_equals("status 404 body")
        runner.assert_transferred("No Retry", 1)


def test_response_body_attribute_is_truncated(base_url: str) -> None:
    with invoke(base_url + "/status/200", **{"Response Body Attribute Name": "answer",
                                             "Response Body Attribute Size": "6"}) as runner:
        runner.enqueue(b"x")
        runner.run()
        [original] = runner.get_flowfiles_for_relationship("Original")
        original.assert_attribute_equals("answer", "status")
        [response] = runner.get_flowfiles_for_relationship("Response")
        response.assert_content_equals("status 200 body")


def test_unreachable_server_goes_to_failure_penalized_with_the_reason() -> None:
    url = f"http://127.0.0.1:{free_port()}/nothing"
    with invoke(url) as runner:
        runner.enqueue(b"keep me")
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("Failure")
        flowfile.assert_content_equals(b"keep me")
        flowfile.assert_attribute_equals(EXCEPTION_CLASS, "builtins.ConnectionRefusedError")
        assert "refused" in (flowfile.get_attribute(EXCEPTION_MESSAGE) or "").lower()
        assert flowfile.is_penalized
        assert runner.bulletins


def test_read_timeout_goes_to_failure(base_url: str) -> None:
    with invoke(base_url + "/slow", **{"Socket Read Timeout": "200 millis"}) as runner:
        runner.enqueue(b"")
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("Failure")
        assert "timed out" in (flowfile.get_attribute(EXCEPTION_MESSAGE) or "")


def test_a_url_that_is_not_http_goes_to_failure() -> None:
    with invoke("${target}") as runner:
        runner.enqueue(b"", {"target": "ftp://example.invalid/x"})
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("Failure")
        assert "not an http or https URL" in (flowfile.get_attribute(EXCEPTION_MESSAGE) or "")


def test_without_incoming_connection_it_makes_a_request_per_trigger(base_url: str) -> None:
    invoker = processor("Poll", "InvokeHTTP", {"HTTP URL": base_url + "/echo?poll=1"}, period="1 hour",
                        auto_terminate=("Original", "Retry", "No Retry", "Failure"))
    sink = processor("Responses", "LogAttribute", auto_terminate=("success",))
    document = flow([invoker, sink], [connection(invoker, sink, ["Response"])])
    with FlowRunner(document, outputs=["Responses"], processors=[InvokeHTTP]) as runner:
        runner.run_until_idle(timeout=10)
        [response] = runner.outputs("Responses")
        assert json.loads(response.content)["query"] == "poll=1"
        response.assert_attribute_equals(STATUS_CODE, "200")
        assert "RECEIVE" in {e["event_type"] for e in runner.provenance_events()}
