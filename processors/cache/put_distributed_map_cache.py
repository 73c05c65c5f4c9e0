"""PutDistributedMapCache: store each FlowFile's content in a distributed map cache under a key from its
attributes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from nifi_like.api import (
    AllowableValue,
    ExpressionLanguageScope,
    FlowFile,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)
from processors.services.map_cache_api import CacheUnavailable, DistributedMapCacheClient

CACHED = "cached"
ERROR_MESSAGE = "cache.error.message"
#: FlowFiles handled per trigger.
BATCH = 100
REPLACE = AllowableValue("replace", "Replace if present", "Adds the specified entry to the cache, replacing any "
                                                          "value that is currently set.")
KEEP_ORIGINAL = AllowableValue("keeporiginal", "Keep original", "Adds the specified entry to the cache, if the key "
                                                                "does not exist.")


class PutDistributedMapCache(Processor):
    """Gets the content of a FlowFile and puts it to a distributed map cache, using a cache key computed from
    FlowFile attributes. If the cache already contains the entry and the cache update strategy is 'keep
    original' the entry is not replaced (the FlowFile goes to failure with cached=false, as in NiFi). A
    FlowFile whose identifier is empty or whose content is larger than 'Max cache entry size' goes to failure,
    penalized; so does one the cache could not be reached for (and the processor yields). Every FlowFile
    sent to failure for an error carries cache.error.message."""

    tags = ("map", "cache", "put", "distributed")
    nifi_type = "org.apache.nifi.processors.standard.PutDistributedMapCache"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        CACHED: "All FlowFiles will have an attribute 'cached'. The value of this attribute is true, is the "
                "FlowFile is cached, otherwise false.",
        ERROR_MESSAGE: "nifi_like: why the FlowFile went to failure",
    }

    CACHE_ENTRY_IDENTIFIER = PropertyDescriptor(
        "Cache Entry Identifier", description="A FlowFile attribute, or the results of an Attribute Expression "
        "Language statement, which will be evaluated against a FlowFile in order to determine the cache key",
        required=True, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    DISTRIBUTED_CACHE_SERVICE = PropertyDescriptor(
        "Distributed Cache Service", description="The Controller Service that is used to cache flow files",
        required=True, controller_service=DistributedMapCacheClient)
    CACHE_UPDATE_STRATEGY = PropertyDescriptor(
        "Cache update strategy", description="Determines how the cache is updated if the cache already contains "
        "the entry", required=True, default=REPLACE.value, allowable_values=(REPLACE, KEEP_ORIGINAL))
    MAX_CACHE_ENTRY_SIZE = PropertyDescriptor(
        "Max cache entry size", description="The maximum amount of data to put into cache", default="1 MB",
        validator=validators.DATA_SIZE)

    SUCCESS = Relationship("success", "Any FlowFile that is successfully inserted into cache will be routed to "
                                      "this relationship")
    FAILURE = Relationship("failure", "Any FlowFile that cannot be inserted into the cache will be routed to "
                                      "this relationship")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        cache: DistributedMapCacheClient = context.get_property(self.DISTRIBUTED_CACHE_SERVICE).as_controller_service()
        keep_original = context.get_property(self.CACHE_UPDATE_STRATEGY).value == KEEP_ORIGINAL.value
        limit = context.get_property(self.MAX_CACHE_ENTRY_SIZE).as_data_size() or (1 << 20)
        for index, flowfile in enumerate(flowfiles):
            key = context.get_property(self.CACHE_ENTRY_IDENTIFIER).evaluate(flowfile).value or ""
            if not key.strip():
                context.logger.error(f"FlowFile {flowfile} has no attribute for given Cache Entry Identifier; "
                                     "routing to failure")
                self._fail(session, flowfile, "the Cache Entry Identifier evaluated to an empty value")
                continue
            if flowfile.size > limit:
                reason = f"the content ({flowfile.size} bytes) is larger than Max cache entry size ({limit} bytes)"
                context.logger.warn(f"FlowFile {flowfile} not cached; routing to failure: {reason}")
                self._fail(session, flowfile, reason)
                continue
            try:
                value = session.read_bytes(flowfile)
                if keep_original:
                    cached = cache.put_if_absent(key.encode("utf-8"), value)
                else:
                    cache.put(key.encode("utf-8"), value)
                    cached = True
            except CacheUnavailable as exc:
                context.logger.error(f"Unable to communicate with cache when processing {flowfile}; routing it "
                                     f"and the {len(flowfiles) - index - 1} FlowFiles after it to failure: {exc}")
                for rest in flowfiles[index:]:
                    self._fail(session, rest, str(exc))
                context.yield_()
                return
            flowfile = session.put_attribute(flowfile, CACHED, str(cached).lower())
            session.transfer(flowfile, self.SUCCESS if cached else self.FAILURE)

    def _fail(self, session: ProcessSession, flowfile: FlowFile, reason: str) -> None:
        flowfile = session.put_all_attributes(flowfile, {CACHED: "false", ERROR_MESSAGE: reason})
        session.transfer(session.penalize(flowfile), self.FAILURE)
