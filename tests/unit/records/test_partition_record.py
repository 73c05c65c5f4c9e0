"""PartitionRecord: one FlowFile per distinct RecordPath value, with the value as an attribute."""

from __future__ import annotations

import json

from processors.records.partition_record import PartitionRecord
from tests.unit.records.support import record_runner

PEOPLE = [{"name": "ann", "city": "Oslo", "home": {"zip": "1"}}, {"name": "bob", "city": "Rome", "home": {"zip": "2"}},
          {"name": "cy", "city": "Oslo", "home": {"zip": "1"}}, {"name": "di", "city": None, "home": {"zip": "3"}}]


def test_records_are_grouped_by_path_value_with_attributes() -> None:
    with record_runner(PartitionRecord, "json-reader", "json-writer", {"city": "/city"}) as runner:
        runner.enqueue(json.dumps(PEOPLE))
        runner.run()
        runner.assert_transferred("original", 1)
        parts = runner.get_flowfiles_for_relationship("success")
        assert [[r["name"] for r in json.loads(p.content)] for p in parts] == [["ann", "cy"], ["bob"], ["di"]]
        assert [p.get_attribute("city") for p in parts] == ["Oslo", "Rome", None]
        assert [p.get_attribute("record.count") for p in parts] == ["2", "1", "1"]
        assert [p.get_attribute("fragment.index") for p in parts] == ["0", "1", "2"]
        assert {p.get_attribute("fragment.count") for p in parts} == {"3"}
        [fragment_id] = {p.get_attribute("fragment.identifier") for p in parts}
        assert fragment_id, "the partitions of one FlowFile share one fragment.identifier"
        assert {p.get_attribute("mime.type") for p in parts} == {"application/json"}


def test_several_paths_and_nested_fields_partition_together() -> None:
    with record_runner(PartitionRecord, "json-reader", "csv-writer", {"city": "/city", "zip": "/home/zip"}
                       ) as runner:
        runner.enqueue(json.dumps(PEOPLE[:3]))
        runner.run()
        parts = runner.get_flowfiles_for_relationship("success")
        assert [(p.get_attribute("city"), p.get_attribute("zip")) for p in parts] == [("Oslo", "1"), ("Rome", "2")]
        assert parts[0].content.startswith(b"name,city,home\nann,Oslo,")


def test_bad_content_goes_to_failure_and_no_partition_is_kept() -> None:
    with record_runner(PartitionRecord, "csv-reader", "json-writer", {"a": "/a"}) as runner:
        runner.enqueue(b'a,b\n1,2\n"3,4\n')
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        runner.get_flowfiles_for_relationship("failure")[0].assert_attribute_exists("record.error.message")


def test_a_recordpath_is_required_and_must_be_valid() -> None:
    with record_runner(PartitionRecord, "json-reader", "json-writer") as runner:
        assert any("at least one RecordPath" in problem for problem in runner.assert_not_valid())
        runner.set_property("city", "city")
        assert any("is not a valid RecordPath" in problem for problem in runner.assert_not_valid())
