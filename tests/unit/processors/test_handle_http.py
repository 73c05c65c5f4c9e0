"""HandleHttpRequest + HandleHttpResponse + StandardHttpContextMap with TestRunner and a real HTTP client."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from nifi_like.api import ProcessException
from nifi_like.testing import MockFlowFile, TestRunner
from processors.egress.handle_http_response import HandleHttpResponse
from processors.ingest.handle_http_request import HandleHttpRequest
from processors.services.standard_http_context_map import StandardHttpContextMap
from tests.unit.processors.local_http import free_port

MAP = "context-map"


def send(url: str, method: str = "GET", body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status), response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


class Service:
    """A started HandleHttpRequest and a HandleHttpResponse sharing one context map."""

    def __init__(self, request: TestRunner, response: TestRunner, port: int, pool: ThreadPoolExecutor) -> None:
        self.request, self.response, self.port, self.pool = request, response, port, pool

    def call(self, path: str, method: str = "GET", body: bytes | None = None,
             headers: dict[str, str] | None = None) -> Future[tuple[int, bytes, dict[str, str]]]:
        return self.pool.submit(send, f"http://127.0.0.1:{self.port}{path}", method, body, headers)

    def receive(self, count: int) -> list[MockFlowFile]:
        """Trigger HandleHttpRequest until ``count`` FlowFiles came out in all."""
        deadline = time.monotonic() + 20
        while len(self.request.get_flowfiles_for_relationship("success")) < count and time.monotonic() < deadline:
            self.request.run(1, stop_on_finish=False, initialize=False)
        return self.request.get_flowfiles_for_relationship("success")


@contextmanager
def web_service(request_properties: dict[str, str] | None = None, map_properties: dict[str, str] | None = None,
                response_properties: dict[str, str] | None = None) -> Iterator[Service]:
    port = free_port()
    request = TestRunner(HandleHttpRequest, {"Listening Port": str(port), "HTTP Context Map": MAP,
                                             **(request_properties or {})})
    response = TestRunner(HandleHttpResponse, {"HTTP Status Code": "200", "HTTP Context Map": MAP,
                                               **(response_properties or {})})
    with request, response, ThreadPoolExecutor(8) as pool:
        request.add_controller_service(MAP, StandardHttpContextMap, map_properties)
        request.enable_controller_service(MAP)
        response.services.nodes[MAP] = request.services.nodes[MAP]  # one map, as two processors of a flow share it
        request.run(0, stop_on_finish=False)
        try:
            yield Service(request, response, port, pool)
        finally:
            request.run(0, initialize=False)  # on_stopped: the server stops


def test_request_attributes_and_the_response(expression_language: None) -> None:
    with web_service(response_properties={"HTTP Status Code": "${code}", "X-Answer": "for ${http.method}",
                                          "Attributes to add to the HTTP Response (Regex)": "code"}) as service:
        answer = service.call("/api/orders?id=7&tag=a%20b", "POST", b'{"n": 1}',
                              {"Content-Type": "application/json; charset=utf-8", "X-Trace": "t1"})
        [flowfile] = service.receive(1)
        flowfile.assert_content_equals(b'{"n": 1}')
        expected = {"http.method": "POST", "http.request.uri": "/api/orders", "http.query.string": "id=7&tag=a%20b",
                    "http.query.param.id": "7", "http.query.param.tag": "a b", "http.headers.X-Trace": "t1",
                    "http.remote.host": "127.0.0.1", "http.server.port": str(service.port),
                    "http.local.name": "127.0.0.1", "http.protocol": "HTTP/1.1", "http.character.encoding": "utf-8",
                    "mime.type": "application/json; charset=utf-8",
                    "http.request.url": f"http://127.0.0.1:{service.port}/api/orders"}
        for key, value in expected.items():
            flowfile.assert_attribute_equals(key, value)
        flowfile.assert_attribute_exists("http.context.identifier")
        flowfile.assert_attribute_equals("http.server.name", "127.0.0.1")
        flowfile.assert_attribute_equals("http.context.path", "")
        flowfile.assert_attribute_equals("http.servlet.path", "")
        assert (flowfile.get_attribute("http.remote.addr") or "").startswith("127.0.0.1:")
        assert [e["event_type"] for e in service.request.provenance_events].count("RECEIVE") == 1
        service.response.enqueue(b"created", {**flowfile.attributes, "code": "201"})
        service.response.run()
        service.response.assert_all_transferred("success", count=1)
        status, body, headers = answer.result(30)
        assert (status, body) == (201, b"created")
        assert headers["X-Answer"] == "for POST" and headers["code"] == "201"
        assert any(e["event_type"] == "SEND" for e in service.response.provenance_events)


def test_methods_paths_and_parameters(expression_language: None) -> None:
    with web_service({"Allowed Paths": "/ok/.*", "Allow GET": "false", "Additional HTTP Methods": "PATCH",
                      "parameters-to-attributes": "who"}) as service:
        assert service.call("/ok/x").result(30)[0] == 405
        assert service.call("/elsewhere", "POST", b"").result(30)[0] == 404
        answer = service.call("/ok/form", "PATCH", b"who=Ada&other=1",
                              {"Content-Type": "application/x-www-form-urlencoded"})
        [flowfile] = service.receive(1)
        flowfile.assert_attribute_equals("http.method", "PATCH")
        flowfile.assert_attribute_equals("http.param.who", "Ada")
        flowfile.assert_attribute_not_exists("http.param.other")
        service.response.enqueue(b"", dict(flowfile.attributes))
        service.response.run()
        assert answer.result(30)[0] == 200


def test_an_unanswered_request_expires_with_503_and_a_late_response_fails() -> None:
    with web_service(map_properties={"Request Expiration": "300 ms"}) as service:
        answer = service.call("/late")
        [flowfile] = service.receive(1)
        assert answer.result(30)[0] == 503
        service.response.enqueue(b"too late", dict(flowfile.attributes))
        service.response.run()
        [failed] = service.response.get_flowfiles_for_relationship("failure")
        assert failed.is_penalized
        assert any("could not find an HTTP Response Object" in b.message for b in service.response.bulletins)


def test_a_full_context_map_refuses_with_503() -> None:
    with web_service(map_properties={"Maximum Outstanding Requests": "1"}) as service:
        first = service.call("/1")
        service.receive(1)
        second = service.call("/2")
        time.sleep(0.05)
        service.request.run(3, stop_on_finish=False, initialize=False)
        assert second.result(30)[0] == 503
        assert any("the HTTP Context Map is full" in b.message for b in service.request.bulletins)
        [flowfile] = service.request.get_flowfiles_for_relationship("success")
        service.response.enqueue(b"", dict(flowfile.attributes))
        service.response.run()
        assert first.result(30)[0] == 200


def test_requests_waiting_when_the_processor_stops_get_503() -> None:
    with web_service() as service:
        waiting = service.call("/never-triggered")
        deadline = time.monotonic() + 10
        while service.request.processor._queue.empty() and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.01)
        service.request.run(0, initialize=False)  # stop
        assert waiting.result(30)[0] == 503
        service.request.run(0, stop_on_finish=False)  # started again for the fixture's stop


def test_bad_responses_go_to_failure(expression_language: None) -> None:
    with web_service(response_properties={"HTTP Status Code": "${code}", "X-Bad": "${bad}"}) as service:
        answer = service.call("/x")
        [flowfile] = service.receive(1)
        service.response.enqueue(b"", {"code": "200"})  # no http.context.identifier
        service.response.enqueue(b"", {**flowfile.attributes, "code": "abc"})
        service.response.enqueue(b"", {**flowfile.attributes, "code": "99"})
        service.response.enqueue(b"", {**flowfile.attributes, "code": "200", "bad": "a\r\nSet-Cookie: x=1"})
        service.response.run()
        service.response.assert_all_transferred("failure", count=4)
        messages = " | ".join(b.message for b in service.response.bulletins)
        assert "did not have an 'http.context.identifier'" in messages
        assert "status code was 'abc'" in messages and "status code was '99'" in messages
        assert "characters an HTTP header may not have" in messages
        service.response.enqueue(b"fine", {**flowfile.attributes, "code": "200", "bad": "no"})
        service.response.run()
        assert answer.result(30)[:2] == (200, b"fine"), "the request is still waiting after the failures"


def test_a_port_in_use_is_a_clear_error() -> None:
    with web_service() as service:
        with TestRunner(HandleHttpRequest, {"Listening Port": str(service.port), "HTTP Context Map": MAP}) as other:
            with pytest.raises(ProcessException, match=f"cannot listen on 127.0.0.1:{service.port}"):
                other.run(0)


def test_the_context_map_is_required() -> None:
    with TestRunner(HandleHttpRequest, {"Listening Port": "8081"}) as runner:
        assert any("HTTP Context Map" in problem for problem in runner.assert_not_valid())
    with TestRunner(HandleHttpResponse, {"HTTP Context Map": MAP}) as runner:
        assert any("HTTP Status Code" in problem for problem in runner.assert_not_valid())
