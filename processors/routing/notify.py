"""Notify: signal a Release Signal Identifier in the map cache, releasing FlowFiles held by Wait."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
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
from processors.routing._wait_notify import DEFAULT_COUNT_NAME, WaitNotify
from processors.services.map_cache_api import CacheUnavailable, DistributedMapCacheClient

NOTIFIED = "notified"


@dataclass
class _Pending:
    """What a trigger accumulated for one signal: counter deltas, attributes and the FlowFiles behind them."""

    deltas: dict[str, int] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    flowfiles: list[FlowFile] = field(default_factory=list)


class Notify(Processor):
    """Caches a release signal identifier in the distributed cache, optionally along with the FlowFile's
    attributes. Any flow files held at a corresponding Wait processor will be released once this signal in
    the cache is discovered. Counters are updated by compare-and-set on the cached signal, so concurrent
    Notify processors never lose an update."""

    tags = ("map", "cache", "notify", "distributed", "signal", "release")
    nifi_type = "org.apache.nifi.processors.standard.Notify"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        NOTIFIED: "All FlowFiles will have an attribute 'notified'. The value of this attribute is true, is the "
                  "FlowFile is notified, otherwise false.",
    }

    RELEASE_SIGNAL_IDENTIFIER = PropertyDescriptor(
        "release-signal-id", display_name="Release Signal Identifier",
        description="A value, or the results of an Attribute Expression Language statement, which will be evaluated "
                    "against a FlowFile in order to determine the release signal cache key", required=True,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    SIGNAL_COUNTER_NAME = PropertyDescriptor(
        "signal-counter-name", display_name="Signal Counter Name",
        description="A value, or the results of an Attribute Expression Language statement, which will be evaluated "
                    "against a FlowFile in order to determine the signal counter name. Signal counter name is "
                    "useful when a corresponding Wait processor needs to know the number of occurrences of "
                    "different types of events, such as success or failure, or destination data source names, etc.",
        required=True, default=DEFAULT_COUNT_NAME, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    SIGNAL_COUNTER_DELTA = PropertyDescriptor(
        "signal-counter-delta", display_name="Signal Counter Delta",
        description="A value, or the results of an Attribute Expression Language statement, which will be evaluated "
                    "against a FlowFile in order to determine the signal counter delta. Specify how much the counter "
                    "should increase. For example, if multiple signal events are processed at upstream flow in "
                    "batch oriented way, the number of events processed can be notified with this property at once. "
                    "Zero (0) has a special meaning, it clears target count back to 0, which is especially useful "
                    "when used with Wait Releasable FlowFile Count = Zero (0) mode, to provide 'open-close-gate' "
                    "type of flow control. One (1) can open a corresponding Wait processor, and Zero (0) can "
                    "negate it as if closing a gate.",
        required=True, default="1", expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    SIGNAL_BUFFER_COUNT = PropertyDescriptor(
        "signal-buffer-count", display_name="Signal Buffer Count",
        description="Specify the maximum number of incoming flow files that can be buffered until signals are "
                    "notified to cache service. The more buffer can provide the better performance, as it reduces "
                    "the number of interactions with cache service by grouping signals by signal identifier when "
                    "multiple incoming flow files share the same signal identifier.",
        required=True, default="1", validator=validators.POSITIVE_INTEGER)
    DISTRIBUTED_CACHE_SERVICE = PropertyDescriptor(
        "distributed-cache-service", display_name="Distributed Cache Service",
        description="The Controller Service that is used to cache release signals in order to release files queued "
                    "at a corresponding Wait processor", required=True, controller_service=DistributedMapCacheClient)
    ATTRIBUTE_CACHE_REGEX = PropertyDescriptor(
        "attribute-cache-regex", display_name="Attribute Cache Regex",
        description="Any attributes whose names match this regex will be stored in the distributed cache to be "
                    "copied to any FlowFiles released from a corresponding Wait processor. Note that the uuid "
                    "attribute will not be cached regardless of this value. If blank, no attributes will be cached.",
        validator=validators.REGULAR_EXPRESSION)

    SUCCESS = Relationship("success", "All FlowFiles where the release signal has been successfully entered in the "
                                      "cache will be routed to this relationship")
    FAILURE = Relationship("failure", "When the cache cannot be reached, or if the Release Signal Identifier "
                                      "evaluates to null or empty, FlowFiles will be routed to this relationship")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(context.get_property(self.SIGNAL_BUFFER_COUNT).as_int() or 1)
        if not flowfiles:
            return
        regex = context.get_property(self.ATTRIBUTE_CACHE_REGEX).value
        cached_names = re.compile(regex) if regex else None
        pending: dict[str, _Pending] = {}
        for flowfile in flowfiles:
            signal_id = context.get_property(self.RELEASE_SIGNAL_IDENTIFIER).evaluate(flowfile).value or ""
            if not signal_id.strip():
                context.logger.error(f"FlowFile {flowfile} has no attribute for given Release Signal Identifier")
                self._transfer(session, flowfile, notified=False)
                continue
            counter = context.get_property(self.SIGNAL_COUNTER_NAME).evaluate(flowfile).value or DEFAULT_COUNT_NAME
            raw_delta = context.get_property(self.SIGNAL_COUNTER_DELTA).evaluate(flowfile).value or ""
            try:
                delta = int(raw_delta.strip())
            except ValueError:
                context.logger.error(f"Failed to parse signal counter delta '{raw_delta}' of {flowfile}: not an "
                                     "integer")
                self._transfer(session, flowfile, notified=False)
                continue
            entry = pending.setdefault(signal_id, _Pending())
            entry.deltas[counter] = 0 if delta == 0 else entry.deltas.get(counter, 0) + delta
            if cached_names is not None:
                entry.attributes.update({k: v for k, v in flowfile.attributes.items()
                                         if k != "uuid" and cached_names.fullmatch(k)})
            entry.flowfiles.append(flowfile)
        protocol = WaitNotify(context.get_property(self.DISTRIBUTED_CACHE_SERVICE).as_controller_service())
        for signal_id, entry in pending.items():
            try:
                protocol.notify(signal_id, entry.deltas, entry.attributes)
            except CacheUnavailable as exc:
                context.logger.error(f"Unable to communicate with cache while notifying signal '{signal_id}': {exc}")
                for flowfile in entry.flowfiles:
                    self._transfer(session, flowfile, notified=False)
                continue
            for flowfile in entry.flowfiles:
                self._transfer(session, flowfile, notified=True)

    def _transfer(self, session: ProcessSession, flowfile: FlowFile, notified: bool) -> None:
        flowfile = session.put_attribute(flowfile, NOTIFIED, str(notified).lower())
        if notified:
            session.transfer(flowfile, self.SUCCESS)
        else:
            session.transfer(session.penalize(flowfile), self.FAILURE)
