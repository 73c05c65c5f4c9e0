"""Wait: hold FlowFiles until a matching Notify has signalled their Release Signal Identifier."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
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
from processors.routing._wait_notify import Signal, WaitNotify
from processors.services.map_cache_api import CacheUnavailable, DistributedMapCacheClient

WAIT_START_TIMESTAMP = "wait.start.timestamp"
ATTRIBUTE_COPY_REPLACE = AllowableValue("replace", "Replace if present", "When cached attributes are copied onto "
                                        "released FlowFiles, they replace any matching attributes.")
ATTRIBUTE_COPY_KEEP_ORIGINAL = AllowableValue("keeporiginal", "Keep original", "Attributes on released FlowFiles "
                                              "are not overwritten by copied cached attributes.")
WAIT_MODE_TRANSFER_TO_WAIT = AllowableValue(
    "wait", "Transfer to wait relationship",
    "Transfer a FlowFile to the 'wait' relationship when whose release signal has not been notified yet. This mode "
    "allows other incoming FlowFiles to be enqueued by moving FlowFiles into the wait relationship.")
WAIT_MODE_KEEP_IN_UPSTREAM = AllowableValue(
    "keep", "Keep in the upstream connection",
    "Transfer a FlowFile to the upstream connection where it comes from when whose release signal has not been "
    "notified yet. This mode helps keeping upstream connection being full so that the upstream source processor "
    "will not be scheduled while back-pressure is active and limit incoming FlowFiles.")


class Wait(Processor):
    """Routes incoming FlowFiles to the 'wait' relationship until a matching release signal is stored in the
    distributed cache from a corresponding Notify processor. When a matching release signal is identified, a
    waiting FlowFile is routed to the 'success' relationship. The release signal entry is then updated and
    the FlowFile's wait.start.timestamp removed. If a FlowFile has been waiting longer than the Expiration
    Duration, it is routed to 'expired'. If the Release Signal Identifier evaluates to nothing, or the cache
    cannot be reached, the FlowFile is penalized and routed to 'failure'. With Signal Counter Name and Target
    Signal Count, a FlowFile waits until that counter (or the total of the signal's counters) reaches the
    target; Releasable FlowFile Count says how many FlowFiles each time the target is reached lets through
    (0: all of them, as long as the count stays reached). Wait Buffer Count FlowFiles with the same Release
    Signal Identifier are checked against the cache in one go."""

    tags = ("map", "cache", "wait", "hold", "distributed", "signal", "release")
    nifi_type = "org.apache.nifi.processors.standard.Wait"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        WAIT_START_TIMESTAMP: "All FlowFiles will have an attribute 'wait.start.timestamp', which sets the initial "
                              "epoch timestamp when the file first entered this processor. This is used to "
                              "determine the expiration time of the FlowFile. This attribute is not written when "
                              "the FlowFile is transferred to failure or success",
        "wait.counter.<counterName>": "If a signal exists when the processor runs, each count value in the signal "
                                      "is copied.",
        "wait.counter.total": "The total of the signal's counts, when a signal exists",
    }

    RELEASE_SIGNAL_IDENTIFIER = PropertyDescriptor(
        "release-signal-id", display_name="Release Signal Identifier",
        description="A value, or the results of an Attribute Expression Language statement, which will be evaluated "
                    "against a FlowFile in order to determine the release signal cache key", required=True,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    TARGET_SIGNAL_COUNT = PropertyDescriptor(
        "target-signal-count", display_name="Target Signal Count",
        description="A value, or the results of an Attribute Expression Language statement, which will be evaluated "
                    "against a FlowFile in order to determine the target signal count. This processor checks "
                    "whether the signal count has reached this number. If Signal Counter Name is specified, this "
                    "processor checks a particular counter, otherwise checks against total count in a signal.",
        required=True, default="1", validator=validators.NON_NEGATIVE_INTEGER,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    SIGNAL_COUNTER_NAME = PropertyDescriptor(
        "signal-counter-name", display_name="Signal Counter Name",
        description="A value, or the results of an Attribute Expression Language statement, which will be evaluated "
                    "against a FlowFile in order to determine the signal counter name. If not specified, this "
                    "processor checks the total count in a signal.",
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    WAIT_BUFFER_COUNT = PropertyDescriptor(
        "wait-buffer-count", display_name="Wait Buffer Count",
        description="Specify the maximum number of incoming FlowFiles that can be buffered to check whether it can "
                    "move forward. The more buffer can provide the better performance, as it reduces the number of "
                    "interactions with cache service by grouping FlowFiles by signal identifier. Only a signal "
                    "identifier can be processed at a processor execution.",
        required=True, default="1", validator=validators.POSITIVE_INTEGER)
    RELEASABLE_FLOWFILE_COUNT = PropertyDescriptor(
        "releasable-flowfile-count", display_name="Releasable FlowFile Count",
        description="A value, or the results of an Attribute Expression Language statement, which will be evaluated "
                    "against a FlowFile in order to determine the releasable FlowFile count. This specifies how "
                    "many FlowFiles can be released when a target count reaches target signal count. Zero (0) has "
                    "a special meaning, any number of FlowFiles can be released as long as signal count matches "
                    "target.", required=True, default="1", validator=validators.NON_NEGATIVE_INTEGER,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    EXPIRATION_DURATION = PropertyDescriptor(
        "expiration-duration", display_name="Expiration Duration",
        description="Indicates the duration after which waiting FlowFiles will be routed to the 'expired' "
                    "relationship", required=True, default="10 min", validator=validators.TIME_PERIOD)
    DISTRIBUTED_CACHE_SERVICE = PropertyDescriptor(
        "distributed-cache-service", display_name="Distributed Cache Service",
        description="The Controller Service that is used to check for release signals from a corresponding Notify "
                    "processor", required=True, controller_service=DistributedMapCacheClient)
    ATTRIBUTE_COPY_MODE = PropertyDescriptor(
        "attribute-copy-mode", display_name="Attribute Copy Mode",
        description="Specifies how to handle attributes copied from FlowFiles entering the Notify processor",
        required=True, default=ATTRIBUTE_COPY_KEEP_ORIGINAL.value,
        allowable_values=(ATTRIBUTE_COPY_REPLACE, ATTRIBUTE_COPY_KEEP_ORIGINAL))
    WAIT_MODE = PropertyDescriptor(
        "wait-mode", display_name="Wait Mode", description="Specifies how to handle a FlowFile waiting for a notify "
                                                           "signal", required=True,
        default=WAIT_MODE_TRANSFER_TO_WAIT.value, allowable_values=(WAIT_MODE_TRANSFER_TO_WAIT,
                                                                    WAIT_MODE_KEEP_IN_UPSTREAM))
    PENALIZE_WAITING_FLOWFILES = PropertyDescriptor(
        "penalize-waiting-flowfiles", display_name="Penalize Waiting FlowFiles",
        description="If enabled, penalize waiting FlowFiles so that they will not be checked again for the next "
                    "configured 'Penalty Duration', and let other queued FlowFiles get checked at the next run. If "
                    "disabled, only FlowFiles routed to 'failure' relationship are penalized.",
        required=True, default="false", allowable_values=("true", "false"))

    SUCCESS = Relationship("success", "A FlowFile with a matching release signal in the cache will be routed to this "
                                      "relationship")
    FAILURE = Relationship("failure", "When the cache cannot be reached, or if the Release Signal Identifier "
                                      "evaluates to null or empty, FlowFiles will be routed to this relationship")
    WAIT = Relationship("wait", "A FlowFile with no matching release signal in the cache will be routed to this "
                                "relationship")
    EXPIRED = Relationship("expired", "A FlowFile that has exceeded the configured Expiration Duration will be "
                                      "routed to this relationship")

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        buffered = session.get_batch(context.get_property(self.WAIT_BUFFER_COUNT).as_int() or 1)
        if not buffered:
            return
        signal_id, flowfiles = self._take_one_signal(context, session, buffered)
        if signal_id is None:
            return
        try:
            self._wait(context, session, signal_id, flowfiles)
        except CacheUnavailable as exc:
            context.logger.error(f"Unable to communicate with cache while checking signal '{signal_id}': {exc}")
            for flowfile in flowfiles:
                self._fail(session, flowfile)

    def _take_one_signal(self, context: ProcessContext, session: ProcessSession,
                         buffered: list[FlowFile]) -> tuple[str | None, list[FlowFile]]:
        """The first Release Signal Identifier and its FlowFiles; those without one go to failure, those
        of other signals back to the queue for a later trigger."""
        signal_id: str | None = None
        taken: list[FlowFile] = []
        for flowfile in buffered:
            this_id = context.get_property(self.RELEASE_SIGNAL_IDENTIFIER).evaluate(flowfile).value or ""
            if not this_id.strip():
                context.logger.error(f"FlowFile {flowfile} has no attribute for given Release Signal Identifier")
                self._fail(session, flowfile)
            elif signal_id is None or this_id == signal_id:
                signal_id = this_id
                taken.append(flowfile)
            else:
                session.transfer(flowfile)
        return signal_id, taken

    def _fail(self, session: ProcessSession, flowfile: FlowFile) -> None:
        flowfile = session.remove_attribute(session.penalize(flowfile), WAIT_START_TIMESTAMP)
        session.transfer(flowfile, self.FAILURE)

    def _wait(self, context: ProcessContext, session: ProcessSession, signal_id: str,
              flowfiles: list[FlowFile]) -> None:
        protocol = WaitNotify(context.get_property(self.DISTRIBUTED_CACHE_SERVICE).as_controller_service())
        signal = protocol.get_signal(signal_id)
        original_counts = dict(signal.counts) if signal is not None else {}
        expiration_ms = int((context.get_property(self.EXPIRATION_DURATION).as_time_period() or 0) * 1000)
        now_ms = int(self._clock() * 1000)
        routed: dict[Relationship, list[FlowFile]] = {self.SUCCESS: [], self.WAIT: [], self.EXPIRED: []}
        candidates: list[FlowFile] = []
        counter: str | None = None
        target = releasable = 1
        for flowfile in flowfiles:
            started = flowfile.attributes.get(WAIT_START_TIMESTAMP)
            if started is None:
                started = str(now_ms)
                flowfile = session.put_attribute(flowfile, WAIT_START_TIMESTAMP, started)
            if not started.isdigit():
                context.logger.error(f"{WAIT_START_TIMESTAMP} has an invalid value '{started}' on FlowFile {flowfile}")
                self._fail(session, flowfile)
                continue
            if now_ms > int(started) + expiration_ms:
                context.logger.info(f"FlowFile {flowfile} expired after {now_ms - int(started)}ms")
                routed[self.EXPIRED].append(flowfile)
                continue
            if signal is None:
                routed[self.WAIT].append(flowfile)
                continue
            if not candidates:  # the first candidate fixes counter name and counts for the batch, as in NiFi
                counter = context.get_property(self.SIGNAL_COUNTER_NAME).evaluate(flowfile).value or None
                try:
                    target = _non_negative(context.get_property(self.TARGET_SIGNAL_COUNT).evaluate(flowfile).value,
                                           "Target Signal Count")
                    releasable = _non_negative(
                        context.get_property(self.RELEASABLE_FLOWFILE_COUNT).evaluate(flowfile).value,
                        "Releasable FlowFile Count")
                except ValueError as exc:
                    context.logger.error(f"Failed to process {flowfile}: {exc}")
                    self._fail(session, flowfile)
                    continue
            candidates.append(flowfile)
        progressed = False
        if signal is not None and candidates:
            if releasable > 0:
                released = signal.release_candidates(counter, target, releasable, len(candidates))
                routed[self.SUCCESS] += candidates[:released]
                routed[self.WAIT] += candidates[released:]
                progressed = released > 0
            elif signal.is_count_reached(counter, target):
                routed[self.SUCCESS] += candidates
            else:
                routed[self.WAIT] += candidates
        if progressed and signal is not None and not protocol.replace(signal):
            # Another Wait used (or a Notify changed) the signal since it was read: try again next time.
            session.rollback()
            context.yield_()
            return
        self._transfer(context, session, routed, signal, original_counts)

    def _transfer(self, context: ProcessContext, session: ProcessSession, routed: dict[Relationship, list[FlowFile]],
                  signal: Signal | None, original_counts: dict[str, int]) -> None:
        replace = context.get_property(self.ATTRIBUTE_COPY_MODE).value == ATTRIBUTE_COPY_REPLACE.value
        keep_upstream = context.get_property(self.WAIT_MODE).value == WAIT_MODE_KEEP_IN_UPSTREAM.value
        penalize_waiting = context.get_property(self.PENALIZE_WAITING_FLOWFILES).as_bool()
        for relationship, flowfiles in routed.items():
            for flowfile in flowfiles:
                if relationship is self.SUCCESS:
                    flowfile = session.remove_attribute(flowfile, WAIT_START_TIMESTAMP)
                elif relationship is self.WAIT and penalize_waiting:
                    flowfile = session.penalize(flowfile)
                flowfile = _copy_signal_attributes(session, flowfile, signal, original_counts, replace)
                if relationship is self.WAIT and keep_upstream:
                    session.transfer(flowfile)
                else:
                    session.transfer(flowfile, relationship)


def _non_negative(value: str | None, name: str) -> int:
    text = (value or "").strip()
    if not text.isdigit():
        raise ValueError(f"{name} '{value}' is not a non-negative integer")
    return int(text)


def _copy_signal_attributes(session: ProcessSession, flowfile: FlowFile, signal: Signal | None,
                            original_counts: dict[str, int], replace: bool) -> FlowFile:
    if signal is None:
        return flowfile
    if replace:
        copied = {k: v for k, v in signal.attributes.items() if k != "uuid"}
    else:
        copied = {k: v for k, v in signal.attributes.items() if k not in flowfile.attributes}
    copied.update({f"wait.counter.{name}": str(count) for name, count in original_counts.items()})
    copied["wait.counter.total"] = str(sum(original_counts.values()))
    return session.put_all_attributes(flowfile, copied)
