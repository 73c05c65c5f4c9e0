"""ConsumeMQTT: subscribe to a topic filter and turn each message into a FlowFile, acknowledging QoS 1/2
messages to the broker only after the session holding them is durably committed."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from typing import ClassVar

import paho.mqtt.client as paho

from nifi_like.api import (
    ExpressionLanguageScope,
    InputRequirement,
    ProcessContext,
    ProcessException,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)
from processors.mqtt.mqtt_client import (
    BROKER_URI,
    CLIENT_ID,
    CONNECTION_TIMEOUT,
    KEEP_ALIVE,
    LAST_WILL_MESSAGE,
    LAST_WILL_QOS,
    LAST_WILL_RETAIN,
    LAST_WILL_TOPIC,
    MQTT_VERSION,
    PASSWORD,
    QOS_0,
    QOS_1,
    QOS_2,
    SESSION_STATE,
    SSL_CONTEXT_SERVICE,
    USERNAME,
    MqttConnection,
    Settings,
    validate_connection,
)

BROKER = "mqtt.broker"
TOPIC = "mqtt.topic"
QOS = "mqtt.qos"
IS_DUPLICATE = "mqtt.isDuplicate"
IS_RETAINED = "mqtt.isRetained"
#: Messages turned into FlowFiles per session.
BATCH = 1000
#: How long a trigger waits for the first message when none is queued.
POLL = 0.05


class _Inbox:
    """Received, not yet committed messages, bounded by Max Queue Size: the network thread waits while it
    is full (the broker keeps what it could not deliver, within its in-flight window)."""

    def __init__(self, capacity: int) -> None:
        self._messages: deque[paho.MQTTMessage] = deque()
        self._capacity = capacity
        self._changed = threading.Condition()
        self.closed = False

    def put(self, message: paho.MQTTMessage) -> None:
        with self._changed:
            while len(self._messages) >= self._capacity and not self.closed:
                self._changed.wait(0.5)
            self._messages.append(message)
            self._changed.notify_all()

    def take(self, limit: int, wait: float) -> list[paho.MQTTMessage]:
        with self._changed:
            if not self._messages:
                self._changed.wait(wait)
            taken = [self._messages.popleft() for _ in range(min(limit, len(self._messages)))]
            self._changed.notify_all()
            return taken

    def give_back(self, messages: list[paho.MQTTMessage]) -> None:
        """Messages whose session rolled back: first in line again."""
        with self._changed:
            self._messages.extendleft(reversed(messages))
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def __len__(self) -> int:
        return len(self._messages)


class ConsumeMQTT(Processor):
    """Subscribes to a topic and receives messages from an MQTT broker.

    Delivery guarantee (nifi_like): QoS 1 and 2 messages are acknowledged to the broker (PUBACK / PUBREC)
    only after the session holding their FlowFiles is committed to disk, so a message the broker considers
    delivered is never lost, even by kill -9. Until then the broker keeps it: with 'Session State' set to
    'Resume Session' (and a fixed Client ID) it redelivers unacknowledged messages when the processor
    reconnects, possibly as duplicates (mqtt.isDuplicate = true): at-least-once. With 'Clean Session' the
    broker forgets unacknowledged messages when the connection ends, so messages in flight when the processor
    stops or the engine dies are lost. QoS 0 messages are never acknowledged nor redelivered: at-most-once.
    Messages wait in memory (at most 'Max Queue Size') between their arrival and the next trigger."""

    tags = ("subscribe", "MQTT", "IOT", "consume", "listen")
    nifi_type = "org.apache.nifi.processors.mqtt.ConsumeMQTT"
    input_requirement = InputRequirement.INPUT_FORBIDDEN
    trigger_serially = True
    writes_attributes: ClassVar[Mapping[str, str]] = {
        BROKER: "MQTT broker that was the message source",
        TOPIC: "MQTT topic on which message was received",
        QOS: "The quality of service for this message.",
        IS_DUPLICATE: "Whether or not this message might be a duplicate of one which has already been received.",
        IS_RETAINED: "Whether or not this message was from a current publisher, or was \"retained\" by the server "
                     "as the last message published on the topic.",
    }

    BROKER_URI = BROKER_URI
    MQTT_VERSION = MQTT_VERSION
    USERNAME = USERNAME
    PASSWORD = PASSWORD
    SSL_CONTEXT_SERVICE = SSL_CONTEXT_SERVICE
    SESSION_STATE = SESSION_STATE
    CLIENT_ID = CLIENT_ID
    GROUP_ID = PropertyDescriptor(
        "Group ID", description="MQTT consumer group ID to use. If group ID not set, client will connect as "
        "individual consumer (a shared subscription $share/<group>/<filter> otherwise).", validator=validators.NON_EMPTY)
    TOPIC_FILTER = PropertyDescriptor(
        "Topic Filter", description="The MQTT topic filter to designate the topics to subscribe to.", required=True,
        expression_language=ExpressionLanguageScope.ENVIRONMENT, validator=validators.NON_EMPTY)
    QOS = PropertyDescriptor(
        "Quality of Service(QoS)", display_name="Quality of Service (QoS)", description="The Quality of Service "
        "(QoS) to receive the message with. Accepts values '0', '1' or '2'; '0' for 'at most once', '1' for 'at "
        "least once', '2' for 'exactly once'.", allowable_values=(QOS_0, QOS_1, QOS_2), default="0", required=True)
    CONNECTION_TIMEOUT = CONNECTION_TIMEOUT
    KEEP_ALIVE = KEEP_ALIVE
    LAST_WILL_MESSAGE = LAST_WILL_MESSAGE
    LAST_WILL_TOPIC = LAST_WILL_TOPIC
    LAST_WILL_RETAIN = LAST_WILL_RETAIN
    LAST_WILL_QOS = LAST_WILL_QOS
    MAX_QUEUE_SIZE = PropertyDescriptor(
        "Max Queue Size", description="The MQTT messages are always being sent to subscribers on a topic regardless "
        "of how frequently the processor is scheduled to run. If the 'Run Schedule' is significantly behind the "
        "rate at which the messages are arriving to this processor, then a back up can occur in the internal "
        "queue of this processor. This property specifies the maximum number of messages this processor will "
        "hold in memory at one time in the internal queue. Messages not yet committed are not acknowledged "
        "(QoS 1 and 2), so the broker keeps them.", required=True, validator=validators.POSITIVE_INTEGER)

    MESSAGE = Relationship("Message", "The MQTT message output")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection: MqttConnection | None = None
        self._inbox: _Inbox | None = None

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        problems = validate_connection(properties)
        client_id = properties.get(CLIENT_ID.name) or ""
        if client_id and "${" not in client_id and properties.get(self.GROUP_ID.name):
            problems.append("'Client ID' and 'Group ID': if client ID is not unique, multiple nodes cannot join the "
                            "consumer group (use Expression Language such as ${hostname()} in the client ID).")
        return problems

    def on_scheduled(self, context: ProcessContext) -> None:
        self._inbox = _Inbox(context.get_property(self.MAX_QUEUE_SIZE).as_int() or 1)

    def on_stopped(self, context: ProcessContext) -> None:
        with self._lock:
            if self._inbox is not None:
                self._inbox.close()
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _subscribe(self, context: ProcessContext) -> MqttConnection:
        with self._lock:
            if self._connection is not None:
                return self._connection  # paho reconnects and resubscribes by itself
            inbox = self._inbox
            if inbox is None:
                raise ProcessException("ConsumeMQTT is not scheduled")
            topic = context.get_property(self.TOPIC_FILTER).evaluate().value or ""
            group = context.get_property(self.GROUP_ID).value
            subscription = f"$share/{group}/{topic}" if group else topic
            qos = int(context.get_property(self.QOS).value or "0")
            connection = MqttConnection(Settings.of(context), manual_ack=True, on_message=inbox.put,
                                        on_connected=lambda client: client.subscribe(subscription, qos))
            connection.connect()
            self._connection = connection
            return connection

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        try:
            connection = self._subscribe(context)
        except ProcessException as exc:
            context.logger.error(f"Unable to subscribe; yielding: {exc}")
            context.yield_()
            return
        inbox = self._inbox
        assert inbox is not None
        messages = inbox.take(BATCH, POLL)
        if not messages:
            return
        for message in messages:
            flowfile = session.create()
            flowfile = session.write(flowfile, bytes(message.payload))
            flowfile = session.put_all_attributes(flowfile, {
                BROKER: connection.uri, TOPIC: message.topic, QOS: str(message.qos),
                IS_DUPLICATE: str(bool(message.dup)).lower(), IS_RETAINED: str(bool(message.retain)).lower()})
            session.provenance.receive(flowfile, f"{connection.uri}/{message.topic}")
            session.transfer(flowfile, self.MESSAGE)
        client = connection.client
        session.on_commit(lambda: _acknowledge(client, messages))
        session.on_rollback(lambda: inbox.give_back(messages))


def _acknowledge(client: paho.Client, messages: list[paho.MQTTMessage]) -> None:
    for message in messages:
        if message.qos > 0:
            client.ack(message.mid, message.qos)
