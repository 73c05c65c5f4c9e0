"""Timed fuzz runs: `make fuzz` sets FUZZ_SECONDS and each fuzzer runs its hypothesis tests over
and over (fresh random examples each call) until that many seconds have passed.

Without FUZZ_SECONDS the timed tests are skipped; the bounded tests of each module run as usual.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pytest

SECONDS = float(os.environ.get("FUZZ_SECONDS") or 0)
needs_budget = pytest.mark.skipif(SECONDS <= 0, reason="a timed fuzz run: FUZZ_SECONDS=300 (make fuzz)")


def run_for_budget(name: str, tests: list[Callable[[], None]], count: Callable[[], int]) -> None:
    """Call each hypothesis test in turn until the budget is spent; print how much was tried.

    A failing example raises out of here with hypothesis's report of the smallest failing input."""
    started = time.monotonic()
    rounds = 0
    while time.monotonic() - started < SECONDS:
        tests[rounds % len(tests)]()
        rounds += 1
    elapsed = time.monotonic() - started
    print(f"\nFUZZ {name}: {count()} inputs in {rounds} rounds over {elapsed:.0f} s, 0 failures")
