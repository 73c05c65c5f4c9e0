"""ControlRate: let FlowFiles through at most at a configured rate (bytes, count or an attribute's sum)."""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

from nifi_like.api import (
    AllowableValue,
    FlowFile,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    parse_data_size,
    parse_time_period,
    validators,
)

#: FlowFiles taken per trigger, as NiFi's ControlRate batches them.
MAX_FLOW_FILES_PER_BATCH = 1000
_POSITIVE_LONG = re.compile(r"0*[1-9][0-9]*")

DATA_RATE = AllowableValue("data rate", "data rate",
                           "Rate is controlled by counting bytes transferred per time duration.")
FLOWFILE_RATE = AllowableValue("flowfile count", "flowfile count",
                               "Rate is controlled by counting FlowFiles transferred per time duration")
ATTRIBUTE_RATE = AllowableValue(
    "attribute value", "attribute value",
    "Rate is controlled by accumulating the value of a specified attribute that is transferred per time duration")
DATA_OR_FLOWFILE_RATE = AllowableValue(
    "data rate or flowfile count", "data rate or flowfile count",
    "Rate is controlled by counting bytes and FlowFiles transferred per time duration; if either threshold is met, "
    "throttling is enforced")
HOLD_FLOWFILE = AllowableValue(
    "Hold FlowFile", "Hold FlowFile",
    "The FlowFile will be held in its input queue until the rate of data has fallen below the configured maximum and "
    "will then be allowed through.")
ROUTE_TO_RATE_EXCEEDED = AllowableValue("Route to 'rate exceeded'", "Route to 'rate exceeded'",
                                        "The FlowFile will be routed to the 'rate exceeded' Relationship.")


class Throttle:
    """NiFi's throttle: the sum of what passed in the last period; once it reaches the maximum nothing
    passes, and an overshoot closes the throttle for the time the overshoot is worth."""

    def __init__(self, period: float, max_rate: int, clock: Callable[[], float]) -> None:
        self.period = period
        self.max_rate = max_rate
        self.clock = clock
        self.entries: deque[tuple[float, int]] = deque()
        self.total = 0
        self.penalty = 0.0
        self.closed_until = 0.0
        self.last_update = clock()

    def ready(self) -> bool:
        """Whether the next FlowFile may pass, whatever its size."""
        now = self.clock()
        while self.entries and self.entries[0][0] <= now - self.period:
            self.total -= self.entries.popleft()[1]
        if self.closed_until > now or self.total >= self.max_rate:
            return False
        if self.penalty > 0:
            self.closed_until, self.penalty = now + self.penalty, 0.0
            return False
        return True

    def add(self, value: int) -> None:
        now = self.clock()
        self.entries.append((now, value))
        self.total += value
        self.last_update = now
        if self.total > self.max_rate:
            self.penalty = self.period * (self.total - self.max_rate) / self.max_rate


