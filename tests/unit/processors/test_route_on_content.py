"""RouteOnContent: dynamic properties are regular expressions and relationships."""

from __future__ import annotations

import pytest

from nifi_like.api import ProcessException
from nifi_like.testing import TestRunner
from processors.routing.route_on_content import RouteOnContent


def test_the_whole_content_must_match_by_default() -> None:
    with TestRunner(RouteOnContent, properties={"digits": r"\d+", "word": "[a-z]+"}) as runner:
        runner.enqueue(b"12345")
        runner.enqueue(b"abc")
        runner.enqueue(b"abc123")
        runner.run()
        runner.get_flowfiles_for_relationship("digits")[0].assert_content_equals(b"12345")
        runner.get_flowfiles_for_relationship("word")[0].assert_attribute_equals("RouteOnContent.Route", "word")
        [unmatched] = runner.get_flowfiles_for_relationship("unmatched")
        unmatched.assert_content_equals(b"abc123")
        unmatched.assert_attribute_equals("RouteOnContent.Route", "unmatched")


def test_contains_match_clones_to_every_matching_relationship() -> None:
    properties = {"Match Requirement": "content must contain match", "error": "ERROR", "disk": "disk"}
    with TestRunner(RouteOnContent, properties=properties) as runner:
        original = runner.enqueue(b"2024 ERROR: disk full")
        runner.run()
        [to_error] = runner.get_flowfiles_for_relationship("error")
        [to_disk] = runner.get_flowfiles_for_relationship("disk")
        assert original.id in (to_error.id, to_disk.id) and to_error.id != to_disk.id
        assert sorted(e["event_type"] for e in runner.provenance_events) == ["CLONE", "ROUTE", "ROUTE"]


def test_only_the_buffer_is_searched_and_expressions_use_attributes(expression_language: None) -> None:
    properties = {"Match Requirement": "content must contain match", "Content Buffer Size": "5 B",
                  "mine": "${wanted}"}
    with TestRunner(RouteOnContent, properties=properties) as runner:
        runner.enqueue(b"hello world", attributes={"wanted": "hell"})
        runner.enqueue(b"hello world", attributes={"wanted": "world"})
        runner.run()
        assert [f.attributes["wanted"] for f in runner.get_flowfiles_for_relationship("mine")] == ["hell"]
        runner.assert_transferred("unmatched", 1)


def test_an_invalid_regex_is_invalid_and_one_from_an_attribute_rolls_back(expression_language: None) -> None:
    with TestRunner(RouteOnContent, properties={"bad": "(x"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'bad'" in error and "not a valid regular expression" in error
    with TestRunner(RouteOnContent, properties={"dyn": "${p}"}) as runner:
        runner.enqueue(b"x", attributes={"p": "(x"})
        with pytest.raises(ProcessException, match="regular expression of 'dyn'"):
            runner.run()
        assert runner.queue_size == 1
    with TestRunner(RouteOnContent, properties={"unmatched": "x"}) as runner:
        [error] = runner.assert_not_valid()
        assert "'unmatched'" in error
