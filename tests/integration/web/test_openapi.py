"""The OpenAPI document describes the API, and schemathesis finds no server errors or schema violations."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import hypothesis
import hypothesis.strategies as st
import pytest
import requests

from nifi_like.config import load_settings
from nifi_like.engine.controller import FlowController
from nifi_like.web import serve, set_single_user_credentials
from tests.fuzz.budget import SECONDS, needs_budget, run_for_budget
from tests.integration.web.conftest import PASSWORD, USER

schemathesis = pytest.importorskip("schemathesis")
# Two checks judge which requests the server should accept, not whether its answers are right, and are
# left out: a schema-valid body can be refused with 400 by design (a stale revision, NiFi's rule; a time
# period that does not parse), and unknown query parameters are ignored, as NiFi's JAX-RS resources do.
# Every response check stays: no 5xx, documented status codes, content types and schemas.
GenerationMode = pytest.importorskip("schemathesis.generation").GenerationMode
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))  # raise it for a deeper run
_checks = pytest.importorskip("schemathesis.specs.openapi.checks")
REQUEST_ACCEPTANCE_CHECKS = [_checks.positive_data_acceptance, _checks.negative_data_rejection]


class LiveServer:
    """An engine with the web server on a free port, run on its own event loop in a thread."""

    def __init__(self, data_dir: str) -> None:
        self.data_dir = data_dir
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=30)

    async def _start(self) -> None:
        self.controller = FlowController(load_settings(None, data_dir=self.data_dir, durability="nosync"))
        await self.controller.load(None)
        set_single_user_credentials(self.data_dir, USER, PASSWORD)
        self.runner = await serve(self.controller, "127.0.0.1", self.port)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    async def _stop(self) -> None:
        await self.runner.cleanup()
        await self.controller.shutdown()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    server = LiveServer(str(tmp_path_factory.mktemp("openapi")))
    server.start()
    token = requests.post(f"{server.url}/nifi-api/access/token", data={"username": USER, "password": PASSWORD},
                          timeout=10).text
    headers = {"Authorization": f"Bearer {token}"}
    root = requests.get(f"{server.url}/nifi-api/flow/process-groups/root", headers=headers, timeout=10).json()
    root_id = root["processGroupFlow"]["id"]
    requests.post(f"{server.url}/nifi-api/process-groups/{root_id}/process-groups", headers=headers, timeout=10,
                  json={"revision": {"version": 0}, "component": {"name": "target"}})
    try:
        yield server, token
    finally:
        server.stop()


def test_the_document_lists_every_route_and_model(live: tuple[LiveServer, str]) -> None:
    server, _ = live
    reply = requests.get(f"{server.url}/nifi-api/openapi.json", timeout=10)
    assert reply.status_code == 200, "the document needs no login"
    doc = reply.json()
    assert doc["openapi"].startswith("3.")
    assert {"/processors/{id}", "/process-groups/{id}/processors", "/flowfile-queues/{id}/drop-requests",
            "/flow/process-groups/{id}", "/access/token"} <= set(doc["paths"])
    processor = doc["components"]["schemas"]["ProcessorConfigDTO"]["properties"]
    assert processor["properties"]["additionalProperties"]["nullable"] is True
    assert doc["paths"]["/access/token"]["post"]["security"] == []


def _fuzz_every_operation(server: LiveServer, token: str, examples: int,
                          deadline: float = float("inf")) -> tuple[int, int]:
    """Schemathesis cases for every operation (its pytest plugin does not run under pytest 9, so the
    operations are driven through hypothesis directly), until ``deadline`` (monotonic) if given.
    Returns (operations, cases)."""
    schema = schemathesis.openapi.from_url(f"{server.url}/nifi-api/openapi.json")
    schema.config.update(base_url=f"{server.url}/nifi-api")
    headers = {"Authorization": f"Bearer {token}"}
    checked, cases = 0, [0]
    for result in schema.get_all_operations():
        if time.monotonic() > deadline:
            break
        operation = result.ok()
        if operation.path in ("/access/token", "/access/logout"):
            continue  # random passwords only exercise the throttle; a logout would end the test's token

        @hypothesis.given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                                         operation.as_strategy(GenerationMode.NEGATIVE)))
        @hypothesis.settings(max_examples=examples, deadline=None, database=None,
                             suppress_health_check=list(hypothesis.HealthCheck))
        def run(case: Any) -> None:
            cases[0] += 1
            case.call_and_validate(headers=headers, excluded_checks=REQUEST_ACCEPTANCE_CHECKS)
        run()
        checked += 1
    return checked, cases[0]


def test_no_server_errors_and_no_schema_violations(live: tuple[LiveServer, str]) -> None:
    server, token = live
    checked, _ = _fuzz_every_operation(server, token, EXAMPLES)
    assert checked > 50
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{server.url}/nifi-api/flow/about", headers=headers, timeout=10).status_code == 200


@needs_budget
def test_rest_api_for_the_fuzz_budget(live: tuple[LiveServer, str]) -> None:
    """`make fuzz`: passes (rounds) over every operation, 25 cases each, until FUZZ_SECONDS have passed."""
    server, token = live
    cases = [0]

    deadline = time.monotonic() + SECONDS

    def one_pass() -> None:
        cases[0] += _fuzz_every_operation(server, token, 25, deadline)[1]
    run_for_budget("REST API (schemathesis)", [one_pass], lambda: cases[0])
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{server.url}/nifi-api/flow/about", headers=headers, timeout=10).status_code == 200
