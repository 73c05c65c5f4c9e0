"""Binary key layouts of the LMDB databases."""

from __future__ import annotations

import struct
import uuid
from collections.abc import Callable

_SEQ = struct.Struct(">Q")
_NAMESPACE = uuid.UUID("6f1d3b8e-8d0c-4a53-9c1c-8b5b0b0f5e11")


def component_key(component_id: str) -> bytes:
    """16 bytes for a component id: the UUID itself, or a stable hash of a non-UUID id."""
    try:
        return uuid.UUID(component_id).bytes
    except ValueError:
        return uuid.uuid5(_NAMESPACE, component_id).bytes


def queue_key(conn_key: bytes, seq: int) -> bytes:
    return conn_key + _SEQ.pack(seq)


def queue_seq(key: bytes) -> int:
    return int(_SEQ.unpack_from(key, 16)[0])


#: 8 big-endian bytes of an unsigned integer (the struct's own method: no Python call per use)
u64: Callable[[int], bytes] = _SEQ.pack


def from_u64(raw: bytes) -> int:
    return int(_SEQ.unpack(raw)[0])
