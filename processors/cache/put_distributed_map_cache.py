"""PutDistributedMapCache: store each FlowFile's content in a map cache under a key from its attributes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from nifi_like.api import (
    AllowableValue,
    ExpressionLanguageScope,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)
from processors.services.map_cache_api import MapCacheClientService

BATCH = 100
CACHED = "cached"
REPLACE = AllowableValue("replace", "Replace if present", "Adds the specified entry to the cache, replacing any "
                                                          "value that is currently set.")
KEEP_ORIGINAL = AllowableValue("keeporiginal", "Keep original", "Adds the specified entry to the cache, if the key "
                                                                "does not exist.")


class PutDistributedMapCache(Processor):
    """Gets the content of a FlowFile and puts it to a distributed map cache, using a cache key computed from
    FlowFile attributes. If the cache already contains the entry and the cache update strategy is 'keep
    original' the entry is not replaced."""

    tags = ("map", "cache", "put", "distributed")
    nifi_type = "org.apache.nifi.processors.standard.PutDistributedMapCache"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        CACHED: "All FlowFiles will have an attribute 'cached'. The value of this attribute is true, is the FlowFile "
                "is cached, otherwise false.",
    }

    CACHE_ENTRY_IDENTIFIER = PropertyDescriptor(
        "Cache Entry Identifier",
        description="A FlowFile attribute, or the results of an Attribute Expression Language statement, which will "
                    "be evaluated against a FlowFile in order to determine the cache key", required=True,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    DISTRIBUTED_CACHE_SERVICE = PropertyDescriptor(
        "Distributed Cache Service", description="The Controller Service that is used to cache flow files",
        required=True, controller_service=MapCacheClientService)
    CACHE_UPDATE_STRATEGY = PropertyDescriptor(
        "Cache update strategy", description="Determines how the cache is updated if the cache already contains the "
                                             "entry", required=True, default=REPLACE.value,
        allowable_values=(REPLACE, KEEP_ORIGINAL))
    CACHE_ENTRY_MAX_BYTES = PropertyDescriptor(
        "Max cache entry size", description="The maximum amount of data to put into cache", default="1 MB",
        validator=validators.DATA_SIZE)

    SUCCESS = Relationship("success", "Any FlowFile that is successfully inserted into cache will be routed to this "
                                      "relationship")
    FAILURE = Relationship("failure", "Any FlowFile that cannot be inserted into the cache will be routed to this "
                                      "relationship")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        cache: MapCacheClientService = context.get_property(self.DISTRIBUTED_CACHE_SERVICE).as_controller_service()
        keep_original = context.get_property(self.CACHE_UPDATE_STRATEGY).value == KEEP_ORIGINAL.value
        max_size = context.get_property(self.CACHE_ENTRY_MAX_BYTES).as_data_size() or 0
        for flowfile in flowfiles:
            key = context.get_property(self.CACHE_ENTRY_IDENTIFIER).evaluate(flowfile).value or ""
            if not key.strip():
                context.logger.error(f"FlowFile {flowfile} has no attribute for given Cache Entry Identifier")
                session.transfer(session.penalize(flowfile), self.FAILURE)
                continue
            if max_size and flowfile.size > max_size:
                context.logger.warn(f"FlowFile {flowfile} ({flowfile.size} bytes) is larger than Max cache entry "
                                    f"size ({max_size} bytes); not cached")
                session.transfer(session.penalize(flowfile), self.FAILURE)
                continue
            try:
                value = session.read_bytes(flowfile)
                if keep_original:
                    cached = cache.put_if_absent(key.encode("utf-8"), value)
                else:
                    cache.put(key.encode("utf-8"), value)
                    cached = True
            except OSError as exc:
                context.logger.error(f"Unable to communicate with cache when processing {flowfile}: {exc}")
                session.transfer(session.penalize(flowfile), self.FAILURE)
                continue
            flowfile = session.put_attribute(flowfile, CACHED, str(cached).lower())
            session.transfer(flowfile, self.SUCCESS if cached else self.FAILURE)
