"""The wire format of a load-balanced transfer: one HTTP POST per batch of FlowFiles.

    POST /load-balance/v1/connections/{connection id}/flowfiles
    X-NiFi-Like-Node: <sender node id>
    X-NiFi-Like-Time: <sender's clock, epoch ms>
    X-NiFi-Like-Signature: hex HMAC-SHA256(secret, "node\\ntime\\nconnection id\\ncompression")
    X-NiFi-Like-Compression: DO_NOT_COMPRESS | COMPRESS_ATTRIBUTES_ONLY | COMPRESS_ATTRIBUTES_AND_CONTENT

The body is a sequence of frames, each a type byte, a 4-byte big-endian length and a payload:

    F  one FlowFile's record: msgpack [uuid, attributes, size, entry date, lineage start,
       its sequence number in the sender's partition (with the uuid, what duplicates are told by)]
    C  a chunk of its content (content is streamed, never held whole)
    E  the end of its content
    T  the trailer: HMAC-SHA256(secret, signature header value + every byte before the trailer)

F payloads are zlib-compressed unless the compression is DO_NOT_COMPRESS, C payloads when it
is COMPRESS_ATTRIBUTES_AND_CONTENT. The receiver commits only once the trailer checks out, and
answers 200 with msgpack {"accepted": n, "duplicates": m} only after that commit is durable;
503 with Retry-After while its queue for the connection is at back pressure.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import time
import zlib
from collections.abc import Iterator
from typing import Any

import msgpack

PATH = "/load-balance/v1/connections/{connection_id}/flowfiles"
NODE_HEADER = "X-NiFi-Like-Node"
TIME_HEADER = "X-NiFi-Like-Time"
SIGNATURE_HEADER = "X-NiFi-Like-Signature"
COMPRESSION_HEADER = "X-NiFi-Like-Compression"
CONTENT_TYPE = "application/x-nifi-like-load-balance"
MAX_CLOCK_SKEW_MS = 300_000
MAX_FRAME = 8 << 20
CHUNK = 256 * 1024

RECORD, CONTENT, END, TRAILER = b"F", b"C", b"E", b"T"
_FRAME = struct.Struct(">cI")
FRAME_HEADER = _FRAME.size


class ProtocolError(Exception):
    """A malformed or unauthenticated transfer; nothing of it is committed."""


class AuthenticationError(ProtocolError):
    """The request or its body is not signed with the cluster's secret."""


def signature(secret: bytes, node_id: str, timestamp: str, connection_id: str, compression: str) -> str:
    message = f"{node_id}\n{timestamp}\n{connection_id}\n{compression}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def request_headers(secret: bytes, node_id: str, connection_id: str, compression: str) -> dict[str, str]:
    timestamp = str(int(time.time() * 1000))
    return {NODE_HEADER: node_id, TIME_HEADER: timestamp, COMPRESSION_HEADER: compression,
            SIGNATURE_HEADER: signature(secret, node_id, timestamp, connection_id, compression),
            "Content-Type": CONTENT_TYPE}


def check_headers(secret: bytes, headers: Any, connection_id: str) -> tuple[str, str, str]:
    """(sender node id, compression, signature) of an authentic request; ProtocolError otherwise."""
    node_id = headers.get(NODE_HEADER, "")
    timestamp = headers.get(TIME_HEADER, "")
    compression = headers.get(COMPRESSION_HEADER, "DO_NOT_COMPRESS")
    given = headers.get(SIGNATURE_HEADER, "")
    expected = signature(secret, node_id, timestamp, connection_id, compression)
    if not node_id or not hmac.compare_digest(given, expected):
        raise AuthenticationError("the request is not signed with this cluster's secret")
    if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > MAX_CLOCK_SKEW_MS:
        raise AuthenticationError("the request's time is more than 5 minutes off this node's clock")
    if compression not in ("DO_NOT_COMPRESS", "COMPRESS_ATTRIBUTES_ONLY", "COMPRESS_ATTRIBUTES_AND_CONTENT"):
        raise ProtocolError(f"unknown compression '{compression}'")
    return node_id, compression, given


def frame(kind: bytes, payload: bytes) -> bytes:
    return _FRAME.pack(kind, len(payload)) + payload


