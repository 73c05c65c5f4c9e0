"""StandardSSLContextService: TLS settings (client certificate, trusted CAs, protocol) shared by the
clients of MQTT, Redis, NATS and PostgreSQL, from PEM files."""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping

from nifi_like.api import (
    AllowableValue,
    ConfigurationContext,
    ControllerService,
    ExpressionLanguageScope,
    PropertyDescriptor,
)

PEM = AllowableValue("PEM", "PEM", "PEM files: certificates and an (optionally encrypted) PKCS#8 or "
                                   "traditional private key")
PROTOCOLS = {
    "TLS": (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.MAXIMUM_SUPPORTED),
    "TLSv1.2": (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2),
    "TLSv1.3": (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_3),
}


def _readable_file(value: str) -> str | None:
    return None if os.path.isfile(value) and os.access(value, os.R_OK) else "is not a readable file"


class SSLContextService(ControllerService):
    """What a client sees of a TLS configuration: an ``ssl.SSLContext`` for Python clients, and the
    file paths for clients that take files (libpq)."""

    certificate_file: str | None = None
    key_file: str | None = None
    key_password: str | None = None
    ca_file: str | None = None
    protocol: str = "TLS"

    def create_context(self) -> ssl.SSLContext:
        """A client-side context: verifies the server against the truststore (or the system CAs when
        none is set), presents the keystore's certificate when one is set."""
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.ca_file)
        context.minimum_version, context.maximum_version = PROTOCOLS[self.protocol]
        if self.certificate_file:
            context.load_cert_chain(self.certificate_file, self.key_file, password=self.key_password)
        return context


class StandardSSLContextService(SSLContextService):
    """Standard implementation of the SSLContextService. Provides the ability to configure keystore and/or
    truststore properties once and reuse that configuration throughout the application. Keystores and
    truststores are PEM files here (Python's ssl module reads no JKS or PKCS12): the Keystore holds the
    client certificate chain and, unless 'Key Filename' names another file, its private key; the
    Truststore holds the CA certificates to trust."""

    tags = ("ssl", "secure", "certificate", "keystore", "truststore", "jks", "p12", "pkcs12", "pkcs", "tls")
    nifi_type = "org.apache.nifi.ssl.StandardSSLContextService"

    KEYSTORE = PropertyDescriptor(
        "Keystore Filename", description="The fully-qualified filename of the Keystore: a PEM file with the "
        "client certificate chain (and its private key unless 'Key Filename' is set)",
        validator=_readable_file, expression_language=ExpressionLanguageScope.ENVIRONMENT)
    KEYSTORE_TYPE = PropertyDescriptor(
        "Keystore Type", description="The Type of the Keystore", allowable_values=(PEM,), default=PEM.value)
    KEY_FILENAME = PropertyDescriptor(
        "Key Filename", description="A PEM file holding the private key of the Keystore's certificate, when "
        "it is not in the Keystore file itself (nifi_like: NiFi's keystores always hold the key)",
        validator=_readable_file, expression_language=ExpressionLanguageScope.ENVIRONMENT)
    KEYSTORE_PASSWORD = PropertyDescriptor(
        "Keystore Password", description="The password protecting the private key, if it is encrypted",
        sensitive=True)
    KEY_PASSWORD = PropertyDescriptor(
        "key-password", display_name="Key Password", description="The password for the private key when it "
        "differs from the Keystore Password", sensitive=True)
    TRUSTSTORE = PropertyDescriptor(
        "Truststore Filename", description="The fully-qualified filename of the Truststore: a PEM file of the "
        "CA certificates to trust. When not set, the system's trusted CAs are used.",
        validator=_readable_file, expression_language=ExpressionLanguageScope.ENVIRONMENT)
    TRUSTSTORE_TYPE = PropertyDescriptor(
        "Truststore Type", description="The Type of the Truststore", allowable_values=(PEM,), default=PEM.value)
    TRUSTSTORE_PASSWORD = PropertyDescriptor(
        "Truststore Password", description="Unused for PEM truststores (kept so NiFi flows load)", sensitive=True)
    SSL_PROTOCOL = PropertyDescriptor(
        "SSL Protocol", description="The TLS protocol versions to allow: TLS negotiates the highest version "
        "both sides support (1.2 or later)", allowable_values=tuple(PROTOCOLS), default="TLS", required=True)

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        problems = []
        if not properties.get(self.KEYSTORE.name) and not properties.get(self.TRUSTSTORE.name):
            problems.append("at least one of 'Keystore Filename' and 'Truststore Filename' must be set")
        if properties.get(self.KEY_FILENAME.name) and not properties.get(self.KEYSTORE.name):
            problems.append("'Key Filename' needs 'Keystore Filename' (the certificate it belongs to)")
        return problems

    def on_enabled(self, context: ConfigurationContext) -> None:
        self.certificate_file = context.get_property(self.KEYSTORE).evaluate().value or None
        self.key_file = context.get_property(self.KEY_FILENAME).evaluate().value or None
        self.key_password = (context.get_property(self.KEY_PASSWORD).value
                             or context.get_property(self.KEYSTORE_PASSWORD).value or None)
        self.ca_file = context.get_property(self.TRUSTSTORE).evaluate().value or None
        self.protocol = context.get_property(self.SSL_PROTOCOL).value or "TLS"
        try:
            self.create_context()  # refuse to enable with files that do not load
        except (OSError, ssl.SSLError) as exc:
            raise ValueError(f"the keystore or truststore could not be loaded: {exc}") from exc
