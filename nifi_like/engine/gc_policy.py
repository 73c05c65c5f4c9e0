"""How an engine process runs Python's cyclic garbage collector.

Every FlowFile a session touches allocates short-lived container objects (FlowFile values,
attribute dicts, queue entries, provenance tuples). Reference counting frees them; they almost
never form cycles. Python's default thresholds (700, 10, 10) still ran the collector about 200
times a second under load, and each full collection walked every object of the process: a fifth
of the CPU time of ``python -m bench pipeline``. So the engine process freezes what lives as long
as the process (modules, classes, the loaded flow) out of the collector's way, and collects the
young generation every ``young_threshold`` net allocations instead of every 700. Cycles are still
collected, only in bigger and rarer steps. The cost: objects frozen at start that later become
cyclic garbage (components of a flow replaced at run time) stay in memory, once, at most the size
of the flow loaded at start.
"""

from __future__ import annotations

import gc

DEFAULT_YOUNG_THRESHOLD = 10_000


def tune(young_threshold: int = DEFAULT_YOUNG_THRESHOLD) -> None:
    """Apply the policy (``young_threshold`` 0: leave Python's defaults). Call once the flow is
    loaded, from a process that runs an engine (not from a library user's process)."""
    if young_threshold <= 0:
        return
    gc.collect()  # what is garbage now must not be frozen
    gc.freeze()
    gc.set_threshold(young_threshold, 10, 10)


def reset() -> None:
    """Python's defaults again (for a process that ran an engine and goes on to other work)."""
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
