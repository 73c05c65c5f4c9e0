"""Rolling five-minute counters per component, as NiFi's status snapshots report them."""

from __future__ import annotations

import threading
import time
from collections import deque

WINDOW_SECONDS = 300
FIELDS = ("in_count", "in_bytes", "out_count", "out_bytes", "read_bytes", "written_bytes",
          "tasks", "task_nanos")


class ComponentStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: deque[list[int]] = deque()  # [second, *FIELDS]

    def record(self, **values: int) -> None:
        second = int(time.time())
        with self._lock:
            if not self._buckets or self._buckets[-1][0] != second:
                self._buckets.append([second] + [0] * len(FIELDS))
                while self._buckets and self._buckets[0][0] <= second - WINDOW_SECONDS:
                    self._buckets.popleft()
            bucket = self._buckets[-1]
            for name, value in values.items():
                bucket[FIELDS.index(name) + 1] += value

    def snapshot(self, seconds: int = WINDOW_SECONDS) -> dict[str, int]:
        cutoff = int(time.time()) - seconds
        totals = dict.fromkeys(FIELDS, 0)
        with self._lock:
            for bucket in self._buckets:
                if bucket[0] > cutoff:
                    for index, name in enumerate(FIELDS, start=1):
                        totals[name] += bucket[index]
        return totals
