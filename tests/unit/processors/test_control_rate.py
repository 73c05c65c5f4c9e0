"""ControlRate: FlowFiles pass at most at the configured rate; the rest wait or go to 'rate exceeded'."""

from __future__ import annotations

from nifi_like.testing import TestRunner
from processors.routing.control_rate import ControlRate


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_flowfile_count_holds_the_rest_in_the_queue_until_the_period_passes() -> None:
    clock = FakeClock()
    properties = {"Rate Control Criteria": "flowfile count", "Maximum Rate": "2", "Time Duration": "1 sec"}
    with TestRunner(ControlRate(clock), properties=properties) as runner:
        for i in range(5):
            runner.enqueue(str(i))
        runner.run(stop_on_finish=False)
        assert [f.content for f in runner.get_flowfiles_for_relationship("success")] == [b"0", b"1"]
        assert runner.queue_size == 3
        runner.run(initialize=False, stop_on_finish=False)
        runner.assert_transferred("success", 2)
        assert runner.is_yielded
        clock.now += 1.01
        runner.run(initialize=False)
        assert [f.content for f in runner.get_flowfiles_for_relationship("success")] == [b"0", b"1", b"2", b"3"]


def test_data_rate_lets_a_flowfile_overshoot_then_closes_for_the_overshoot() -> None:
    clock = FakeClock()
    properties = {"Maximum Rate": "10 B", "Time Duration": "10 sec"}
    with TestRunner(ControlRate(clock), properties=properties) as runner:
        runner.enqueue(b"x" * 15)
        runner.enqueue(b"y")
        runner.run(stop_on_finish=False)
        runner.assert_transferred("success", 1)
        clock.now += 10.5  # the window is empty again, but the 5-byte overshoot closes it for 5 s
        runner.run(initialize=False, stop_on_finish=False)
        runner.assert_transferred("success", 1)
        clock.now += 5
        runner.run(initialize=False)
        runner.assert_transferred("success", 2)


def test_route_to_rate_exceeded_and_separate_groups() -> None:
    clock = FakeClock()
    properties = {"Rate Control Criteria": "flowfile count", "Maximum Rate": "1", "Time Duration": "1 min",
                  "Rate Exceeded Strategy": "Route to 'rate exceeded'", "Grouping Attribute": "tenant"}
    with TestRunner(ControlRate(clock), properties=properties) as runner:
        for tenant in ("a", "a", "b", "a"):
            runner.enqueue(tenant, attributes={"tenant": tenant})
        runner.run()
        assert sorted(f.content for f in runner.get_flowfiles_for_relationship("success")) == [b"a", b"b"]
        runner.assert_transferred("rate exceeded", 2)


def test_attribute_value_counts_the_attribute_and_invalid_values_fail() -> None:
    clock = FakeClock()
    properties = {"Rate Control Criteria": "attribute value", "Rate Controlled Attribute": "weight",
                  "Maximum Rate": "10", "Grouping Attribute": "g"}
    with TestRunner(ControlRate(clock), properties=properties) as runner:
        runner.enqueue(b"heavy", attributes={"weight": "10"})
        runner.enqueue(b"bad", attributes={"weight": "-3"})
        runner.enqueue(b"light", attributes={"weight": "1"})
        runner.run()
        runner.get_flowfiles_for_relationship("success")[0].assert_content_equals(b"heavy")
        runner.get_flowfiles_for_relationship("failure")[0].assert_content_equals(b"bad")
        assert runner.queue_size == 1  # 'light' waits: the throttle is full


def test_configuration_errors() -> None:
    with TestRunner(ControlRate, properties={"Rate Control Criteria": "flowfile count"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'Maximum Rate' is required" in error
    with TestRunner(ControlRate, properties={"Maximum Rate": "lots"}) as runner:
        [error] = runner.assert_not_valid()
        assert "'lots' is not a data size" in error
    with TestRunner(ControlRate, properties={"Rate Control Criteria": "attribute value", "Maximum Rate": "5"}) as runner:
        [error] = runner.assert_not_valid()
        assert "'Rate Controlled Attribute' must be set" in error
    with TestRunner(ControlRate, properties={"Maximum Rate": "1 KB", "Time Duration": "100 ms"}) as runner:
        [error] = runner.assert_not_valid()
        assert "must be at least 1 sec" in error
    assert [r.name for r in ControlRate.relationships_for({"Rate Exceeded Strategy": "Route to 'rate exceeded'"})] == [
        "success", "failure", "rate exceeded"]
