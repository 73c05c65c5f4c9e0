"""nifi_like: a real-time dataflow engine. Public API for processor authors and tests."""

from typing import Any

from nifi_like.api import *  # noqa: F403
from nifi_like.api import __all__ as _api_all

__all__ = [*_api_all, "TestRunner"]  # noqa: F405 - provided lazily by __getattr__


def __getattr__(name: str) -> Any:
    if name == "TestRunner":  # imported lazily: the engine is not needed to write a processor
        from nifi_like.testing import TestRunner

        return TestRunner
    raise AttributeError(name)
