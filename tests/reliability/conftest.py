"""Counts of each reliability test (rounds, FlowFiles acknowledged, delivered, lost, duplicates...),
printed as one line per test at the end of the run, also without -s (``make test``, ``make reliability``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Counts = Callable[..., None]
_KEY = pytest.StashKey[list[str]]()


@pytest.fixture
def counts(request: pytest.FixtureRequest) -> Counts:
    """Call with the test's figures (name=value ...); they appear in the terminal summary."""
    lines = request.config.stash.setdefault(_KEY, [])

    def record(**figures: Any) -> None:
        text = ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in figures.items())
        lines.append(f"{request.node.name}: {text}")
    return record


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    lines = config.stash.get(_KEY, [])
    if lines:
        terminalreporter.section("reliability counts")
        for line in lines:
            terminalreporter.write_line(line)