class ControlRate(Processor):
    """Controls the rate at which data is transferred to follow-on processors. If you configure a very small
    Time Duration, then the accuracy of the throttle gets worse. You can improve this accuracy by decreasing
    the Yield Duration, at the expense of more Tasks given to the processor. With 'Hold FlowFile', FlowFiles
    wait in the input queue until the rate allows them through; with a Grouping Attribute, FlowFiles of a
    group that must wait are handed back to the queue (behind FlowFiles that arrived meanwhile), while
    without one the queue is not touched until the rate allows. The throttles live in memory and start
    anew when the processor is started."""

    tags = ("rate control", "throttle", "rate", "throughput")
    nifi_type = "org.apache.nifi.processors.standard.ControlRate"
    input_requirement = InputRequirement.INPUT_REQUIRED

    RATE_CONTROL_CRITERIA = PropertyDescriptor(
        "Rate Control Criteria",
        description="Indicates the criteria that is used to control the throughput rate. Changing this value resets "
                    "the rate counters.",
        required=True, default=DATA_RATE.value,
        allowable_values=(DATA_RATE, FLOWFILE_RATE, ATTRIBUTE_RATE, DATA_OR_FLOWFILE_RATE))
    TIME_PERIOD = PropertyDescriptor(
        "Time Duration",
        description="The amount of time to which the Maximum Rate pertains. Changing this value resets the rate "
                    "counters.",
        required=True, default="1 min", validator=validators.TIME_PERIOD)
    MAX_RATE = PropertyDescriptor(
        "Maximum Rate",
        description="The maximum rate at which data should pass through this processor. The format of this property "
                    "is expected to be a positive integer, or a Data Size (such as '1 MB') if Rate Control Criteria is "
                    "set to 'data rate'.",
        validator=validators.NON_EMPTY)
    MAX_DATA_RATE = PropertyDescriptor(
        "Maximum Data Rate",
        description="The maximum rate at which data should pass through this processor. The format of this property "
                    "is expected to be a Data Size (such as '1 MB') representing bytes per Time Duration.",
        validator=validators.DATA_SIZE)
    MAX_COUNT_RATE = PropertyDescriptor(
        "Maximum FlowFile Rate",
        description="The maximum rate at which FlowFiles should pass through this processor. The format of this "
                    "property is expected to be a positive integer representing FlowFiles count per Time Duration",
        validator=validators.POSITIVE_INTEGER)
    RATE_EXCEEDED_STRATEGY = PropertyDescriptor(
        "Rate Exceeded Strategy",
        description="Specifies how to handle an incoming FlowFile when the maximum data rate has been exceeded.",
        required=True, default=HOLD_FLOWFILE.value, allowable_values=(HOLD_FLOWFILE, ROUTE_TO_RATE_EXCEEDED))
    RATE_CONTROL_ATTRIBUTE_NAME = PropertyDescriptor(
        "Rate Controlled Attribute",
        description="The name of an attribute whose values build toward the rate limit if Rate Control Criteria is "
                    "set to 'attribute value'. The value of the attribute referenced by this property must be a "
                    "positive long, or the FlowFile will be routed to failure. This value is ignored if Rate Control "
                    "Criteria is not set to 'attribute value'. Changing this value resets the rate counters.",
        validator=validators.NON_EMPTY)
    GROUPING_ATTRIBUTE_NAME = PropertyDescriptor(
        "Grouping Attribute",
        description="By default, a single \"throttle\" is used for all FlowFiles. If this value is specified, a "
                    "separate throttle is used for each value specified by the attribute with this name. Changing "
                    "this value resets the rate counters.",
        validator=validators.NON_EMPTY)

    SUCCESS = Relationship("success", "FlowFiles are transferred to this relationship under normal conditions")
    FAILURE = Relationship("failure", "FlowFiles will be routed to this relationship if they are missing a necessary "
                                      "Rate Controlled Attribute or the attribute is not in the expected format")
    RATE_EXCEEDED = Relationship(
        "rate exceeded", "A FlowFile will be routed to this Relationship if it results in exceeding the maximum "
                         "threshold allowed based on the Processor's configuration and if the Rate Exceeded Strategy "
                         "is configured to use this Relationship.")

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._throttles: dict[tuple[str, str | None], Throttle] = {}

    @classmethod
    def relationships_for(cls, properties: Mapping[str, str | None]) -> list[Relationship]:
        if properties.get(cls.RATE_EXCEEDED_STRATEGY.name) == ROUTE_TO_RATE_EXCEEDED.value:
            return [cls.SUCCESS, cls.FAILURE, cls.RATE_EXCEEDED]
        return [cls.SUCCESS, cls.FAILURE]

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        criteria = properties.get(self.RATE_CONTROL_CRITERIA.name) or DATA_RATE.value
        problems: list[str] = []

        def need(descriptor: PropertyDescriptor, check: Callable[[str], str | None], what: str) -> None:
            value = properties.get(descriptor.name)
            reason = "is required" if not value else (f"'{value}' {check(value)}" if check(value) else None)
            if reason:
                problems.append(f"Property '{descriptor.name}' {reason} ({what} with Rate Control Criteria "
                                f"'{criteria}')")

        if criteria == DATA_OR_FLOWFILE_RATE.value:
            need(self.MAX_DATA_RATE, validators.DATA_SIZE, "a data size")
            need(self.MAX_COUNT_RATE, validators.POSITIVE_INTEGER, "a positive integer")
        elif criteria == DATA_RATE.value:
            need(self.MAX_RATE, validators.DATA_SIZE, "a data size")
        else:
            need(self.MAX_RATE, validators.POSITIVE_INTEGER, "a positive integer")
            if criteria == ATTRIBUTE_RATE.value and not properties.get(self.RATE_CONTROL_ATTRIBUTE_NAME.name):
                problems.append(f"Property '{self.RATE_CONTROL_ATTRIBUTE_NAME.name}' must be set if using "
                                f"<Rate Control Criteria> of '{ATTRIBUTE_RATE.value}'")
        period = properties.get(self.TIME_PERIOD.name) or self.TIME_PERIOD.default or ""
        if not validators.TIME_PERIOD(period) and parse_time_period(period) < 1:
            problems.append(f"Property '{self.TIME_PERIOD.name}': '{period}' must be at least 1 sec")
        return problems

    def on_scheduled(self, context: ProcessContext) -> None:
        with self._lock:
            self._throttles.clear()

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        limits = _Limits(context)
        grouping = context.get_property(self.GROUPING_ATTRIBUTE_NAME).value
        route = context.get_property(self.RATE_EXCEEDED_STRATEGY).value == ROUTE_TO_RATE_EXCEEDED.value
        with self._lock:
            self._forget_idle(limits.period)
            if route or grouping:
                moved = self._route_batch(session, limits, grouping, route)
            else:
                moved = self._hold(session, limits)
        if not moved:
            context.yield_()

    def _hold(self, session: ProcessSession, limits: _Limits) -> bool:
        """Take FlowFiles one at a time while the single throttle lets them through."""
        moved = False
        for _ in range(MAX_FLOW_FILES_PER_BATCH):
            if not self._ready(limits, None):
                break
            flowfile = session.get()
            if flowfile is None:
                break
            moved = True
            self._pass(session, flowfile, limits, None)
        return moved

    def _route_batch(self, session: ProcessSession, limits: _Limits, grouping: str | None, route: bool) -> bool:
        flowfiles = session.get_batch(MAX_FLOW_FILES_PER_BATCH)
        held: list[FlowFile] = []
        for flowfile in flowfiles:
            group = flowfile.attributes.get(grouping) if grouping else None
            if limits.accrual(flowfile) is None or self._ready(limits, group):
                self._pass(session, flowfile, limits, group)
            elif route:
                session.provenance.route(flowfile, self.RATE_EXCEEDED)
                session.transfer(flowfile, self.RATE_EXCEEDED)
            else:
                held.append(flowfile)
        if held:
            session.transfer(held)
        return len(held) < len(flowfiles)

    def _pass(self, session: ProcessSession, flowfile: FlowFile, limits: _Limits, group: str | None) -> None:
        count = limits.accrual(flowfile)
        if count is None:
            session.transfer(flowfile, self.FAILURE)
            return
        if limits.max_data is not None:
            self._throttle("data", group, limits.max_data, limits.period).add(flowfile.size)
        if limits.max_count is not None:
            self._throttle("count", group, limits.max_count, limits.period).add(count)
        session.provenance.route(flowfile, self.SUCCESS)
        session.transfer(flowfile, self.SUCCESS)

    def _ready(self, limits: _Limits, group: str | None) -> bool:
        ready = True
        if limits.max_data is not None:
            ready = self._throttle("data", group, limits.max_data, limits.period).ready()
        if ready and limits.max_count is not None:
            ready = self._throttle("count", group, limits.max_count, limits.period).ready()
        return ready

    def _throttle(self, kind: str, group: str | None, max_rate: int, period: float) -> Throttle:
        key = (kind, group)
        throttle = self._throttles.get(key)
        if throttle is None:
            throttle = self._throttles[key] = Throttle(period, max_rate, self._clock)
        return throttle

    def _forget_idle(self, period: float) -> None:
        """Drop the throttles of groups not seen for two periods, as NiFi clears expired throttles."""
        horizon = self._clock() - 2 * period
        for key in [key for key, throttle in self._throttles.items() if throttle.last_update < horizon]:
            del self._throttles[key]


