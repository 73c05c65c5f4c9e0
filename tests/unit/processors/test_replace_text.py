"""ReplaceText: regex, literal, prepend, append, always-replace and substitute, per line or on the whole text."""

from __future__ import annotations

import pytest

from nifi_like.testing import TestRunner
from processors.transform.replace_text import ReplaceText


def _run(properties: dict[str, str], content: bytes | str, attributes: dict[str, str] | None = None) -> bytes:
    with TestRunner(ReplaceText, properties=properties) as runner:
        runner.enqueue(content, attributes=attributes)
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        runner.assert_transferred("failure", 0)
        return flowfile.content


def test_regex_replace_with_back_references_on_each_line() -> None:
    properties = {"Regular Expression": r"(\w+)=(\d+)", "Replacement Value": "$2:$1"}
    assert _run(properties, b"a=1 b=22\nnone\r\nc=3") == b"1:a 22:b\nnone\r\n3:c"


def test_regex_replace_on_the_entire_text_can_span_lines() -> None:
    properties = {"Regular Expression": r"start.*?end", "Replacement Value": "X",
                  "Evaluation Mode": "Entire text"}
    assert _run(properties, b"start\nend start end") == b"start\nend X"
    properties["Regular Expression"] = r"(?s)start.*?end"
    assert _run(properties, b"start\nend start end") == b"X X"


def test_the_replacement_value_sees_the_groups_and_the_attributes(expression_language: None) -> None:
    properties = {"Regular Expression": "(WOLF|TIGER)", "Replacement Value": "${'$1':toLower()}-${animal}"}
    assert _run(properties, b"a WOLF and a TIGER", {"animal": "cat"}) == b"a wolf-cat and a tiger-cat"


def test_a_reference_to_a_missing_group_stays_literal() -> None:
    properties = {"Regular Expression": "(owe)", "Replacement Value": "$1 $8"}
    assert _run(properties, b"I owe") == b"I owe $8"
    properties["Replacement Value"] = "cost: $d"  # a '$' before a non-digit makes the value literal
    assert _run(properties, b"I owe") == b"I cost: $d"


def test_the_default_configuration_leaves_content_unchanged() -> None:
    assert _run({}, b"line one\nline two\n") == b"line one\nline two\n"


def test_literal_replace_does_not_interpret_regex_characters() -> None:
    properties = {"Replacement Strategy": "Literal Replace", "Regular Expression": "a.b", "Replacement Value": "$1"}
    assert _run(properties, b"a.b axb a.b") == b"$1 axb $1"
    properties["Evaluation Mode"] = "Entire text"
    assert _run(properties, b"a.b\naxb") == b"$1\naxb"


def test_prepend_and_append_per_line_keep_the_line_endings(expression_language: None) -> None:
    prepend = {"Replacement Strategy": "Prepend", "Replacement Value": "<${filename}>"}
    assert _run(prepend, b"one\r\ntwo\n", {"filename": "f"}) == b"<f>one\r\n<f>two\n"
    append = {"Replacement Strategy": "Append", "Replacement Value": "!"}
    assert _run(append, b"one\r\ntwo\nthree") == b"one!\r\ntwo!\nthree!"


def test_prepend_and_append_on_the_entire_text() -> None:
    assert _run({"Replacement Strategy": "Prepend", "Replacement Value": "[",
                 "Evaluation Mode": "Entire text"}, b"a\nb\n") == b"[a\nb\n"
    assert _run({"Replacement Strategy": "Append", "Replacement Value": "]",
                 "Evaluation Mode": "Entire text"}, b"a\nb\n") == b"a\nb\n]"


def test_surround_wraps_each_line() -> None:
    properties = {"Replacement Strategy": "Surround", "Text to Prepend": "(", "Text to Append": ")"}
    assert _run(properties, b"a\nb") == b"(a)\n(b)"


