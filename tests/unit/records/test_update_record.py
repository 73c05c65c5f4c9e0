"""UpdateRecord: literal values with Expression Language, values from other fields, new fields."""

from __future__ import annotations

import json

from processors.records.update_record import UpdateRecord
from tests.unit.records.support import record_runner


def test_literal_values_with_expression_language_and_field_value() -> None:
    with record_runner(UpdateRecord, "json-reader", "json-writer", {
            "/source": "${filename}", "/name": "${field.value:toUpper()}", "/age": "40"}) as runner:
        runner.enqueue(b'[{"name": "ann", "age": 31}, {"name": "bob", "age": 5}]', {"filename": "a.json"})
        runner.run()
        runner.assert_all_transferred("success", count=1)
        out = runner.get_flowfiles_for_relationship("success")[0]
        assert json.loads(out.content) == [{"name": "ANN", "age": 40, "source": "a.json"},
                                           {"name": "BOB", "age": 40, "source": "a.json"}]
        out.assert_attribute_equals("record.count", "2")
        out.assert_attribute_equals("mime.type", "application/json")


def test_record_path_values_copy_fields_and_new_columns_reach_csv() -> None:
    with record_runner(UpdateRecord, "csv-reader", "csv-writer", {
            "Replacement Value Strategy": "record-path-value", "/copy": "/home/zip", "/first": "/name"}) as runner:
        runner.enqueue(b"name,last\nann,lee\n")
        runner.run()
        runner.get_flowfiles_for_relationship("success")[0].assert_content_equals(
            b"name,last,copy,first\nann,lee,,ann\n")


def test_nested_fields_are_updated_in_place() -> None:
    with record_runner(UpdateRecord, "json-reader", "json-writer", {"/home/zip": "0000"}) as runner:
        runner.enqueue(b'{"home": {"zip": "1234", "city": "Oslo"}}')
        runner.run()
        assert json.loads(runner.get_flowfiles_for_relationship("success")[0].content) == [
            {"home": {"zip": "0000", "city": "Oslo"}}]


def test_bad_input_goes_to_failure_with_the_reason() -> None:
    with record_runner(UpdateRecord, "json-reader", "json-writer", {"/a": "1"}) as runner:
        runner.enqueue(b"not json")
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        failed = runner.get_flowfiles_for_relationship("failure")[0]
        failed.assert_content_equals(b"not json")
        assert "expected a JSON object" in (failed.get_attribute("record.error.message") or "")


def test_property_names_must_be_record_paths() -> None:
    with record_runner(UpdateRecord, "json-reader", "json-writer", {"name": "x"}) as runner:
        assert any("'name'" in problem for problem in runner.assert_not_valid())
