"""DetectDuplicate: route FlowFiles whose identifier (from the Expression Language) was seen before."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import ClassVar

from nifi_like.api import (
    ExpressionLanguageScope,
    InputRequirement,
    ProcessContext,
    ProcessException,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)
from processors.services.map_cache_api import CacheUnavailable, DistributedMapCacheClient

#: FlowFiles taken per trigger: one session for many FlowFiles costs far less than one each.
BATCH = 100
ORIGINAL_DESCRIPTION_ATTRIBUTE = "original.flowfile.description"
#: Identifiers the cache holds at most (NiFi's DistributedMapCacheServer's default Maximum Cache Entries);
#: the least recently seen is evicted first.
MAX_CACHE_ENTRIES = 10_000


class DetectDuplicate(Processor):
    """Caches a value, computed from FlowFile attributes, for each incoming FlowFile and determines if the
    cached value has already been seen. If so, routes the FlowFile to 'duplicate' with an attribute named
    'original.flowfile.description' that holds the original FlowFile's "description", which is specified in
    the <FlowFile Description> property. If the FlowFile is not determined to be a duplicate, the Processor
    routes the FlowFile to 'non-duplicate'. A FlowFile whose Cache Entry Identifier evaluates to nothing is
    penalized and routed to 'failure'.

    With a 'Distributed Cache Service' (as NiFi requires) the identifiers are cached there, shared with
    other processors and, with a persistent DistributedMapCacheServer, kept across restarts. Without one
    (a nifi_like addition) the cache is this processor's own: in memory, shared by its concurrent tasks,
    holding at most 10,000 identifiers (least recently seen evicted first) and emptied when the engine
    restarts."""

    tags = ("hash", "dupe", "duplicate", "dedupe")
    nifi_type = "org.apache.nifi.processors.standard.DetectDuplicate"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        ORIGINAL_DESCRIPTION_ATTRIBUTE: "All FlowFiles routed to the duplicate relationship will have an attribute "
                                        "added named original.flowfile.description. The value of this attribute is "
                                        "determined by the attributes of the original copy of the data and by the "
                                        "FlowFile Description property.",
    }

    CACHE_ENTRY_IDENTIFIER = PropertyDescriptor(
        "Cache Entry Identifier",
        description="A FlowFile attribute, or the results of an Attribute Expression Language statement, which will "
                    "be evaluated against a FlowFile in order to determine the value used to identify duplicates; it "
                    "is this value that is cached",
        required=True, default="${hash.value}", expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    FLOWFILE_DESCRIPTION = PropertyDescriptor(
        "FlowFile Description",
        description="When a FlowFile is added to the cache, this value is stored along with it so that if a duplicate "
                    f"is found, this description of the original FlowFile will be added to the duplicate's "
                    f"\"{ORIGINAL_DESCRIPTION_ATTRIBUTE}\" attribute",
        required=True, default="", expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    AGE_OFF_DURATION = PropertyDescriptor(
        "Age Off Duration", description="Time interval to age off cached FlowFiles", validator=validators.TIME_PERIOD)
    CACHE_IDENTIFIER = PropertyDescriptor(
        "Cache The Entry Identifier",
        description="When true this cause the processor to check for duplicates and cache the Entry Identifier. When "
                    "false, the processor would only check for duplicates and not cache the Entry Identifier, "
                    "requiring another processor to add identifiers to the distributed cache.",
        default="true", allowable_values=("true", "false"))

    DISTRIBUTED_CACHE_SERVICE = PropertyDescriptor(
        "Distributed Cache Service",
        description="The Controller Service that is used to cache unique identifiers, used to determine "
                    "duplicates. When not set (a nifi_like addition), the processor keeps its own in-memory cache.",
        controller_service=DistributedMapCacheClient)

    DUPLICATE = Relationship("duplicate", "If a FlowFile has been detected to be a duplicate, it will be routed to "
                                          "this relationship")
    NON_DUPLICATE = Relationship("non-duplicate", "If a FlowFile's Cache Entry Identifier was not found in the cache, "
                                                  "it will be routed to this relationship")
    FAILURE = Relationship("failure", "If the Cache Entry Identifier cannot be determined, the FlowFile will be "
                                      "penalized and routed to this relationship")

    def __init__(self, clock: Callable[[], float] = time.monotonic, wall_clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._wall_clock = wall_clock  # entries in a shared cache carry the wall-clock time they were cached
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, tuple[str, float]] = OrderedDict()  # identifier -> (description, cached at)

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        age_off = context.get_property(self.AGE_OFF_DURATION).as_time_period()
        store = context.get_property(self.CACHE_IDENTIFIER).value != "false"
        service = context.get_property(self.DISTRIBUTED_CACHE_SERVICE)
        cache: DistributedMapCacheClient | None = service.as_controller_service() if service.is_set else None
        for flowfile in flowfiles:
            try:
                key = context.get_property(self.CACHE_ENTRY_IDENTIFIER).evaluate(flowfile).value or ""
                description = context.get_property(self.FLOWFILE_DESCRIPTION).evaluate(flowfile).value or ""
            except ValueError as exc:
                raise ProcessException(f"cannot evaluate the cache entry of {flowfile}: {exc}") from exc
            if not key.strip():
                context.logger.error(f"FlowFile {flowfile} has no attribute for given Cache Entry Identifier")
                session.transfer(session.penalize(flowfile), self.FAILURE)
                continue
            if cache is None:
                original = self._check(key, description, store, age_off)
            else:
                try:
                    original = _check_shared(cache, key, description, store, age_off, self._wall_clock())
                except CacheUnavailable as exc:
                    context.logger.error(f"Unable to communicate with cache when processing {flowfile}: {exc}")
                    session.transfer(session.penalize(flowfile), self.FAILURE)
                    continue
            if original is None:
                session.provenance.route(flowfile, self.NON_DUPLICATE)
                session.transfer(flowfile, self.NON_DUPLICATE)
                session.adjust_counter("Non-Duplicate Files Processed", 1)
            else:
                flowfile = session.put_attribute(flowfile, ORIGINAL_DESCRIPTION_ATTRIBUTE, original)
                session.provenance.route(flowfile, self.DUPLICATE, f"Duplicate of: {ORIGINAL_DESCRIPTION_ATTRIBUTE}")
                session.transfer(flowfile, self.DUPLICATE)
                session.adjust_counter("Duplicates Detected", 1)

    def _check(self, key: str, description: str, store: bool, age_off: float | None) -> str | None:
        """The description cached for ``key`` (None when not cached or aged off); caches it if asked."""
        now = self._clock()
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and age_off is not None and now >= cached[1] + age_off:
                del self._cache[key]
                cached = None
            if cached is not None:
                self._cache.move_to_end(key)
                return cached[0]
            if store:
                self._cache[key] = (description, now)
                if len(self._cache) > MAX_CACHE_ENTRIES:
                    self._cache.popitem(last=False)
            return None


def _check_shared(cache: DistributedMapCacheClient, key: str, description: str, store: bool,
                  age_off: float | None, now: float) -> str | None:
    """``_check`` against a map cache service. An entry is the time it was cached (milliseconds since the
    epoch, 8 bytes big-endian) followed by the description, as NiFi's DetectDuplicate stores it; an aged-off
    entry is replaced only if nobody changed it meanwhile (compare-and-set on its revision)."""
    now_ms = int(now * 1000)
    entry = now_ms.to_bytes(8, "big") + description.encode("utf-8")
    cache_key = key.encode("utf-8")
    found = cache.fetch(cache_key)
    if found is not None:
        value = found.value
        cached_ms = int.from_bytes(value[:8], "big")
        if age_off is None or now_ms < cached_ms + age_off * 1000:
            return value[8:].decode("utf-8", errors="replace")
        if store:
            cache.replace(cache_key, entry, found.revision)
        return None
    if store and not cache.replace(cache_key, entry, None):  # someone cached it just now: a duplicate
        return _check_shared(cache, key, description, False, age_off, now)
    return None
