"""Shared fixtures of the processor tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def expression_language() -> None:
    """Skip the test when the Expression Language module is not available in this build."""
    module = pytest.importorskip("nifi_like.expression")
    if not hasattr(module, "compile"):
        pytest.skip("nifi_like.expression has no compile() yet")
