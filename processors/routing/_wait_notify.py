"""The Wait/Notify protocol (NiFi's WaitNotifyProtocol): a signal per Release Signal Identifier, kept in a
map cache as JSON ``{"counts": {counter: n}, "attributes": {...}, "releasableCount": n}``, and changed only
by compare-and-set on its revision, so concurrent Notify and Wait processors never lose an update.

Unlike NiFi, Wait does not remove a signal it has used up (a Notify landing between its last read and
the removal would be lost): the signal stays, at zero, until the cache server evicts it."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from processors.services.map_cache_api import CacheUnavailable, DistributedMapCacheClient

DEFAULT_COUNT_NAME = "default"
CONSUMED_COUNT_NAME = "consumed"
MAX_REPLACE_RETRY_COUNT = 5
REPLACE_RETRY_WAIT_SECONDS = 0.01


class SignalError(CacheUnavailable):
    """A signal could not be read or updated (not a signal, or changed by others on every attempt)."""


@dataclass
class Signal:
    identifier: str
    revision: str | None = None  # None: not cached yet
    counts: dict[str, int] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    releasable_count: int = 0

    @property
    def total_count(self) -> int:
        return sum(self.counts.values())

    def count(self, counter: str) -> int:
        return self.counts.get(counter, 0)

    def is_count_reached(self, counter: str | None, target: int) -> bool:
        return (self.count(counter) if counter else self.total_count) >= target

    def release_candidates(self, counter: str | None, required_per_pass: int, releasable_per_pass: int,
                           candidates: int) -> int:
        """Turn signal counts into passes (``releasable_per_pass`` FlowFiles per ``required_per_pass``
        signals) and take as many as the candidates need; how many candidates are released. Changes this
        signal only: the caller stores it with ``WaitNotify.replace``."""
        if self.releasable_count < candidates and required_per_pass > 0:
            signals = self.count(counter) if counter else self.total_count
            self.releasable_count += (signals // required_per_pass) * releasable_per_pass
            remainder = signals % required_per_pass
            if counter:
                self.counts[counter] = remainder
            else:
                self.counts = {CONSUMED_COUNT_NAME: remainder}
        released = min(self.releasable_count, candidates)
        self.releasable_count -= released
        return released

    def to_json(self) -> bytes:
        return json.dumps({"counts": self.counts, "attributes": self.attributes,
                           "releasableCount": self.releasable_count}, separators=(",", ":")).encode("utf-8")


class WaitNotify:
    def __init__(self, cache: DistributedMapCacheClient) -> None:
        self._cache = cache

    def get_signal(self, signal_id: str) -> Signal | None:
        found = self._cache.fetch(signal_id.encode("utf-8"))
        if found is None:
            return None
        try:
            document = json.loads(found.value)
            return Signal(signal_id, found.revision, {str(k): int(v) for k, v in document.get("counts", {}).items()},
                          {str(k): str(v) for k, v in document.get("attributes", {}).items()},
                          int(document.get("releasableCount", 0)))
        except (ValueError, AttributeError, TypeError) as exc:
            raise SignalError(f"the cached value of signal '{signal_id}' is not a signal: {exc}") from exc

    def notify(self, signal_id: str, deltas: Mapping[str, int], attributes: Mapping[str, str] | None) -> Signal:
        """Add ``deltas`` to the signal's counters (a delta of 0 resets a counter) and merge ``attributes``."""
        for attempt in range(MAX_REPLACE_RETRY_COUNT):
            signal = self.get_signal(signal_id) or Signal(signal_id)
            signal.attributes.update(attributes or {})
            for counter, delta in deltas.items():
                signal.counts[counter] = 0 if delta == 0 else signal.count(counter) + delta
            if self.replace(signal):
                return signal
            time.sleep(REPLACE_RETRY_WAIT_SECONDS * (attempt + 1))
        raise SignalError(f"failed to update signal '{signal_id}' counters {dict(deltas)} after retrying "
                          f"{MAX_REPLACE_RETRY_COUNT} times (others kept changing it)")

    def replace(self, signal: Signal) -> bool:
        return self._cache.replace(signal.identifier.encode("utf-8"), signal.to_json(), signal.revision)
