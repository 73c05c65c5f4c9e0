"""A real nifi-like engine and web server on a free loopback port, run on a background thread.

Used by the end-to-end fixtures and, for canvas development, from the command line:
``python -m tests.e2e.server [--data DIR] [--port N] [--flow FILE]`` (user ``admin``, password below).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import socket
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from nifi_like.config import load_settings
from nifi_like.engine.controller import FlowController
from nifi_like.web.app import serve
from nifi_like.web.auth import set_single_user_credentials
from nifi_like.web.live import LIVE

USERNAME = "admin"
PASSWORD = "e2e-password-0123"
STARTUP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class RunningServer:
    """An engine serving the REST API and the built canvas; ``url`` ends without a slash."""

    url: str
    port: int
    data_dir: str
    controller: FlowController
    loop: asyncio.AbstractEventLoop
    runner: web.AppRunner | None = None

    def call(self, coro: Any, timeout: float = 30.0) -> Any:
        """Run a coroutine on the server's event loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop_web(self) -> None:
        """Stop answering HTTP (the engine keeps running), as when the server goes away."""
        if self.runner is not None:
            self.call(_stop(self.runner))
            self.runner = None

    def start_web(self) -> None:
        """Serve again on the same port; tokens stay valid (the signing key is in the data directory)."""
        if self.runner is None:
            self.runner = self.call(serve(self.controller, "127.0.0.1", self.port))


async def _stop(runner: web.AppRunner) -> None:
    # aiohttp waits (60 s) for open handlers before the app's cleanup closes the live-status
    # websockets, so close them first, as a server's on_shutdown should.
    await runner.app[LIVE].close()
    await runner.cleanup()


@contextlib.contextmanager
def running_server(data_dir: str, port: int | None = None, flow: dict[str, Any] | None = None) -> Iterator[
        RunningServer]:
    """Start an engine on ``data_dir`` and serve it until the block ends."""
    port = port or free_port()
    set_single_user_credentials(data_dir, USERNAME, PASSWORD)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    state: dict[str, Any] = {}

    async def start() -> None:
        settings = load_settings(None, data_dir=data_dir, durability="nosync", port=port)
        controller = FlowController(settings)
        await controller.load(flow)
        state["controller"] = controller
        state["runner"] = await serve(controller, "127.0.0.1", port)

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(start())
        except BaseException as exc:  # reported to the caller below
            state["error"] = exc
            started.set()
            return
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="e2e-server", daemon=True)
    thread.start()
    if not started.wait(STARTUP_TIMEOUT):
        raise RuntimeError(f"the engine did not start within {STARTUP_TIMEOUT} s")
    if "error" in state:
        raise RuntimeError(f"the engine did not start: {state['error']!r}") from state["error"]
    controller: FlowController = state["controller"]
    server = RunningServer(f"http://127.0.0.1:{port}", port, data_dir, controller, loop, state["runner"])
    try:
        yield server
    finally:
        server.stop_web()
        server.call(controller.shutdown())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10.0)
        loop.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve nifi-like for canvas development")
    parser.add_argument("--data", help="data directory (default: a new temporary one)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--flow", help="a flow definition JSON file to load")
    args = parser.parse_args()
    data_dir = args.data or tempfile.mkdtemp(prefix="nifi-like-dev-")
    flow = None
    if args.flow:
        with open(args.flow, encoding="utf-8") as fh:
            flow = json.load(fh)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with running_server(data_dir, args.port, flow) as server:
        print(f"{server.url}/nifi/  user {USERNAME} password {PASSWORD}  data {data_dir}", flush=True)
        while not stop.wait(0.5):
            pass


if __name__ == "__main__":
    main()
