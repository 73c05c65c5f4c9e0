"""RouteOnAttribute: dynamic properties are predicates and (by default) relationships."""

from __future__ import annotations

import pytest

from nifi_like.testing import TestRunner
from processors.routing.route_on_attribute import RouteOnAttribute

PARITY = {"even": "${n:mod(2):equals(0)}", "odd": "${n:mod(2):equals(1)}"}


def test_flowfiles_go_to_the_relationship_of_the_property_that_matched(expression_language: None) -> None:
    with TestRunner(RouteOnAttribute, properties=PARITY) as runner:
        runner.enqueue(b"4", attributes={"n": "4"})
        runner.enqueue(b"7", attributes={"n": "7"})
        runner.enqueue(b"?", attributes={"n": "-"})
        runner.run()
        [even] = runner.get_flowfiles_for_relationship("even")
        even.assert_content_equals(b"4")
        even.assert_attribute_equals("RouteOnAttribute.Route", "even")
        runner.get_flowfiles_for_relationship("odd")[0].assert_content_equals(b"7")
        [unmatched] = runner.get_flowfiles_for_relationship("unmatched")
        unmatched.assert_attribute_equals("RouteOnAttribute.Route", "unmatched")
        routes = [(event["event_type"], event["relationship"]) for event in runner.provenance_events]
        assert sorted(routes) == [("ROUTE", "even"), ("ROUTE", "odd"), ("ROUTE", "unmatched")]


def test_a_flowfile_matching_several_properties_is_cloned_to_each() -> None:
    with TestRunner(RouteOnAttribute, properties={"a": "true", "b": "true", "c": "false"}) as runner:
        original = runner.enqueue(b"payload", attributes={"k": "v"})
        runner.run()
        [to_a] = runner.get_flowfiles_for_relationship("a")
        [to_b] = runner.get_flowfiles_for_relationship("b")
        runner.assert_transferred("c", 0)
        runner.assert_transferred("unmatched", 0)
        assert to_a.id == original.id and to_b.id != original.id
        for flowfile, route in ((to_a, "a"), (to_b, "b")):
            flowfile.assert_content_equals(b"payload")
            flowfile.assert_attribute_equals("k", "v")
            flowfile.assert_attribute_equals("RouteOnAttribute.Route", route)
        types = sorted(event["event_type"] for event in runner.provenance_events)
        assert types == ["CLONE", "ROUTE", "ROUTE"]


def test_relationships_follow_the_dynamic_properties() -> None:
    relationships = RouteOnAttribute.relationships_for({"x": "true", "y": "false"})
    assert [r.name for r in relationships] == ["x", "y", "unmatched"]
    with TestRunner(RouteOnAttribute, properties={"x": "true"}) as runner:
        runner.set_property("y", "true")
        runner.enqueue(b"")
        runner.run()
        runner.assert_transferred("x", 1)
        runner.assert_transferred("y", 1)
        runner.remove_property("y")
        with pytest.raises(AssertionError, match="'z' is not a relationship of RouteOnAttribute"):
            runner.assert_transferred("z", 0)


@pytest.mark.parametrize(("strategy", "n", "expected"), [
    ("Route to 'match' if all match", "4", "matched"),
    ("Route to 'match' if all match", "6", "unmatched"),
    ("Route to 'match' if any matches", "6", "matched"),
    ("Route to 'match' if any matches", "7", "unmatched"),
])
def test_the_matched_strategies(expression_language: None, strategy: str, n: str, expected: str) -> None:
    properties = {"Routing Strategy": strategy, "even": "${n:mod(2):equals(0)}", "small": "${n:lt(5)}"}
    assert [r.name for r in RouteOnAttribute.relationships_for(properties)] == ["matched", "unmatched"]
    with TestRunner(RouteOnAttribute, properties=properties) as runner:
        runner.enqueue(b"", attributes={"n": n})
        runner.run()
        runner.assert_all_transferred(expected, count=1)


def test_flowfiles_are_routed_in_batches_of_a_hundred() -> None:
    with TestRunner(RouteOnAttribute, properties={"yes": "true"}) as runner:
        for _ in range(120):
            runner.enqueue(b"")
        runner.run()
        runner.assert_all_transferred("yes", count=100)
        assert runner.queue_size == 20


def test_an_unknown_strategy_is_invalid() -> None:
    with TestRunner(RouteOnAttribute, properties={"Routing Strategy": "Route somewhere"}) as runner:
        [error] = runner.assert_not_valid()
        assert ("'Route somewhere' is not one of the allowed values: Route to Property name, "
                "Route to 'match' if all match, Route to 'match' if any matches") in error


def test_an_invalid_predicate_is_invalid(expression_language: None) -> None:
    with TestRunner(RouteOnAttribute, properties={"broken": "${n:mod(}"}) as runner:
        [error] = runner.assert_not_valid()
        assert error.startswith(f"Property 'broken' of RouteOnAttribute[{runner.context.identifier[:8]}]")
        assert "invalid expression" in error
