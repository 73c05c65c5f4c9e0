"""Wait + Notify over a real DistributedMapCacheServer: release, counters, expiry, modes, failures, and
concurrent notifications that all count (revision-checked replace)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from nifi_like.testing import TestRunner
from processors.routing._wait_notify import SignalError, WaitNotify
from processors.routing.notify import Notify
from processors.routing.wait import Wait
from processors.services.distributed_map_cache_client import DistributedMapCacheClientService
from tests.unit.processors.map_cache import CLIENT, add_map_cache, add_unreachable_cache


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@contextmanager
def wait_and_notify(wait_properties: Mapping[str, str] | None = None,
                    notify_properties: Mapping[str, str] | None = None,
                    clock: Clock | None = None) -> Iterator[tuple[TestRunner, TestRunner]]:
    """A Wait and a Notify sharing one cache server (the server lives in the Wait's runner)."""
    wait = TestRunner(Wait(clock or Clock()), {"release-signal-id": "${id}", "distributed-cache-service": CLIENT,
                                               **(wait_properties or {})})
    notify = TestRunner(Notify, {"release-signal-id": "${id}", "distributed-cache-service": CLIENT,
                                 **(notify_properties or {})})
    with wait, notify:
        port = add_map_cache(wait)
        notify.add_controller_service(CLIENT, DistributedMapCacheClientService,
                                      {"Server Hostname": "127.0.0.1", "Server Port": str(port)})
        notify.enable_controller_service(CLIENT)
        yield wait, notify


def test_a_flowfile_waits_until_notified_and_gets_the_signal_attributes(expression_language: None) -> None:
    with wait_and_notify(notify_properties={"attribute-cache-regex": "order.*"}) as (wait, notify):
        wait.enqueue(b"held", {"id": "job-1", "order.state": "mine"})
        wait.run()
        [waiting] = wait.get_flowfiles_for_relationship("wait")
        waiting.assert_attribute_exists("wait.start.timestamp")
        waiting.assert_attribute_not_exists("wait.counter.total")

        notify.enqueue(b"signal", {"id": "job-1", "order.state": "paid", "order.id": "7", "other": "x"})
        notify.run()
        [notified] = notify.get_flowfiles_for_relationship("success")
        notified.assert_attribute_equals("notified", "true")

        wait.enqueue(b"held", dict(waiting.attributes))  # the 'wait' loop brings it back
        wait.run()
        [released] = wait.get_flowfiles_for_relationship("success")
        released.assert_content_equals(b"held")
        released.assert_attribute_not_exists("wait.start.timestamp")
        released.assert_attribute_equals("order.state", "mine")  # Keep original (the default)
        released.assert_attribute_equals("order.id", "7")
        released.assert_attribute_not_exists("other")  # not matched by Attribute Cache Regex
        released.assert_attribute_equals("wait.counter.default", "1")
        released.assert_attribute_equals("wait.counter.total", "1")


def test_target_signal_count_waits_for_every_fragment(expression_language: None) -> None:
    with wait_and_notify({"target-signal-count": "${fragment.count}"}, {"signal-buffer-count": "10"}) as (wait, notify):
        for _ in range(2):
            notify.enqueue(b"", {"id": "split-1"})
        notify.run()
        wait.enqueue(b"original", {"id": "split-1", "fragment.count": "3"})
        wait.run()
        wait.assert_all_transferred("wait", count=1)
        notify.enqueue(b"", {"id": "split-1"})
        notify.run()
        notify.assert_all_transferred("success", count=3)
        wait.enqueue(b"original", dict(wait.get_flowfiles_for_relationship("wait")[0].attributes))
        wait.run()
        [released] = wait.get_flowfiles_for_relationship("success")
        released.assert_attribute_equals("wait.counter.total", "3")


def test_signal_counter_name_counts_one_counter(expression_language: None) -> None:
    with wait_and_notify({"signal-counter-name": "ok", "target-signal-count": "2"},
                         {"signal-counter-name": "${outcome}", "signal-buffer-count": "10"}) as (wait, notify):
        for outcome in ("ok", "failed", "failed"):
            notify.enqueue(b"", {"id": "batch", "outcome": outcome})
        notify.run()
        wait.enqueue(b"", {"id": "batch"})
        wait.run()
        [waiting] = wait.get_flowfiles_for_relationship("wait")
        waiting.assert_attribute_equals("wait.counter.ok", "1")
        waiting.assert_attribute_equals("wait.counter.failed", "2")
        notify.enqueue(b"", {"id": "batch", "outcome": "ok"})
        notify.run()
        wait.enqueue(b"", dict(waiting.attributes))
        wait.run()
        wait.assert_transferred("success", 1)


def test_releasable_count_zero_opens_and_a_zero_delta_closes_the_gate(expression_language: None) -> None:
    with wait_and_notify({"releasable-flowfile-count": "0", "wait-buffer-count": "10"},
                         {"signal-counter-delta": "${delta}"}) as (wait, notify):
        notify.enqueue(b"", {"id": "gate", "delta": "1"})
        notify.run()
        for _ in range(3):
            wait.enqueue(b"", {"id": "gate"})
        wait.run()
        wait.assert_all_transferred("success", count=3)
        notify.enqueue(b"", {"id": "gate", "delta": "0"})
        notify.run()
        wait.enqueue(b"", {"id": "gate"})
        wait.run()
        wait.assert_transferred("wait", 1)


def test_one_signal_releases_one_flowfile_by_default(expression_language: None) -> None:
    with wait_and_notify({"wait-buffer-count": "10"}) as (wait, notify):
        notify.enqueue(b"", {"id": "s"})
        notify.run()
        for _ in range(3):
            wait.enqueue(b"", {"id": "s"})
        wait.enqueue(b"", {"id": "other"})
        wait.run()
        wait.assert_transferred("success", 1)
        wait.assert_transferred("wait", 2)
        assert wait.queue_size == 1, "a FlowFile of another signal goes back to the queue for a later run"


def test_a_flowfile_waiting_longer_than_the_expiration_duration_expires(expression_language: None) -> None:
    clock = Clock()
    with wait_and_notify({"expiration-duration": "1 min"}, clock=clock) as (wait, _):
        wait.enqueue(b"", {"id": "never"})
        wait.run()
        [waiting] = wait.get_flowfiles_for_relationship("wait")
        clock.now += 61
        wait.enqueue(b"", dict(waiting.attributes))
        wait.run()
        [expired] = wait.get_flowfiles_for_relationship("expired")
        expired.assert_attribute_exists("wait.start.timestamp")


def test_keep_in_upstream_leaves_the_flowfile_in_its_queue(expression_language: None) -> None:
    with wait_and_notify({"wait-mode": "keep"}) as (wait, _):
        wait.enqueue(b"", {"id": "later"})
        wait.run()
        wait.assert_transferred("wait", 0)
        assert wait.queue_size == 1


def test_replace_mode_overwrites_attributes_but_never_uuid(expression_language: None) -> None:
    with wait_and_notify({"attribute-copy-mode": "replace"}, {"attribute-cache-regex": ".*"}) as (wait, notify):
        notify.enqueue(b"", {"id": "r", "state": "from notify"})
        notify.run()
        held = wait.enqueue(b"", {"id": "r", "state": "mine"})
        wait.run()
        [released] = wait.get_flowfiles_for_relationship("success")
        released.assert_attribute_equals("state", "from notify")
        released.assert_attribute_equals("uuid", held.get_attribute("uuid"))


def test_bad_input_goes_to_failure_penalized(expression_language: None) -> None:
    with wait_and_notify({"target-signal-count": "${n}", "wait-buffer-count": "10"},
                         {"signal-counter-delta": "${n}", "signal-buffer-count": "10"}) as (wait, notify):
        notify.enqueue(b"", {"n": "1"})  # no signal id
        notify.enqueue(b"", {"id": "x", "n": "lots"})  # a delta that is not an integer
        notify.enqueue(b"", {"id": "x", "n": "1"})
        notify.run()
        failed = notify.get_flowfiles_for_relationship("failure")
        assert len(failed) == 2 and all(f.is_penalized for f in failed)
        assert {f.get_attribute("notified") for f in failed} == {"false"}
        notify.assert_transferred("success", 1)
        wait.enqueue(b"", {"n": "1"})  # no signal id
        wait.enqueue(b"", {"id": "x", "n": "several"})  # a target that is not an integer
        wait.enqueue(b"", {"id": "x", "n": "1", "wait.start.timestamp": "yesterday"})
        wait.run()
        failed = wait.get_flowfiles_for_relationship("failure")
        assert len(failed) == 3 and all(f.is_penalized for f in failed)
        assert all("wait.start.timestamp" not in f.attributes for f in failed)
        assert any("Release Signal Identifier" in b.message for b in wait.bulletins)


def test_an_unreachable_cache_sends_both_to_failure(expression_language: None) -> None:
    with TestRunner(Wait, {"release-signal-id": "${id}", "distributed-cache-service": CLIENT}) as wait, \
            TestRunner(Notify, {"release-signal-id": "${id}", "distributed-cache-service": CLIENT}) as notify:
        for runner in (wait, notify):
            add_unreachable_cache(runner)
            runner.enqueue(b"", {"id": "a"})
            runner.run()
            [failed] = runner.get_flowfiles_for_relationship("failure")
            assert failed.is_penalized
            assert any("Unable to communicate with cache" in b.message for b in runner.bulletins)


def test_concurrent_notifications_are_never_lost() -> None:
    with TestRunner(Notify, {"release-signal-id": "s", "distributed-cache-service": CLIENT}) as runner:
        add_map_cache(runner)
        protocol = WaitNotify(runner.services.instance(CLIENT))
        succeeded = [0] * 4

        def notify_many(index: int) -> None:
            for _ in range(25):
                try:
                    protocol.notify("shared", {"default": 1}, None)
                    succeeded[index] += 1
                except SignalError:
                    pass  # gave up after its retries: then it must not have counted either

        threads = [threading.Thread(target=notify_many, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        signal = protocol.get_signal("shared")
        assert signal is not None and signal.count("default") == sum(succeeded) > 0
