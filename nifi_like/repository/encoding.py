"""Encoding of what every commit writes per FlowFile: queue records and provenance events.

msgspec's MessagePack encoder writes the same bytes as ``msgpack.packb`` for these values
(dicts of strings, tuples and lists, ints, bytes, None) about three times faster, and packing is
on the path of every FlowFile through every processor. Reading stays with msgpack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec


def _plain(value: Any) -> Any:
    """What msgspec does not take itself: a str subclass as its str, any mapping as a dict."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"a value of type {type(value).__name__} cannot be stored in a FlowFile record: {value!r}")


def encoder() -> Callable[[Any], bytes]:
    """An encode function (one per session: each has its own encoder)."""
    return msgspec.msgpack.Encoder(enc_hook=_plain).encode
