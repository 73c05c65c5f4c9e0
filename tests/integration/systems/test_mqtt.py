"""PublishMQTT and ConsumeMQTT against a real mosquitto (plain and TLS listeners)."""

from __future__ import annotations

import time
import uuid

import pytest

from nifi_like.engine.session import StandardProcessSession
from nifi_like.testing import MockFlowFile, TestRunner
from processors.mqtt.consume_mqtt import ConsumeMQTT
from processors.mqtt.publish_mqtt import PublishMQTT
from processors.services.ssl_context_service import StandardSSLContextService
from processors.services.testing import ServiceTestRunner
from tests.support.servers import Server, TlsFiles, free_port

WAIT = 10.0


def broker(server: Server) -> str:
    return f"tcp://127.0.0.1:{server.port}"


def consume_until(runner: TestRunner, count: int) -> list[MockFlowFile]:
    """Trigger the (already scheduled) consumer until ``count`` messages came out, or WAIT seconds passed."""
    deadline = time.monotonic() + WAIT
    while runner._sink("Message").count < count and time.monotonic() < deadline:
        runner.run(1, stop_on_finish=False, initialize=False)
    return runner.get_flowfiles_for_relationship("Message")


def start_consumer(server: Server, topic: str, **properties: str) -> TestRunner:
    runner = TestRunner(ConsumeMQTT, {"Broker URI": broker(server), "Topic Filter": topic, "Max Queue Size": "100",
                                      **properties})
    runner.run(1, stop_on_finish=False)  # connects and subscribes
    return runner


def test_published_flowfiles_arrive_once_each_with_mqtt_attributes(mosquitto: Server) -> None:
    topic = f"nifi/{uuid.uuid4().hex}"
    consumer = start_consumer(mosquitto, f"{topic}/#", **{"Quality of Service(QoS)": "1"})
    try:
        with TestRunner(PublishMQTT, {"Broker URI": broker(mosquitto), "Topic": f"{topic}/${{kind}}",
                                      "Quality of Service(QoS)": "${qos}", "Retain Message": "false"}) as publisher:
            for n in range(30):
                publisher.enqueue(f"message {n}", {"kind": "even" if n % 2 == 0 else "odd", "qos": str(n % 3)})
            publisher.run()
            publisher.assert_all_transferred("success", 30)
            sends = [e for e in publisher.provenance_events if e["event_type"] == "SEND"]
            assert len(sends) == 30 and sends[0]["transit_uri"] == broker(mosquitto)
        received = consume_until(consumer, 30)
        assert sorted(ff.content for ff in received) == sorted(f"message {n}".encode() for n in range(30))
        first = next(ff for ff in received if ff.content == b"message 1")
        first.assert_attribute_equals("mqtt.topic", f"{topic}/odd")
        first.assert_attribute_equals("mqtt.qos", "1")
        first.assert_attribute_equals("mqtt.broker", broker(mosquitto))
        first.assert_attribute_equals("mqtt.isDuplicate", "false")
        first.assert_attribute_equals("mqtt.isRetained", "false")
        zero = next(ff for ff in received if ff.content == b"message 0")
        zero.assert_attribute_equals("mqtt.qos", "0")  # min(published 0, subscribed 1)
    finally:
        consumer.processor.on_stopped(consumer.context)
        consumer.close()


def test_retained_message_reaches_a_later_subscriber_marked_retained(mosquitto: Server) -> None:
    topic = f"nifi/retained/{uuid.uuid4().hex}"
    with TestRunner(PublishMQTT, {"Broker URI": broker(mosquitto), "Topic": topic, "Quality of Service(QoS)": "1",
                                  "Retain Message": "true"}) as publisher:
        publisher.enqueue("last known value")
        publisher.run()
        publisher.assert_all_transferred("success", 1)
    consumer = start_consumer(mosquitto, topic)
    try:
        received = consume_until(consumer, 1)
        assert received[0].content == b"last known value"
        received[0].assert_attribute_equals("mqtt.isRetained", "true")
    finally:
        consumer.processor.on_stopped(consumer.context)
        consumer.close()


def test_qos1_messages_are_acknowledged_only_after_the_commit(mosquitto: Server) -> None:
    """A consumer that dies between receiving and committing gets the messages again on reconnect; committed
    ones are not redelivered."""
    topic = f"nifi/ack/{uuid.uuid4().hex}"
    client_id = f"nifi-like-test-{uuid.uuid4().hex[:8]}"
    durable = {"Quality of Service(QoS)": "1", "Session State": "false", "Client ID": client_id}
    first = start_consumer(mosquitto, topic, **durable)
    with TestRunner(PublishMQTT, {"Broker URI": broker(mosquitto), "Topic": topic, "Quality of Service(QoS)": "1",
                                  "Retain Message": "false"}) as publisher:
        for n in range(5):
            publisher.enqueue(f"committed {n}")
        publisher.run()
        assert len(consume_until(first, 5)) == 5  # committed, so acknowledged
        for n in range(5):
            publisher.enqueue(f"in flight {n}")
        publisher.clear_transfer_state()
        publisher.run()
        publisher.assert_all_transferred("success", 5)
    processor = first.processor
    assert isinstance(processor, ConsumeMQTT)
    session = StandardProcessSession(first._node, first._repo)
    deadline = time.monotonic() + WAIT
    while processor._inbox is not None and len(processor._inbox) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    processor.on_trigger(first.context, session)  # takes the 5 messages; the session never commits
    connection = processor._connection
    assert connection is not None
    connection.client.loop_stop()
    sock = connection.client.socket()
    assert sock is not None
    sock.close()  # as kill -9 would: no DISCONNECT, nothing acknowledged
    first.close()
    second = start_consumer(mosquitto, topic, **durable)
    try:
        received = consume_until(second, 5)
        assert sorted(ff.content for ff in received) == sorted(f"in flight {n}".encode() for n in range(5))
        assert {ff.get_attribute("mqtt.isDuplicate") for ff in received} == {"true"}
        time.sleep(0.3)
        second.run(3, stop_on_finish=False, initialize=False)
        second.assert_transferred("Message", 5)  # the committed ones did not come back
    finally:
        second.processor.on_stopped(second.context)
        second.close()


