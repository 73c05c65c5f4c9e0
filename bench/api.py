"""REST latency: GET /nifi-api/flow/process-groups/root on a 500-processor flow, 20 concurrent clients.

The baseline is the same aiohttp server answering the same JSON body from memory (no flow
walk, no status, no serialisation), measured in the same run: the cost of HTTP itself.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web

from bench.report import Row, row
from nifi_like.config import load_settings
from nifi_like.engine.controller import FlowController
from nifi_like.flow.model import new_id
from nifi_like.web import create_app, set_single_user_credentials

PROCESSORS = 500
CLIENTS = 20
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
PATH = "/nifi-api/flow/process-groups/root"
USER, PASSWORD = "bench", "bench-password-123"


def wide_flow(processors: int = PROCESSORS) -> dict[str, object]:
    """``processors / 2`` GenerateFlowFile -> LogAttribute pairs, stopped, in the root group."""
    procs: list[dict[str, object]] = []
    conns: list[dict[str, object]] = []
    for index in range(processors // 2):
        gen, log = new_id(), new_id()
        procs.append({"identifier": gen, "name": f"generate {index}", "type": "GenerateFlowFile",
                      "properties": {"File Size": "1 KB"}, "position": {"x": index * 10.0, "y": 0.0}})
        procs.append({"identifier": log, "name": f"log {index}", "type": "LogAttribute",
                      "autoTerminatedRelationships": ["success"], "position": {"x": index * 10.0, "y": 200.0}})
        conns.append({"identifier": new_id(), "source": {"id": gen, "type": "PROCESSOR"},
                      "destination": {"id": log, "type": "PROCESSOR"}, "selectedRelationships": ["success"]})
    return {"flowContents": {"identifier": new_id(), "name": "bench", "processors": procs, "connections": conns}}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


async def _load(url: str, headers: dict[str, str]) -> tuple[list[float], float, int]:
    """Latencies (s) of every request made by CLIENTS workers during SECONDS; elapsed; response size."""
    latencies: list[float] = []
    size = 0
    connector = aiohttp.TCPConnector(limit=CLIENTS)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        async def get() -> None:
            nonlocal size
            started = time.perf_counter()
            async with session.get(url + PATH) as response:
                body = await response.read()
                assert response.status == 200, body[:200]
            latencies.append(time.perf_counter() - started)
            size = len(body)

        await get()  # warm up
        latencies.clear()
        deadline = time.perf_counter() + SECONDS

        async def worker() -> None:
            while time.perf_counter() < deadline:
                await get()
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
        return latencies, time.perf_counter() - started, size


def _rows(name: str, latencies: list[float], elapsed: float, baseline: tuple[list[float], float] | None,
          note: str) -> list[Row]:
    def p(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1] * 1000

    base_lat, base_elapsed = baseline if baseline else ([], 0.0)
    return [
        row(name, "p50 latency", p(latencies, 50), "ms", baseline=p(base_lat, 50) if base_lat else None, note=note),
        row(name, "p99 latency", p(latencies, 99), "ms", baseline=p(base_lat, 99) if base_lat else None),
        row(name, "requests/s", len(latencies) / elapsed, "req/s",
            baseline=len(base_lat) / base_elapsed if base_lat else None),
    ]


async def _measure() -> list[Row]:
    with tempfile.TemporaryDirectory() as directory:
        settings = load_settings(None, data_dir=directory, durability="nosync")
        controller = FlowController(settings)
        await controller.load(wide_flow())
        set_single_user_credentials(directory, USER, PASSWORD)
        runner, url = await _serve(create_app(controller))
        try:
            async with aiohttp.ClientSession() as session, session.post(
                    url + "/nifi-api/access/token", data={"username": USER, "password": PASSWORD}) as response:
                token = await response.text()
            engine_lat, engine_elapsed, size = await _load(url, {"Authorization": f"Bearer {token}"})
            async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session, \
                    session.get(url + PATH) as response:
                body = await response.read()
        finally:
            await runner.cleanup()
            await controller.shutdown()
    static = web.Application()
    static.router.add_get(PATH, _constant(body))
    runner, url = await _serve(static)
    try:
        base_lat, base_elapsed, _ = await _load(url, {})
    finally:
        await runner.cleanup()
    note = f"{PROCESSORS} processors, {CLIENTS} clients, {size // 1024} KiB JSON; baseline: same body from memory"
    return _rows("api", engine_lat, engine_elapsed, (base_lat, base_elapsed), note)


def _constant(body: bytes) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, content_type="application/json")
    return handler


def main() -> list[Row]:
    return asyncio.run(_measure())
