"""FetchDistributedMapCache: replace a FlowFile's content (or set an attribute) with a cached value."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import ClassVar

from nifi_like.api import (
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

ERROR_MESSAGE = "cache.error.message"
BATCH = 100


class FetchDistributedMapCache(Processor):
    """Computes cache key(s) from FlowFile attributes, for each incoming FlowFile, and fetches the value(s) from
    the Distributed Map Cache associated with each key. If configured without a destination attribute, the
    incoming FlowFile's content is replaced with the binary data received by the Distributed Map Cache. If
    there is no value stored under that key then the flow file will be routed to 'not-found'. Note that the
    processor will always attempt to read the entire cached value into memory before placing it in its
    destination. A cache that cannot be reached sends the FlowFile to failure (penalized, with
    cache.error.message) and the processor yields."""

    tags = ("map", "cache", "fetch", "distributed")
    nifi_type = "org.apache.nifi.processors.standard.FetchDistributedMapCache"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        "user-defined": "If the 'Put Cache Value In Attribute' property is set then whatever it is set to will "
                        "become the attribute key and the value would be whatever the response was from the "
                        "Distributed Map Cache.",
        ERROR_MESSAGE: "nifi_like: why the FlowFile went to failure",
    }

    CACHE_ENTRY_IDENTIFIER = PropertyDescriptor(
        "Cache Entry Identifier", description="A FlowFile attribute, or the results of an Attribute Expression "
        "Language statement, which will be evaluated against a FlowFile in order to determine the value used to "
        "identify the cache entry", required=True, default="${hash.value}",
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    DISTRIBUTED_CACHE_SERVICE = PropertyDescriptor(
        "Distributed Cache Service", description="The Controller Service that is used to get the cached values.",
        required=True, controller_service=DistributedMapCacheClient)
    PUT_CACHE_VALUE_IN_ATTRIBUTE = PropertyDescriptor(
        "Put Cache Value In Attribute", description="If set, the cache value received will be put into an "
        "attribute of the FlowFile instead of a the content of the FlowFile. The attribute key to put to is "
        "determined by evaluating value of this property.",
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    MAX_LENGTH_TO_PUT_IN_ATTRIBUTE = PropertyDescriptor(
        "Max Length To Put In Attribute", description="If routing the cache value to an attribute of the FlowFile "
        "(by setting the \"Put Cache Value in attribute\" property), the number of characters put to the "
        "attribute value will be at most this amount. This is important because attributes are held in memory "
        "and large attributes will quickly cause out of memory issues. If the output goes longer than this "
        "value, it will be truncated to fit. Consider making this smaller if able.", default="256",
        validator=validators.POSITIVE_INTEGER)
    CHARACTER_SET = PropertyDescriptor(
        "Character Set", description="The Character Set in which the cached value is encoded. This will only be "
        "used when routing to an attribute.", default="UTF-8", validator=validators.CHARACTER_SET)

    SUCCESS = Relationship("success", "If the cache was successfully communicated with it will be routed to this "
                                      "relationship")
    FAILURE = Relationship("failure", "If unable to communicate with the cache or if the cache entry is evaluated "
                                      "to be blank, the FlowFile will be penalized and routed to this relationship")
    NOT_FOUND = Relationship("not-found", "If a FlowFile's Cache Entry Identifier was not found in the cache, it "
                                          "will be routed to this relationship")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        cache: DistributedMapCacheClient = context.get_property(self.DISTRIBUTED_CACHE_SERVICE).as_controller_service()
        for index, flowfile in enumerate(flowfiles):
            key = context.get_property(self.CACHE_ENTRY_IDENTIFIER).evaluate(flowfile).value or ""
            if not key:
                self._fail(context, session, flowfile, "the Cache Entry Identifier evaluated to an empty value")
                continue
            try:
                value = cache.get(key.encode("utf-8"))
            except CacheUnavailable as exc:
                for rest in flowfiles[index:]:
                    self._fail(context, session, rest, str(exc))
                context.yield_()
                return
            if value is None:
                session.transfer(flowfile, self.NOT_FOUND)
                continue
            session.transfer(self._apply(context, session, flowfile, value), self.SUCCESS)

    def _apply(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile, value: bytes) -> FlowFile:
        attribute = context.get_property(self.PUT_CACHE_VALUE_IN_ATTRIBUTE).evaluate(flowfile).value
        if not attribute:
            return session.write(flowfile, value)
        charset = codecs.lookup(context.get_property(self.CHARACTER_SET).value or "UTF-8").name
        limit = context.get_property(self.MAX_LENGTH_TO_PUT_IN_ATTRIBUTE).as_int() or 256
        return session.put_attribute(flowfile, attribute, value.decode(charset, "replace")[:limit])

    def _fail(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile, reason: str) -> None:
        context.logger.error(f"Cannot fetch the cache entry for {flowfile}; routing to failure: {reason}")
        flowfile = session.put_attribute(flowfile, ERROR_MESSAGE, reason)
        session.transfer(session.penalize(flowfile), self.FAILURE)
