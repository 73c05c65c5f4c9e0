"""AttributesToJSON: selected attributes as a JSON object, in the JSONAttributes attribute or the content."""

from __future__ import annotations

import json

from nifi_like.testing import MockFlowFile, TestRunner
from processors.transform.attributes_to_json import AttributesToJSON

ATTRIBUTES = {"a": "1", "b": "2", "mime.type": "text/plain", "nested": '{"x": [1, 2]}'}


def _single(properties: dict[str, str], attributes: dict[str, str] = ATTRIBUTES,
            content: bytes = b"body") -> MockFlowFile:
    with TestRunner(AttributesToJSON, properties=properties) as runner:
        runner.enqueue(content, attributes=attributes)
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        runner.assert_transferred("failure", 0)
        return flowfile


def test_all_attributes_go_into_the_json_attributes_attribute() -> None:
    flowfile = _single({})
    document = json.loads(flowfile.attributes["JSONAttributes"])
    assert document["a"] == "1" and document["nested"] == '{"x": [1, 2]}'
    assert document["uuid"] == flowfile.id and "filename" in document
    flowfile.assert_content_equals(b"body")


def test_core_attributes_can_be_left_out() -> None:
    document = json.loads(_single({"Include Core Attributes": "false"}).attributes["JSONAttributes"])
    assert set(document) == {"a", "b", "nested"}


def test_the_attributes_list_keeps_missing_ones_as_empty_or_null() -> None:
    flowfile = _single({"Attributes List": "b, missing ,a"})
    assert flowfile.attributes["JSONAttributes"] == '{"b":"2","missing":"","a":"1"}'
    flowfile = _single({"Attributes List": "a,missing", "Null Value": "true"})
    assert flowfile.attributes["JSONAttributes"] == '{"a":"1","missing":null}'


def test_the_regular_expression_adds_matching_attributes_to_the_list() -> None:
    flowfile = _single({"Attributes List": "a", "attributes-to-json-regex": "mime\\..*"})
    assert json.loads(flowfile.attributes["JSONAttributes"]) == {"a": "1", "mime.type": "text/plain"}


def test_content_destination_writes_json_and_sets_the_mime_type() -> None:
    flowfile = _single({"Destination": "flowfile-content", "Attributes List": "a,nested",
                        "JSON Handling Strategy": "NESTED"})
    flowfile.assert_content_equals('{"a":"1","nested":{"x":[1,2]}}')
    flowfile.assert_attribute_equals("mime.type", "application/json")
    flowfile.assert_attribute_not_exists("JSONAttributes")


def test_pretty_print_applies_to_content() -> None:
    flowfile = _single({"Destination": "flowfile-content", "Attributes List": "a", "Pretty Print": "true"})
    flowfile.assert_content_equals('{\n  "a" : "1"\n}')


def test_nested_strategy_with_an_invalid_json_value_goes_to_failure() -> None:
    with TestRunner(AttributesToJSON, properties={"JSON Handling Strategy": "NESTED"}) as runner:
        runner.enqueue(b"", attributes={"broken": "{not json}"})
        runner.enqueue(b"", attributes={"fine": "[1]"})
        runner.run()
        runner.get_flowfiles_for_relationship("failure")[0].assert_attribute_not_exists("JSONAttributes")
        [ok] = runner.get_flowfiles_for_relationship("success")
        assert json.loads(ok.attributes["JSONAttributes"])["fine"] == [1]


def test_an_invalid_regular_expression_is_a_validation_error() -> None:
    with TestRunner(AttributesToJSON, properties={"attributes-to-json-regex": "[a"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'attributes-to-json-regex'" in error and "not a valid regular expression" in error
