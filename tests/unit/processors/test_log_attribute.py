"""LogAttribute: logs what NiFi's LogAttribute logs, then passes the FlowFile on."""

from __future__ import annotations

import logging

import pytest

from nifi_like.testing import TestRunner
from processors.egress.log_attribute import LogAttribute

LOGGER = "nifi_like.component.LogAttribute"


def logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == LOGGER]


def test_attributes_are_logged_one_per_line_and_the_flowfile_passes_on(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    with TestRunner(LogAttribute) as runner:
        original = runner.enqueue(b"body", attributes={"b": "2", "a": "1"})
        runner.run()
        runner.assert_all_transferred("success", count=1)
        runner.get_flowfiles_for_relationship("success")[0].assert_content_equals(b"body")
    [message] = logged(caplog)
    assert f"logging for FlowFile {original.flowfile!r}\n{'-' * 50}\nFlowFile Properties\nKey: 'entryDate'" in message
    assert "Key: 'fileSize'\n\tValue: '4'" in message
    attributes = message[message.index("FlowFile Attribute Map Content"):]
    assert attributes.index("Key: 'a'\n\tValue: '1'") < attributes.index("Key: 'b'\n\tValue: '2'")
    assert message.endswith("-" * 50)
    assert "body" not in message


def test_single_line_format_and_payload(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    properties = {"Output Format": "Single Line", "Log Payload": "true", "Log FlowFile Properties": "false",
                  "Attributes to Log": "a, b"}
    with TestRunner(LogAttribute, properties=properties) as runner:
        runner.enqueue("payload ü", attributes={"a": "1", "b": "2", "c": "3"})
        runner.run()
    [message] = logged(caplog)
    assert message.endswith("\nFlowFile Properties: {a=1, b=2}\npayload ü")


def test_attributes_can_be_chosen_and_ignored_by_list_and_regex(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    properties = {"Output Format": "Single Line", "Log FlowFile Properties": "false",
                  "Attributes to Log Regular Expression": "x\\..*", "Attributes to Ignore": "x.2",
                  "Attributes to Ignore Regular Expression": ".*secret"}
    with TestRunner(LogAttribute, properties=properties) as runner:
        runner.enqueue(b"", attributes={"x.1": "a", "x.2": "b", "x.secret": "c", "y": "d"})
        runner.run()
    assert logged(caplog)[0].endswith("FlowFile Properties: {x.1=a}")


def test_a_log_prefix_is_centred_in_the_dashed_lines(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    with TestRunner(LogAttribute, properties={"Log Prefix": "ABC"}) as runner:
        runner.enqueue(b"")
        runner.run()
    assert "\n" + "-" * 24 + "ABC" + "-" * 23 + "\n" in logged(caplog)[0]


def test_the_log_level_is_used_and_warnings_become_bulletins(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    with TestRunner(LogAttribute, properties={"Log Level": "warn"}) as runner:
        runner.enqueue(b"")
        runner.run()
        assert [record.levelno for record in caplog.records if record.name == LOGGER] == [logging.WARNING]
        [bulletin] = runner.bulletins
        assert bulletin.level == "WARNING" and "logging for FlowFile" in bulletin.message


def test_trace_logs_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    with TestRunner(LogAttribute, properties={"Log Level": "trace"}) as runner:
        runner.enqueue(b"")
        runner.run()
        assert [record.levelno for record in caplog.records if record.name == LOGGER] == [logging.DEBUG]
        assert runner.bulletins == []


def test_flowfiles_pass_in_batches_of_fifty() -> None:
    with TestRunner(LogAttribute) as runner:
        for _ in range(60):
            runner.enqueue(b"")
        runner.run()
        runner.assert_all_transferred("success", count=50)
        assert runner.queue_size == 10


@pytest.mark.parametrize(("properties", "reason"), [
    ({"Log Level": "loud"}, "'loud' is not one of the allowed values: trace, debug, info, warn, error"),
    ({"Attributes to Log Regular Expression": "(("}, "'((' is not a valid regular expression"),
    ({"Character Set": "no-such-charset"}, "'no-such-charset' is not a supported character set"),
    ({"Output Format": "Table"}, "'Table' is not one of the allowed values: Line per Attribute, Single Line"),
])
def test_bad_configuration_is_invalid(properties: dict[str, str], reason: str) -> None:
    with TestRunner(LogAttribute, properties=properties) as runner:
        [error] = runner.assert_not_valid()
        assert reason in error
