"""ModifyBytes: remove bytes at the start and end, or all of the content."""

from __future__ import annotations

import pytest

from nifi_like.api import ProcessException
from nifi_like.testing import TestRunner
from processors.transform.modify_bytes import ModifyBytes


@pytest.mark.parametrize(("properties", "expected"), [
    ({"Start Offset": "2 B"}, b"23456789"),
    ({"End Offset": "3 B"}, b"0123456"),
    ({"Start Offset": "1 B", "End Offset": "1 B"}, b"12345678"),
    ({"Start Offset": "6 B", "End Offset": "4 B"}, b""),
    ({"Start Offset": "20 B"}, b""),
    ({"Remove All Content": "true", "Start Offset": "1 B"}, b""),
    ({}, b"0123456789"),
])
def test_offsets_cut_the_content(properties: dict[str, str], expected: bytes) -> None:
    with TestRunner(ModifyBytes, properties=properties) as runner:
        runner.enqueue(b"0123456789")
        runner.run()
        runner.get_flowfiles_for_relationship("success")[0].assert_content_equals(expected)


def test_offsets_from_attributes_on_large_content(expression_language: None) -> None:
    content = bytes(range(256)) * 10_000
    with TestRunner(ModifyBytes, properties={"Start Offset": "${header} B", "End Offset": "1 KB"}) as runner:
        runner.enqueue(content, attributes={"header": "100"})
        runner.run()
        runner.get_flowfiles_for_relationship("success")[0].assert_content_equals(content[100:-1024])


def test_an_offset_that_is_not_a_data_size() -> None:
    with TestRunner(ModifyBytes, properties={"Start Offset": "ten"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'Start Offset'" in error and "not a data size" in error


def test_an_offset_attribute_that_is_not_a_data_size_rolls_back(expression_language: None) -> None:
    with TestRunner(ModifyBytes, properties={"Start Offset": "${n}"}) as runner:
        runner.enqueue(b"abc", attributes={"n": "lots"})
        with pytest.raises(ProcessException, match="cannot evaluate the offsets"):
            runner.run()
        assert runner.queue_size == 1
