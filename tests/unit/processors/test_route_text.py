"""RouteText: each line routed by the matching strategy; lines of a relationship (and group) become one FlowFile."""

from __future__ import annotations

import pytest

from nifi_like.api import ProcessException
from nifi_like.testing import TestRunner
from processors.routing.route_text import RouteText

LOG = b"INFO start\nERROR disk full\r\nWARN slow\nERROR net down\n  info done  \n"


def test_lines_go_to_each_matching_property_and_the_rest_to_unmatched() -> None:
    properties = {"Matching Strategy": "Starts With", "errors": "ERROR", "warnings": "WARN"}
    with TestRunner(RouteText, properties=properties) as runner:
        runner.enqueue(LOG, attributes={"filename": "app.log"})
        runner.run()
        [errors] = runner.get_flowfiles_for_relationship("errors")
        errors.assert_content_equals(b"ERROR disk full\r\nERROR net down\n")
        errors.assert_attribute_equals("RouteText.Route", "errors")
        errors.assert_attribute_equals("RouteText.Group", "")
        errors.assert_attribute_equals("filename", "app.log")
        runner.get_flowfiles_for_relationship("warnings")[0].assert_content_equals(b"WARN slow\n")
        runner.get_flowfiles_for_relationship("unmatched")[0].assert_content_equals(b"INFO start\n  info done  \n")
        [original] = runner.get_flowfiles_for_relationship("original")
        original.assert_content_equals(LOG)
        original.assert_attribute_equals("RouteText.Route", "original")


def test_ignore_case_and_whitespace_with_equals() -> None:
    properties = {"Matching Strategy": "Equals", "done": "INFO DONE", "Ignore Case": "true"}
    with TestRunner(RouteText, properties=properties) as runner:
        runner.enqueue(LOG)
        runner.run()
        runner.get_flowfiles_for_relationship("done")[0].assert_content_equals(b"  info done  \n")


def test_all_and_any_strategies_route_to_matched() -> None:
    base = {"Matching Strategy": "Contains", "a": "ERROR", "b": "disk"}
    with TestRunner(RouteText, properties={**base, "Routing Strategy":
                                           "Route to 'matched' if line matches all conditions"}) as runner:
        runner.enqueue(LOG)
        runner.run()
        runner.get_flowfiles_for_relationship("matched")[0].assert_content_equals(b"ERROR disk full\r\n")
    with TestRunner(RouteText, properties={**base, "Routing Strategy":
                                           "Route to 'matched' if lines matches any condition"}) as runner:
        runner.enqueue(LOG)
        runner.run()
        runner.get_flowfiles_for_relationship("matched")[0].assert_content_equals(
            b"ERROR disk full\r\nERROR net down\n")


def test_grouping_puts_lines_of_a_group_together() -> None:
    properties = {"Matching Strategy": "Matches Regular Expression", "rows": r"\w+,\d+",
                  "Grouping Regular Expression": r"(\w+),.*"}
    with TestRunner(RouteText, properties=properties) as runner:
        runner.enqueue(b"a,1\nb,2\na,3\n")
        runner.run()
        rows = {f.attributes["RouteText.Group"]: f.content for f in runner.get_flowfiles_for_relationship("rows")}
        assert rows == {"a": b"a,1\na,3\n", "b": b"b,2\n"}


def test_satisfies_expression_sees_line_and_line_number(expression_language: None) -> None:
    properties = {"Matching Strategy": "Satisfies Expression", "head": "${lineNo:le(2)}",
                  "hash": "${line:startsWith('#')}"}
    with TestRunner(RouteText, properties=properties) as runner:
        runner.enqueue(b"one\n#two\nthree\n#four\n")
        runner.run()
        runner.get_flowfiles_for_relationship("head")[0].assert_content_equals(b"one\n#two\n")
        runner.get_flowfiles_for_relationship("hash")[0].assert_content_equals(b"#two\n#four\n")
        runner.get_flowfiles_for_relationship("unmatched")[0].assert_content_equals(b"three\n")


def test_configuration_errors() -> None:
    with TestRunner(RouteText, properties={"Matching Strategy": "Contains"}) as runner:
        [error] = runner.assert_not_valid()
        assert "there must be dynamic properties" in error
    with TestRunner(RouteText, properties={"Matching Strategy": "Contains Regular Expression", "x": "(a"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'x'" in error and "not a valid regular expression" in error
    with TestRunner(RouteText, properties={"Matching Strategy": "Contains", "x": "a",
                                           "Grouping Regular Expression": "a.*"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'Grouping Regular Expression'" in error and "capturing group" in error


def test_a_regex_from_an_attribute_that_does_not_compile_rolls_back(expression_language: None) -> None:
    with TestRunner(RouteText, properties={"Matching Strategy": "Contains Regular Expression",
                                           "x": "${p}"}) as runner:
        runner.enqueue(b"line\n", attributes={"p": "[a"})
        with pytest.raises(ProcessException, match="cannot use the value of 'x'"):
            runner.run()
        assert runner.queue_size == 1


def test_large_content_is_routed_in_constant_memory() -> None:
    content = b"".join(b"%s %d\n" % (b"even" if i % 2 == 0 else b"odd", i) for i in range(200_000))
    with TestRunner(RouteText, properties={"Matching Strategy": "Starts With", "even": "even"}) as runner:
        runner.enqueue(content)
        runner.run()
        even = runner.get_flowfiles_for_relationship("even")[0].content
        odd = runner.get_flowfiles_for_relationship("unmatched")[0].content
        assert even.count(b"\n") == odd.count(b"\n") == 100_000
        assert len(even) + len(odd) == len(content)
