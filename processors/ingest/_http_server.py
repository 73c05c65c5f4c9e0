"""An aiohttp application served on its own event loop thread, for processors that listen for HTTP
(ListenHTTP, HandleHttpRequest): started when the processor is scheduled, stopped when it stops."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from aiohttp import web

from nifi_like.api import PropertyDescriptor, validators

T = TypeVar("T")

#: The request size limit both HTTP listeners (ListenHTTP, HandleHttpRequest) enforce.
MAX_REQUEST_SIZE = PropertyDescriptor(
    "Max Request Size",
    description="The largest request body accepted (a nifi_like addition); a larger one is answered 413",
    required=True, default="10 MB", validator=validators.DATA_SIZE)


def take_batch(requests: queue.Queue[T], wait: float, limit: int) -> list[T]:
    """Up to ``limit`` requests the server handed over: waits ``wait`` seconds for the first,
    then takes what is already there (empty when none came)."""
    try:
        batch = [requests.get(timeout=wait)]
    except queue.Empty:
        return []
    while len(batch) < limit:
        try:
            batch.append(requests.get_nowait())
        except queue.Empty:
            break
    return batch


class HttpServer:
    def __init__(self, host: str, port: int, app: web.Application, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(app, handle_signals=False)
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()
        try:
            self._call(self._start(host, port))
        except BaseException:
            self.stop()
            raise

    async def _start(self, host: str, port: int) -> None:
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()

    def _call(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def stop(self) -> None:
        try:
            self._call(self._runner.cleanup())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(30)
            self.loop.close()
