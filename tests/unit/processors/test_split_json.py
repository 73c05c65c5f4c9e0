"""SplitJson: one FlowFile per array element selected by a JsonPath, with fragment attributes."""

from __future__ import annotations

from nifi_like.testing import TestRunner
from processors.transform.split_json import SplitJson


def test_each_array_element_becomes_a_split() -> None:
    content = b'{"items": [{"id": 1}, "two", 3.0, null, [4]]}'
    with TestRunner(SplitJson, properties={"JsonPath Expression": "$.items"}) as runner:
        runner.enqueue(content, attributes={"filename": "in.json", "keep": "me"})
        runner.run()
        splits = runner.get_flowfiles_for_relationship("split")
        assert [s.content for s in splits] == [b'{"id":1}', b"two", b"3.0", b"", b"[4]"]
        [original] = runner.get_flowfiles_for_relationship("original")
        original.assert_content_equals(content)
        original.assert_attribute_equals("fragment.count", "5")
        for index, split in enumerate(splits):
            split.assert_attribute_equals("fragment.index", str(index))
            split.assert_attribute_equals("fragment.count", "5")
            split.assert_attribute_equals("fragment.identifier", original.attributes["fragment.identifier"])
            split.assert_attribute_equals("segment.original.filename", "in.json")
            split.assert_attribute_equals("keep", "me")


def test_an_indefinite_path_splits_its_matches_and_null_can_be_the_string_null() -> None:
    properties = {"JsonPath Expression": "$.rows[*].v", "Null Value Representation": "the string 'null'"}
    with TestRunner(SplitJson, properties=properties) as runner:
        runner.enqueue(b'{"rows": [{"v": "a"}, {"v": null}, {"w": 1}]}')
        runner.run()
        assert [s.content for s in runner.get_flowfiles_for_relationship("split")] == [b"a", b"null"]


def test_a_missing_path_a_non_array_and_bad_json_go_to_failure() -> None:
    with TestRunner(SplitJson, properties={"JsonPath Expression": "$.items"}) as runner:
        runner.enqueue(b'{"other": []}')
        runner.enqueue(b'{"items": {"a": 1}}')
        runner.enqueue(b'{"items": [1,')
        runner.run(iterations=3)
        runner.assert_all_transferred("failure", count=3)
        messages = " ".join(b.message for b in runner.bulletins)
        assert "could not be found" in messages and "cannot be split" in messages
        assert "did not have valid JSON content" in messages


def test_an_invalid_path_is_a_validation_error() -> None:
    with TestRunner(SplitJson, properties={"JsonPath Expression": "items"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'JsonPath Expression'" in error and "not a valid JsonPath" in error
    with TestRunner(SplitJson) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'JsonPath Expression'" in error and "is required" in error
