"""The wire protocol between DistributedMapCacheClientService and DistributedMapCacheServer.

Every message is a frame: a 4-byte big-endian length, then that many bytes of msgpack.
A connection opens with the client's ``[HELLO, VERSION]``, answered ``[OK, VERSION]``; then each
request ``[operation, key, value, revision]`` is answered ``[OK, result]`` or ``[ERROR, message]``.
"""

from __future__ import annotations

import socket
import struct
from typing import Any

import msgpack

HELLO = "nifi_like-map-cache"
VERSION = 1
OK, ERROR = "ok", "error"
OPERATIONS = ("get", "put", "put_if_absent", "get_and_put_if_absent", "contains_key", "remove", "fetch", "replace")
_LENGTH = struct.Struct(">I")


class ProtocolError(OSError):
    """The peer sent something that is not a frame of this protocol, or one too large."""


class FrameTooLarge(ProtocolError):
    """A frame over the size limit; its ``length`` bytes are still unread on the connection."""

    def __init__(self, length: int, max_size: int) -> None:
        super().__init__(f"a frame of {length} bytes is larger than the maximum read size of {max_size} bytes")
        self.length = length


def send(sock: socket.socket, message: Any) -> None:
    payload = msgpack.packb(message, use_bin_type=True)
    sock.sendall(_LENGTH.pack(len(payload)) + payload)


def receive(sock: socket.socket, max_size: int) -> Any:
    """The next message; None when the peer closed the connection before a frame began."""
    header = _read_exactly(sock, _LENGTH.size, allow_eof=True)
    if header is None:
        return None
    (length,) = _LENGTH.unpack(header)
    if length > max_size:
        raise FrameTooLarge(length, max_size)
    payload = _read_exactly(sock, length, allow_eof=False) or b""
    try:
        return msgpack.unpackb(payload, raw=False)
    except (ValueError, msgpack.ExtraData) as exc:
        raise ProtocolError(f"a frame is not valid msgpack: {exc}") from exc


def skip(sock: socket.socket, size: int) -> None:
    """Read and drop ``size`` bytes (the body of a frame that was refused), keeping the connection in step."""
    while size:
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise ProtocolError("the connection closed in the middle of a refused frame")
        size -= len(chunk)


def _read_exactly(sock: socket.socket, size: int, *, allow_eof: bool) -> bytes | None:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            if allow_eof and remaining == size:
                return None
            raise ProtocolError(f"the connection closed in the middle of a frame ({size - remaining} of {size} bytes)")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
