"""Fixtures shared by all tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from nifi_like.config import load_settings
from nifi_like.engine.controller import FlowController
from nifi_like.engine.registry import ProcessorRegistry
from tests.support import processors as test_processors


@pytest.fixture
def registry() -> ProcessorRegistry:
    reg = ProcessorRegistry()
    for cls in test_processors.ALL:
        reg.register(cls)
    for service in test_processors.SERVICES:
        reg.register_service(service)
    test_processors.Sequence.enabled = []
    test_processors.Fail.seen = []
    test_processors.Emit.reset()
    test_processors.Explode.calls = 0
    test_processors.Penalize.seen = []
    test_processors.Yielder.triggers = []
    test_processors.Lifecycle.reset()
    return reg


@pytest.fixture
async def make_controller(tmp_path: Any, registry: ProcessorRegistry) -> AsyncIterator[Callable[..., Any]]:
    made: list[FlowController] = []

    def make(data_dir: str | None = None, **settings: Any) -> FlowController:
        options = {"durability": "nosync", "administrative_yield": 30.0, "file_roots": [str(tmp_path)],
                   "sensitive_props_key_file": str(tmp_path / "keys" / "sensitive.key"), **settings}
        controller = FlowController(load_settings(None, data_dir=data_dir or str(tmp_path / "data"), **options),
                                    registry=registry)
        made.append(controller)
        return controller

    yield make
    for controller in made:
        await controller.shutdown()


async def eventually(check: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05) -> None:
    """Wait until ``check()`` holds; fail with a clear message after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(interval)
    assert check(), f"condition not met within {timeout} s"
