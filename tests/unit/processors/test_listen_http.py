"""ListenHTTP: a real server on 127.0.0.1; a POST is answered 200 only once its FlowFile is committed."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from nifi_like.api import ProcessContext, ProcessException, ProcessSession
from nifi_like.testing import TestRunner
from processors.ingest.listen_http import REMOTE_HOST, REQUEST_URI, ListenHTTP
from tests.unit.processors.local_http import free_port


class Post:
    """A POST sent from a thread; ``status`` once answered."""

    def __init__(self, url: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.status: int | None = None
        request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST")

        def send() -> None:
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    self.status = response.status
            except urllib.error.HTTPError as exc:
                self.status = exc.code

        self._thread = threading.Thread(target=send, daemon=True)
        self._thread.start()

    def wait(self, timeout: float = 30) -> int | None:
        self._thread.join(timeout)
        return self.status


@contextmanager
def listening(processor: type[ListenHTTP] = ListenHTTP, **properties: str) -> Iterator[tuple[TestRunner, str]]:
    port = free_port()
    with TestRunner(processor, properties={"Listening Port": str(port), **properties}) as runner:
        runner.run(1, stop_on_finish=False)  # on_scheduled starts the server
        try:
            yield runner, f"http://127.0.0.1:{port}/contentListener"
        finally:
            runner.processor.on_stopped(runner.context)


def trigger_until(runner: TestRunner, relationship: str, count: int, limit: int = 100) -> None:
    for _ in range(limit):
        if len(runner.get_flowfiles_for_relationship(relationship)) >= count:
            return
        runner.run(1, initialize=False, stop_on_finish=False)
    raise AssertionError(f"fewer than {count} FlowFile(s) reached '{relationship}' after {limit} triggers")


def test_a_post_becomes_a_flowfile_and_is_answered_after_the_commit() -> None:
    with listening(**{"HTTP Headers to receive as Attributes (Regex)": "X-.*"}) as (runner, url):
        post = Post(url, b'{"n": 1}', {"Content-Type": "application/json", "X-Trace": "abc", "Other": "no"})
        time.sleep(0.2)
        assert post.status is None  # nothing committed yet: no answer
        trigger_until(runner, "success", 1)
        assert post.wait() == 200
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        flowfile.assert_content_equals(b'{"n": 1}')
        flowfile.assert_attribute_equals("mime.type", "application/json")
        flowfile.assert_attribute_equals("X-Trace", "abc")
        flowfile.assert_attribute_not_exists("Other")
        flowfile.assert_attribute_equals(REMOTE_HOST, "127.0.0.1")
        flowfile.assert_attribute_equals(REQUEST_URI, "/contentListener")
        [event] = runner.provenance_events
        assert event["event_type"] == "RECEIVE" and event["transit_uri"] == url


class RollingBackListenHTTP(ListenHTTP):
    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        super().on_trigger(context, session)
        if getattr(session, "active", False):  # it took a request into the session
            raise ProcessException("the flow could not take it")


def test_a_rolled_back_session_answers_503_and_keeps_nothing() -> None:
    with listening(RollingBackListenHTTP) as (runner, url):
        post = Post(url, b"data")
        failures = 0
        for _ in range(100):
            try:
                runner.run(1, initialize=False, stop_on_finish=False)
            except ProcessException:
                failures += 1
                break
        assert failures == 1
        assert post.wait() == 503
        runner.assert_transferred("success", 0)


def test_a_request_no_trigger_takes_in_time_is_answered_503() -> None:
    with listening(**{"Max Unconfirmed Flowfile Time": "300 millis"}) as (runner, url):
        post = Post(url, b"data")
        assert post.wait() == 503
        runner.run(3, initialize=False, stop_on_finish=False)  # the abandoned request is not taken later
        runner.assert_transferred("success", 0)


def test_a_body_over_the_limit_is_answered_413() -> None:
    with listening(**{"Max Request Size": "10 B"}) as (runner, url):
        assert Post(url, b"x" * 100).wait() == 413
        runner.assert_transferred("success", 0)


def test_stop_answers_waiting_requests_503() -> None:
    port = free_port()
    with TestRunner(ListenHTTP, properties={"Listening Port": str(port)}) as runner:
        runner.run(1, stop_on_finish=False)
        post = Post(f"http://127.0.0.1:{port}/contentListener", b"late")
        time.sleep(0.3)
        runner.processor.on_stopped(runner.context)
        assert post.wait() == 503


def test_a_port_in_use_fails_to_start_with_the_reason() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with TestRunner(ListenHTTP, properties={"Listening Port": str(port)}) as runner:
            with pytest.raises(ProcessException, match=f"cannot listen on 127.0.0.1:{port}"):
                runner.run()


def test_invalid_port_and_return_code_are_rejected() -> None:
    with TestRunner(ListenHTTP, properties={"Listening Port": "http", "Return Code": "500"}) as runner:
        errors = " ".join(runner.assert_not_valid())
        assert "Listening Port" in errors and "Return Code" in errors