def test_unreachable_broker_routes_to_failure_with_the_reason_and_yields() -> None:
    with TestRunner(PublishMQTT, {"Broker URI": f"tcp://127.0.0.1:{free_port()}", "Topic": "t",
                                  "Quality of Service(QoS)": "1", "Retain Message": "false"}) as publisher:
        publisher.enqueue("lost?")
        publisher.run()
        publisher.assert_all_transferred("failure", 1)
        flowfile = publisher.get_flowfiles_for_relationship("failure")[0]
        assert "cannot connect to the MQTT broker" in (flowfile.get_attribute("mqtt.error.message") or "")
        assert "Connection refused" in (flowfile.get_attribute("mqtt.error.message") or "")
        assert flowfile.is_penalized and publisher.is_yielded
    with TestRunner(ConsumeMQTT, {"Broker URI": f"tcp://127.0.0.1:{free_port()}", "Topic Filter": "t",
                                  "Max Queue Size": "10"}) as consumer:
        consumer.run()
        assert consumer.is_yielded
        assert any("cannot connect to the MQTT broker" in b.message for b in consumer.bulletins)


def test_bad_values_are_refused_or_routed_to_failure(mosquitto: Server) -> None:
    with TestRunner(PublishMQTT, {"Broker URI": "http://127.0.0.1:1", "Topic": "t", "Quality of Service(QoS)": "3",
                                  "Retain Message": "maybe"}) as invalid:
        problems = "\n".join(invalid.assert_not_valid())
        assert "is not a broker URI" in problems and "QoS must be" in problems and "'maybe'" in problems
    with TestRunner(PublishMQTT, {"Broker URI": f"ssl://127.0.0.1:{mosquitto.port}", "Topic": "t",
                                  "Quality of Service(QoS)": "0", "Retain Message": "false"}) as no_ssl:
        assert any("SSL Context Service must be set" in p for p in no_ssl.assert_not_valid())
    with TestRunner(PublishMQTT, {"Broker URI": broker(mosquitto), "Topic": "${missing}",
                                  "Quality of Service(QoS)": "${qos}", "Retain Message": "false"}) as runner:
        runner.enqueue("no topic")
        runner.enqueue("bad qos", {"missing": "t", "qos": "7"})
        runner.run()
        runner.assert_all_transferred("failure", 2)
        reasons = [ff.get_attribute("mqtt.error.message") for ff in runner.get_flowfiles_for_relationship("failure")]
        assert reasons[0] == "the Topic evaluated to an empty value"
        assert "QoS '7'" in (reasons[1] or "")


@pytest.mark.parametrize("with_client_certificate", [True, False])
def test_tls_with_ssl_context_service(mosquitto: Server, tls_files: TlsFiles, with_client_certificate: bool) -> None:
    topic = f"nifi/tls/{uuid.uuid4().hex}"
    consumer = start_consumer(mosquitto, topic, **{"Quality of Service(QoS)": "1"})
    ssl_properties = {"Truststore Filename": tls_files.ca_cert, "SSL Protocol": "TLSv1.2"}
    if with_client_certificate:
        ssl_properties |= {"Keystore Filename": tls_files.client_cert, "Key Filename": tls_files.client_key}
    try:
        with ServiceTestRunner(PublishMQTT, {
                "Broker URI": f"ssl://127.0.0.1:{mosquitto.extra['tls_port']}", "Topic": topic,
                "Quality of Service(QoS)": "1", "Retain Message": "false", "SSL Context Service": "tls",
                "Connection Timeout": "5"}) as publisher:
            publisher.add_controller_service("tls", StandardSSLContextService, ssl_properties)
            publisher.enable_controller_service("tls")
            publisher.enqueue("over TLS")
            publisher.run()
            if with_client_certificate:
                publisher.assert_all_transferred("success", 1)
                assert consume_until(consumer, 1)[0].content == b"over TLS"
            else:  # the listener requires a client certificate
                publisher.assert_all_transferred("failure", 1)
                assert "cannot connect" in (publisher.get_flowfiles_for_relationship("failure")[0]
                                            .get_attribute("mqtt.error.message") or "")
    finally:
        consumer.processor.on_stopped(consumer.context)
        consumer.close()
