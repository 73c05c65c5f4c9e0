"""Subjectless functions: literal, UUID, nextInt, hostname, ip, thread, getStateValue."""

from __future__ import annotations

import itertools
import socket
import threading
import urllib.parse
import uuid
from collections.abc import Mapping

from . import coerce
from .registry import Site, function
from .values import Env, Kind, Typed

_NEXT_INT = itertools.count()


@function("literal", 1, subjectless=True)
def _literal(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    arg = args[0]
    # literal(5) and literal(true) are text, as in NiFi; literal(${...}) keeps its type.
    return coerce.to_string(arg) if arg.is_const else arg


@function("UUID", subjectless=True)
def _uuid(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return Typed(lambda a, e: str(uuid.uuid4()), Kind.STRING)


@function("nextInt", subjectless=True)
def _next_int(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return Typed(lambda a, e: next(_NEXT_INT), Kind.WHOLE)


@function("hostname", 0, 1, subjectless=True)
def _hostname(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fqdn_fn = coerce.to_boolean(args[0]).fn if args else (lambda a, e: False)
    return Typed(lambda a, e: socket.getfqdn() if fqdn_fn(a, e) else socket.gethostname(), Kind.STRING)


def _ip_address() -> str:
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


@function("ip", subjectless=True)
def _ip(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return Typed(lambda a, e: _ip_address(), Kind.STRING)


@function("thread", subjectless=True)
def _thread(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return Typed(lambda a, e: threading.current_thread().name, Kind.STRING)


@function("getStateValue", 1, subjectless=True)
def _get_state_value(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    key_fn = coerce.to_string(args[0]).fn

    def get_state(a: Mapping[str, str], e: Env) -> str | None:
        key = key_fn(a, e)
        state = e.state
        return None if state is None or key is None else state.get(key)

    node = Typed(get_state, Kind.STRING)
    node.notes["needs_env"] = True
    return node


# java.net.URI quotes every character outside these sets (non-ASCII "other" characters stay).
_UNRESERVED = "_-!.~'()*"
_PUNCT = ",;:$&+="
_URI_SAFE = _UNRESERVED + _PUNCT + "/@?[]#%"


def _quote(text: str, safe: str) -> str:
    return "".join(ch if ord(ch) > 127 and ch.isprintable() and not ch.isspace()
                   else urllib.parse.quote(ch, safe=safe) for ch in text)


def java_uri(scheme: str | None, user_info: str | None, host: str | None, port: int, path: str | None,
             query: str | None, fragment: str | None) -> str:
    """``new java.net.URI(scheme, userInfo, host, port, path, query, fragment).toString()``."""
    out = f"{scheme}:" if scheme is not None else ""
    if user_info is not None or host is not None or port != -1:
        out += "//"
        if user_info is not None:
            out += _quote(user_info, _UNRESERVED + _PUNCT) + "@"
        if host is not None:
            out += f"[{host}]" if ":" in host and not host.startswith("[") else host
        if port != -1:
            out += f":{port}"
    if path is not None:
        out += _quote(path, _UNRESERVED + _PUNCT + "/@")
    if query is not None:
        out += "?" + _quote(query, _URI_SAFE)
    if fragment is not None:
        out += "#" + _quote(fragment, _URI_SAFE)
    return out


@function("getUri", 7, subjectless=True)
def _get_uri(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fns = [coerce.to_string(a).fn for a in args]

    def get_uri(a: Mapping[str, str], e: Env) -> str:
        scheme, user_info, host, port_text, path, query, fragment = (f(a, e) for f in fns)
        try:
            port = int(port_text or "")
        except ValueError as exc:
            raise site.fail(f"the port '{port_text}' is not a number") from exc
        if scheme is not None and path and not path.startswith("/") and (user_info or host or port != -1):
            raise site.fail(f"the path '{path}' must be absolute when there is an authority")
        return java_uri(scheme, user_info, host, port, path, query, fragment)

    return Typed(get_uri, Kind.STRING)
