"""HTTPS when the configuration names a certificate: ``[web] tls_certificate`` and ``tls_private_key``
(PEM files; the certificate file may hold the chain after it). With ``tls_client_ca`` as well, clients
must present a certificate that CA signed (mutual TLS), besides logging in."""

from __future__ import annotations

import os
import ssl

from nifi_like.config import Settings


def _pem(path: str, key: str) -> str:
    full = os.path.abspath(os.path.expanduser(path))
    if not os.path.isfile(full):
        raise ValueError(f"[web] {key} = {path!r}: no such file")
    return full


def server_context(settings: Settings) -> ssl.SSLContext | None:
    """The server's TLS context, or None to serve plain HTTP (no certificate configured)."""
    if not settings.tls_certificate and not settings.tls_private_key:
        if settings.tls_client_ca:
            raise ValueError("[web] tls_client_ca is set but tls_certificate and tls_private_key are not")
        return None
    if not settings.tls_certificate or not settings.tls_private_key:
        raise ValueError("[web] tls_certificate and tls_private_key must be set together")
    certificate = _pem(settings.tls_certificate, "tls_certificate")
    private_key = _pem(settings.tls_private_key, "tls_private_key")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(certificate, private_key)
    except ssl.SSLError as exc:
        raise ValueError(f"[web] tls_certificate {certificate} and tls_private_key {private_key} cannot be used: "
                         f"{exc.reason or exc} (PEM files, the key matching the certificate)") from exc
    if settings.tls_client_ca:
        ca = _pem(settings.tls_client_ca, "tls_client_ca")
        try:
            context.load_verify_locations(cafile=ca)
        except ssl.SSLError as exc:
            raise ValueError(f"[web] tls_client_ca {ca} is not a PEM CA certificate: {exc.reason or exc}") from exc
        context.verify_mode = ssl.CERT_REQUIRED
    return context
