"""ConsumeNATS: subscribe to a NATS subject (optionally in a queue group) and turn messages into FlowFiles."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import ClassVar

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import TimeoutError as NatsTimeout

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
from processors.nats.nats_client import (
    CONNECTION_TIMEOUT,
    PASSWORD,
    SERVERS,
    SSL_CONTEXT_SERVICE,
    TOKEN,
    USERNAME,
    NatsConnection,
    validate_connection,
)

SUBJECT = "nats.subject"
REPLY_TO = "nats.reply.to"
SERVER = "nats.server"
HEADER_PREFIX = "nats.header."
BATCH = 1000
#: How long a trigger waits for the first message when none is pending.
POLL = 0.05


class ConsumeNATS(Processor):
    """Subscribes to a NATS subject (wildcards allowed) and writes each message to a FlowFile.

    Delivery guarantee: core NATS is at-most-once. The server sends a message to the subscribers connected at
    that moment and forgets it; there is no acknowledgement and no redelivery. Messages published while this
    processor is stopped or disconnected are never received; messages received but not yet committed (at most
    'Max Queue Size', held in memory) are lost if the engine dies, and those of a session that fails
    are lost too; when more than 'Max Queue Size' messages are
    pending the client drops the excess (a slow consumer, reported as a bulletin). With a 'Queue Group' the
    server gives each message to one member of the group. For at-least-once delivery use JetStream (not in
    this build)."""

    tags = ("nats", "consume", "subscribe", "messaging", "pubsub")
    input_requirement = InputRequirement.INPUT_FORBIDDEN
    trigger_serially = True
    writes_attributes: ClassVar[Mapping[str, str]] = {
        SUBJECT: "The subject the message was published to",
        REPLY_TO: "The reply subject of the message, when it has one",
        SERVER: "The NATS server the message came from",
        f"{HEADER_PREFIX}<name>": "Each header of the message",
    }

    SERVERS = SERVERS
    SUBJECT = PropertyDescriptor(
        "Subject", description="The subject to subscribe to; '*' matches one token, '>' the rest",
        required=True, expression_language=ExpressionLanguageScope.ENVIRONMENT, validator=validators.NON_EMPTY)
    QUEUE_GROUP = PropertyDescriptor(
        "Queue Group", description="When set, subscribers with the same queue group share the messages: each "
        "goes to one of them", expression_language=ExpressionLanguageScope.ENVIRONMENT)
    MAX_QUEUE_SIZE = PropertyDescriptor(
        "Max Queue Size", description="The most messages held in memory between their arrival and the next "
        "trigger; beyond it the client drops messages (core NATS has no back pressure)", default="10000",
        required=True, validator=validators.POSITIVE_INTEGER)
    USERNAME = USERNAME
    PASSWORD = PASSWORD
    TOKEN = TOKEN
    SSL_CONTEXT_SERVICE = SSL_CONTEXT_SERVICE
    CONNECTION_TIMEOUT = CONNECTION_TIMEOUT

    MESSAGE = Relationship("success", "One FlowFile per message received")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection: NatsConnection | None = None
        self._subscription: Subscription | None = None

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        return validate_connection(properties)

    def on_stopped(self, context: ProcessContext) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
            self._connection, self._subscription = None, None

    def _subscribed(self, context: ProcessContext) -> tuple[NatsConnection, Subscription]:
        with self._lock:
            if self._connection is not None and self._connection.is_connected and self._subscription is not None:
                return self._connection, self._subscription
            if self._connection is not None:
                self._connection.close()
                self._connection, self._subscription = None, None
            connection = NatsConnection(context)
            client = connection.connect()
            subject = context.get_property(self.SUBJECT).evaluate().value or ""
            queue = context.get_property(self.QUEUE_GROUP).evaluate().value or ""
            limit = context.get_property(self.MAX_QUEUE_SIZE).as_int() or 10000
            try:
                subscription = connection.run(client.subscribe(subject, queue=queue, pending_msgs_limit=limit))
                connection.run(client.flush(timeout=max(1, int(connection.timeout))))  # the server has it now
            except Exception as exc:
                connection.close()
                raise ProcessException(f"cannot subscribe to '{subject}': {type(exc).__name__}: {exc}") from exc
            self._connection, self._subscription = connection, subscription
            return connection, subscription

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        try:
            connection, subscription = self._subscribed(context)
        except ProcessException as exc:
            context.logger.error(f"Unable to subscribe; yielding: {exc}")
            context.yield_()
            return
        self._report_errors(context, connection)
        messages = connection.run(_take(subscription, BATCH))
        server = connection.server
        for message in messages:
            flowfile = session.create()
            flowfile = session.write(flowfile, message.data)
            attributes = {SUBJECT: message.subject, SERVER: server}
            if message.reply:
                attributes[REPLY_TO] = message.reply
            for name, value in (message.headers or {}).items():
                attributes[HEADER_PREFIX + name] = value
            flowfile = session.put_all_attributes(flowfile, attributes)
            session.provenance.receive(flowfile, f"{server}/{message.subject}")
            session.transfer(flowfile, self.MESSAGE)

    def _report_errors(self, context: ProcessContext, connection: NatsConnection) -> None:
        """Client errors (slow consumer: messages dropped) become bulletins, once each."""
        errors = connection.errors
        while errors:
            context.logger.warn(f"NATS client: {errors.pop(0)}")


async def _take(subscription: Subscription, limit: int) -> list[Msg]:
    taken: list[Msg] = []
    try:
        taken.append(await subscription.next_msg(timeout=POLL))
        while len(taken) < limit and subscription.pending_msgs:
            taken.append(await subscription.next_msg(timeout=POLL))
    except (TimeoutError, NatsTimeout):
        pass
    return taken