def parse_frame_header(header: bytes) -> tuple[bytes, int]:
    kind, length = _FRAME.unpack(header)
    if kind not in (RECORD, CONTENT, END, TRAILER):
        raise ProtocolError(f"unknown frame type {kind!r}")
    if length > MAX_FRAME:
        raise ProtocolError(f"a frame of {length} bytes is over the limit of {MAX_FRAME}")
    return kind, length


class BodyWriter:
    """Frames of one batch, with the running HMAC the trailer carries."""

    def __init__(self, secret: bytes, signed: str, compression: str) -> None:
        self._mac = hmac.new(secret, signed.encode(), hashlib.sha256)
        self._records = compression != "DO_NOT_COMPRESS"
        self._content = compression == "COMPRESS_ATTRIBUTES_AND_CONTENT"

    def _emit(self, kind: bytes, payload: bytes) -> bytes:
        data = frame(kind, payload)
        self._mac.update(data)
        return data

    def record(self, flowfile_id: str, attributes: Any, size: int, entry_date: int, lineage_start: int,
               seq: int) -> bytes:
        payload = msgpack.packb([flowfile_id, dict(attributes), size, entry_date, lineage_start, seq])
        return self._emit(RECORD, zlib.compress(payload, 1) if self._records else payload)

    def content(self, chunk: bytes) -> bytes:
        return self._emit(CONTENT, zlib.compress(chunk, 1) if self._content else chunk)

    def end(self) -> bytes:
        return self._emit(END, b"")

    def trailer(self) -> bytes:
        return frame(TRAILER, self._mac.digest())


class FrameReader:
    """Frames out of a stream, read in large pieces (one await per piece, not per frame)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._buffer = bytearray()
        self._at = 0

    async def _fill(self, need: int) -> None:
        while len(self._buffer) - self._at < need:
            if self._at:
                del self._buffer[:self._at]
                self._at = 0
            data = await self._stream.read(max(CHUNK, need - len(self._buffer)))
            if not data:
                raise ProtocolError("the body ended before its trailer")
            self._buffer += data

    async def next(self) -> tuple[bytes, bytes, bytes]:
        """(header bytes, frame type, payload)."""
        await self._fill(FRAME_HEADER)
        header = bytes(self._buffer[self._at:self._at + FRAME_HEADER])
        kind, length = parse_frame_header(header)
        await self._fill(FRAME_HEADER + length)
        start = self._at + FRAME_HEADER
        payload = bytes(self._buffer[start:start + length])
        self._at = start + length
        return header, kind, payload


class BodyReader:
    """Checks and decodes frames on the receiving side."""

    def __init__(self, secret: bytes, signed: str, compression: str) -> None:
        self._mac = hmac.new(secret, signed.encode(), hashlib.sha256)
        self._records = compression != "DO_NOT_COMPRESS"
        self._content = compression == "COMPRESS_ATTRIBUTES_AND_CONTENT"

    def seen(self, header: bytes, payload: bytes) -> None:
        self._mac.update(header)
        self._mac.update(payload)

    def record(self, payload: bytes) -> tuple[str, dict[str, str], int, int, int, int]:
        try:
            raw = zlib.decompress(payload) if self._records else payload
            flowfile_id, attributes, size, entry_date, lineage_start, seq = msgpack.unpackb(raw)
        except (zlib.error, ValueError, TypeError, msgpack.UnpackException) as exc:
            raise ProtocolError(f"a FlowFile record does not decode: {exc}") from exc
        if not (isinstance(flowfile_id, str) and isinstance(attributes, dict) and isinstance(size, int)
                and isinstance(entry_date, int) and isinstance(lineage_start, int) and isinstance(seq, int)
                and size >= 0):
            raise ProtocolError("a FlowFile record has fields of the wrong types")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()):
            raise ProtocolError("FlowFile attributes must be strings")
        return flowfile_id, attributes, size, entry_date, lineage_start, seq

    def content(self, payload: bytes) -> bytes:
        if not self._content:
            return payload
        try:
            return zlib.decompress(payload)
        except zlib.error as exc:
            raise ProtocolError(f"a content chunk does not decompress: {exc}") from exc

    def check_trailer(self, payload: bytes) -> None:
        if not hmac.compare_digest(payload, self._mac.digest()):
            raise AuthenticationError("the body does not match its signature")


def chunks(stream: Any) -> Iterator[bytes]:
    while data := stream.read(CHUNK):
        yield data
