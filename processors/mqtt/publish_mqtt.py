"""PublishMQTT: publish each FlowFile's content as one MQTT message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import paho.mqtt.client as paho

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
)
from processors._held_connection import HeldConnection
from processors.mqtt.mqtt_client import (
    BROKER_URI,
    CLIENT_ID,
    CONNECTION_TIMEOUT,
    ERROR_MESSAGE,
    KEEP_ALIVE,
    LAST_WILL_MESSAGE,
    LAST_WILL_QOS,
    LAST_WILL_RETAIN,
    LAST_WILL_TOPIC,
    MQTT_VERSION,
    PASSWORD,
    SESSION_STATE,
    SSL_CONTEXT_SERVICE,
    USERNAME,
    MqttConnection,
    Settings,
    validate_connection,
)

#: FlowFiles published per trigger (their acknowledgements are awaited together).
BATCH = 100


def _qos_problem(value: str) -> str | None:
    return None if value.strip() in ("0", "1", "2") else "is not a QoS: QoS must be an integer between 0 and 2."


def _retain_problem(value: str) -> str | None:
    return None if value.strip().lower() in ("true", "false") else "is not 'true' or 'false'"


class PublishMQTT(Processor):
    """Publishes a message to an MQTT topic. The FlowFile's content is the message. A FlowFile goes to
    'success' once the broker acknowledged it (QoS 1 and 2) or it was written to the connection (QoS 0), else
    to 'failure' with mqtt.error.message; when no broker can be reached the processor also yields."""

    tags = ("publish", "MQTT", "IOT")
    nifi_type = "org.apache.nifi.processors.mqtt.PublishMQTT"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        ERROR_MESSAGE: "nifi_like: why the message could not be published (on FlowFiles routed to failure)"}

    BROKER_URI = BROKER_URI
    MQTT_VERSION = MQTT_VERSION
    USERNAME = USERNAME
    PASSWORD = PASSWORD
    SSL_CONTEXT_SERVICE = SSL_CONTEXT_SERVICE
    SESSION_STATE = SESSION_STATE
    CLIENT_ID = CLIENT_ID
    TOPIC = PropertyDescriptor(
        "Topic", description="The topic to publish the message to.", required=True,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    RETAIN = PropertyDescriptor(
        "Retain Message", description="Whether or not the retain flag should be set on the MQTT message.",
        required=True, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES, validator=_retain_problem)
    QOS = PropertyDescriptor(
        "Quality of Service(QoS)", display_name="Quality of Service (QoS)", description="The Quality of Service "
        "(QoS) to send the message with. Accepts three values '0', '1' and '2'; '0' for 'at most once', '1' for "
        "'at least once', '2' for 'exactly once'. Expression language is allowed in order to support publishing "
        "messages with different QoS but the end value of the property must be either '0', '1' or '2'.",
        required=True, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES, validator=_qos_problem)
    CONNECTION_TIMEOUT = CONNECTION_TIMEOUT
    KEEP_ALIVE = KEEP_ALIVE
    LAST_WILL_MESSAGE = LAST_WILL_MESSAGE
    LAST_WILL_TOPIC = LAST_WILL_TOPIC
    LAST_WILL_RETAIN = LAST_WILL_RETAIN
    LAST_WILL_QOS = LAST_WILL_QOS

    SUCCESS = Relationship("success", "FlowFiles that are sent successfully to the destination are transferred to "
                                      "this relationship.")
    FAILURE = Relationship("failure", "FlowFiles that failed to send to the destination are transferred to this "
                                      "relationship.")

    def __init__(self) -> None:
        self._connection: HeldConnection[MqttConnection] = HeldConnection()

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        return validate_connection(properties)

    def on_stopped(self, context: ProcessContext) -> None:
        self._connection.close()

    def _connected(self, context: ProcessContext) -> MqttConnection:
        return self._connection.get(lambda: MqttConnection(Settings.of(context)))

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        try:
            connection = self._connected(context)
        except ProcessException as exc:
            for flowfile in flowfiles:
                self._fail(context, session, flowfile, str(exc))
            context.yield_()
            return
        sent: list[tuple[FlowFile, paho.MQTTMessageInfo]] = []
        for flowfile in flowfiles:
            topic = context.get_property(self.TOPIC).evaluate(flowfile).value or ""
            qos_text = (context.get_property(self.QOS).evaluate(flowfile).value or "").strip()
            retain = (context.get_property(self.RETAIN).evaluate(flowfile).value or "").strip().lower()
            if not topic:
                self._fail(context, session, flowfile, "the Topic evaluated to an empty value")
            elif qos_text not in ("0", "1", "2") or retain not in ("true", "false"):
                self._fail(context, session, flowfile, f"QoS '{qos_text}' or Retain Message '{retain}' is not valid "
                                                       "(QoS 0, 1 or 2; retain true or false)")
            else:
                info = connection.client.publish(topic, session.read_bytes(flowfile), int(qos_text), retain == "true")
                sent.append((flowfile, info))
        timeout = context.get_property(CONNECTION_TIMEOUT).as_float() or 30.0
        for flowfile, info in sent:
            reason = _outcome(info, timeout)
            if reason:
                self._fail(context, session, flowfile, reason)
            else:
                session.provenance.send(flowfile, connection.uri)
                session.transfer(flowfile, self.SUCCESS)

    def _fail(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile, reason: str) -> None:
        context.logger.error(f"Failed to publish {flowfile}; routing to failure: {reason}")
        flowfile = session.put_attribute(flowfile, ERROR_MESSAGE, reason)
        session.transfer(session.penalize(flowfile), self.FAILURE)


def _outcome(info: paho.MQTTMessageInfo, timeout: float) -> str | None:
    """None once the message is published (acknowledged for QoS 1 and 2), else why not."""
    if info.rc != paho.MQTT_ERR_SUCCESS and info.rc != paho.MQTT_ERR_NO_CONN:
        return f"publish failed: {paho.error_string(info.rc)}"
    try:
        info.wait_for_publish(timeout)
    except (RuntimeError, ValueError) as exc:
        return f"publish failed: {exc}"
    return None if info.is_published() else f"the broker did not acknowledge the message within {timeout:g} s"
