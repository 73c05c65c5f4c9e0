"""A component at run time: a processor, port or funnel wired to its connections."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from nifi_like.api.processor import InputRequirement, Processor
from nifi_like.api.relationship import Relationship
from nifi_like.engine.connection import Connection
from nifi_like.monitoring.stats import ComponentStats

if TYPE_CHECKING:
    from nifi_like.engine.context import StandardProcessContext


class Node:
    """Run-time state of one component; the flow model holds its configuration."""

    def __init__(self, component_id: str, name: str, kind: str, processor: Processor, *, group_id: str = "",
                 type_name: str = "", properties: Mapping[str, str | None] | None = None,
                 auto_terminated: frozenset[str] = frozenset(), penalty_ms: int = 30_000, yield_ms: int = 1_000,
                 scheduling_strategy: str = "TIMER_DRIVEN", scheduling_period: str = "0 sec",
                 concurrent_tasks: int = 1, run_duration_ms: int = 0, parameters: Mapping[str, str] | None = None
                 ) -> None:
        self.id = component_id
        self.name = name
        self.kind = kind
        self.processor = processor
        self.group_id = group_id
        self.type_name = type_name or type(processor).type_name()
        self.properties: dict[str, str | None] = dict(properties or {})
        self.auto_terminated = auto_terminated
        self.penalty_ms = penalty_ms
        self.yield_ms = yield_ms
        self.scheduling_strategy = scheduling_strategy
        self.scheduling_period = scheduling_period
        self.concurrent_tasks = concurrent_tasks
        self.run_duration_ms = run_duration_ms
        self.parameters: Mapping[str, str] = parameters or {}
        self.retried: frozenset[str] = frozenset()  # relationships NiFi's retry applies to
        self.retry_count = 10
        self.backoff_mechanism = "PENALIZE_FLOWFILE"
        self.max_backoff_ms = 600_000
        self.incoming: list[Connection] = []
        self.outgoing: dict[str, list[Connection]] = {}
        self.run_state = "STOPPED"
        self.stats = ComponentStats()
        self.counters: Counter[str] = Counter()  # adjust_counter totals, as NiFi's counters
        self._threads = [0]
        self._threads_lock = threading.Lock()
        self.yielded_until = 0.0  # time.monotonic()
        self.signal = threading.Event()  # wakes the scheduler's driver threads
        self.waiting = False  # set by the scheduler while it sleeps; only then is a wakeup sent
        self.loop: asyncio.AbstractEventLoop | None = None
        self.context: StandardProcessContext | None = None
        self.service_lookup: Callable[[str], Any] | None = None  # enabled controller services by id

    @property
    def relationships(self) -> list[Relationship]:
        return type(self.processor).relationships_for(self.properties)

    @property
    def active_threads(self) -> int:
        return self._threads[0]

    def task_started(self) -> None:
        with self._threads_lock:
            self._threads[0] += 1

    def task_ended(self) -> None:
        with self._threads_lock:
            self._threads[0] -= 1

    def yield_for(self, seconds: float) -> None:
        self.yielded_until = max(self.yielded_until, time.monotonic() + seconds)

    def wake(self, force: bool = False) -> None:
        """Thread-safe: tell the node's scheduler tasks something changed (data, space, stop)."""
        if self.waiting or force:
            self.signal.set()

    def outgoing_full(self) -> bool:
        return any(conn.is_full() for conns in self.outgoing.values() for conn in conns)

    def needs_input(self) -> bool:
        if self.processor.input_requirement is InputRequirement.INPUT_FORBIDDEN:
            return False
        return bool(self.incoming) or self.processor.input_requirement is InputRequirement.INPUT_REQUIRED

    def has_input(self) -> bool:
        return any(conn.has_available() for conn in self.incoming)

    def input_wait(self, longest: float) -> float:
        """Seconds to sleep waiting for input: up to ``longest``, less if a penalty ends sooner."""
        expiries = [e for e in (conn.next_penalty_expiry() for conn in self.incoming) if e is not None]
        if not expiries:
            return longest
        return max(0.0, min(longest, (min(expiries) - time.time() * 1000) / 1000))

    def queued(self) -> tuple[int, int]:
        return (sum(c.count for c in self.incoming), sum(c.bytes for c in self.incoming))
