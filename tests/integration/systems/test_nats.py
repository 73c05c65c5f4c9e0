"""PublishNATS and ConsumeNATS against a real nats-server."""

from __future__ import annotations

import time
import uuid

from nifi_like.testing import MockFlowFile, TestRunner
from processors.nats.consume_nats import ConsumeNATS
from processors.nats.publish_nats import PublishNATS
from tests.support.servers import Server, free_port

WAIT = 10.0


def url(server: Server) -> str:
    return f"nats://127.0.0.1:{server.port}"


def consume_until(runner: TestRunner, count: int) -> list[MockFlowFile]:
    deadline = time.monotonic() + WAIT
    while runner._sink("success").count < count and time.monotonic() < deadline:
        runner.run(1, stop_on_finish=False, initialize=False)
    return runner.get_flowfiles_for_relationship("success")


def subscriber(server: Server, subject: str, **properties: str) -> TestRunner:
    runner = TestRunner(ConsumeNATS, {"NATS Servers": url(server), "Subject": subject, **properties})
    runner.run(1, stop_on_finish=False)  # subscribed (and flushed) before anything is published
    return runner


def stop(runner: TestRunner) -> None:
    runner.processor.on_stopped(runner.context)
    runner.close()


def test_published_flowfiles_reach_the_subscriber_once_with_attributes(nats_server: Server) -> None:
    base = f"nifi.{uuid.uuid4().hex}"
    consumer = subscriber(nats_server, f"{base}.>")
    try:
        with TestRunner(PublishNATS, {"NATS Servers": url(nats_server), "Subject": f"{base}.${{kind}}",
                                      "Attributes to Send as Headers (Regex)": "trace\\..*",
                                      "Reply To": "replies"}) as publisher:
            for n in range(50):
                publisher.enqueue(f"msg {n}", {"kind": "a" if n % 2 else "b", "trace.id": str(n)})
            publisher.run()
            publisher.assert_all_transferred("success", 50)
            assert len([e for e in publisher.provenance_events if e["event_type"] == "SEND"]) == 50
        received = consume_until(consumer, 50)
        assert sorted(ff.content for ff in received) == sorted(f"msg {n}".encode() for n in range(50))
        seven = next(ff for ff in received if ff.content == b"msg 7")
        seven.assert_attribute_equals("nats.subject", f"{base}.a")
        seven.assert_attribute_equals("nats.header.trace.id", "7")
        seven.assert_attribute_equals("nats.reply.to", "replies")
        seven.assert_attribute_equals("nats.server", url(nats_server))
    finally:
        stop(consumer)


def test_queue_group_members_share_the_messages(nats_server: Server) -> None:
    subject = f"nifi.group.{uuid.uuid4().hex}"
    first = subscriber(nats_server, subject, **{"Queue Group": "workers"})
    second = subscriber(nats_server, subject, **{"Queue Group": "workers"})
    try:
        with TestRunner(PublishNATS, {"NATS Servers": url(nats_server), "Subject": subject}) as publisher:
            for n in range(40):
                publisher.enqueue(str(n))
            publisher.run()
        deadline = time.monotonic() + WAIT
        while first._sink("success").count + second._sink("success").count < 40 and time.monotonic() < deadline:
            first.run(1, stop_on_finish=False, initialize=False)
            second.run(1, stop_on_finish=False, initialize=False)
        got = [ff.content for runner in (first, second) for ff in runner.get_flowfiles_for_relationship("success")]
        assert sorted(got) == sorted(str(n).encode() for n in range(40))  # each exactly once across the group
    finally:
        stop(first)
        stop(second)


def test_unreachable_server_and_bad_subjects_go_to_failure_with_the_reason(nats_server: Server) -> None:
    with TestRunner(PublishNATS, {"NATS Servers": f"nats://127.0.0.1:{free_port()}", "Subject": "s",
                                  "Connection Timeout": "1 sec"}) as publisher:
        publisher.enqueue("x")
        publisher.run()
        publisher.assert_all_transferred("failure", 1)
        flowfile = publisher.get_flowfiles_for_relationship("failure")[0]
        assert "cannot connect to the NATS servers" in (flowfile.get_attribute("nats.error.message") or "")
        assert flowfile.is_penalized and publisher.is_yielded
    with TestRunner(PublishNATS, {"NATS Servers": url(nats_server), "Subject": "${subject}"}) as publisher:
        publisher.enqueue("no subject")
        publisher.enqueue("wildcard", {"subject": "a.*"})
        publisher.enqueue("fine", {"subject": "a.b"})
        publisher.run()
        publisher.assert_transferred("success", 1)
        reasons = [ff.get_attribute("nats.error.message") or "" for ff in publisher.get_flowfiles_for_relationship("failure")]
        assert reasons == ["the Subject '' is not a NATS subject (empty, spaces or wildcards)",
                           "the Subject 'a.*' is not a NATS subject (empty, spaces or wildcards)"]
    with TestRunner(ConsumeNATS, {"NATS Servers": f"nats://127.0.0.1:{free_port()}", "Subject": "s",
                                  "Connection Timeout": "1 sec"}) as consumer:
        consumer.run()
        assert consumer.is_yielded
        assert any("cannot connect to the NATS servers" in b.message for b in consumer.bulletins)
    with TestRunner(PublishNATS, {"NATS Servers": "http://x", "Subject": "s", "Username": "u"}) as invalid:
        problems = "\n".join(invalid.assert_not_valid())
        assert "is not a NATS server URL" in problems and "'Password' is required" in problems
