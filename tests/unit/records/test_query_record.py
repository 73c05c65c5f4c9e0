"""QueryRecord: SQL over the FlowFile's records, one relationship per query."""

from __future__ import annotations

import json

from processors.records.query_record import QueryRecord
from tests.unit.records.support import record_runner

CSV = b"name,age,member\nann,31,true\nbob,17,false\ncy,45,true\n"


def test_each_query_routes_its_result_to_its_relationship() -> None:
    with record_runner(QueryRecord, "csv-reader", "json-writer", {
            "adults": "SELECT name, age, member FROM FLOWFILE WHERE age >= ${min} ORDER BY age",
            "count": "SELECT COUNT(*) AS n FROM FLOWFILE"}) as runner:
        runner.enqueue(CSV, {"min": "18"})
        runner.run()
        runner.assert_transferred("original", 1)
        adults = runner.get_flowfiles_for_relationship("adults")[0]
        assert json.loads(adults.content) == [{"name": "ann", "age": 31, "member": True},
                                              {"name": "cy", "age": 45, "member": True}]
        adults.assert_attribute_equals("record.count", "2")
        adults.assert_attribute_equals("QueryRecord.Route", "adults")
        adults.assert_attribute_equals("mime.type", "application/json")
        count = runner.get_flowfiles_for_relationship("count")[0]
        assert json.loads(count.content) == [{"n": 3}]


def test_nested_values_survive_the_query() -> None:
    with record_runner(QueryRecord, "json-reader", "json-writer", {"out": "SELECT * FROM FLOWFILE WHERE id = 2"}
                       ) as runner:
        runner.enqueue(b'[{"id": 1, "tags": ["a"]}, {"id": 2, "tags": ["b", "c"], "home": {"zip": "9"}}]')
        runner.run()
        assert json.loads(runner.get_flowfiles_for_relationship("out")[0].content) == [
            {"id": 2, "tags": ["b", "c"], "home": {"zip": "9"}}]


def test_empty_results_are_kept_or_dropped() -> None:
    query = {"none": "SELECT * FROM FLOWFILE WHERE age > 100"}
    with record_runner(QueryRecord, "csv-reader", "csv-writer", query) as runner:
        runner.enqueue(CSV)
        runner.run()
        none = runner.get_flowfiles_for_relationship("none")[0]
        none.assert_attribute_equals("record.count", "0")
        none.assert_content_equals(b"name,age,member\n")
    with record_runner(QueryRecord, "csv-reader", "csv-writer", {**query, "Include Zero Record FlowFiles": "false"}
                       ) as runner:
        runner.enqueue(CSV)
        runner.run()
        runner.assert_transferred("none", 0)
        runner.assert_transferred("original", 1)


def test_a_failing_query_sends_the_original_to_failure_and_keeps_no_result() -> None:
    with record_runner(QueryRecord, "csv-reader", "json-writer", {
            "good": "SELECT name FROM FLOWFILE", "bad": "SELECT nope FROM FLOWFILE"}) as runner:
        runner.enqueue(CSV)
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        failed = runner.get_flowfiles_for_relationship("failure")[0]
        failed.assert_attribute_equals("record.error.message", "no such column: nope")
        failed.assert_content_equals(CSV)


def test_bad_content_goes_to_failure() -> None:
    with record_runner(QueryRecord, "json-reader", "json-writer", {"all": "SELECT * FROM FLOWFILE"}) as runner:
        runner.enqueue(b"{")
        runner.run()
        runner.assert_all_transferred("failure", count=1)


def test_a_query_must_be_a_select() -> None:
    with record_runner(QueryRecord, "csv-reader", "json-writer", {"x": "DELETE FROM FLOWFILE"}) as runner:
        assert any("is not a SQL SELECT statement" in problem for problem in runner.assert_not_valid())