class _Limits:
    """The configured maximums, and what a FlowFile counts against the count throttle."""

    def __init__(self, context: ProcessContext) -> None:
        criteria = context.get_property(ControlRate.RATE_CONTROL_CRITERIA).value
        self.period = context.get_property(ControlRate.TIME_PERIOD).as_time_period() or 60.0
        self.attribute = (context.get_property(ControlRate.RATE_CONTROL_ATTRIBUTE_NAME).value
                          if criteria == ATTRIBUTE_RATE.value else None)
        maximum = context.get_property(ControlRate.MAX_RATE).value or "0"
        self.max_data: int | None = None
        self.max_count: int | None = None
        if criteria == DATA_OR_FLOWFILE_RATE.value:
            self.max_data = parse_data_size(context.get_property(ControlRate.MAX_DATA_RATE).value or "0")
            self.max_count = context.get_property(ControlRate.MAX_COUNT_RATE).as_int()
        elif criteria == DATA_RATE.value:
            self.max_data = parse_data_size(maximum)
        else:
            self.max_count = int(maximum)

    def accrual(self, flowfile: FlowFile) -> int | None:
        """What the FlowFile adds to the count throttle; None when its rate attribute is missing or invalid."""
        if self.attribute is None:
            return 1
        value = flowfile.attributes.get(self.attribute)
        return int(value) if value is not None and _POSITIVE_LONG.fullmatch(value) else None
