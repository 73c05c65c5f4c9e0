"""SplitText: splits on line boundaries by count and size, with header lines, and fragment attributes."""

from __future__ import annotations

from nifi_like.testing import MockFlowFile, TestRunner
from processors.transform.split_text import SplitText


def _split(properties: dict[str, str], content: bytes) -> tuple[list[MockFlowFile], MockFlowFile]:
    with TestRunner(SplitText, properties=properties) as runner:
        runner.enqueue(content, attributes={"filename": "data.txt"})
        runner.run()
        runner.assert_transferred("failure", 0)
        [original] = runner.get_flowfiles_for_relationship("original")
        return runner.get_flowfiles_for_relationship("splits"), original


def test_splits_by_line_count_with_fragment_attributes() -> None:
    splits, original = _split({"Line Split Count": "2"}, b"a\nb\nc\nd\ne\n")
    assert [s.content for s in splits] == [b"a\nb", b"c\nd", b"e"]
    fragment_id = original.attributes["fragment.identifier"]
    original.assert_attribute_equals("fragment.count", "3")
    original.assert_content_equals(b"a\nb\nc\nd\ne\n")
    for index, split in enumerate(splits, start=1):
        split.assert_attribute_equals("fragment.identifier", fragment_id)
        split.assert_attribute_equals("fragment.index", str(index))
        split.assert_attribute_equals("fragment.count", "3")
        split.assert_attribute_equals("segment.original.filename", "data.txt")
        split.assert_attribute_equals("fragment.size", str(len(split.content)))
    assert [s.attributes["text.line.count"] for s in splits] == ["2", "2", "1"]


def test_trailing_newlines_are_kept_when_asked_so_the_splits_concatenate_back() -> None:
    content = b"a\r\nb\r\n\r\nc\rd"
    splits, _ = _split({"Line Split Count": "2", "Remove Trailing Newlines": "false"}, content)
    assert b"".join(s.content for s in splits) == content
    assert [s.content for s in splits] == [b"a\r\nb\r\n", b"\r\nc\r", b"d"]


def test_splits_of_only_empty_lines_are_dropped_when_trailing_newlines_are_removed() -> None:
    splits, original = _split({"Line Split Count": "2"}, b"a\nb\n\n\nc\n")
    assert [s.content for s in splits] == [b"a\nb", b"c"]
    original.assert_attribute_equals("fragment.count", "2")


def test_header_lines_are_copied_into_every_split() -> None:
    splits, _ = _split({"Line Split Count": "2", "Header Line Count": "1"}, b"id,name\n1,a\n2,b\n3,c\n")
    assert [s.content for s in splits] == [b"id,name\n1,a\n2,b", b"id,name\n3,c"]
    assert [s.attributes["text.line.count"] for s in splits] == ["2", "1"]


def test_header_by_marker_characters() -> None:
    splits, _ = _split({"Line Split Count": "1", "Header Line Marker Characters": "#"}, b"# h1\n# h2\nx\ny\n")
    assert [s.content for s in splits] == [b"# h1\n# h2\nx", b"# h1\n# h2\ny"]
    splits, _ = _split({"Line Split Count": "1", "Header Line Marker Characters": "#"}, b"x\ny\n")
    assert [s.content for s in splits] == [b"x", b"y"]


def test_maximum_fragment_size_limits_splits_and_a_long_line_stands_alone() -> None:
    splits, _ = _split({"Line Split Count": "0", "Maximum Fragment Size": "6 B"}, b"ab\ncd\nefghijkl\nm\n")
    assert [s.content for s in splits] == [b"ab\ncd", b"efghijkl", b"m"]


def test_too_few_header_lines_goes_to_failure() -> None:
    with TestRunner(SplitText, properties={"Line Split Count": "1", "Header Line Count": "3"}) as runner:
        runner.enqueue(b"h1\nh2\n")
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        runner.get_flowfiles_for_relationship("failure")[0].assert_attribute_not_exists("fragment.identifier")


def test_empty_content_has_no_splits() -> None:
    splits, original = _split({"Line Split Count": "1"}, b"")
    assert splits == []
    original.assert_attribute_equals("fragment.count", "0")


def test_line_count_zero_needs_a_maximum_fragment_size() -> None:
    with TestRunner(SplitText, properties={"Line Split Count": "0"}) as runner:
        [error] = runner.assert_not_valid()
        assert "'Maximum Fragment Size' must be specified" in error
    with TestRunner(SplitText, properties={"Line Split Count": "-1"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'Line Split Count'" in error


def test_a_large_file_splits_into_byte_ranges() -> None:
    content = b"".join(b"line %06d\n" % i for i in range(50_000))
    splits, _ = _split({"Line Split Count": "10000", "Remove Trailing Newlines": "false"}, content)
    assert len(splits) == 5 and b"".join(s.content for s in splits) == content
