"""LogMessage: a message built from Expression Language, logged at a level; FlowFiles pass through."""

from __future__ import annotations

import logging

import pytest

from nifi_like.api import ProcessException
from nifi_like.testing import TestRunner
from processors.egress.log_message import LogMessage


def test_messages_are_logged_with_the_prefix_and_flowfiles_pass_through(
        expression_language: None, caplog: pytest.LogCaptureFixture) -> None:
    properties = {"log-prefix": "[audit] ", "log-message": "got ${filename}"}
    with caplog.at_level(logging.INFO), TestRunner(LogMessage, properties=properties) as runner:
        runner.enqueue(b"payload", attributes={"filename": "a.txt"})
        runner.run()
        runner.get_flowfiles_for_relationship("success")[0].assert_content_equals(b"payload")
        assert "[audit] got a.txt" in caplog.text
        assert runner.bulletins == []


def test_warn_and_error_levels_become_bulletins(expression_language: None) -> None:
    with TestRunner(LogMessage, properties={"log-level": "${level}", "log-message": "m-${level}"}) as runner:
        for level in ("warn", "error", "debug"):
            runner.enqueue(b"", attributes={"level": level})
        runner.run()
        runner.assert_all_transferred("success", count=3)
        assert sorted((b.level, b.message) for b in runner.bulletins) == [("ERROR", "m-error"), ("WARNING", "m-warn")]


def test_an_unknown_level_is_invalid_or_rolls_back(expression_language: None) -> None:
    with TestRunner(LogMessage, properties={"log-level": "loud"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'log-level'" in error and "is not a log level" in error
    with TestRunner(LogMessage, properties={"log-level": "${level}"}) as runner:
        runner.enqueue(b"", attributes={"level": "loud"})
        with pytest.raises(ProcessException, match="Log Level 'loud'"):
            runner.run()
        assert runner.queue_size == 1
