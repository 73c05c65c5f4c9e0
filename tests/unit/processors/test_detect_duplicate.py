"""DetectDuplicate: identifiers seen before are duplicates; age off, no caching, missing identifiers."""

from __future__ import annotations

from nifi_like.testing import TestRunner
from processors.routing.detect_duplicate import DetectDuplicate


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_repeated_identifier_is_a_duplicate_with_the_original_description(expression_language: None) -> None:
    properties = {"Cache Entry Identifier": "${id}", "FlowFile Description": "first was ${filename}"}
    with TestRunner(DetectDuplicate, properties=properties) as runner:
        runner.enqueue(b"1", attributes={"id": "a", "filename": "one"})
        runner.enqueue(b"2", attributes={"id": "b", "filename": "two"})
        runner.enqueue(b"3", attributes={"id": "a", "filename": "three"})
        runner.run()
        assert [f.content for f in runner.get_flowfiles_for_relationship("non-duplicate")] == [b"1", b"2"]
        [duplicate] = runner.get_flowfiles_for_relationship("duplicate")
        duplicate.assert_content_equals(b"3")
        duplicate.assert_attribute_equals("original.flowfile.description", "first was one")
        runner.enqueue(b"4", attributes={"id": "b"})
        runner.run()
        runner.assert_transferred("duplicate", 2)


def test_entries_age_off(expression_language: None) -> None:
    clock = FakeClock()
    properties = {"Cache Entry Identifier": "${id}", "Age Off Duration": "10 sec"}
    with TestRunner(DetectDuplicate(clock), properties=properties) as runner:
        runner.enqueue(b"", attributes={"id": "a"})
        runner.run()
        clock.now += 9
        runner.enqueue(b"", attributes={"id": "a"})
        runner.run()
        runner.assert_transferred("duplicate", 1)
        clock.now += 2
        runner.enqueue(b"", attributes={"id": "a"})
        runner.run()
        runner.assert_transferred("non-duplicate", 2)


def test_without_caching_nothing_becomes_a_duplicate(expression_language: None) -> None:
    properties = {"Cache Entry Identifier": "${id}", "Cache The Entry Identifier": "false"}
    with TestRunner(DetectDuplicate, properties=properties) as runner:
        for _ in range(3):
            runner.enqueue(b"", attributes={"id": "a"})
        runner.run()
        runner.assert_all_transferred("non-duplicate", count=3)


def test_a_missing_identifier_is_penalized_to_failure(expression_language: None) -> None:
    with TestRunner(DetectDuplicate) as runner:  # the default identifier is ${hash.value}
        runner.enqueue(b"no hash")
        runner.enqueue(b"", attributes={"hash.value": "abc"})
        runner.run()
        [failed] = runner.get_flowfiles_for_relationship("failure")
        assert failed.is_penalized
        runner.assert_transferred("non-duplicate", 1)
        assert "has no attribute for given Cache Entry Identifier" in runner.bulletins[0].message


def test_an_invalid_age_off_duration_is_a_validation_error() -> None:
    with TestRunner(DetectDuplicate, properties={"Age Off Duration": "soon"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'Age Off Duration'" in error and "not a time period" in error
