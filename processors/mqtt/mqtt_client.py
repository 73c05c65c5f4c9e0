"""What PublishMQTT and ConsumeMQTT share: NiFi's MQTT connection properties and a connected paho client."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.reasoncodes import ReasonCode

from nifi_like.api import (
    AllowableValue,
    ExpressionLanguageScope,
    ProcessContext,
    ProcessException,
    PropertyDescriptor,
    validators,
)
from processors.services.ssl_context_service import SSLContextService

ERROR_MESSAGE = "mqtt.error.message"
SCHEMES = {"tcp": 1883, "ssl": 8883, "ws": 80, "wss": 443}

QOS_0 = AllowableValue("0", "0 - At most once", "Best effort delivery. A message won't be acknowledged by the "
                       "receiver or stored and redelivered by the sender.")
QOS_1 = AllowableValue("1", "1 - At least once", "Guarantees that a message will be delivered at least once to "
                       "the receiver. The message can also be delivered more than once")
QOS_2 = AllowableValue("2", "2 - Exactly once", "Guarantees that each message is received only once by the "
                       "counterpart.")
CLEAN_SESSION = AllowableValue("true", "Clean Session", "Client and Server discard any previous session and start "
                               "a new one. This session lasts as long as the network connection.")
RESUME_SESSION = AllowableValue("false", "Resume Session", "Server resumes communications with the client based "
                                "on state from the current session (as identified by the ClientID). After the "
                                "disconnection of a session that was not a clean session, the server stores "
                                "further QoS 1 and QoS 2 messages that match any subscriptions that the client "
                                "had at the time of disconnection as part of the session state")
VERSION_AUTO = AllowableValue("0", "v3 AUTO", "Start with v3.1.1 and fallback to v3.1.0 if not supported by a broker")
VERSION_5 = AllowableValue("5", "v5.0")
VERSION_311 = AllowableValue("4", "v3.1.1")
VERSION_310 = AllowableValue("3", "v3.1.0")
_PROTOCOLS = {"0": MQTTProtocolVersion.MQTTv311, "5": MQTTProtocolVersion.MQTTv5,
              "4": MQTTProtocolVersion.MQTTv311, "3": MQTTProtocolVersion.MQTTv31}


def _broker_uri_problem(value: str) -> str | None:
    for uri in value.split(","):
        parts = urlsplit(uri.strip())
        if parts.scheme not in SCHEMES or not parts.hostname:
            return "is not a broker URI such as tcp://localhost:1883 (schemes: tcp, ssl, ws, wss)"
        try:
            parts.port  # noqa: B018 - raises ValueError for a bad port
        except ValueError:
            return "has an invalid port"
    return None


BROKER_URI = PropertyDescriptor(
    "Broker URI", description="The URI(s) to use to connect to the MQTT broker (e.g., tcp://localhost:1883). The "
    "'tcp', 'ssl', 'ws' and 'wss' schemes are supported. In order to use 'ssl', the SSL Context Service property "
    "must be set. When a comma-separated URI list is set (e.g., tcp://localhost:1883,tcp://localhost:1884), the "
    "processor will use a round-robin algorithm to connect to the brokers on connection failure.",
    required=True, expression_language=ExpressionLanguageScope.ENVIRONMENT, validator=_broker_uri_problem)
MQTT_VERSION = PropertyDescriptor(
    "MQTT Specification Version", description="The MQTT specification version when connecting with the broker.",
    allowable_values=(VERSION_AUTO, VERSION_5, VERSION_311, VERSION_310), default="0", required=True)
USERNAME = PropertyDescriptor("Username", description="Username to use when connecting to the broker",
                              expression_language=ExpressionLanguageScope.ENVIRONMENT)
PASSWORD = PropertyDescriptor("Password", description="Password to use when connecting to the broker",
                              sensitive=True)
SSL_CONTEXT_SERVICE = PropertyDescriptor(
    "SSL Context Service", description="The SSL Context Service used to provide client certificate information "
    "for TLS/SSL connections.", controller_service=SSLContextService)
SESSION_STATE = PropertyDescriptor(
    "Session State", description="Whether to start a fresh or resume previous "
    "flows. See the allowable value descriptions for more details.",
    allowable_values=(CLEAN_SESSION, RESUME_SESSION), default="true", required=True)
CLIENT_ID = PropertyDescriptor(
    "Client ID", description="MQTT client ID to use. If not set, a UUID will be generated.",
    expression_language=ExpressionLanguageScope.ENVIRONMENT, validator=validators.NON_EMPTY)
CONNECTION_TIMEOUT = PropertyDescriptor(
    "Connection Timeout", description="Maximum time interval the "
    "client will wait (in seconds) for the network connection to the MQTT server to be established.", default="30",
    validator=validators.POSITIVE_INTEGER)
KEEP_ALIVE = PropertyDescriptor(
    "Keep Alive", description="Defines the maximum time "
    "interval (in seconds) between messages sent or received. The client sends a small ping when nothing else was sent in "
    "that time, so a broker that went away is noticed.", default="60", validator=validators.POSITIVE_INTEGER)
LAST_WILL_MESSAGE = PropertyDescriptor("Last Will Message", description="The message to send as the client's "
                                       "Last Will.")
LAST_WILL_TOPIC = PropertyDescriptor("Last Will Topic", description="The topic to send the client's Last Will to.")
LAST_WILL_RETAIN = PropertyDescriptor("Last Will Retain", description="Whether to retain the client's Last Will.",
                                      allowable_values=("true", "false"), default="false")
LAST_WILL_QOS = PropertyDescriptor("Last Will QoS Level", description="QoS level to be used when publishing the "
                                   "Last Will Message.", allowable_values=(QOS_0, QOS_1, QOS_2), default="0")

CONNECTION_PROPERTIES = (BROKER_URI, MQTT_VERSION, USERNAME, PASSWORD, SSL_CONTEXT_SERVICE, SESSION_STATE, CLIENT_ID,
                         CONNECTION_TIMEOUT, KEEP_ALIVE, LAST_WILL_MESSAGE, LAST_WILL_TOPIC, LAST_WILL_RETAIN,
                         LAST_WILL_QOS)


def validate_connection(properties: Mapping[str, str | None]) -> list[str]:
    problems = []
    if bool(properties.get(USERNAME.name)) != bool(properties.get(PASSWORD.name)):
        problems.append("'Username' and 'Password': if username or password is set, both must be set.")
    uris = properties.get(BROKER_URI.name) or ""
    schemes = {urlsplit(uri.strip()).scheme for uri in uris.split(",") if "${" not in uris}
    if len(schemes) > 1:
        problems.append("'Broker URI': all URIs should use the same scheme.")
    if schemes & {"ssl", "wss"} and not properties.get(SSL_CONTEXT_SERVICE.name):
        problems.append("'SSL Context Service' or 'Broker URI': if the 'ssl' scheme is used in the broker URI, the "
                        "SSL Context Service must be set.")
    if properties.get(LAST_WILL_MESSAGE.name) and not properties.get(LAST_WILL_TOPIC.name):
        problems.append("'Last Will Topic' is required when 'Last Will Message' is set")
    return problems


@dataclass
class Settings:
    uris: list[str]
    client_id: str
    clean_session: bool
    protocol: MQTTProtocolVersion
    timeout: float
    keep_alive: int
    username: str | None
    password: str | None
    ssl: SSLContextService | None
    will: tuple[str, str, int, bool] | None

    @classmethod
    def of(cls, context: ProcessContext) -> Settings:
        def text(descriptor: PropertyDescriptor) -> str | None:
            return context.get_property(descriptor).evaluate().value or None

        message = text(LAST_WILL_MESSAGE)
        will = None
        if message:
            will = (text(LAST_WILL_TOPIC) or "", message, int(text(LAST_WILL_QOS) or "0"),
                    text(LAST_WILL_RETAIN) == "true")
        return cls(
            uris=[uri.strip() for uri in (text(BROKER_URI) or "").split(",") if uri.strip()],
            client_id=text(CLIENT_ID) or str(uuid.uuid4()),
            clean_session=(text(SESSION_STATE) or "true") == "true",
            protocol=_PROTOCOLS[text(MQTT_VERSION) or "0"],
            timeout=float(text(CONNECTION_TIMEOUT) or "30"),
            keep_alive=int(text(KEEP_ALIVE) or "60"),
            username=text(USERNAME), password=context.get_property(PASSWORD).value,
            ssl=context.get_property(SSL_CONTEXT_SERVICE).as_controller_service(),
            will=will)

    @property
    def broker(self) -> str:
        return ",".join(self.uris)


class MqttConnection:
    """A paho client connected to the first reachable broker of the list, its network loop on its own thread
    (reconnecting by itself). ``on_connected`` runs after each (re)connection, e.g. to subscribe."""

    def __init__(self, settings: Settings, *, manual_ack: bool = False,
                 on_message: Callable[[paho.MQTTMessage], None] | None = None,
                 on_connected: Callable[[paho.Client], object] | None = None) -> None:
        self.settings = settings
        self.uri = settings.uris[0]
        self._connected = threading.Event()
        self._refused: str | None = None
        self._on_connected = on_connected
        clean: bool | None = settings.clean_session if settings.protocol != MQTTProtocolVersion.MQTTv5 else None
        transport: Literal["tcp", "websockets"] = "websockets" if urlsplit(self.uri).scheme in ("ws", "wss") else "tcp"
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=settings.client_id, clean_session=clean,
                                  protocol=settings.protocol, transport=transport, manual_ack=manual_ack)
        self.client.on_connect = self._handle_connect
        self.client.on_disconnect = self._handle_disconnect
        if on_message is not None:
            self.client.on_message = lambda _client, _userdata, message: on_message(message)
        if settings.username:
            self.client.username_pw_set(settings.username, settings.password)
        if settings.ssl is not None:
            self.client.tls_set_context(settings.ssl.create_context())
        if settings.will:
            topic, payload, qos, retain = settings.will
            self.client.will_set(topic, payload, qos, retain)
        self.client.connect_timeout = settings.timeout
        self.client.reconnect_delay_set(1, 30)

    def connect(self) -> None:
        """Connect to the first broker that accepts; ProcessException naming each one's reason otherwise."""
        reasons = []
        for uri in self.settings.uris:
            parts = urlsplit(uri)
            self._connected.clear()
            self._refused = None
            try:
                self.client.connect(parts.hostname or "localhost", parts.port or SCHEMES[parts.scheme],
                                    self.settings.keep_alive, clean_start=self.settings.clean_session
                                    if self.settings.protocol == MQTTProtocolVersion.MQTTv5 else 3)
            except (OSError, ValueError) as exc:
                reasons.append(f"{uri}: {exc}")
                continue
            self.client.loop_start()
            if self._connected.wait(self.settings.timeout) and self._refused is None:
                self.uri = uri
                return
            self.client.loop_stop()
            self.client.disconnect()
            reasons.append(f"{uri}: {self._refused or 'no CONNACK within the connection timeout'}")
        raise ProcessException("cannot connect to the MQTT broker: " + "; ".join(reasons))

    @property
    def is_connected(self) -> bool:
        return self.client.is_connected()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _handle_connect(self, client: paho.Client, _userdata: Any, _flags: Any, reason: ReasonCode,
                        _properties: Any) -> None:
        if reason.is_failure:
            self._refused = f"connection refused: {reason}"
        elif self._on_connected is not None:
            self._on_connected(client)
        self._connected.set()

    def _handle_disconnect(self, _client: paho.Client, _userdata: Any, _flags: Any, _reason: ReasonCode,
                           _properties: Any) -> None:
        self._connected.clear()
