"""Which Host (and Origin) names this server answers to: a guard against DNS rebinding and CSRF."""

from __future__ import annotations

import socket

from nifi_like.config import Settings

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def allowed_hosts(settings: Settings) -> frozenset[str]:
    """Host header values accepted: loopback names, the bound host, and this machine's names if bound to all."""
    hosts = set(LOOPBACK) | {settings.host.lower()}
    if settings.host in ("0.0.0.0", "::", ""):
        hosts |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    extra = settings.extra.get("web.proxy_hosts") or []
    hosts |= {str(h).lower() for h in extra} if isinstance(extra, list) else set()
    return frozenset(hosts)


def host_of(header: str) -> str:
    """The host part of a Host or Origin authority ("[::1]:8080" -> "::1")."""
    header = header.strip().lower()
    if "://" in header:
        header = header.split("://", 1)[1]
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header
