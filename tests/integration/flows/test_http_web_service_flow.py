"""A web service built from processors: HandleHttpRequest -> UpdateAttribute -> ReplaceText ->
HandleHttpResponse, driven by a real aiohttp client against the running engine."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from nifi_like.flow_testing import FlowRunner
from tests.support.flows import connection, flow, processor, uid
from tests.unit.processors.local_http import free_port

CONTEXT_MAP = "org.apache.nifi.http.StandardHttpContextMap"


def web_service(port: int, expiration: str) -> dict[str, Any]:
    context_map = {"identifier": uid(), "name": "requests", "type": CONTEXT_MAP,
                   "properties": {"Request Expiration": expiration}, "scheduledState": "ENABLED"}
    request = processor("Request", "org.apache.nifi.processors.standard.HandleHttpRequest",
                        {"Listening Port": str(port), "HTTP Context Map": context_map["identifier"],
                         "Allowed Paths": "/(hello|slow)", "Allow DELETE": "false"})
    status = processor("Status", "org.apache.nifi.processors.standard.UpdateAttribute",
                       {"status": "${http.query.param.code:replaceNull('200')}"})
    greet = processor("Greet", "org.apache.nifi.processors.standard.ReplaceText",
                      {"Replacement Strategy": "Always Replace", "Evaluation Mode": "Entire text",
                       "Replacement Value": "hello ${http.query.param.name} (${http.method}, $1 bytes)"
                                            .replace("$1", "${fileSize}")},
                      auto_terminate=("failure",))
    respond = processor("Respond", "org.apache.nifi.processors.standard.HandleHttpResponse",
                        {"HTTP Status Code": "${status}", "HTTP Context Map": context_map["identifier"],
                         "X-Method": "${http.method}", "Attributes to add to the HTTP Response (Regex)": "status"},
                        auto_terminate=("success",), penaltyDuration="100 ms")
    failed = processor("Failed", "org.apache.nifi.processors.standard.LogAttribute", auto_terminate=("success",))
    return flow([request, status, greet, respond, failed],
                [connection(request, status, ["success"]), connection(status, greet, ["success"]),
                 connection(greet, respond, ["success"]), connection(respond, failed, ["failure"])],
                controllerServices=[context_map])


@pytest.fixture
def service() -> Iterator[tuple[FlowRunner, str]]:
    port = free_port()
    with FlowRunner(web_service(port, "2 sec"), outputs=["Failed"]) as runner:
        yield runner, f"http://127.0.0.1:{port}"


async def call(method: str, url: str, body: bytes = b"") -> tuple[int, str, dict[str, str]]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        async with session.request(method, url, data=body) as response:
            return response.status, await response.text(), dict(response.headers)


def wait_for_failed(runner: FlowRunner, count: int) -> list[Any]:
    deadline = time.monotonic() + 20
    while len(runner.outputs("Failed")) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return runner.outputs("Failed")


def test_requests_are_answered_by_the_flow(service: tuple[FlowRunner, str]) -> None:
    runner, base = service

    async def scenario() -> list[tuple[int, str, dict[str, str]]]:
        return list(await asyncio.gather(
            call("GET", f"{base}/hello?name=Ada"),
            call("POST", f"{base}/hello?name=Bob", b"twelve bytes"),
            call("PUT", f"{base}/hello?name=J%C3%BCrgen&code=201", b"x"),
            *(call("GET", f"{base}/hello?name=n{i}") for i in range(20))))

    answers = asyncio.run(scenario())
    status, text, headers = answers[0]
    assert (status, text) == (200, "hello Ada (GET, 0 bytes)")
    assert headers["X-Method"] == "GET" and headers["status"] == "200"
    assert answers[1][:2] == (200, "hello Bob (POST, 12 bytes)")
    assert answers[2][:2] == (201, "hello Jürgen (PUT, 1 bytes)")
    assert sorted(text for _, text, _ in answers[3:]) == sorted(f"hello n{i} (GET, 0 bytes)" for i in range(20))
    assert runner.outputs("Failed") == []


def test_methods_and_paths_not_allowed_are_refused(service: tuple[FlowRunner, str]) -> None:
    _, base = service
    assert asyncio.run(call("DELETE", f"{base}/hello"))[0] == 405
    assert asyncio.run(call("GET", f"{base}/elsewhere"))[0] == 404


def test_a_bad_status_code_goes_to_failure_and_the_unanswered_request_expires_with_503(
        service: tuple[FlowRunner, str]) -> None:
    runner, base = service
    status, _, _ = asyncio.run(call("GET", f"{base}/slow?name=x&code=abc"))
    assert status == 503, "nothing answered the request: the context map expired it"
    [failed] = wait_for_failed(runner, 1)
    assert failed.get_attribute("status") == "abc"
    assert any("status code was 'abc'" in bulletin for bulletin in runner.bulletins())
    assert asyncio.run(call("GET", f"{base}/hello?name=after"))[:2] == (200, "hello after (GET, 0 bytes)")
