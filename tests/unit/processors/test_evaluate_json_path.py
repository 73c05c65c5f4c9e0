"""EvaluateJsonPath: JsonPath results into attributes or content; unmatched and failure routing."""

from __future__ import annotations

import json

import pytest

from nifi_like.testing import TestRunner
from processors.transform.evaluate_json_path import EvaluateJsonPath

DOCUMENT = json.dumps({"id": 7, "name": "widget", "price": 1.5, "ok": True, "none": None,
                       "tags": ["a", "b"], "owner": {"name": "ann"}}).encode()
TO_ATTRIBUTES = {"Destination": "flowfile-attribute"}


def test_scalars_go_into_attributes_as_java_prints_them() -> None:
    properties = {**TO_ATTRIBUTES, "id": "$.id", "name": "$.name", "price": "$.price", "ok": "$.ok",
                  "none": "$.none", "owner": "$.owner.name", "first": "$.tags[0]"}
    with TestRunner(EvaluateJsonPath, properties=properties) as runner:
        runner.enqueue(DOCUMENT)
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("matched")
        for key, expected in {"id": "7", "name": "widget", "price": "1.5", "ok": "true", "none": "",
                              "owner": "ann", "first": "a"}.items():
            flowfile.assert_attribute_equals(key, expected)
        flowfile.assert_content_equals(DOCUMENT)


def test_null_can_be_represented_as_the_string_null() -> None:
    properties = {**TO_ATTRIBUTES, "none": "$.none", "Null Value Representation": "the string 'null'"}
    with TestRunner(EvaluateJsonPath, properties=properties) as runner:
        runner.enqueue(DOCUMENT)
        runner.run()
        runner.get_flowfiles_for_relationship("matched")[0].assert_attribute_equals("none", "null")


def test_a_non_scalar_result_with_return_type_scalar_goes_to_failure_unmodified() -> None:
    with TestRunner(EvaluateJsonPath, properties={**TO_ATTRIBUTES, "id": "$.id", "tags": "$.tags"}) as runner:
        runner.enqueue(DOCUMENT)
        runner.run()
        [failed] = runner.get_flowfiles_for_relationship("failure")
        failed.assert_attribute_not_exists("id")
        failed.assert_attribute_not_exists("tags")


def test_return_type_json_puts_objects_into_attributes() -> None:
    properties = {**TO_ATTRIBUTES, "Return Type": "json", "tags": "$.tags", "owner": "$.owner"}
    with TestRunner(EvaluateJsonPath, properties=properties) as runner:
        runner.enqueue(DOCUMENT)
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("matched")
        flowfile.assert_attribute_equals("tags", '["a","b"]')
        flowfile.assert_attribute_equals("owner", '{"name":"ann"}')


@pytest.mark.parametrize(("behavior", "expected"), [("ignore", ""), ("warn", ""), ("skip", None)])
def test_path_not_found_behavior(behavior: str, expected: str | None) -> None:
    properties = {**TO_ATTRIBUTES, "missing": "$.nothing.here", "Path Not Found Behavior": behavior}
    with TestRunner(EvaluateJsonPath, properties=properties) as runner:
        runner.enqueue(DOCUMENT)
        runner.run()
        runner.get_flowfiles_for_relationship("matched")[0].assert_attribute_equals("missing", expected)
        assert bool(runner.bulletins) == (behavior == "warn")


def test_content_destination_replaces_the_content_with_the_result() -> None:
    with TestRunner(EvaluateJsonPath, properties={"owner": "$.owner"}) as runner:
        runner.enqueue(DOCUMENT)
        runner.enqueue(DOCUMENT)
        runner.run()
        flowfiles = runner.get_flowfiles_for_relationship("matched")
        assert [f.content for f in flowfiles] == [b'{"name":"ann"}'] * 2


def test_content_destination_with_a_missing_path_is_unmatched_and_unchanged() -> None:
    with TestRunner(EvaluateJsonPath, properties={"x": "$.absent"}) as runner:
        runner.enqueue(DOCUMENT)
        runner.run()
        runner.assert_all_transferred("unmatched", count=1)
        runner.get_flowfiles_for_relationship("unmatched")[0].assert_content_equals(DOCUMENT)


def test_invalid_json_goes_to_failure_with_a_bulletin() -> None:
    with TestRunner(EvaluateJsonPath, properties={**TO_ATTRIBUTES, "id": "$.id"}) as runner:
        runner.enqueue(b'{"id": ')
        runner.enqueue(b"")
        runner.enqueue(b"\xff\xfe")
        runner.run()
        runner.assert_all_transferred("failure", count=3)
        assert all("did not have valid JSON content" in b.message for b in runner.bulletins)


def test_a_string_longer_than_the_max_string_length_is_a_failure() -> None:
    properties = {**TO_ATTRIBUTES, "id": "$.id", "Max String Length": "4 B"}
    with TestRunner(EvaluateJsonPath, properties=properties) as runner:
        runner.enqueue(b'{"id": "12345"}')
        runner.enqueue(b'{"id": "1234"}')
        runner.run()
        runner.assert_transferred("failure", 1)
        runner.get_flowfiles_for_relationship("matched")[0].assert_attribute_equals("id", "1234")


def test_configuration_errors_name_the_problem() -> None:
    with TestRunner(EvaluateJsonPath, properties={"a": "$.a", "b": "$.b"}) as runner:
        [error] = runner.assert_not_valid()
        assert "exactly one JsonPath must be set if using destination of flowfile-content" in error
    with TestRunner(EvaluateJsonPath, properties={**TO_ATTRIBUTES, "bad": "id"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'bad'" in error and "not a valid JsonPath expression" in error