def test_always_replace_per_line_and_entirely() -> None:
    properties = {"Replacement Strategy": "Always Replace", "Replacement Value": "X"}
    assert _run(properties, b"a\r\nb\nc") == b"X\r\nX\nX"
    properties["Evaluation Mode"] = "Entire text"
    assert _run(properties, b"a\r\nb\nc") == b"X"


@pytest.mark.parametrize(("mode", "expected"), [
    ("First-Line", b"#a\nb\nc"),
    ("Last-Line", b"a\nb\n#c"),
    ("Except-First-Line", b"a\n#b\n#c"),
    ("Except-Last-Line", b"#a\n#b\nc"),
])
def test_line_by_line_evaluation_modes(mode: str, expected: bytes) -> None:
    properties = {"Replacement Strategy": "Prepend", "Replacement Value": "#", "Line-by-Line Evaluation Mode": mode}
    assert _run(properties, b"a\nb\nc") == expected


def test_substitute_variables_uses_attributes_and_keeps_unknown_ones() -> None:
    properties = {"Replacement Strategy": "Substitute Variables"}
    content = b"hello ${name}, ${unknown} and $${name}"
    assert _run(properties, content, {"name": "bob"}) == b"hello bob, ${unknown} and ${name}"


def test_content_larger_than_the_buffer_goes_to_failure_in_entire_text_mode() -> None:
    properties = {"Regular Expression": "a", "Replacement Value": "b", "Evaluation Mode": "Entire text",
                  "Maximum Buffer Size": "10 B"}
    with TestRunner(ReplaceText, properties=properties) as runner:
        runner.enqueue(b"a" * 11)
        runner.enqueue(b"a" * 10)
        runner.run()
        runner.get_flowfiles_for_relationship("failure")[0].assert_content_equals(b"a" * 11)
        runner.get_flowfiles_for_relationship("success")[0].assert_content_equals(b"b" * 10)


def test_a_line_longer_than_the_buffer_goes_to_failure_unchanged() -> None:
    properties = {"Regular Expression": "a", "Replacement Value": "b", "Maximum Buffer Size": "4 B"}
    with TestRunner(ReplaceText, properties=properties) as runner:
        runner.enqueue(b"aa\naaaaaaaa\n")
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        runner.get_flowfiles_for_relationship("failure")[0].assert_content_equals(b"aa\naaaaaaaa\n")


def test_a_regex_from_an_attribute_that_does_not_compile_goes_to_failure(expression_language: None) -> None:
    properties = {"Regular Expression": "${pattern}", "Replacement Value": "x"}
    with TestRunner(ReplaceText, properties=properties) as runner:
        runner.enqueue(b"abc", attributes={"pattern": "(unclosed"})
        runner.enqueue(b"abc", attributes={"pattern": "b"})
        runner.run()
        runner.get_flowfiles_for_relationship("failure")[0].assert_content_equals(b"abc")
        runner.get_flowfiles_for_relationship("success")[0].assert_content_equals(b"axc")
        assert any("not a valid regular expression" in bulletin.message for bulletin in runner.bulletins)


def test_an_invalid_regex_is_a_validation_error_naming_the_property() -> None:
    with TestRunner(ReplaceText, properties={"Regular Expression": "(a"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'Regular Expression' (Search Value)" in error
        assert "not a valid regular expression" in error


def test_literal_replace_needs_a_search_value_and_surround_needs_its_texts() -> None:
    with TestRunner(ReplaceText, properties={"Replacement Strategy": "Literal Replace",
                                             "Regular Expression": ""}) as runner:
        [error] = runner.assert_not_valid()
        assert "must not be empty" in error
    with TestRunner(ReplaceText, properties={"Replacement Strategy": "Surround"}) as runner:
        errors = runner.assert_not_valid()
        assert len(errors) == 2 and "Text to Prepend" in errors[0]


def test_large_content_is_streamed_line_by_line() -> None:
    content = b"".join(b"row %d value\n" % i for i in range(100_000))
    properties = {"Regular Expression": "value", "Replacement Value": "v"}
    result = _run(properties, content)
    assert result == content.replace(b"value", b"v")
