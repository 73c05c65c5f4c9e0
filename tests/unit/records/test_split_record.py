"""SplitRecord: splits of 'Records Per Split' records with fragment attributes; bad input to failure."""

from __future__ import annotations

import json

from processors.records.split_record import SplitRecord
from tests.unit.records.support import record_runner


def test_splits_carry_records_and_fragment_attributes() -> None:
    with record_runner(SplitRecord, "json-reader", "json-writer", {"Records Per Split": "${per}"}) as runner:
        runner.enqueue(json.dumps([{"n": i} for i in range(5)]), {"per": "2", "filename": "in.json"})
        runner.run()
        runner.assert_transferred("original", 1)
        runner.assert_transferred("failure", 0)
        splits = runner.get_flowfiles_for_relationship("splits")
        assert [json.loads(s.content) for s in splits] == [[{"n": 0}, {"n": 1}], [{"n": 2}, {"n": 3}], [{"n": 4}]]
        assert [s.get_attribute("record.count") for s in splits] == ["2", "2", "1"]
        assert [s.get_attribute("fragment.index") for s in splits] == ["0", "1", "2"]
        assert {s.get_attribute("fragment.count") for s in splits} == {"3"}
        assert len({s.get_attribute("fragment.identifier") for s in splits}) == 1
        assert {s.get_attribute("segment.original.filename") for s in splits} == {"in.json"}
        assert {s.get_attribute("mime.type") for s in splits} == {"application/json"}


def test_csv_splits_each_have_a_header() -> None:
    with record_runner(SplitRecord, "csv-reader", "csv-writer", {"Records Per Split": "1"}) as runner:
        runner.enqueue(b"a,b\n1,x\n2,y\n")
        runner.run()
        assert [s.content for s in runner.get_flowfiles_for_relationship("splits")] == [b"a,b\n1,x\n", b"a,b\n2,y\n"]


def test_bad_content_part_way_keeps_no_split_and_fails_the_original() -> None:
    schema = json.dumps({"type": "record", "name": "r", "fields": [{"name": "n", "type": "int"}]})
    with record_runner(SplitRecord, "json-reader", "json-writer", {"Records Per Split": "1"}, reader_properties={
            "Schema Access Strategy": "schema-text-property", "Schema Text": schema}) as runner:
        runner.enqueue(b'[{"n": 1}, {"n": 2}, oops]')
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        failed = runner.get_flowfiles_for_relationship("failure")[0]
        assert "expected a JSON object" in (failed.get_attribute("record.error.message") or "")


def test_records_per_split_that_is_not_a_number_fails_the_flowfile() -> None:
    with record_runner(SplitRecord, "json-reader", "json-writer", {"Records Per Split": "${per}"}) as runner:
        runner.enqueue(b'[{"n": 1}]', {"per": "many"})
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        runner.get_flowfiles_for_relationship("failure")[0].assert_attribute_equals(
            "record.error.message", "Records Per Split 'many' is not a positive integer")


def test_records_per_split_zero_is_invalid() -> None:
    with record_runner(SplitRecord, "json-reader", "json-writer", {"Records Per Split": "0"}) as runner:
        assert any("Records Per Split" in problem for problem in runner.assert_not_valid())
