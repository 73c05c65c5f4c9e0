"""GenerateFlowFile: random or custom content, batches, attributes from dynamic properties."""

from __future__ import annotations

import pytest

from nifi_like.testing import TestRunner
from processors.generate.generate_flowfile import _TEXT_CHARS, GenerateFlowFile


def test_defaults_generate_one_empty_flowfile_with_a_create_event() -> None:
    with TestRunner(GenerateFlowFile) as runner:
        runner.run()
        runner.assert_all_transferred("success", count=1)
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        assert flowfile.size == 0
        assert [event["event_type"] for event in runner.provenance_events] == ["CREATE"]


def test_batch_size_flowfiles_of_file_size_random_text_per_trigger() -> None:
    with TestRunner(GenerateFlowFile, properties={"File Size": "1 KB", "Batch Size": "5"}) as runner:
        runner.run(iterations=2)
        flowfiles = runner.get_flowfiles_for_relationship("success")
        assert len(flowfiles) == 10
        assert {ff.size for ff in flowfiles} == {1024}
        assert set(flowfiles[0].content) <= set(_TEXT_CHARS)
        assert len({ff.content for ff in flowfiles}) == 1  # not unique: one random value, reused
        assert len({ff.id for ff in flowfiles}) == 10


def test_unique_flowfiles_each_get_their_own_content() -> None:
    properties = {"File Size": "64 B", "Batch Size": "4", "Unique FlowFiles": "true", "Data Format": "Binary"}
    with TestRunner(GenerateFlowFile, properties=properties) as runner:
        runner.run()
        contents = [ff.content for ff in runner.get_flowfiles_for_relationship("success")]
        assert len(contents) == 4 and len(set(contents)) == 4
        assert {len(content) for content in contents} == {64}


def test_custom_text_is_encoded_with_the_character_set() -> None:
    properties = {"Custom Text": "héllo", "Character Set": "ISO-8859-1", "File Size": "1 MB"}
    with TestRunner(GenerateFlowFile, properties=properties) as runner:
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        flowfile.assert_content_equals("héllo".encode("iso-8859-1"))


def test_custom_text_expression_is_evaluated(expression_language: None) -> None:
    with TestRunner(GenerateFlowFile, properties={"Custom Text": "${literal('abc'):toUpper()}"}) as runner:
        runner.run()
        runner.get_flowfiles_for_relationship("success")[0].assert_content_equals(b"ABC")


def test_dynamic_properties_and_mime_type_become_attributes() -> None:
    with TestRunner(GenerateFlowFile, properties={"source": "lab", "Mime Type": "text/plain"}) as runner:
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        flowfile.assert_attribute_equals("source", "lab")
        flowfile.assert_attribute_equals("mime.type", "text/plain")


def test_dynamic_property_expressions_are_evaluated(expression_language: None) -> None:
    with TestRunner(GenerateFlowFile, properties={"greeting": "${literal('hi'):append('!')}"}) as runner:
        runner.run()
        runner.get_flowfiles_for_relationship("success")[0].assert_attribute_equals("greeting", "hi!")


def test_without_mime_type_no_mime_type_attribute_is_written() -> None:
    with TestRunner(GenerateFlowFile) as runner:
        runner.run()
        runner.get_flowfiles_for_relationship("success")[0].assert_attribute_not_exists("mime.type")


@pytest.mark.parametrize(("name", "value", "reason"), [
    ("Batch Size", "ten", "'ten' is not a positive integer"),
    ("Batch Size", "0", "'0' is not a positive integer"),
    ("File Size", "big", "'big' is not a data size"),
    ("Data Format", "Hex", "'Hex' is not one of the allowed values: Binary, Text"),
    ("Character Set", "klingon-8", "'klingon-8' is not a supported character set"),
])
def test_bad_property_values_are_invalid(name: str, value: str, reason: str) -> None:
    with TestRunner(GenerateFlowFile, properties={name: value}) as runner:
        [error] = runner.assert_not_valid()
        assert f"Property '{name}' of GenerateFlowFile[" in error
        assert reason in error


@pytest.mark.parametrize("conflict", [{"Unique FlowFiles": "true"}, {"Data Format": "Binary"}])
def test_custom_text_requires_text_format_and_shared_content(conflict: dict[str, str]) -> None:
    with TestRunner(GenerateFlowFile, properties={"Custom Text": "x", **conflict}) as runner:
        [error] = runner.assert_not_valid()
        assert "If Custom Text is set, then Data Format must be text and Unique FlowFiles must be false." in error


def test_generate_flowfile_takes_no_input() -> None:
    with TestRunner(GenerateFlowFile) as runner, pytest.raises(AssertionError, match="does not accept input"):
        runner.enqueue(b"x")
