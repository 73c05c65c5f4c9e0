"""ExtractText: dynamic properties are regular expressions whose groups become attributes."""

from __future__ import annotations

from collections.abc import Mapping

from nifi_like.testing import MockFlowFile, TestRunner
from processors.transform.extract_text import ExtractText


def _matched(properties: Mapping[str, str], content: bytes) -> MockFlowFile:
    with TestRunner(ExtractText, properties=properties) as runner:
        runner.enqueue(content)
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("matched")
        runner.assert_transferred("unmatched", 0)
        return flowfile


def test_groups_become_numbered_attributes_and_the_first_is_the_bare_name() -> None:
    flowfile = _matched({"regex": "abc(def)?(g)"}, b"xx abcdefg abcg")
    assert {k: v for k, v in flowfile.attributes.items() if k.startswith("regex")} == {
        "regex": "def", "regex.0": "abcdefg", "regex.1": "def", "regex.2": "g"}


def test_an_optional_group_that_did_not_match_adds_no_attribute() -> None:
    flowfile = _matched({"regex": "abc(def)?(g)"}, b"xx abcg abcdefg")
    assert {k: v for k, v in flowfile.attributes.items() if k.startswith("regex")} == {
        "regex.0": "abcg", "regex.2": "g"}


def test_without_group_zero_and_with_repeating_groups() -> None:
    properties = {"kv": r"(\w+)=(\d+)", "Include Capture Group 0": "false", "Enable repeating capture group": "true"}
    flowfile = _matched(properties, b"a=1, b=2, c=3")
    assert {k: v for k, v in flowfile.attributes.items() if k.startswith("kv")} == {
        "kv": "a", "kv.1": "a", "kv.2": "1", "kv.3": "b", "kv.4": "2", "kv.5": "c", "kv.6": "3"}


def test_named_groups_give_named_attributes() -> None:
    properties = {"p": r"(?<key>\w+)=(?<value>\d+)", "Enable named group support": "true",
                  "Enable repeating capture group": "true"}
    flowfile = _matched(properties, b"a=1 b=2")
    assert {k: v for k, v in flowfile.attributes.items() if k == "p" or k.startswith("p.")} == {
        "p": "a=1", "p.key": "a", "p.value": "1", "p.key.1": "b", "p.value.1": "2"}


def test_flags_and_truncation() -> None:
    properties = {"word": "(HELLO.WORLD)", "Enable Case-insensitive Matching": "true", "Enable DOTALL Mode": "true",
                  "Maximum Capture Group Length": "7"}
    _matched(properties, b"say hello\nworld").assert_attribute_equals("word", "hello\nw")


def test_only_the_buffer_is_searched_and_no_match_goes_to_unmatched_without_attributes() -> None:
    with TestRunner(ExtractText, properties={"tail": "(end)", "Maximum Buffer Size": "8 B"}) as runner:
        runner.enqueue(b"0123456789 end")
        runner.enqueue(b"the end")
        runner.run()
        [unmatched] = runner.get_flowfiles_for_relationship("unmatched")
        unmatched.assert_attribute_not_exists("tail")
        unmatched.assert_content_equals(b"0123456789 end")
        runner.get_flowfiles_for_relationship("matched")[0].assert_attribute_equals("tail", "end")


def test_any_matching_expression_routes_to_matched() -> None:
    with TestRunner(ExtractText, properties={"a": "(zzz)", "b": "(b+)"}) as runner:
        runner.enqueue(b"abbbc")
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("matched")
        flowfile.assert_attribute_equals("b", "bbb")
        flowfile.assert_attribute_not_exists("a")


def test_invalid_expressions_are_validation_errors_naming_the_property() -> None:
    with TestRunner(ExtractText, properties={"broken": "(abc"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'broken'" in error and "not a valid regular expression" in error
    with TestRunner(ExtractText, properties={"nogroup": "abc", "Include Capture Group 0": "false"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'nogroup'" in error and "0 capturing groups" in error
    with TestRunner(ExtractText, properties={"half": "(?<a>x)(y)", "Enable named group support": "true"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'half'" in error and "named group count (1)" in error


def test_undecodable_bytes_do_not_stop_the_match() -> None:
    flowfile = _matched({"n": r"(\d+)"}, b"\xff\xfe 42")
    flowfile.assert_attribute_equals("n", "42")


def test_case_folding_is_ascii_only_unless_a_unicode_flag_is_set() -> None:
    properties = {"w": "(ÉTÉ)", "Enable Case-insensitive Matching": "true"}
    with TestRunner(ExtractText, properties=properties) as runner:
        runner.enqueue("un été".encode())
        runner.run()
        runner.assert_all_transferred("unmatched", count=1)
    _matched({**properties, "Enable Unicode-aware Case Folding": "true"}, "un été".encode()).assert_attribute_equals(
        "w", "été")
