"""PublishNATS: publish each FlowFile's content to a NATS subject."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from nifi_like.api import (
    ExpressionLanguageScope,
    FlowFile,
    InputRequirement,
    ProcessContext,
    ProcessException,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)
from processors._held_connection import HeldConnection
from processors.nats.nats_client import (
    CONNECTION_TIMEOUT,
    ERROR_MESSAGE,
    PASSWORD,
    SERVERS,
    SSL_CONTEXT_SERVICE,
    TOKEN,
    USERNAME,
    NatsConnection,
    validate_connection,
)

BATCH = 100
_SUBJECT = re.compile(r"^[^\s*>]+(\.[^\s*>]+)*$")


class PublishNATS(Processor):
    """Publishes the content of each FlowFile as a message to a NATS subject (core NATS). A FlowFile goes to
    'success' once the server confirmed, by a round trip after the batch, that it has received the messages
    before it; core NATS then delivers them to the subscribers connected at that moment, at most once (a
    subscriber that is not connected never sees them). FlowFiles that could not be published go to
    'failure' with nats.error.message (penalized; the processor yields when no server can be reached)."""

    tags = ("nats", "publish", "messaging", "pubsub")
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        ERROR_MESSAGE: "Why the FlowFile could not be published (on FlowFiles routed to failure)"}

    SERVERS = SERVERS
    SUBJECT = PropertyDescriptor(
        "Subject", description="The subject to publish to (no spaces or wildcards)", required=True,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    REPLY_TO = PropertyDescriptor(
        "Reply To", description="An optional reply subject sent with the message",
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    HEADER_ATTRIBUTES = PropertyDescriptor(
        "Attributes to Send as Headers (Regex)", description="A regular expression: FlowFile attributes whose "
        "names match are sent as NATS message headers", validator=validators.REGULAR_EXPRESSION)
    USERNAME = USERNAME
    PASSWORD = PASSWORD
    TOKEN = TOKEN
    SSL_CONTEXT_SERVICE = SSL_CONTEXT_SERVICE
    CONNECTION_TIMEOUT = CONNECTION_TIMEOUT

    SUCCESS = Relationship("success", "FlowFiles whose message the NATS server received")
    FAILURE = Relationship("failure", "FlowFiles that could not be published")

    def __init__(self) -> None:
        self._connection: HeldConnection[NatsConnection] = HeldConnection()

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        return validate_connection(properties)

    def on_stopped(self, context: ProcessContext) -> None:
        self._connection.close()

    def _connected(self, context: ProcessContext) -> NatsConnection:
        return self._connection.get(lambda: NatsConnection(context))

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        try:
            connection = self._connected(context)
        except ProcessException as exc:
            self._fail_all(context, session, flowfiles, str(exc))
            return
        client = connection.client
        assert client is not None
        pattern = context.get_property(self.HEADER_ATTRIBUTES).value
        header_names = re.compile(pattern) if pattern else None
        published: list[FlowFile] = []
        rejected: set[str] = set()

        async def publish_all() -> None:
            for flowfile in flowfiles:
                subject = context.get_property(self.SUBJECT).evaluate(flowfile).value or ""
                if not _SUBJECT.match(subject):
                    self._fail(context, session, flowfile, f"the Subject '{subject}' is not a NATS subject (empty, "
                                                           "spaces or wildcards)")
                    rejected.add(flowfile.id)
                    continue
                headers = ({name: value for name, value in flowfile.attributes.items() if header_names.fullmatch(name)}
                           if header_names else None)
                await client.publish(subject, session.read_bytes(flowfile),
                                     reply=context.get_property(self.REPLY_TO).evaluate(flowfile).value or "",
                                     headers=headers or None)
                published.append(flowfile)
            await client.flush(timeout=max(1, int(connection.timeout)))

        try:
            connection.run(publish_all())
        except Exception as exc:
            failed = [flowfile for flowfile in flowfiles if flowfile.id not in rejected]
            self._fail_all(context, session, failed, f"publishing failed: {type(exc).__name__}: {exc}")
            return
        for flowfile in published:
            session.provenance.send(flowfile, connection.server)
            session.transfer(flowfile, self.SUCCESS)

    def _fail_all(self, context: ProcessContext, session: ProcessSession, flowfiles: list[FlowFile],
                  reason: str) -> None:
        for flowfile in flowfiles:
            self._fail(context, session, flowfile, reason)
        context.yield_()

    def _fail(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile, reason: str) -> None:
        context.logger.error(f"Failed to publish {flowfile}; routing to failure: {reason}")
        flowfile = session.put_attribute(flowfile, ERROR_MESSAGE, reason)
        session.transfer(session.penalize(flowfile), self.FAILURE)
