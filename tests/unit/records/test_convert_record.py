"""ConvertRecord: CSV to JSON and back, failure with the reason, zero-record FlowFiles."""

from __future__ import annotations

import json

from processors.records.convert_record import ConvertRecord
from tests.unit.records.support import record_runner

CSV = b"id,name,score\n1,ann,2.5\n2,bob,3\n"


def test_csv_to_json_writes_typed_records_and_attributes() -> None:
    with record_runner(ConvertRecord, "csv-reader", "json-writer") as runner:
        runner.enqueue(CSV, {"filename": "people.csv"})
        runner.run()
        runner.assert_all_transferred("success", count=1)
        out = runner.get_flowfiles_for_relationship("success")[0]
        assert json.loads(out.content) == [{"id": 1, "name": "ann", "score": 2.5}, {"id": 2, "name": "bob",
                                                                                  "score": 3.0}]
        out.assert_attribute_equals("record.count", "2")
        out.assert_attribute_equals("mime.type", "application/json")
        out.assert_attribute_equals("filename", "people.csv")


def test_json_to_csv_round_trip() -> None:
    with record_runner(ConvertRecord, "json-reader", "csv-writer") as runner:
        runner.enqueue(b'{"id": 1, "name": "ann"}\n{"id": 2, "name": "bob"}')
        runner.run()
        out = runner.get_flowfiles_for_relationship("success")[0]
        out.assert_content_equals(b"id,name\n1,ann\n2,bob\n")
        out.assert_attribute_equals("mime.type", "text/csv")


def test_bad_json_goes_to_failure_unchanged_with_the_reason() -> None:
    with record_runner(ConvertRecord, "json-reader", "csv-writer") as runner:
        runner.enqueue(b'[{"id": 1}, {"id": ]')
        runner.enqueue(b'[{"id": 3}]')
        runner.run()
        runner.assert_transferred("failure", 1)
        runner.assert_transferred("success", 1)
        failed = runner.get_flowfiles_for_relationship("failure")[0]
        failed.assert_content_equals(b'[{"id": 1}, {"id": ]')
        assert "invalid JSON at character" in (failed.get_attribute("record.error.message") or "")
        assert any("invalid JSON" in bulletin.message for bulletin in runner.bulletins)


def test_bad_csv_goes_to_failure_with_the_reason() -> None:
    with record_runner(ConvertRecord, "csv-reader", "json-writer") as runner:
        runner.enqueue(b"a,b\n1,2,3\n")
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        failed = runner.get_flowfiles_for_relationship("failure")[0]
        failed.assert_attribute_equals("record.error.message",
                                       "record 1 has 3 values but there are only 2 columns (a, b)")
        failed.assert_content_equals(b"a,b\n1,2,3\n")


def test_a_record_that_does_not_fit_the_writer_schema_fails_the_flowfile() -> None:
    schema = json.dumps({"type": "record", "name": "r", "fields": [{"name": "id", "type": "int"}]})
    with record_runner(ConvertRecord, "json-reader", "json-writer", writer_properties={
            "Schema Access Strategy": "schema-text-property", "Schema Text": schema}) as runner:
        runner.enqueue(b'{"id": "seven"}')
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        assert "'seven' is not a valid int" in (
            runner.get_flowfiles_for_relationship("failure")[0].get_attribute("record.error.message") or "")


def test_zero_record_flowfiles_are_kept_or_dropped() -> None:
    with record_runner(ConvertRecord, "json-reader", "json-writer") as runner:
        runner.enqueue(b"[]")
        runner.run()
        out = runner.get_flowfiles_for_relationship("success")[0]
        out.assert_content_equals(b"[]")
        out.assert_attribute_equals("record.count", "0")
    with record_runner(ConvertRecord, "json-reader", "json-writer",
                       {"Include Zero Record FlowFiles": "false"}) as runner:
        runner.enqueue(b"[]")
        runner.run()
        runner.assert_transferred("success", 0)
        runner.assert_transferred("failure", 0)
        runner.assert_queue_empty()


def test_a_missing_reader_is_a_validation_error() -> None:
    with record_runner(ConvertRecord, "csv-reader", "json-writer") as runner:
        runner.remove_property("Record Reader")
        assert any("'Record Reader'" in problem and "is required" in problem for problem in runner.assert_not_valid())


def test_large_content_is_converted_through_claim_files() -> None:
    rows = b"".join(b"%d,name-%d,%d.5\n" % (i, i, i) for i in range(50_000))
    with record_runner(ConvertRecord, "csv-reader", "json-writer",
                       writer_properties={"Output Grouping": "output-oneline"}) as runner:
        runner.enqueue(b"id,name,score\n" + rows)
        runner.run()
        out = runner.get_flowfiles_for_relationship("success")[0]
        out.assert_attribute_equals("record.count", "50000")
        lines = out.content.splitlines()
        assert json.loads(lines[-1]) == {"id": 49_999, "name": "name-49999", "score": 49_999.5}
