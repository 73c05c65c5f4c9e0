"""ValidateRecord: valid and invalid records apart, with the reasons; unreadable content to failure."""

from __future__ import annotations

import json

from processors.records.validate_record import ValidateRecord
from tests.unit.records.support import record_runner

SCHEMA = json.dumps({"type": "record", "name": "r", "fields": [
    {"name": "id", "type": "int"}, {"name": "name", "type": ["null", "string"]}]})
RECORDS = b'[{"id": 1, "name": "ann"}, {"id": "two", "name": "bob"}, {"name": "cy"}, {"id": 4, "extra": true}]'


def test_records_are_split_into_valid_and_invalid_with_details() -> None:
    with record_runner(ValidateRecord, "json-reader", "json-writer", {
            "Schema Access Strategy": "schema-text-property", "Schema Text": SCHEMA,
            "Allow Extra Fields": "false", "Validation Details Attribute Name": "why"}) as runner:
        runner.enqueue(RECORDS)
        runner.run()
        valid = runner.get_flowfiles_for_relationship("valid")
        invalid = runner.get_flowfiles_for_relationship("invalid")
        assert [json.loads(v.content) for v in valid] == [[{"id": 1, "name": "ann"}]]
        assert [r["name"] if "name" in r else r for r in json.loads(invalid[0].content)] == ["bob", "cy",
                                                                                             {"id": 4, "extra": True}]
        invalid[0].assert_attribute_equals("record.count", "3")
        assert {v.get_attribute("mime.type") for v in valid + invalid} == {"application/json"}
        why = invalid[0].get_attribute("why") or ""
        assert "record 2: field 'id': 'two' is not a valid int" in why
        assert "record 3: field 'id' is required but has no value" in why
        assert "record 4: field 'extra' is not in the schema" in why
        runner.assert_transferred("failure", 0)


def test_lenient_type_checking_accepts_convertible_values() -> None:
    with record_runner(ValidateRecord, "json-reader", "json-writer", {
            "Schema Access Strategy": "schema-text-property", "Schema Text": SCHEMA,
            "Strict Type Checking": "false"}) as runner:
        runner.enqueue(b'[{"id": "7"}, {"id": "seven"}]')
        runner.run()
        runner.assert_transferred("valid", 1)
        runner.assert_transferred("invalid", 1)


def test_unreadable_content_goes_to_failure() -> None:
    with record_runner(ValidateRecord, "csv-reader", "json-writer") as runner:
        runner.enqueue(b'a\n"unterminated\n')
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        runner.get_flowfiles_for_relationship("failure")[0].assert_attribute_exists("record.error.message")


def test_a_bad_schema_text_is_a_validation_error() -> None:
    with record_runner(ValidateRecord, "json-reader", "json-writer", {
            "Schema Access Strategy": "schema-text-property", "Schema Text": "{nope"}) as runner:
        assert any("is not a valid Avro record schema" in problem for problem in runner.assert_not_valid())
