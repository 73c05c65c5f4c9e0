"""FetchDistributedMapCache: replace a FlowFile's content (or set attributes) with cached value(s)."""

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
#: FlowFiles handled per trigger.
BATCH = 100


class FetchDistributedMapCache(Processor):
    """Computes cache key(s) from FlowFile attributes, for each incoming FlowFile, and fetches the value(s) from
    the Distributed Map Cache associated with each key. If configured without a destination attribute, the
    incoming FlowFile's content is replaced with the binary data received by the Distributed Map Cache. If
    there is no value stored under that key then the flow file will be routed to 'not-found'. Note that the
    processor will always attempt to read the entire cached value into memory before placing it in its
    destination. This could be potentially problematic if the cached value is very large. A cache that cannot
    be reached sends the FlowFile to failure (penalized, with cache.error.message) and the processor yields."""

    tags = ("map", "cache", "fetch", "distributed")
    nifi_type = "org.apache.nifi.processors.standard.FetchDistributedMapCache"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        "user-defined": "If the 'Put Cache Value In Attribute' property is set then whatever it is set to will "
                        "become the attribute key and the value would be whatever the response was from the "
                        "Distributed Map Cache (with several keys, one attribute per key, named "
                        "<attribute>.<key>).",
        ERROR_MESSAGE: "nifi_like: why the FlowFile went to failure",
    }

    CACHE_ENTRY_IDENTIFIER = PropertyDescriptor(
        "Cache Entry Identifier",
        description="A comma-delimited list of FlowFile attributes, or the results of Attribute Expression Language "
                    "statements, which will be evaluated against a FlowFile in order to determine the value(s) used "
                    "to identify duplicates; it is these values that are cached. NOTE: Only a single Cache Entry "
                    "Identifier is allowed unless Put Cache Value In Attribute is specified. Multiple cache lookups "
                    "are only supported when the destination is a set of attributes.",
        required=True, default="${hash.value}", expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    DISTRIBUTED_CACHE_SERVICE = PropertyDescriptor(
        "Distributed Cache Service", description="The Controller Service that is used to get the cached values.",
        required=True, controller_service=DistributedMapCacheClient)
    PUT_CACHE_VALUE_IN_ATTRIBUTE = PropertyDescriptor(
        "Put Cache Value In Attribute",
        description="If set, the cache value received will be put into an attribute of the FlowFile instead of a "
                    "the content of the FlowFile. The attribute key to put to is determined by evaluating value of "
                    "this property. If multiple Cache Entry Identifiers are selected, multiple attributes will be "
                    "written, using the evaluated value of this property, appended by a period (.) and the name of "
                    "the cache entry identifier.",
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    MAX_LENGTH_TO_PUT_IN_ATTRIBUTE = PropertyDescriptor(
        "Max Length To Put In Attribute",
        description="If routing the cache value to an attribute of the FlowFile (by setting the \"Put Cache Value "
                    "in attribute\" property), the number of characters put to the attribute value will be at most "
                    "this amount. This is important because attributes are held in memory and large attributes "
                    "will quickly cause out of memory issues. If the output goes longer than this value, it will be "
                    "truncated to fit. Consider making this smaller if able.", default="256",
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
            try:
                flowfile, found = self._fetch(context, session, cache, flowfile)
            except CacheUnavailable as exc:
                context.logger.error(f"Unable to communicate with cache when processing {flowfile}; routing it "
                                     f"and the {len(flowfiles) - index - 1} FlowFiles after it to failure: {exc}")
                for rest in flowfiles[index:]:
                    self._fail(session, rest, str(exc))
                context.yield_()
                return
            except ValueError as exc:
                context.logger.error(f"Cannot fetch the cache entry for {flowfile}; routing to failure: {exc}")
                self._fail(session, flowfile, str(exc))
                continue
            session.transfer(flowfile, self.SUCCESS if found else self.NOT_FOUND)

    def _fetch(self, context: ProcessContext, session: ProcessSession, cache: DistributedMapCacheClient,
               flowfile: FlowFile) -> tuple[FlowFile, bool]:
        """The FlowFile with what was found put in place; False when some key was not cached."""
        raw = context.get_property(self.CACHE_ENTRY_IDENTIFIER).evaluate(flowfile).value or ""
        attribute = context.get_property(self.PUT_CACHE_VALUE_IN_ATTRIBUTE).evaluate(flowfile).value or ""
        keys = [key.strip() for key in raw.split(",") if key.strip()]
        if not keys:
            raise ValueError(f"the Cache Entry Identifier '{raw}' evaluates to a blank key")
        if len(keys) > 1 and not attribute:
            raise ValueError("multiple Cache Entry Identifiers need Put Cache Value In Attribute")
        charset = codecs.lookup(context.get_property(self.CHARACTER_SET).value or "UTF-8").name
        max_length = context.get_property(self.MAX_LENGTH_TO_PUT_IN_ATTRIBUTE).as_int() or 256
        found_all = True
        for key in keys:
            value = cache.get(key.encode("utf-8"))
            if value is None:
                context.logger.info(f"Could not find an entry in cache for {flowfile}; routing to not-found")
                found_all = False
                continue
            if not attribute:
                flowfile = session.write(flowfile, value)
                continue
            name = attribute if len(keys) == 1 else f"{attribute}.{key}"
            flowfile = session.put_attribute(flowfile, name, value.decode(charset, errors="replace")[:max_length])
        return flowfile, found_all

    def _fail(self, session: ProcessSession, flowfile: FlowFile, reason: str) -> None:
        flowfile = session.put_attribute(flowfile, ERROR_MESSAGE, reason)
        session.transfer(session.penalize(flowfile), self.FAILURE)
